/**
 * A real portal process for the kill -9 tests (API-only, no build needed): opens DATA_DIR, listens
 * on a free port and prints `listening on port N`. With `--make-token` it first creates an admin
 * and prints `token <personal access token>`.
 */
import { createPortal } from "../../server";
import { readEnv, setEnv } from "../../app/utils/env.server";
import { accessTokenFor, createAdmin } from "./factories";

const initial = readEnv({ ...process.env, PORT: "0", LOG_REQUESTS: "0" });
const portal = await createPortal({ mode: "api-only", env: initial });
const port = await portal.listen(0);
const publicUrl = `http://127.0.0.1:${port}`;
setEnv({ ...initial, port, publicUrl, publicOrigin: publicUrl });
if (process.argv.includes("--make-token")) {
  const { user } = await createAdmin();
  console.log(`token ${accessTokenFor(user.id).token}`);
}
console.log(`listening on port ${port}`);
