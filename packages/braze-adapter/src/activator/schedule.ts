import { ValidationError } from "@kairos/core";

/** Where the send time of a decision comes from. */
export interface TimingOptions {
  /** Dimension holding the local send hour: 0–23, or "HH:MM". */
  hourDimension?: string;
  /** Dimension holding the day: an offset in days (0 = today), a weekday ("mon", "Tuesday"), or "YYYY-MM-DD". */
  dayDimension?: string;
  /** Time zone when the recipient has none (default "UTC"). */
  defaultTimeZone?: string;
  /** When the chosen local time has already passed: "next_occurrence" (default) or "send_now". */
  late?: "next_occurrence" | "send_now";
}

const DAY = 86_400_000;
const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/** Whether Intl knows the zone. */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Local calendar fields of an instant in a zone. */
function localParts(
  t: number,
  tz: string,
): { y: number; m: number; d: number; h: number; mi: number; wd: number } {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      weekday: "short",
    });
    formatters.set(tz, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(t))) p[part.type] = part.value;
  return {
    y: Number(p.year),
    m: Number(p.month),
    d: Number(p.day),
    h: Number(p.hour),
    mi: Number(p.minute),
    wd: WEEKDAYS.indexOf(p.weekday.slice(0, 3).toLowerCase()),
  };
}

/** Offset of a zone at an instant, in ms (local − UTC). */
function offsetAt(t: number, tz: string): number {
  const p = localParts(t, tz);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi) - Math.floor(t / 60_000) * 60_000;
}

/** The instant of a local wall-clock time in a zone (DST gaps resolve forward, overlaps to the first). */
export function zonedTime(y: number, m: number, d: number, h: number, mi: number, tz: string): number {
  const guess = Date.UTC(y, m - 1, d, h, mi);
  const first = guess - offsetAt(guess, tz);
  const second = guess - offsetAt(first, tz);
  return Math.min(first, second);
}

function parseHour(v: string | number, field: string): { h: number; mi: number } {
  const m = typeof v === "number" ? [String(v), String(v), "0"] : /^(\d{1,2})(?::(\d{2}))?$/.exec(v.trim());
  const h = Number(m?.[1]);
  const mi = Number(m?.[2] ?? 0);
  if (!m || !Number.isInteger(h) || h < 0 || h > 23 || !Number.isInteger(mi) || mi < 0 || mi > 59) {
    throw new ValidationError(field, `send hour must be 0–23 or "HH:MM", got ${JSON.stringify(v)}`);
  }
  return { h, mi };
}

/**
 * When a decision is due: its hour and day dimensions read in the recipient's zone (else the default zone), relative
 * to `now`. Without timing dimensions the decision is due at once.
 */
export function dueTime(
  action: Record<string, string | number>,
  timing: TimingOptions,
  timeZone: string | undefined,
  now: number,
): number {
  const { hourDimension, dayDimension } = timing;
  if (!hourDimension && !dayDimension) return now;
  const tz = timeZone ?? timing.defaultTimeZone ?? "UTC";
  const today = localParts(now, tz);
  const hourValue = hourDimension ? action[hourDimension] : undefined;
  if (hourDimension && hourValue === undefined)
    throw new ValidationError(`action.${hourDimension}`, "missing send hour");
  const { h, mi } =
    hourValue === undefined ? { h: today.h, mi: today.mi } : parseHour(hourValue, `action.${hourDimension}`);
  const dayValue = dayDimension ? action[dayDimension] : 0;
  if (dayValue === undefined) throw new ValidationError(`action.${dayDimension}`, "missing send day");
  const midnight = Date.UTC(today.y, today.m - 1, today.d);
  let date: number;
  let step = DAY;
  if (typeof dayValue === "number" || /^-?\d+$/.test(String(dayValue))) {
    date = midnight + Number(dayValue) * DAY;
  } else if (/^\d{4}-\d{2}-\d{2}$/.test(String(dayValue))) {
    date = Date.parse(`${dayValue}T00:00:00Z`);
    step = 0;
  } else {
    const wd = WEEKDAYS.indexOf(String(dayValue).slice(0, 3).toLowerCase());
    if (wd < 0)
      throw new ValidationError(`action.${dayDimension}`, `unknown day ${JSON.stringify(dayValue)}`);
    date = midnight + ((wd - today.wd + 7) % 7) * DAY;
    step = 7 * DAY;
  }
  const at = (dateMs: number) => {
    const d = new Date(dateMs);
    return zonedTime(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), h, mi, tz);
  };
  let t = at(date);
  if (t >= now) return t;
  if (timing.late === "send_now" || step === 0) return now;
  // Hour already passed: the next day with that hour (or the same weekday next week).
  while (t < now) {
    date += step;
    t = at(date);
  }
  return t;
}
