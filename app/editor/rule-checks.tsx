/**
 * The browser's cache of rule checks. The rule core runs on the server (see rule-form.ts), so rule
 * blocks, the form and the conformance panel ask for the sources they show; missing ones are sent,
 * debounced and batched, to the editor route's action (intent "checkRules") through one fetcher.
 */
import { useFetcher } from "@remix-run/react";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { RuleCheck, RuleCheckLookup } from "./rule-form";

/** A checked source as the server returns it. */
export type SourceCheck = { source: string; check: RuleCheck };

/** What the check action answers. */
export type CheckRulesResponse = { checks?: SourceCheck[]; checkError?: string };

type RuleChecks = { lookup: RuleCheckLookup; want: (sources: readonly string[]) => void; error: string | null };

const RuleChecksContext = createContext<RuleChecks>({ lookup: () => undefined, want: () => {}, error: null });

/** The form field that tells the editor route's action to check rules instead of saving. */
export const CHECK_INTENT = "checkRules";

const MAX_CACHED = 2000;
const DEBOUNCE_MS = 250;

/** Provides rule checks to everything below it; `action` is the route whose action answers intent "checkRules". */
export function RuleChecksProvider({ action, initial, children }: { action: string; initial?: readonly SourceCheck[]; children: ReactNode }) {
  const fetcher = useFetcher<CheckRulesResponse>();
  const [cache, setCache] = useState<ReadonlyMap<string, RuleCheck>>(() => new Map(initial?.map((c) => [c.source, c.check])));
  const wanted = useRef(new Set<string>());
  const [request, setRequest] = useState(0);

  const want = useCallback(
    (sources: readonly string[]) => {
      let added = false;
      for (const s of sources) {
        if (!cache.has(s) && !wanted.current.has(s)) {
          wanted.current.add(s);
          added = true;
        }
      }
      if (added) setRequest((n) => n + 1);
    },
    [cache]
  );

  // Debounced and batched: everything still missing goes in one request (a newer one aborts an older).
  useEffect(() => {
    if (request === 0) return;
    const timer = setTimeout(() => {
      const missing = [...wanted.current].filter((s) => !cache.has(s));
      if (!missing.length) return;
      const form = new FormData();
      form.set("intent", CHECK_INTENT);
      form.set("sources", JSON.stringify(missing));
      fetcher.submit(form, { method: "post", action, encType: "multipart/form-data" });
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [request]);

  useEffect(() => {
    // A refused check must not leave its sources marked as asked-for forever.
    if (fetcher.data?.checkError) wanted.current.clear();
    const checks = fetcher.data?.checks;
    if (!checks?.length) return;
    setCache((prev) => {
      const next = new Map(prev);
      for (const { source, check } of checks) {
        next.set(source, check);
        wanted.current.delete(source);
      }
      for (const key of next.keys()) {
        if (next.size <= MAX_CACHED) break;
        next.delete(key);
      }
      return next;
    });
  }, [fetcher.data]);

  const value = useMemo<RuleChecks>(
    () => ({ lookup: (source) => cache.get(source), want, error: fetcher.data?.checkError ?? null }),
    [cache, want, fetcher.data]
  );
  return <RuleChecksContext.Provider value={value}>{children}</RuleChecksContext.Provider>;
}

/** The check lookup for the given sources; asks for the ones not known yet. */
export function useRuleChecks(sources: readonly (string | null | undefined)[]): { lookup: RuleCheckLookup; error: string | null } {
  const { lookup, want, error } = useContext(RuleChecksContext);
  const key = sources.filter((s): s is string => typeof s === "string").join("\u0000\u0001");
  useEffect(() => {
    want(key ? key.split("\u0000\u0001") : []);
  }, [key, want]);
  return { lookup, error };
}
