// Time parsing for everything Braze and event streams send us. Braze accepts ISO 8601 in extended and
// basic form (with `Z`, `±HH`, `±HH:mm`, `±HHmm` and its own odd `-5:00`), its `yyyy-MM-ddTHH:mm:ss:SSSZ`
// variant (colon before the milliseconds), `yyyy-MM-dd HH:mm:ss`, `yyyy-MM-dd` and `MM/dd/yyyy`. A value
// with no zone is UTC. `Date.parse` is not used: it is lenient in engine-specific ways (it accepts
// "2024-02-30" on some engines and reads zone-less date-times as local time).

const EXTENDED =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,:](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{1,2}(?::?\d{2})?)?$/;
const BASIC =
  /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(?:(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|z|[+-]\d{2}(?:\d{2})?)?$/;
const US_DATE = /^(\d{2})\/(\d{2})\/(\d{4})$/;

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  if (month === 2 && ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0)) return 29;
  return DAYS[month - 1];
}

/** Minutes east of UTC for a zone designator, or NaN when it is out of range. */
function offsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone === "Z" || zone === "z") return 0;
  const sign = zone[0] === "-" ? -1 : 1;
  const body = zone.slice(1).replace(":", "");
  // "5" / "05" are hours only; "500" (from "-5:00") / "0500" carry minutes in the last two digits.
  const hours = body.length <= 2 ? Number(body) : Number(body.slice(0, body.length - 2));
  const minutes = body.length <= 2 ? 0 : Number(body.slice(-2));
  if (hours > 23 || minutes > 59) return Number.NaN;
  return sign * (hours * 60 + minutes);
}

function build(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
  fractionNonZero: boolean,
  offset: number,
): number {
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo)) return Number.NaN;
  // 24:00:00 is the end of the day in ISO 8601; 60 seconds is a leap second (folded into the next minute).
  if (h > 24 || mi > 59 || s > 60 || (h === 24 && (mi !== 0 || s !== 0 || fractionNonZero)))
    return Number.NaN;
  if (Number.isNaN(offset)) return Number.NaN;
  // Date.UTC maps years 0-99 to 1900-1999; shift by 400 years (a whole Gregorian cycle) and back.
  const early = y < 100 ? 146_097 * 86_400_000 : 0;
  const t = Date.UTC(y < 100 ? y + 400 : y, mo - 1, d, h, mi, s, ms) - early - offset * 60_000;
  return Number.isFinite(t) ? t : Number.NaN;
}

/** The value of the `n` ASCII digits of `text` at `at`, or -1 if one of them is not a digit. */
function digits(text: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = text.charCodeAt(i) - 48;
    if (!(c >= 0 && c <= 9)) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * The common UTC form `yyyy-MM-ddTHH:mm:ssZ` / `yyyy-MM-ddTHH:mm:ss.SSSZ` (what `toISOString` writes),
 * read without a regex; undefined for anything else (which then takes the general path). The result is
 * the one the general path gives: a 3-digit fraction is exactly its milliseconds.
 */
function parseIsoUtc(text: string): number | undefined {
  const n = text.length;
  if (n !== 20 && n !== 24) return undefined;
  if (
    text.charCodeAt(4) !== 45 || // -
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 || // T
    text.charCodeAt(13) !== 58 || // :
    text.charCodeAt(16) !== 58 ||
    text.charCodeAt(n - 1) !== 90 || // Z
    (n === 24 && text.charCodeAt(19) !== 46) // .
  )
    return undefined;
  const y = digits(text, 0, 4);
  const mo = digits(text, 5, 2);
  const d = digits(text, 8, 2);
  const h = digits(text, 11, 2);
  const mi = digits(text, 14, 2);
  const s = digits(text, 17, 2);
  const ms = n === 24 ? digits(text, 20, 3) : 0;
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0 || ms < 0) return undefined;
  return build(y, mo, d, h, mi, s, ms, ms !== 0, 0);
}

/**
 * Parses a time into epoch milliseconds (UTC), or NaN when it does not parse. Accepts the ISO 8601 and
 * Braze forms listed above, a finite number (epoch milliseconds) and a valid Date.
 */
export function parseTime(input: unknown): number {
  if (typeof input === "number") return Number.isFinite(input) ? input : Number.NaN;
  if (input instanceof Date) return input.getTime();
  if (typeof input !== "string") return Number.NaN;
  const fast = parseIsoUtc(input);
  if (fast !== undefined) return fast;
  const text = input.trim();
  let m = EXTENDED.exec(text) ?? BASIC.exec(text);
  if (m) {
    const fraction = m[7];
    return build(
      Number(m[1]),
      Number(m[2]),
      Number(m[3]),
      m[4] === undefined ? 0 : Number(m[4]),
      m[5] === undefined ? 0 : Number(m[5]),
      m[6] === undefined ? 0 : Number(m[6]),
      fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0,
      fraction !== undefined && Number(fraction) !== 0,
      offsetMinutes(m[8]),
    );
  }
  m = US_DATE.exec(text);
  if (m) return build(Number(m[3]), Number(m[1]), Number(m[2]), 0, 0, 0, 0, false, 0);
  return Number.NaN;
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const SHORT_DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;
const ISO_DURATION =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Parses a duration (`"7d"`, `"36h"`, `"P7D"`, `"PT12H"` or milliseconds) into milliseconds, NaN if invalid. */
export function parseDuration(input: unknown): number {
  if (typeof input === "number") return Number.isFinite(input) && input >= 0 ? input : Number.NaN;
  if (typeof input !== "string") return Number.NaN;
  const short = SHORT_DURATION.exec(input);
  if (short) return Number(short[1]) * UNIT_MS[short[2]];
  const iso = ISO_DURATION.exec(input);
  if (!iso || input === "P" || input.endsWith("T")) return Number.NaN;
  const [w, d, h, mi, s] = iso.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  return w * UNIT_MS.w + d * UNIT_MS.d + h * UNIT_MS.h + mi * UNIT_MS.m + s * UNIT_MS.s;
}

/** The UTC calendar day (`YYYY-MM-DD`) of an epoch-millisecond time. */
export function utcDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}
