/** The document shell: header with navigation shaped by the reader's role, main content, footer. */
import type { HeadersFunction, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Links, Meta, Outlet, Scripts, ScrollRestoration, isRouteErrorResponse, useLoaderData, useRouteError, useRouteLoaderData } from "@remix-run/react";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { SiteFooter, SiteHeader } from "./components/site-chrome";
import { useNonce } from "./components/nonce";
import { getAuth } from "./auth/guards.server";
import { adminExists } from "./domain/members.server";
import { DEFAULT_LOCALE, documentTitle, localeDirection, matchLocale } from "./i18n/i18n";
import { switchLocale } from "./i18n/load.client";
import { abilities } from "./policies/policy";
import { localeFor } from "./utils/locale.server";
import styles from "./styles/app.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
  // Feed readers discover the releases feed from any page.
  { rel: "alternate", type: "application/atom+xml", href: "/releases.atom" },
];

/** A storage-fault 503 (server.ts's mapStorageFaults) keeps its Retry-After on the error page. */
export const headers: HeadersFunction = ({ errorHeaders }) => {
  const headers = new Headers();
  const retryAfter = errorHeaders?.get("Retry-After");
  if (retryAfter) headers.set("Retry-After", retryAfter);
  return headers;
};

export const meta: MetaFunction = ({ matches }) => [{ title: documentTitle(matches, "common:meta.home") }];

export async function loader({ request }: LoaderFunctionArgs) {
  const auth = getAuth(request);
  return {
    locale: localeFor(request),
    user: auth ? { id: auth.user.id, name: auth.user.name, email: auth.user.email, role: auth.user.role, committees: auth.actor.committees } : null,
    abilities: abilities(auth?.actor ?? null),
    needsSetup: !adminExists(),
  };
}

export type RootData = Awaited<ReturnType<typeof loader>>;

/** The root loader's data, from any route. */
export function useRootData(): RootData {
  return useRouteLoaderData<typeof loader>("root")!;
}

function Document({ children, locale }: { children: React.ReactNode; locale: string }) {
  const nonce = useNonce();
  return (
    <html lang={locale} dir={localeDirection(locale)}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

/**
 * Keeps the browser's translations in the locale the server chose: signing in can change it (the
 * member's own setting), and a client-side navigation does not reload the page.
 */
function useLocaleSync(locale: string) {
  const { i18n } = useTranslation();
  useEffect(() => {
    const wanted = matchLocale(locale) ?? DEFAULT_LOCALE;
    if (i18n.language !== wanted) switchLocale(i18n, wanted).catch((err: unknown) => console.error(err));
  }, [locale, i18n]);
}

export default function App() {
  const data = useLoaderData<typeof loader>();
  useLocaleSync(data.locale);
  return (
    <Document locale={data.locale}>
      <SiteHeader user={data.user} abilities={data.abilities} />
      <main id="main" className="page">
        <Outlet />
      </main>
      <SiteFooter locale={data.locale} />
    </Document>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const data = useRouteLoaderData<typeof loader>("root");
  const { t } = useTranslation();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  // A 503 from server.ts's storage-fault mapping carries {storage: "full" | "busy"}.
  const storage = status === 503 && isRouteErrorResponse(error) ? (error.data as { storage?: string } | null)?.storage : undefined;
  const key =
    storage === "full" ? "storageFull" : storage === "busy" ? "storageBusy" : status === 404 ? "notFound" : status === 403 ? "forbidden" : status === 401 ? "unauthorized" : "unexpected";
  return (
    <Document locale={data?.locale ?? "en"}>
      <SiteHeader user={data?.user ?? null} abilities={data?.abilities ?? {}} />
      <main id="main" className="page">
        <section className="error-page" aria-labelledby="error-title">
          <p className="error-code">{status}</p>
          <h1 id="error-title">{t(`errors.${key}.title`)}</h1>
          <p>{t(`errors.${key}.body`)}</p>
          <a className="button" href="/">
            {t("errors.home")}
          </a>
        </section>
      </main>
      <SiteFooter locale={data?.locale ?? "en"} />
    </Document>
  );
}
