/** API endpoints: comments on drafts, replies, dispositions and the comment-resolution log. */
import type { Endpoint } from "./endpoint";

export const commentsEndpoints: Endpoint<any, any, any>[] = [];
