import "@remix-run/node";

declare module "@remix-run/node" {
  interface AppLoadContext {
    /** The CSP nonce of this request (set by server.ts). */
    cspNonce?: string;
    /** The client's address as Express sees it (X-Forwarded-For only when TRUST_PROXY says so). */
    clientAddress?: string;
  }
}
