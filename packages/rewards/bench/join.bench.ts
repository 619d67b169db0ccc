// Benchmark (not a test): join events against 1,000,000 pending decisions on one core.
// Run: npx tsx --conditions=kairos-source packages/rewards/bench/join.bench.ts
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { RewardEvent } from "../src/event.js";
import { RewardJoiner } from "../src/joiner.js";
import { defineMetric, type MetricDefinitionInput } from "../src/metric.js";
import { presets } from "../src/presets.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const DECISIONS = 1_000_000;
const EVENTS = 2_000_000;
const JSONL_EVENTS = 300_000;
const T0 = Date.parse("2024-05-01T00:00:00Z");
const DAY = 86_400_000;

// Deterministic pseudo-random numbers (xorshift), so every run joins the same input.
let seed = 2463534242;
const rand = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
};

const actions = ["10%", "free-shipping", "none"].flatMap((offer) =>
  ["email", "sms", "push"].map((channel) => ({ offer, channel })),
);

function makeEvents(n: number): RewardEvent[] {
  const out: RewardEvent[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const r = rand();
    // 80% events of targeted users, 10% of users without a decision, 10% irrelevant events.
    const user = r < 0.9 ? `user-${Math.floor(rand() * DECISIONS)}` : `other-${i}`;
    const time = T0 + Math.floor(rand() * 8 * DAY);
    if (r >= 0.8 && r < 0.9)
      out[i] = {
        id: `e${i}`,
        userId: user,
        time,
        kind: "custom",
        name: "page_view",
        properties: {},
        value: 1,
      };
    else {
      const price = Math.round(rand() * 10000) / 100;
      out[i] = {
        id: `e${i}`,
        userId: user,
        time,
        kind: "purchase",
        name: "sku-1",
        properties: {},
        value: price,
        purchase: { productId: "sku-1", currency: "USD", price, quantity: 1 },
      };
    }
  }
  return out;
}

function jsonLines(n: number): string[] {
  const lines: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const time = new Date(T0 + Math.floor(rand() * 8 * DAY)).toISOString();
    const price = Math.round(rand() * 10000) / 100;
    lines[i] = JSON.stringify({
      id: `j${i}`,
      user_id: `user-${Math.floor(rand() * DECISIONS)}`,
      time,
      type: "purchase",
      product_id: "sku-1",
      currency: "USD",
      price,
      quantity: 1,
    });
  }
  return lines;
}

interface Row {
  metric: string;
  pendingDecisions: number;
  events: number;
  joinEventsPerSec: number;
  jsonlEventsPerSec: number;
  bytesPerPendingDecision: number;
  addDecisionsPerSec: number;
  closeAndEmitPerSec: number;
}

function run(name: string, def: MetricDefinitionInput, events: RewardEvent[], lines: string[]): Row {
  const metric = defineMetric(def);
  const before = heap();
  const j = new RewardJoiner(metric, { unknownUsers: "ignore" });
  const t0 = performance.now();
  for (let i = 0; i < DECISIONS; i++) {
    j.addDecision({
      decisionId: `dec-${i}-${(i * 2654435761) >>> 0}`,
      userId: `user-${i}`,
      sentAt: T0 + Math.floor((i / DECISIONS) * DAY),
      action: actions[i % actions.length],
      actionIndex: i % actions.length,
      propensity: 0.2,
      policyId: "p1",
      policyVersion: 3,
      context: { tenure: i % 36, segment: i % 2 === 0 ? "bargain" : "premium" },
    });
  }
  const addSec = (performance.now() - t0) / 1000;
  const bytes = (heap() - before) / DECISIONS;

  const t1 = performance.now();
  j.ingest(events);
  const joinSec = (performance.now() - t1) / 1000;

  const t2 = performance.now();
  j.ingestJsonLines(lines);
  const jsonlSec = (performance.now() - t2) / 1000;

  const t3 = performance.now();
  j.advanceTo(T0 + 9 * DAY);
  const emitted = j.drain().feedback.length;
  const closeSec = (performance.now() - t3) / 1000;
  if (emitted !== DECISIONS) throw new Error(`expected ${DECISIONS} rewards, got ${emitted}`);
  const t = j.tallies;
  if (t.received !== EVENTS + lines.length) throw new Error("tallies do not add up");
  return {
    metric: name,
    pendingDecisions: DECISIONS,
    events: events.length,
    joinEventsPerSec: Math.round(events.length / joinSec),
    jsonlEventsPerSec: Math.round(lines.length / jsonlSec),
    bytesPerPendingDecision: Math.round(bytes),
    addDecisionsPerSec: Math.round(DECISIONS / addSec),
    closeAndEmitPerSec: Math.round(DECISIONS / closeSec),
  };
}

const events = makeEvents(EVENTS);
const lines = jsonLines(JSONL_EVENTS);
const rows = [
  run("revenue (sum)", presets.revenue(), events, lines),
  run("conversion (first purchase)", presets.conversionRate(), events, lines),
];
const machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? "unknown", node: process.version };

console.log(
  `\nrewards join benchmark — ${machine.cores} cores (${machine.cpu}), Node ${machine.node}, one core used`,
);
console.log(
  `${DECISIONS.toLocaleString()} pending decisions (1 per user, context of 2 features, 9 shared actions); ` +
    `${EVENTS.toLocaleString()} pre-normalised events (80% purchases of targeted users, 10% other users, 10% irrelevant), ` +
    `${JSONL_EVENTS.toLocaleString()} JSON Lines purchases\n`,
);
const header = ["metric", "join ev/s", "JSONL ev/s", "bytes/pending", "add dec/s", "close+emit/s"];
const table = rows.map((r) => [
  r.metric,
  r.joinEventsPerSec.toLocaleString(),
  r.jsonlEventsPerSec.toLocaleString(),
  String(r.bytesPerPendingDecision),
  r.addDecisionsPerSec.toLocaleString(),
  r.closeAndEmitPerSec.toLocaleString(),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
const fmt = (cells: string[]) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
console.log(fmt(header));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const row of table) console.log(fmt(row));

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const out = join(root, "benchmarks/results/rewards-join.json");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ benchmark: "rewards-join", date: new Date().toISOString(), machine, inputs: { decisions: DECISIONS, events: EVENTS, jsonlEvents: JSONL_EVENTS }, results: rows }, null, 2)}\n`,
);
console.log(`\nwrote ${out}`);
