/** API endpoints: webhooks for release.published events. */
import type { Endpoint } from "./endpoint";

export const webhooksEndpoints: Endpoint<any, any, any>[] = [];
