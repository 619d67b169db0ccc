import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RewardJoiner } from "../src/joiner.js";
import { defineMetric } from "../src/metric.js";
import { presets } from "../src/presets.js";
import type { JoinerTallies } from "../src/store.js";
import { decision, T0 } from "./helpers.js";

const metric = defineMetric({
  ...presets.revenue(),
  components: [
    { name: "revenue", counts: { type: "purchase" }, aggregate: "sum" },
    { name: "signups", counts: { type: "event", name: "signup" }, aggregate: "count" },
  ],
  objective: "revenue + signups",
});

/** Every input lands in exactly one bucket. */
function bucketsAddUp(t: JoinerTallies): void {
  const buckets =
    t.attributed +
    t.irrelevant +
    t.duplicates +
    t.late +
    t.unattributed +
    t.unknownUsers +
    t.expired +
    t.quarantined +
    t.ignored;
  expect(buckets).toBe(t.received);
}

function joiner(): RewardJoiner {
  const j = new RewardJoiner(metric);
  j.addDecisions([decision("d1", "u1"), decision("d2", "u2")]);
  return j;
}

// Near-valid values mixed with garbage, so that generated inputs reach every branch.
const time = fc.oneof(
  fc.constantFrom(
    "2024-05-01T10:00:00Z",
    "2024-05-02",
    "05/03/2024",
    "2024-05-01T12:00:00+02:00",
    "2024-02-30",
    "soon",
  ),
  fc.integer({ min: T0 - 1e9, max: T0 + 1e9 }),
  fc.anything(),
);
const user = fc.oneof(fc.constantFrom("u1", "u2", "ghost", ""), fc.anything());
const jsonlRecord = fc.record(
  {
    id: fc.oneof(fc.string(), fc.anything()),
    user_id: user,
    time,
    type: fc.oneof(fc.constantFrom("custom", "purchase", "click", "unsubscribe", "bogus"), fc.anything()),
    name: fc.oneof(fc.constantFrom("signup", "other"), fc.anything()),
    properties: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.anything()),
    value: fc.oneof(fc.double(), fc.anything()),
    product_id: fc.string(),
    currency: fc.constantFrom("USD", "usd", "EUR", "dollars"),
    price: fc.oneof(fc.double(), fc.integer({ min: -5, max: 50 })),
    quantity: fc.oneof(fc.integer({ min: -3, max: 120 }), fc.double()),
  },
  { requiredKeys: [] },
);
const trackObject = fc.record(
  {
    external_id: user,
    name: fc.oneof(fc.constantFrom("signup"), fc.anything()),
    time,
    product_id: fc.string(),
    currency: fc.constantFrom("USD", "EUR", "xx"),
    price: fc.oneof(fc.double(), fc.integer({ min: -5, max: 50 })),
    quantity: fc.integer({ min: -3, max: 120 }),
    email_subscribe: fc.constantFrom("unsubscribed", "subscribed"),
    properties: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.anything()),
  },
  { requiredKeys: [] },
);

const validLine = fc.oneof(
  fc.record({
    user_id: fc.constantFrom("u1", "u2", "ghost"),
    time: fc.constantFrom("2024-05-01T10:00:00Z", "2024-05-02", "2024-05-01T12:00:00+02:00"),
    name: fc.constantFrom("signup", "other"),
  }),
  fc.record({
    user_id: fc.constantFrom("u1", "u2"),
    time: fc.integer({ min: T0, max: T0 + 9 * 86_400_000 }),
    type: fc.constant("purchase"),
    product_id: fc.constant("p"),
    currency: fc.constantFrom("USD", "EUR"),
    price: fc.integer({ min: -2, max: 50 }),
    quantity: fc.integer({ min: -1, max: 3 }),
  }),
);

describe("garbage never crashes and is always quarantined or accepted", () => {
  it("JSON Lines", () => {
    let attributed = 0;
    let quarantined = 0;
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            validLine.map((r) => JSON.stringify(r)),
            jsonlRecord.map((r) => JSON.stringify(r) ?? "null"),
            fc.string(),
          ),
        ),
        (lines) => {
          const j = joiner();
          j.ingestJsonLines(lines);
          j.advanceTo(T0 + 30 * 86_400_000);
          const t = j.tallies;
          bucketsAddUp(t);
          expect(t.received).toBe(lines.filter((l) => l.trim() !== "").length);
          expect(j.quarantine.total).toBe(t.quarantined);
          expect(j.quarantine.list()).toHaveLength(t.quarantined);
          for (const f of j.drain().feedback) expect(Number.isFinite(f.reward)).toBe(true);
          attributed += t.attributed;
          quarantined += t.quarantined;
        },
      ),
      { numRuns: 200 },
    );
    // The generator reaches both sides: some inputs are joined, some quarantined.
    expect(attributed).toBeGreaterThan(0);
    expect(quarantined).toBeGreaterThan(0);
  });

  it("users/track bodies", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({
            events: fc.array(trackObject),
            purchases: fc.array(trackObject),
            attributes: fc.array(trackObject),
          }),
          fc.anything(),
        ),
        (body) => {
          const j = joiner();
          j.ingestTrack(body, T0);
          bucketsAddUp(j.tallies);
          expect(j.quarantine.total).toBe(j.tallies.quarantined);
        },
      ),
    );
  });

  it("direct ingest of arbitrary objects", () => {
    fc.assert(
      fc.property(fc.array(fc.anything()), (things) => {
        const j = joiner();
        j.ingest(things as never);
        bucketsAddUp(j.tallies);
        expect(j.tallies.received).toBe(things.length);
      }),
    );
  });
});
