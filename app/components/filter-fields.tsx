/** The filter selects shared by the standards list, search and the proposals list. */
import { useTranslation } from "react-i18next";
import { STANDARD_STATUSES } from "../../db/vocabulary";

/** A committee select with an "any committee" option. */
export function CommitteeFilter(props: { committees: { code: string; name: string }[]; value?: string; label: string; anyLabel: string }) {
  return (
    <div className="field">
      <label htmlFor="committee">{props.label}</label>
      <select id="committee" name="committee" defaultValue={props.value ?? ""}>
        <option value="">{props.anyLabel}</option>
        {props.committees.map((c) => (
          <option key={c.code} value={c.code}>
            {c.code} — {c.name}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A standard-status select with an "any status" option. */
export function StandardStatusFilter(props: { value?: string; label: string; anyLabel: string }) {
  const { t } = useTranslation("common");
  return (
    <div className="field">
      <label htmlFor="status">{props.label}</label>
      <select id="status" name="status" defaultValue={props.value ?? ""}>
        <option value="">{props.anyLabel}</option>
        {STANDARD_STATUSES.map((s) => (
          <option key={s} value={s}>
            {t(`standardStatus.${s}`)}
          </option>
        ))}
      </select>
    </div>
  );
}
