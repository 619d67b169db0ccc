// The line `kairos day` prints when a day ends, run in one process or on Redis.
import type { CycleSummary } from "../state/cycles.js";

/** What the day did, in one line; `how` says how it ran ("done", "done (resumed)", "done on Redis"). */
export function dayLine(day: string, alreadyDone: boolean, how: string, s: CycleSummary): string {
  return alreadyDone
    ? `${day}: already done (sent ${s.sent ?? 0}, failed ${s.failed ?? 0})\n`
    : `${day}: ${how}: ${s.audience ?? 0} customers, decided ${JSON.stringify(s.decided ?? {})}, sent ${s.sent ?? 0}, failed ${s.failed ?? 0}, learned ${s.learned ?? 0}\n`;
}
