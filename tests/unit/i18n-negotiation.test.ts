/** Which language a reader gets: Accept-Language negotiation, tags, the cookie and safe return paths. */
import { describe, expect, it } from "vitest";
import { createI18n, localeDirection, matchLocale, negotiateLocale } from "../../app/i18n/i18n";
import { cookieLocale, sameOriginPath } from "../../app/utils/locale.server";

describe("choosing the reader's language from Accept-Language", () => {
  it("maps regional and script variants to the interface languages", () => {
    expect(negotiateLocale("zh-CN,zh;q=0.9")).toBe("zh");
    expect(negotiateLocale("zh-Hans")).toBe("zh");
    expect(negotiateLocale("zh-SG")).toBe("zh");
    expect(negotiateLocale("zh-TW")).toBe("zh"); // no traditional-script translation: simplified is the nearest
    expect(negotiateLocale("ar-EG")).toBe("ar");
    expect(negotiateLocale("fr-CA")).toBe("fr");
    expect(negotiateLocale("de-CH, en;q=0.5")).toBe("de");
    expect(negotiateLocale("es-419")).toBe("es");
  });
  it("honours the weights and skips languages the portal does not have", () => {
    expect(negotiateLocale("ja, fr;q=0.8, de;q=0.9")).toBe("de");
    expect(negotiateLocale("en;q=0.1, ar;q=0.7")).toBe("ar");
    expect(negotiateLocale("ar;q=0, fr;q=0.2")).toBe("fr");
  });
  it("falls back to English for garbage, nothing or unknown languages", () => {
    expect(negotiateLocale(undefined)).toBe("en");
    expect(negotiateLocale("")).toBe("en");
    expect(negotiateLocale("klingon-xx;q=bad, ;;;,")).toBe("en");
    expect(negotiateLocale("<script>alert(1)</script>")).toBe("en");
    expect(negotiateLocale("x".repeat(5000))).toBe("en");
    expect(negotiateLocale("ru, ja")).toBe("en");
  });
  it("reads a language tag or the lang cookie, refusing anything else", () => {
    expect(matchLocale("zh-Hans-CN")).toBe("zh");
    expect(matchLocale("AR")).toBe("ar");
    expect(matchLocale("ar; DROP TABLE")).toBeNull();
    expect(cookieLocale("ewtp_session=abc; lang=es")).toBe("es");
    expect(cookieLocale("lang=xx")).toBeNull();
    expect(cookieLocale("language=de")).toBeNull();
  });
  it("writes Arabic right to left and the others left to right", () => {
    expect(localeDirection("ar")).toBe("rtl");
    expect(localeDirection("ar-EG")).toBe("rtl");
    expect(localeDirection("zh")).toBe("ltr");
    expect(localeDirection("en")).toBe("ltr");
  });
});

describe("returning to the page after switching language", () => {
  it("keeps paths on this site", () => {
    expect(sameOriginPath("/standards/EWTP-TAR-001?tab=text#s2")).toBe("/standards/EWTP-TAR-001?tab=text#s2");
    expect(sameOriginPath("/")).toBe("/");
  });
  it("refuses other origins and tricks (open redirects)", () => {
    for (const bad of ["https://evil.example/", "//evil.example/x", "/\\evil.example", "\\\\evil.example", "javascript:alert(1)", "/%0d%0aSet-Cookie:x=1".replace("%0d%0a", "\r\n"), "", "evil.example", "/\tevil"]) {
      expect(sameOriginPath(bad)).toBe("/");
    }
    expect(sameOriginPath(undefined)).toBe("/");
  });
});

describe("translations at work", () => {
  it("speaks the reader's language, with its plural rules", () => {
    expect(createI18n("de").t("nav.signIn")).toBe("Anmelden");
    expect(createI18n("zh").t("count.standards", { count: 3 })).toMatch(/3/);
    const ar = createI18n("ar");
    const forms = [0, 1, 2, 3, 11, 100].map((count) => ar.t("count.standards", { count }));
    expect(new Set(forms).size).toBe(6); // zero, one, two, few, many, other: all different words
  });
});
