import { createRng, type Rng, stableNormal } from "@kairos/core";
import { emptyOpeData, type OpeData } from "./estimators.js";

/** A synthetic log whose target value is known: the truth Σₐ π(a|x) E[r | x, a] averaged over its rounds. */
export interface KnownTruthLog {
  name: string;
  data: OpeData;
  truth: number;
  numActions: number;
}

/** The logs `known-truth` examples and tests check the estimators on. */
export const KNOWN_TRUTH_LOGS = ["linear", "classification", "marketing-576"] as const;
export type KnownTruthKind = (typeof KNOWN_TRUTH_LOGS)[number];

/** Builds one of the known-truth logs: `rounds` rounds drawn with the given seed. */
export function knownTruthLog(kind: KnownTruthKind, seed: string | number, rounds = 4000): KnownTruthLog {
  const rng = createRng(`${kind}\u0000${seed}`);
  if (kind === "linear") return linearLog(rng, rounds);
  if (kind === "classification") return classificationLog(rng, rounds);
  return marketingLog(rng, rounds);
}

function softmax(scores: ArrayLike<number>, temperature: number): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < scores.length; k++) max = Math.max(max, scores[k]!);
  const p = Float64Array.from(scores, (s) => Math.exp((s - max) / temperature));
  const total = p.reduce((a, b) => a + b, 0);
  for (let k = 0; k < p.length; k++) p[k]! /= total;
  return p;
}

function pick(rng: Rng, p: ArrayLike<number>): number {
  let u = rng.next();
  for (let k = 0; k < p.length; k++) {
    u -= p[k]!;
    if (u < 0) return k;
  }
  return p.length - 1;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k]! * b[k]!;
  return s;
};

/**
 * Linear rewards: 6 actions, 5 standard-normal features, r = 0.5 + θₐ·x + N(0, 1). Logging: a softmax of
 * unrelated scores (propensities spread over the actions); target: a softmax of the true scores at
 * temperature 0.3 (a good, fairly greedy policy). The ridge reward model is well specified here.
 */
function linearLog(rng: Rng, n: number): KnownTruthLog {
  const d = 5;
  const k = 6;
  const theta = Array.from({ length: k }, () =>
    Float64Array.from({ length: d }, () => stableNormal(rng) / Math.sqrt(d)),
  );
  const phi = Array.from({ length: k }, () =>
    Float64Array.from({ length: d }, () => stableNormal(rng) / Math.sqrt(d)),
  );
  const data = emptyOpeData();
  let truth = 0;
  for (let i = 0; i < n; i++) {
    const x = Float64Array.from({ length: d }, () => stableNormal(rng));
    const mean = theta.map((t) => 0.5 + dot(t, x));
    const mu = softmax(
      phi.map((f) => dot(f, x)),
      1,
    );
    const pi = softmax(mean, 0.3);
    const a = pick(rng, mu);
    data.x.push(x);
    data.a.push(a);
    data.r.push(mean[a]! + stableNormal(rng));
    data.pscore.push(mu[a]!);
    data.pi.push(pi);
    truth += dot(pi, mean);
  }
  return { name: "linear", data, truth: truth / n, numActions: k };
}

/**
 * Classification turned bandit: 4 classes, 4 features, P(y = c | x) a softmax of linear scores plus a
 * quadratic term (so per-action logistic models are misspecified); reward 1 when the action is the class.
 * Logging: uniform; target: a deterministic classifier (argmax of the linear part), so π is one-hot.
 */
