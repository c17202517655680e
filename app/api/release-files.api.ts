/** API endpoints: the public release files, manifests, latest and the signed index (served by app/releases/serve.server.ts before the router; documented here). */
import type { Endpoint } from "./endpoint";

export const releaseFilesEndpoints: Endpoint<any, any, any>[] = [];
