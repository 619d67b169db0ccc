// A daily cycle's heavy part for N customers (default 1,000,000): audience read (segment-export JSON Lines),
// group assignment, decisions with propensities (auto preset, 3 dimensions, 4 features), decision-log and
// audience writes, and the send plan written to the ledger (Activator.enqueue: due times in each customer's
// zone, trigger properties); Braze is not called. Prints each step's time and the peak RSS.
// Run: npx tsx --conditions=kairos-source packages/runner/bench/day.bench.ts [N]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Activator, BrazeClient } from "@kairos/braze-adapter";
import { keyedRng } from "@kairos/core";
import {
  assignGroups,
  decideDay,
  loadPolicy,
  loadUseCase,
  openState,
  readAudience,
  sendAction,
  sendTimes,
} from "../src/index.js";

const n = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), "kairos-bench-"));
const stages = ["cooling", "lapsed", "dormant"];
const zones = ["Europe/London", "Europe/Paris", "America/New_York", "Asia/Tokyo"];
const lines: string[] = [];
for (let i = 0; i < n; i++) {
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
const audienceFile = join(dir, "audience.jsonl");
writeFileSync(audienceFile, lines.join("\n"));
lines.length = 0;

const useCase = loadUseCase(new URL("../examples/use-cases/win-back.json", import.meta.url).pathname);
const state = openState(join(dir, "state"), useCase.id);
const day = "2026-03-02";
const times: [string, number][] = [];
let t = performance.now();
const lap = (name: string) => {
  const now = performance.now();
  times.push([name, (now - t) / 1000]);
  t = now;
};
const start = t;

const { members } = await readAudience(useCase, undefined, audienceFile);
lap("audience read");
const insert = state.db.prepare(
  "INSERT OR IGNORE INTO audience (day, external_id, time_zone, attrs) VALUES (?, ?, ?, ?)",
);
state.db.transaction(() => {
  for (const m of members) insert.run(day, m.externalId, m.timeZone ?? null, JSON.stringify(m.attrs));
})();
lap("audience stored");
const groups = assignGroups(
  state,
  useCase,
  members.map((m) => m.externalId),
  day,
);
lap("groups");
const policy = loadPolicy(useCase, state.snapshots, Date.now());
const decided = decideDay(useCase, policy, members, groups, new Set(), day);
lap("decisions");
state.decisions.insert(decided.rows);
lap("decision log");
const client = new BrazeClient({ baseUrl: "https://rest.iad-01.braze.com", apiKey: "unused", dryRun: true });
const activator = new Activator({ client, ledger: state.ledger, mapping: useCase.mapping });
const toSend = decided.rows.filter((d) => d.group !== "holdout");
const due = sendTimes(useCase, Date.now());
for (let i = 0; i < toSend.length; i += 5000) {
  await activator.enqueue(
    toSend.slice(i, i + 5000).map((d) => ({
      decision: {
        decisionId: d.decisionId,
        action: sendAction(useCase, d.action!),
        propensity: d.propensity ?? undefined,
      },
      recipient: { externalId: d.externalId },
      dueAt: due(d.action!, d.timeZone),
    })),
  );
}
lap("send plan (ledger)");
const total = (performance.now() - start) / 1000;
const withPropensity = decided.rows.filter((d) => d.propensity !== null).length;
for (const [name, s] of times) console.log(`${name.padEnd(20)} ${s.toFixed(1).padStart(6)} s`);
console.log(
  `${n.toLocaleString("en")} customers: ${total.toFixed(1)} s, ${decided.rows.length.toLocaleString("en")} decisions (${withPropensity.toLocaleString("en")} with a propensity), ${(await state.ledger.counts()).queued.toLocaleString("en")} sends planned; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
);
await state.close();
await client.close();
rmSync(dir, { recursive: true, force: true });
