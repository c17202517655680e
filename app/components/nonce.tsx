/** The per-request CSP nonce, for the few inline scripts Remix writes. */
import { createContext, useContext } from "react";

const NonceContext = createContext<string>("");

export const NonceProvider = NonceContext.Provider;

/** The current request's nonce ("" in the browser, where it is no longer needed). */
export function useNonce(): string {
  return useContext(NonceContext);
}
