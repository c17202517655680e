/**
 * Wall-clock times in a named time zone (what an `<input type="datetime-local">` holds) to and from
 * UTC instants, with Intl only — correct across daylight-saving changes. Browser-safe.
 */

/** True when `timeZone` is an IANA zone name this runtime knows. */
export function isTimeZone(timeZone: string | null | undefined): timeZone is string {
  if (!timeZone) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at an instant, in milliseconds (Berlin in winter: +3 600 000). */
function offsetAt(utcMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(utcMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

const WALL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * The UTC instant (ISO 8601) of a wall-clock time `YYYY-MM-DDTHH:mm[:ss]` in `timeZone`, or null
 * when the text is not such a time. A time skipped by a daylight-saving jump moves forward.
 */
export function wallTimeToUtc(wall: string, timeZone = "UTC"): string | null {
  const m = WALL.exec(wall.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0));
  const guess = Date.UTC(y, mo - 1, d, h, mi, s);
  if (Number.isNaN(guess) || new Date(guess).getUTCDate() !== d) return null;
  const zone = isTimeZone(timeZone) ? timeZone : "UTC";
  let utc = guess - offsetAt(guess, zone);
  const second = offsetAt(utc, zone);
  if (guess - second !== utc) utc = Math.max(utc, guess - second);
  return new Date(utc).toISOString();
}

/** The wall-clock time `YYYY-MM-DDTHH:mm` of a UTC instant in `timeZone` (to fill a datetime-local input). */
export function utcToWallTime(iso: string, timeZone = "UTC"): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return "";
  const zone = isTimeZone(timeZone) ? timeZone : "UTC";
  return new Date(ms + offsetAt(ms, zone)).toISOString().slice(0, 16);
}
