// The benchmarks' audience: N customers of the win-back example (`customer-<i>`, four time zones, attributes
// drawn from a keyed RNG) as segment-export JSON Lines, written in pieces so the generator's strings do not
// count in the peak memory of the day.
import { closeSync, openSync, writeSync } from "node:fs";
import { keyedRng } from "@kairos/core";

const stages = ["cooling", "lapsed", "dormant"];
const zones = ["Europe/London", "Europe/Paris", "America/New_York", "Asia/Tokyo"];

/** Writes the audience of `n` customers to `file`. */
export function writeBenchAudience(file: string, n: number): void {
  const fd = openSync(file, "w");
  for (let start = 0; start < n; start += 10_000) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(n, start + 10_000); i++) {
      const r = keyedRng("bench", String(i));
      lines.push(
        JSON.stringify({
          external_id: `customer-${i}`,
          time_zone: zones[i % 4],
          custom_attributes: {
            lapseStage: stages[i % 3],
            daysSincePurchase: Math.round(45 + 300 * r.next()),
            lastCategory: ["fashion", "home", "beauty"][i % 3 === 0 ? 0 : i % 2 === 0 ? 1 : 2],
            emailOpener: r.next() < 0.35,
            smsConsent: r.next() < 0.5,
          },
        }),
      );
    }
    writeSync(fd, `${start > 0 ? "\n" : ""}${lines.join("\n")}`);
  }
  closeSync(fd);
}
