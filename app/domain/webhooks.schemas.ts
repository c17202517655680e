/** What a person sends to register a webhook (shared by the API, the settings page and the domain; no server code). */
import { z } from "zod";

export const WEBHOOK_EVENTS = ["release.published"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** What a person sends to register a webhook. */
export const WebhookInputSchema = z.object({
  url: z
    .string()
    .trim()
    .min(1, "Give the URL that should receive the events.")
    .max(2048, "A webhook URL has at most 2048 characters.")
    .superRefine((value, ctx) => {
      let u: URL;
      try {
        u = new URL(value);
      } catch {
        ctx.addIssue({ code: "custom", message: "This is not a URL. Give a full address such as https://example.org/hooks/ewtp." });
        return;
      }
      if (u.protocol !== "https:" && u.protocol !== "http:") ctx.addIssue({ code: "custom", message: "A webhook URL must start with https:// or http://." });
      else if (u.username || u.password) ctx.addIssue({ code: "custom", message: "A webhook URL may not contain a user name or password; check the signature header instead." });
      else if (u.hash) ctx.addIssue({ code: "custom", message: "A webhook URL may not contain a #fragment." });
    }),
  events: z
    .array(z.enum(WEBHOOK_EVENTS, { message: 'The only event is "release.published".' }))
    .min(1, 'Subscribe to at least one event: ["release.published"].')
    .max(WEBHOOK_EVENTS.length)
    .refine((e) => new Set(e).size === e.length, "List each event once."),
});
export type WebhookInput = z.infer<typeof WebhookInputSchema>;
