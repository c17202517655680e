/**
 * The usual set-up of a collaboration suite: a portal started before the file's tests, an expert of
 * the given committees with an access token, and the clients the tests open through `open`, all
 * closed after the file's tests.
 */
import { afterAll, beforeAll } from "vitest";
import { connectDoc, type CollabClient } from "./collab";
import { accessTokenFor, createOrg, createUser } from "./factories";
import { startPortal, type TestPortal } from "./portal";

export type CollabSuite = {
  /** The running portal (set before the first test). */
  readonly portal: TestPortal;
  /** The expert's access token. */
  readonly token: string;
  /** Opens a document as the expert; the client is destroyed after the file's tests. */
  open: (name: string) => CollabClient;
};

/** Registers the suite's beforeAll and afterAll; read `portal` and `token` inside tests only. */
export function collabSuite(options: Parameters<typeof startPortal>[0], committees: string[] = ["TAR"]): CollabSuite {
  let portal: TestPortal | undefined;
  let token = "";
  const clients: CollabClient[] = [];
  beforeAll(async () => {
    portal = await startPortal(options);
    const expert = await createUser({ org: createOrg({ kind: "expert", country: "SG" }), role: "expert", committees });
    token = accessTokenFor(expert.id).token;
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await portal?.close();
  });
  const started = (): TestPortal => {
    if (!portal) throw new Error("the portal starts in beforeAll: use it inside a test");
    return portal;
  };
  return {
    get portal() {
      return started();
    },
    get token() {
      return token;
    },
    open: (name) => {
      const client = connectDoc(started().baseUrl, name, { token });
      clients.push(client);
      return client;
    },
  };
}
