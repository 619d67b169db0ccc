// When each send is due: the chosen (or fixed) local hour in the customer's zone, else the use case's
// default zone; at once when the use case has no send hour. The Activator schedules the same way; the
// runner computes it once per zone and hour because zone arithmetic costs tens of microseconds a call.
import { dueTime, isValidTimeZone } from "@kairos/braze-adapter";
import type { ActionRecord } from "@kairos/core";
import type { UseCase } from "./use-case/compile.js";

/** The customer's zone when it is a valid IANA zone. */
export function validZone(tz: string | null | undefined): string | undefined {
  return tz && isValidTimeZone(tz) ? tz : undefined;
}

/** A function giving each decision's due time (ms), for decisions made at `now`. */
export function sendTimes(
  useCase: Pick<UseCase, "file">,
  now: number,
): (action: ActionRecord, timeZone: string | null) => number {
  const { hourDimension, hour, defaultTimeZone } = useCase.file.sendTime;
  const cache = new Map<string, number>();
  const zones = new Map<string, string | undefined>();
  return (action, timeZone) => {
    const h = hourDimension !== undefined ? action[hourDimension] : hour;
    if (h === undefined) return now;
    const raw = timeZone ?? "";
    if (!zones.has(raw)) zones.set(raw, validZone(timeZone));
    const tz = zones.get(raw) ?? defaultTimeZone;
    const key = `${tz}\u0000${h}`;
    let at = cache.get(key);
    if (at === undefined) {
      at = dueTime({ hour: h }, { hourDimension: "hour", defaultTimeZone }, tz, now);
      cache.set(key, at);
    }
    return at;
  };
}
