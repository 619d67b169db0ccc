// Run: npx tsx --conditions=kairos-source packages/rewards/examples/quickstart.ts
import { createPolicy } from "@kairos/core";
import { defineMetric, RewardJoiner, sentDecision } from "@kairos/rewards";

// 1. A success metric: net revenue over 7 days after the send, minus discount cost and unsubscribes.
const metric = defineMetric({
  name: "net_revenue",
  window: "7d",
  components: [
    { name: "revenue", counts: { type: "purchase" }, aggregate: "sum" },
    {
      name: "discount_cost",
      counts: { type: "event", name: "coupon_redeemed" },
      aggregate: "sum",
      value: { property: "amount" },
    },
    { name: "unsubscribed", counts: { type: "unsubscribe" }, aggregate: "first" },
  ],
  objective: "revenue - 0.3 * discount_cost - 5 * unsubscribed",
});

// 2. Decisions from core, registered with who got them, when, and the context they were made on.
const policy = createPolicy({
  kind: "factorised-thompson",
  actionSpace: { dimensions: { offer: ["none", "10%"], channel: ["email", "sms"] } },
  context: { features: [{ name: "segment", type: "categorical", categories: ["new", "loyal"] }] },
  rewardRange: [-10, 200],
  seed: 1,
});
const joiner = new RewardJoiner(metric);
for (const [userId, segment] of [
  ["u1", "new"],
  ["u2", "loyal"],
] as const) {
  const context = { segment };
  const decision = policy.decide(context);
  joiner.addDecision(sentDecision(decision, { userId, sentAt: "2024-05-01T09:00:00Z", context }));
}

// 3. Events: a Braze users/track body and a JSON Lines stream.
joiner.ingestTrack({
  purchases: [
    {
      external_id: "u1",
      product_id: "shoes",
      currency: "USD",
      price: 40,
      quantity: 2,
      time: "2024-05-02T10:00:00+02:00",
    },
  ],
  events: [
    { external_id: "u1", name: "coupon_redeemed", time: "2024-05-02T08:01:00Z", properties: { amount: 8 } },
  ],
});
joiner.ingestJsonLines(
  [
    '{"user_id":"u2","time":"2024-05-03T12:00:00Z","type":"unsubscribe"}',
    '{"user_id":"u1","time":"2024-05-03","type":"purchase","product_id":"hat","currency":"EUR","price":9}',
    '{"user_id":"nobody","time":"2024-05-03","type":"purchase","product_id":"hat","currency":"USD","price":9}',
  ].join("\n"),
);

// 4. Overnight: close the windows that ended, learn from everything that became final.
joiner.advanceTo("2024-05-08T09:00:00Z");
const batch = joiner.drain();
console.log(batch.feedback.map((f) => ({ decisionId: f.decisionId, action: f.action, reward: f.reward })));
console.log(policy.update(batch.feedback)); // { applied: 2, policyVersion: 1 }
console.log(joiner.quarantine.byReason()); // { currency_mismatch: 1, unknown_user: 1 }
