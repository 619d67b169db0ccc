// A toy problem: 3 offers × 3 channels, two customer segments that prefer different combinations.
// Runs factorised Thompson sampling for 30 simulated days and prints what it learned per segment.
import { createPolicy, createRng, type Feedback } from "@kairos/core";

const policy = createPolicy({
  kind: "factorised-thompson",
  actionSpace: { dimensions: { offer: ["none", "10%", "free-shipping"], channel: ["email", "sms", "push"] } },
  context: { features: [{ name: "segment", type: "categorical", categories: ["bargain", "premium"] }] },
  rewardRange: [0, 1],
  seed: 7,
});

// True conversion rates: bargain hunters want 10% by sms; premium customers want free shipping by email.
const truth = (segment: string, offer: string, channel: string): number => {
  const offerLift = {
    bargain: { none: 0, "10%": 0.08, "free-shipping": 0.02 },
    premium: { none: 0.01, "10%": 0.02, "free-shipping": 0.07 },
  };
  const channelLift = {
    bargain: { email: 0.01, sms: 0.05, push: 0.02 },
    premium: { email: 0.05, sms: 0.0, push: 0.01 },
  };
  const s = segment as "bargain" | "premium";
  return 0.02 + offerLift[s][offer as "none"] + channelLift[s][channel as "email"];
};

const rng = createRng(1);
for (let day = 1; day <= 30; day++) {
  const feedback: Feedback[] = [];
  let converted = 0;
  for (let i = 0; i < 400; i++) {
    const segment = rng.next() < 0.5 ? "bargain" : "premium";
    const decision = policy.decide({ segment });
    const p = truth(segment, String(decision.action.offer), String(decision.action.channel));
    const reward = rng.next() < p ? 1 : 0;
    converted += reward;
    feedback.push({ context: { segment }, action: decision.action, reward });
  }
  policy.update(feedback); // learn overnight
  if (day % 10 === 0) console.log(`day ${day}: conversion ${(converted / 4).toFixed(2)}%`);
}

for (const segment of ["bargain", "premium"]) {
  const d = policy.decide({ segment }, { decisionId: `explain-${segment}` });
  const best = Object.entries(d.scores).map(([dim, opts]) => {
    const [option, score] = Object.entries(opts).sort((a, b) => b[1] - a[1])[0]!;
    return `${dim}=${option} (${(100 * score).toFixed(1)}%)`;
  });
  console.log(`${segment.padEnd(8)} → learned best: ${best.join(", ")}`);
}
