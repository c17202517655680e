/** A list of standards with their identifier, title, committee and status. */
import { useTranslation } from "react-i18next";
import { StatusBadge } from "./ui";

export type StandardSummary = { id: string; title: string; committee: string; status: string; scope: string };

/** Standards as a list of cards. */
export function StandardList({ standards }: { standards: StandardSummary[] }) {
  const { t } = useTranslation();
  return (
    <ul className="standard-list">
      {standards.map((s) => (
        <li key={s.id} className="standard-item">
          <span className="standard-item__id">{s.id}</span>
          <span className="standard-item__title">
            <a href={`/standards/${s.id}`}>{s.title}</a>
          </span>
          <p className="muted">{s.scope}</p>
          <div className="meta-row">
            <span>{s.committee}</span>
            <StatusBadge status={s.status} label={t(`standardStatus.${s.status}`)} />
          </div>
        </li>
      ))}
    </ul>
  );
}
