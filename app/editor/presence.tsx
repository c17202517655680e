/**
 * Who is in the document: name, role and colour of everyone whose editor shares its presence
 * (Yjs awareness), this user first. The server drops observers' presence (they cannot forge
 * cursors), so the list counts the people editing; observers read without appearing in it. The
 * names and roles shown are the signed-in users' (the server writes them over what a browser claims).
 */
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useCollab } from "./collab-context";

/** One person in the document, as shown in the list. */
export type PresentPerson = { clientId: number; name: string; color: string; role: string | null; self: boolean; focusing: boolean };

type AwarenessLike = { clientID: number; getStates: () => Map<number, Record<string, unknown>>; on: (e: "change", cb: () => void) => void; off: (e: "change", cb: () => void) => void };

/** The people in an awareness's states (well-formed entries only), this client first, then by name. */
export function presentPeople(awareness: AwarenessLike): PresentPerson[] {
  const people: PresentPerson[] = [];
  for (const [clientId, state] of awareness.getStates()) {
    const name = typeof state.name === "string" ? state.name.slice(0, 80) : "";
    if (!name) continue;
    const color = typeof state.color === "string" && /^(#[0-9a-f]{3,8}|hsl\(\s*\d+(\.\d+)?,\s*\d+%,\s*\d+%\))$/i.test(state.color) ? state.color : "#667085";
    const data = (state.awarenessData ?? {}) as { role?: unknown };
    const role = typeof data.role === "string" ? data.role : null;
    people.push({ clientId, name, color, role, self: clientId === awareness.clientID, focusing: state.focusing === true });
  }
  return people.sort((a, b) => (a.self === b.self ? a.name.localeCompare(b.name) : a.self ? -1 : 1));
}

/** The presence list of the collaborative document around it (nothing outside one). */
export function Presence() {
  const { t } = useTranslation(["editor", "common"]);
  const collab = useCollab();
  const awareness = collab?.provider.awareness as AwarenessLike | null | undefined;
  const [people, setPeople] = useState<PresentPerson[]>([]);
  // Who came and went, said politely to screen readers (the list itself is not a live region: it would repeat everyone).
  const [announcement, setAnnouncement] = useState("");

  useEffect(() => {
    if (!awareness) return;
    let known: Map<number, string> | null = null;
    // A reader's own presence never reaches the others (the server drops it): do not list it either.
    const update = () => {
      const now = presentPeople(awareness).filter((p) => !(p.self && collab?.readOnly));
      setPeople(now);
      const others = new Map(now.filter((p) => !p.self).map((p) => [p.clientId, p.name]));
      if (known) {
        const joined = [...others].filter(([id]) => !known!.has(id)).map(([, name]) => t("presence.joined", { name }));
        const left = [...known].filter(([id]) => !others.has(id)).map(([, name]) => t("presence.left", { name }));
        if (joined.length || left.length) setAnnouncement([...joined, ...left].join(" "));
      }
      known = others;
    };
    update();
    awareness.on("change", update);
    return () => awareness.off("change", update);
  }, [awareness, collab?.readOnly, t]);

  if (!collab) return null;
  const roleName = (role: string | null) => (role && ["admin", "expert", "member", "observer"].includes(role) ? t(`common:roles.${role}`) : null);
  return (
    <>
      <section className="presence" aria-labelledby="presence-title">
        <h2 id="presence-title" className="presence__title">
          {t("presence.count", { count: people.length })}
        </h2>
        <ul className="presence__list">
          {people.map((p) => (
            <li key={p.clientId} className="presence__person" data-testid="presence-person">
              <span className="presence__swatch" style={{ backgroundColor: p.color }} aria-hidden="true" />
              <span className="presence__name">{p.self ? t("presence.you", { name: p.name }) : p.name}</span>
              {roleName(p.role) ? <span className="presence__role">{roleName(p.role)}</span> : null}
            </li>
          ))}
        </ul>
        {collab.readOnly ? <p className="presence__note muted">{t("presence.readOnlyNote")}</p> : null}
      </section>
      {/* Outside the list's region: the list stays a list of people. */}
      <p className="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="presence-announcement">
        {announcement}
      </p>
    </>
  );
}
