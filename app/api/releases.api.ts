/** API endpoints: publishing releases, the semantic diff between releases, evaluating a release's rules. */
import type { Endpoint } from "./endpoint";

export const releasesEndpoints: Endpoint<any, any, any>[] = [];
