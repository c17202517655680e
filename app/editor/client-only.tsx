/** Rendering that differs between the server and the browser: Lexical's editor mounts only after hydration. */
import { useSyncExternalStore, type ReactNode } from "react";

const subscribe = () => () => {};

/** True once the component runs in the browser after hydration; false during SSR and the hydration pass. */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false
  );
}

/** Renders `children()` in the browser only, and `fallback` on the server and during hydration. */
export function ClientOnly({ children, fallback = null }: { children: () => ReactNode; fallback?: ReactNode }) {
  return useHydrated() ? <>{children()}</> : <>{fallback}</>;
}