function classificationLog(rng: Rng, n: number): KnownTruthLog {
  const d = 4;
  const k = 4;
  const w = Array.from({ length: k }, () => Float64Array.from({ length: d }, () => stableNormal(rng)));
  const quad = Float64Array.from({ length: k }, () => stableNormal(rng));
  const data = emptyOpeData();
  let truth = 0;
  for (let i = 0; i < n; i++) {
    const x = Float64Array.from({ length: d }, () => stableNormal(rng));
    const linear = w.map((wc) => dot(wc, x));
    const py = softmax(
      linear.map((s, c) => s + quad[c]! * (x[0]! * x[0]! - 1)),
      1,
    );
    const best = linear.indexOf(Math.max(...linear));
    const pi = new Float64Array(k);
    pi[best] = 1;
    const a = Math.floor(rng.next() * k);
    const y = pick(rng, py);
    data.x.push(x);
    data.a.push(a);
    data.r.push(a === y ? 1 : 0);
    data.pscore.push(1 / k);
    data.pi.push(pi);
    truth += py[best]!;
  }
  return { name: "classification", data, truth: truth / n, numActions: k };
}

/**
 * A 576-combination marketing space (offer 4 × channel 3 × hour 6 × day 8) with conversions: the log-odds
 * add per-dimension effects, a segment × channel interaction and a spend × offer slope. Logging: per
 * dimension, a fixed non-uniform distribution (the product is the propensity); target: per dimension, a
 * softmax of the segment's true effects (a factorised policy that learned them), so π spreads over many
 * combinations and weights are moderate.
 */
function marketingLog(rng: Rng, n: number): KnownTruthLog {
  const sizes = [4, 3, 6, 8];
  const segments = 3;
  const effects = sizes.map((m) => Float64Array.from({ length: m }, () => 0.4 * stableNormal(rng)));
  const bySegment = Array.from({ length: segments }, () =>
    Float64Array.from({ length: 3 }, () => 0.6 * stableNormal(rng)),
  );
  const spendSlope = Float64Array.from({ length: 4 }, () => 0.3 * stableNormal(rng));
  const logging = sizes.map((m) =>
    softmax(
      Float64Array.from({ length: m }, () => 0.5 * stableNormal(rng)),
      1,
    ),
  );
  const total = sizes.reduce((a, b) => a * b, 1);
  const data = emptyOpeData();
  let truth = 0;
  const codes = new Int32Array(4);
  const decode = (index: number) => {
    let r = index;
    for (let j = 3; j >= 0; j--) {
      codes[j] = r % sizes[j]!;
      r = Math.floor(r / sizes[j]!);
    }
  };
  for (let i = 0; i < n; i++) {
    const segment = Math.floor(rng.next() * segments);
    const spend = stableNormal(rng);
    const x = new Float64Array(segments + 1);
    x[segment] = 1;
    x[segments] = spend;
    const logit = (index: number) => {
      decode(index);
      let v = -3;
      for (let j = 0; j < 4; j++) v += effects[j]![codes[j]!]!;
      return v + bySegment[segment]![codes[1]!]! + spendSlope[codes[0]!]! * spend;
    };
    // The target's per-dimension preferences: the true main effects, the segment's channel effect.
    const prefs = sizes.map((m, j) =>
      softmax(
        Float64Array.from({ length: m }, (_, c) => effects[j]![c]! + (j === 1 ? bySegment[segment]![c]! : 0)),
        0.5,
      ),
    );
    const pi = new Float64Array(total);
    const p = new Float64Array(total);
    let value = 0;
    for (let index = 0; index < total; index++) {
      decode(index);
      let pt = 1;
      let pl = 1;
      for (let j = 0; j < 4; j++) {
        pt *= prefs[j]![codes[j]!]!;
        pl *= logging[j]![codes[j]!]!;
      }
      pi[index] = pt;
      p[index] = pl;
      value += pt / (1 + Math.exp(-logit(index)));
    }
    const a = pick(rng, p);
    data.x.push(x);
    data.a.push(a);
    data.r.push(rng.next() < 1 / (1 + Math.exp(-logit(a))) ? 1 : 0);
    data.pscore.push(p[a]!);
    data.pi.push(pi);
    truth += value;
  }
  return { name: "marketing-576", data, truth: truth / n, numActions: total };
}
