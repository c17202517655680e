/** Small presentational building blocks shared by the pages. No data access. */
import type { ReactNode } from "react";

/** A page's title block with an optional lead paragraph and actions. */
export function PageHeader({ title, lead, actions, eyebrow }: { title: ReactNode; lead?: ReactNode; actions?: ReactNode; eyebrow?: ReactNode }) {
  return (
    <div className="page-header">
      <div>
        {eyebrow ? <p className="eyebrow">{eyebrow}</p> : null}
        <h1>{title}</h1>
        {lead ? <p className="lead">{lead}</p> : null}
      </div>
      {actions ? <div className="page-header__actions">{actions}</div> : null}
    </div>
  );
}

/** A labelled form field with its error message wired for screen readers. */
export function Field({
  label,
  name,
  type = "text",
  error,
  hint,
  defaultValue,
  required,
  autoComplete,
  children,
  maxLength,
}: {
  label: ReactNode;
  name: string;
  type?: string;
  error?: string;
  hint?: ReactNode;
  defaultValue?: string;
  required?: boolean;
  autoComplete?: string;
  children?: ReactNode;
  maxLength?: number;
}) {
  const id = `field-${name}`;
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field${error ? " field--error" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p className="field__hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {children ?? (
        <input
          id={id}
          name={name}
          type={type}
          defaultValue={defaultValue}
          required={required}
          autoComplete={autoComplete}
          maxLength={maxLength}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
        />
      )}
      {error ? (
        <p className="field__error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A notice: success, error or information. */
export function Notice({ tone = "info", children, title }: { tone?: "info" | "success" | "error" | "warning"; children: ReactNode; title?: ReactNode }) {
  return (
    <div className={`notice notice--${tone}`} role={tone === "error" ? "alert" : "status"}>
      {title ? <p className="notice__title">{title}</p> : null}
      <div>{children}</div>
    </div>
  );
}

/** An honest empty state. */
export function EmptyState({ title, children }: { title: ReactNode; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <p className="empty-state__title">{title}</p>
      {children ? <div className="empty-state__body">{children}</div> : null}
    </div>
  );
}

/** A status pill (standard status, user status). */
export function StatusBadge({ status, label }: { status: string; label: ReactNode }) {
  return <span className={`status status--${status}`}>{label}</span>;
}
