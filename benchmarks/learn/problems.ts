// The learning benchmark's problems: synthetic customers with a known expected reward for every (context,
// action), so regret is exact. Each problem is drawn afresh per seed (coefficients and customers), from
// fixed structure: see README "Learning benchmark" for what each one tests.
import {
  type ConstraintRule,
  createRng,
  type OptionValue,
  type Rng,
  stableNormal,
} from "../../packages/core/src/index.js";

/** One dimension of an action space. */
export interface Dimension {
  name: string;
  options: OptionValue[];
}

/**
 * A linear functional form over a basis z(x): the expected reward of action a is the sum, over the units
 * of a, of w_u · z[lo_u, hi_u). Units are shared between actions (a unit per option of a dimension, per cell
 * of an interaction) or not (a unit per arm). The truth is a form with weights; the full-information
 * reference fits a form by ridge regression.
 */
export interface Form {
  units: { lo: number; hi: number; name: string }[];
  /** Units of each action (indexed by action index; forbidden actions included). */
  unitsOf: Int32Array[];
}

export interface Problem {
  id: string;
  /** What the problem's random streams are keyed by: linear-raw shares linear's truth, customers and noise. */
  randomKey: string;
  label: string;
  description: string;
  /** Raw context features given to every learner (Kairos adds its intercept, peers a bias column). */
  featureNames: string[];
  dimensions: Dimension[];
  /** Kairos constraint rules (the peers get the same feasible list). */
  constraints: ConstraintRule[];
  /** Number of combinations, forbidden ones included. Action index: mixed radix, last dimension fastest. */
  actionCount: number;
  /** Indices of the allowed combinations, ascending. */
  feasible: Int32Array;
  /** z(x): the basis the truth (and the full-information references) are linear in. z[0] = 1. */
  basisLength: number;
  basis(x: Float64Array, z: Float64Array): void;
  truth: { form: Form; weights: Float64Array[] };
  /** Forms fitted by the full-information ridge references. */
  references: { id: string; label: string; form: Form }[];
  /** Draws one customer's raw features. */
  sampleContext(rng: Rng, out: Float64Array): void;
  /** Rounds of a full run. */
  horizon: number;
  /** Bounds of the expected reward over every context the sampler can produce (exact box bounds). */
  meanRange: [number, number];
}

/** Problem ids, in report order. */
export const PROBLEM_IDS = [
  "linear",
  "linear-wide",
  "linear-raw",
  "linear-many",
  "marketing",
  "marketing-constrained",
  "nonlinear",
] as const;
export type ProblemId = (typeof PROBLEM_IDS)[number];

export function makeProblem(id: string, seed: number, horizon?: number): Problem {
  const shape = LINEAR_SHAPES.find((l) => l.id === id);
  const randomKey = shape?.randomKey ?? id;
  const rng = createRng(`kairos-learn/${randomKey}/${seed}`);
  let p: Omit<Problem, "randomKey">;
  if (shape) p = linearProblem(rng, shape);
  else
    switch (id) {
      case "marketing":
        p = marketingProblem(rng, false);
        break;
      case "marketing-constrained":
        p = marketingProblem(rng, true);
        break;
      case "nonlinear":
        p = nonlinearProblem(rng);
        break;
      default:
        throw new Error(`unknown problem ${id}; known: ${PROBLEM_IDS.join(", ")}`);
    }
  if (horizon !== undefined) p.horizon = horizon;
  return { ...p, randomKey };
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

function strides(dims: readonly Dimension[]): number[] {
  const out = new Array<number>(dims.length);
  let size = 1;
  for (let k = dims.length - 1; k >= 0; k--) {
    out[k] = size;
    size *= dims[k]!.options.length;
  }
  return out;
}

/** Per-dimension option codes of an action index (mixed radix, last dimension fastest). */
export function codesOf(dims: readonly Dimension[], index: number): number[] {
  const s = strides(dims);
  return s.map((st, k) => Math.floor(index / st) % dims[k]!.options.length);
}

export function indexOfCodes(dims: readonly Dimension[], codes: readonly number[]): number {
  const s = strides(dims);
  let index = 0;
  for (let k = 0; k < dims.length; k++) index += codes[k]! * s[k]!;
  return index;
}

function productOf(dims: readonly Dimension[]): number {
  return dims.reduce((n, d) => n * d.options.length, 1);
}

function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}

/** Expected reward of one action under a form and weights, for a basis vector z. */
export function meanOf(
  form: Form,
  weights: readonly Float64Array[],
  z: Float64Array,
  action: number,
): number {
  let s = 0;
  for (const u of form.unitsOf[action]!) {
    const { lo } = form.units[u]!;
    const w = weights[u]!;
    for (let j = 0; j < w.length; j++) s += w[j]! * z[lo + j]!;
  }
  return s;
}

/**
 * Exact bounds of the expected reward when every basis feature j ranges independently over [zLo[j], zHi[j]]
 * (a box; true features may be dependent, so this may be wider than reachable, never narrower).
 */
function boxRange(
  form: Form,
  weights: readonly Float64Array[],
  actions: Iterable<number>,
  zLo: readonly number[],
  zHi: readonly number[],
): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  const m = zLo.length;
  for (const a of actions) {
    const agg = new Float64Array(m);
    for (const u of form.unitsOf[a]!) {
      const { lo: at } = form.units[u]!;
      const w = weights[u]!;
      for (let j = 0; j < w.length; j++) agg[at + j] += w[j]!;
    }
    let min = 0;
    let max = 0;
    for (let j = 0; j < m; j++) {
      const a1 = agg[j]! * zLo[j]!;
      const a2 = agg[j]! * zHi[j]!;
      min += Math.min(a1, a2);
      max += Math.max(a1, a2);
    }
    lo = Math.min(lo, min);
    hi = Math.max(hi, max);
  }
  return [lo, hi];
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** A form with one unit per arm over z[0, width): disjoint per-arm models. */
function perArmForm(arms: number, width: number, name = "arm"): Form {
  return {
    units: range(arms).map((a) => ({ lo: 0, hi: width, name: `${name} ${a}` })),
    unitsOf: range(arms).map((a) => Int32Array.of(a)),
  };
}

// ---------------------------------------------------------------------------------------------------------
// 1. linear: 16 features uniform in [-1, 1], 8 arms, per-arm linear expected reward in [0.05, 0.95],
//    Bernoulli rewards. The textbook setting of disjoint LinUCB / LinTS: well specified for them.
//    linear-wide: the same at 64 features and 10 arms (d = 65 with the intercept), where each arm's model
//    has four times the coefficients to learn from the same customers.
//    linear-many: the same as linear with 30 arms (an offer catalogue, say): ~330 customers per arm.
//    linear-raw: the same as linear, with every feature given in its own unit and off centre, as raw customer
//    data are (a tenure in days, a spend in euros, a count of orders): feature j is shown as
//    s_j·(x_j + 1 + 2·o_j), s_j log-uniform in [0.1, 1000], o_j uniform in [0, 1] (so it is positive).

interface LinearShape {
  id: "linear" | "linear-wide" | "linear-raw" | "linear-many";
  features: number;
  arms: number;
  /** Whether learners see the features in raw units, off centre (the truth is the same in x). */
  raw?: boolean;
  /** Another problem whose random streams (truth, customers, noise) this one shares. */
  randomKey?: string;
}
const LINEAR_SHAPES: readonly LinearShape[] = [
  { id: "linear", features: 16, arms: 8 },
  { id: "linear-wide", features: 64, arms: 10 },
  { id: "linear-raw", features: 16, arms: 8, raw: true, randomKey: "linear" },
  { id: "linear-many", features: 16, arms: 30 },
];

function linearProblem(
  rng: Rng,
  { id, features: p, arms, raw: rawUnits = false }: LinearShape,
): Omit<Problem, "randomKey"> {
  const dims: Dimension[] = [{ name: "arm", options: range(arms).map((a) => `a${a}`) }];
  const form = perArmForm(arms, p + 1);
  // Small arm offsets (a context-free best arm exists, but context matters more) and contextual slopes: four
  // strong features per arm over weak dense ones; slopes are scaled so that the widest arm reaches exactly
  // 0.05 or 0.95 at a corner of the feature box.
  const offsets = range(arms).map(() => uniform(rng, -0.06, 0.06));
  const raw = range(arms).map(() => {
    const v = range(p).map(() => 0.25 * stableNormal(rng));
    for (let i = 0; i < 4; i++)
      v[Math.floor(rng.next() * p)] += stableNormal(rng) >= 0 ? 1 + rng.next() : -1 - rng.next();
    return v;
  });
  let scale = Number.POSITIVE_INFINITY;
  for (let a = 0; a < arms; a++) {
    const l1 = raw[a]!.reduce((s, v) => s + Math.abs(v), 0);
    scale = Math.min(scale, (0.45 - Math.abs(offsets[a]!)) / l1);
  }
  const weights = range(arms).map((a) =>
    Float64Array.from([0.5 + offsets[a]!, ...raw[a]!.map((v) => v * scale)]),
  );
  const zLo = [1, ...range(p).map(() => -1)];
  const zHi = [1, ...range(p).map(() => 1)];
  // Raw units: shown = unit·x + origin, drawn after the truth, so linear-raw's truth is linear's.
  const unit = range(p).map(() => (rawUnits ? 10 ** (-1 + 4 * rng.next()) : 1));
  const origin = unit.map((s) => (rawUnits ? s * (1 + 2 * rng.next()) : 0));
  return {
    id,
    label: `${id} (${arms} arms, d = ${p + 1})`,
    description: rawUnits
      ? `the linear problem with its ${p} features in raw units, off centre: feature j is s_j·(x_j + 1 + 2·o_j), x_j uniform in [-1, 1], s_j log-uniform in [0.1, 1000], o_j uniform in [0, 1]; the same truth.`
      : `${p} features uniform in [-1, 1] (+ intercept), ${arms} arms; expected reward linear per arm, in [0.05, 0.95]; Bernoulli rewards. Well specified for disjoint LinUCB/LinTS.`,
    featureNames: range(p).map((j) => `x${j}`),
    dimensions: dims,
    constraints: [],
    actionCount: arms,
    feasible: Int32Array.from(range(arms)),
    basisLength: p + 1,
    basis(x, z) {
      z[0] = 1;
      for (let j = 0; j < p; j++) z[j + 1] = (x[j]! - origin[j]!) / unit[j]!;
    },
    truth: { form, weights },
    references: [{ id: "full-info", label: "full-info ridge (true form)", form }],
    sampleContext(r, out) {
      for (let j = 0; j < p; j++) out[j] = unit[j]! * uniform(r, -1, 1) + origin[j]!;
    },
    horizon: 10_000,
    meanRange: boxRange(form, weights, range(arms), zLo, zHi),
  };
}

// ---------------------------------------------------------------------------------------------------------
// 2. marketing: offer 4 × subject 4 × channel 6 × hour 6 = 576 combinations, 12 customer features in
//    [0, 1], conversions (Bernoulli) at 2–15% for most customers. Expected conversion = a customer baseline
//    + per-option effects that depend on the customer (offer × discount affinity, push × app installed, …)
//    + two interactions without context: channel × hour and offer × subject.
//    The constrained variant forbids SMS before 9, where texting early risers would otherwise pay.

const OFFERS = ["none", "10%", "20%", "free-shipping"];
const SUBJECTS = ["plain", "urgency", "personal", "question"];
const CHANNELS = ["email", "sms", "push", "in-app", "whatsapp", "web-push"];
const HOURS = [7, 9, 12, 15, 18, 21];
const MARKETING_FEATURES = [
  "tenure",
  "recency",
  "frequency",
  "spend",
  "appInstalled",
  "emailEngaged",
  "smsOptIn",
  "discountAffinity",
  "mobileShare",
  "eveningActive",
  "weekendShopper",
  "premium",
] as const;
type Feature = (typeof MARKETING_FEATURES)[number];

/** Multiplies every effect above (the customer baseline excepted), to set how much targeting can earn. */
const EFFECT = 1.6;

function marketingProblem(rng: Rng, constrained: boolean): Omit<Problem, "randomKey"> {
  const p = MARKETING_FEATURES.length;
  const dims: Dimension[] = [
    { name: "offer", options: OFFERS },
    { name: "subject", options: SUBJECTS },
    { name: "channel", options: CHANNELS },
    { name: "hour", options: HOURS },
  ];
  const n = productOf(dims);
  const f = (name: Feature) => 1 + MARKETING_FEATURES.indexOf(name);
  // Units: customer baseline, one per option of each dimension (context-dependent), channel × hour cells and
  // offer × subject cells (constants).
  const units: Form["units"] = [{ lo: 0, hi: p + 1, name: "baseline" }];
  const optionUnit: number[][] = dims.map((d) =>
    d.options.map((o) => units.push({ lo: 0, hi: p + 1, name: `${d.name}=${o}` }) - 1),
  );
  const chHr = CHANNELS.map((c) => HOURS.map((h) => units.push({ lo: 0, hi: 1, name: `${c}@${h}` }) - 1));
  const offSubj = OFFERS.map((o) => SUBJECTS.map((s) => units.push({ lo: 0, hi: 1, name: `${o}×${s}` }) - 1));
  const unitsOf = range(n).map((a) => {
    const c = codesOf(dims, a);
    return Int32Array.of(
      0,
      ...c.map((code, k) => optionUnit[k]![code]!),
      chHr[c[2]!]![c[3]!]!,
      offSubj[c[0]!]![c[1]!]!,
    );
  });
  const form: Form = { units, unitsOf };
  const weights = units.map((u) => new Float64Array(u.hi - u.lo));
  const jitter = (sd: number) => sd * stableNormal(rng);
  // Baseline: who converts at all (same for every action: moves rates, not decisions).
  const base = weights[0]!;
  base[0] = 0.005;
  base[f("frequency")] = 0.02;
  base[f("recency")] = -0.004;
  base[f("spend")] = 0.008;
  base[f("premium")] = 0.004;
  const set = (
    dim: number,
    option: string | number,
    values: Partial<Record<"intercept" | Feature, number>>,
  ) => {
    const w = weights[optionUnit[dim]![dims[dim]!.options.indexOf(option)]!]!;
    for (const [k, v] of Object.entries(values)) w[k === "intercept" ? 0 : f(k as Feature)] += v!;
  };
  // Offers: discounts pay with discount-affine customers, free shipping with big spenders; premium
  // customers dislike discounts.
  set(0, "10%", { intercept: 0.001, discountAffinity: 0.012, premium: -0.002 });
  set(0, "20%", { discountAffinity: 0.022, premium: -0.004 });
  set(0, "free-shipping", { intercept: 0.001, spend: 0.012, premium: 0.006 });
  // Subjects.
  set(1, "urgency", { recency: 0.003, discountAffinity: 0.004 });
  set(1, "personal", { tenure: 0.008 });
  set(1, "question", { emailEngaged: 0.004 });
  // Channels: reach depends on the customer.
  set(2, "email", { emailEngaged: 0.022 });
  set(2, "sms", { smsOptIn: 0.03 });
  set(2, "push", { appInstalled: 0.028, mobileShare: 0.006 });
  set(2, "in-app", { appInstalled: 0.026, frequency: 0.012 });
  set(2, "whatsapp", { smsOptIn: 0.014, mobileShare: 0.01 });
  set(2, "web-push", { mobileShare: 0.004, frequency: 0.006 });
  // Hours: evening-active customers later, weekend shoppers at noon.
  const morning = [0.006, 0.006, 0.004, 0.002, 0, 0];
  const evening = [-0.005, -0.004, -0.001, 0.002, 0.01, 0.012];
  HOURS.forEach((h, i) => {
    set(3, h, { intercept: morning[i]!, eveningActive: evening[i]!, weekendShopper: h === 12 ? 0.004 : 0 });
  });
  // Channel × hour: texts early work for early risers (the constrained variant forbids them), texts late
  // annoy, push in the evening, email in the morning.
  const cell = (c: string, h: number, v: number) => {
    weights[chHr[CHANNELS.indexOf(c)]![HOURS.indexOf(h)]!]![0] += v;
  };
  cell("sms", 7, 0.012);
  cell("sms", 21, -0.004);
  cell("whatsapp", 21, -0.002);
  cell("email", 7, 0.005);
  cell("email", 9, 0.004);
  cell("push", 18, 0.006);
  cell("push", 21, 0.008);
  cell("in-app", 12, 0.004);
  cell("web-push", 21, -0.002);
  // Offer × subject.
  const pair = (o: string, s: string, v: number) => {
    weights[offSubj[OFFERS.indexOf(o)]![SUBJECTS.indexOf(s)]!]![0] += v;
  };
  pair("20%", "urgency", 0.006);
  pair("10%", "urgency", 0.004);
  pair("free-shipping", "personal", 0.004);
  pair("none", "question", 0.003);
  pair("none", "urgency", -0.002);
  // Per-seed variation: every declared effect scaled by 1 + N(0, 0.3²), every intercept moved by N(0, 0.001²)
  // (instances differ across seeds, the structure does not).
  for (let u = 1; u < units.length; u++) {
    const w = weights[u]!;
    for (let j = 0; j < w.length; j++)
      w[j] = EFFECT * w[j]! * (1 + jitter(0.3)) + (j === 0 ? jitter(0.001) : 0);
  }
  const constraints: ConstraintRule[] = constrained
    ? [{ forbid: { channel: "sms", hour: { lt: 9 } }, reason: "no texts before 9" }]
    : [];
  const forbidden = (a: number) => {
    const c = codesOf(dims, a);
    return constrained && CHANNELS[c[2]!] === "sms" && HOURS[c[3]!]! < 9;
  };
  const feasible = Int32Array.from(range(n).filter((a) => !forbidden(a)));
  const zLo = [1, ...new Array<number>(p).fill(0)];
  const zHi = new Array<number>(p + 1).fill(1);
  // Every expected conversion must stay a probability: lift the baseline if any corner of the box would
  // go below 0.5%.
  const [lo] = boxRange(form, weights, range(n), zLo, zHi);
  if (lo < 0.005) base[0] += 0.005 - lo;
  const meanRange = boxRange(form, weights, range(n), zLo, zHi);
  if (meanRange[1] > 0.5) throw new Error(`marketing: expected conversion up to ${meanRange[1]}`);
  return {
    id: constrained ? "marketing-constrained" : "marketing",
    label: constrained
      ? `marketing + no SMS before 9 (${feasible.length} actions)`
      : "marketing (4×4×6×6 = 576 actions)",
    description: `offer 4 × subject 4 × channel 6 × hour 6 = 576 combinations${constrained ? ` (${n - feasible.length} forbidden: no SMS before 9, where early texts would pay)` : ""}; 12 customer features in [0, 1] (+ intercept); Bernoulli conversions, mostly 2–15%: customer baseline + per-option effects depending on the customer + channel × hour and offer × subject interactions.`,
    featureNames: [...MARKETING_FEATURES],
    dimensions: dims,
    constraints,
    actionCount: n,
    feasible,
    basisLength: p + 1,
    basis(x, z) {
      z[0] = 1;
      for (let j = 0; j < p; j++) z[j + 1] = x[j]!;
    },
    truth: { form, weights },
    references: [{ id: "full-info", label: "full-info ridge (true form)", form }],
    sampleContext(r, out) {
      const u = () => r.next();
      const bern = (q: number) => (r.next() < q ? 1 : 0);
      out[0] = u(); // tenure
      out[1] = u(); // recency (1 = long lapsed)
      out[2] = u() ** 2; // frequency (most customers buy rarely)
      out[3] = u() ** 3; // spend (heavy tail)
      out[4] = bern(0.45); // app installed
      out[5] = bern(0.55); // email engaged
      out[6] = bern(0.35); // SMS opt-in
      out[7] = u(); // discount affinity
      out[8] = u(); // share of mobile sessions
      out[9] = u(); // evening activity
      out[10] = bern(0.3); // weekend shopper
      out[11] = bern(0.2); // premium plan
    },
    horizon: 6_000,
    meanRange,
  };
}

// ---------------------------------------------------------------------------------------------------------
// 3. nonlinear: 16 features uniform in [-1, 1], 8 arms; each arm's expected reward has a small linear part
//    and three terms a linear model cannot represent: products x_i·x_j (invisible to it), |x_i| (even: also
//    invisible) and thresholds 1[x_i > 0.3] (partly linear). Bernoulli rewards, means in [0.05, 0.95].

const NL_FEATURES = 16;
const NL_ARMS = 8;

function nonlinearProblem(rng: Rng): Omit<Problem, "randomKey"> {
  const p = NL_FEATURES;
  // Basis: 1, x (16), 8 products x_{2i}·x_{2i+1}, |x_i| - 1/2 for i < 8, 1[x_i > 0.3] - 0.35 for i ≥ 8.
  const m = 1 + p + 8 + 8 + 8;
  const zLo = [
    1,
    ...range(p).map(() => -1),
    ...range(8).map(() => -1),
    ...range(8).map(() => -0.5),
    ...range(8).map(() => -0.35),
  ];
  const zHi = [
    1,
    ...range(p).map(() => 1),
    ...range(8).map(() => 1),
    ...range(8).map(() => 0.5),
    ...range(8).map(() => 0.65),
  ];
  const form = perArmForm(NL_ARMS, m);
  const weights = range(NL_ARMS).map(() => new Float64Array(m));
  const offsets = range(NL_ARMS).map(() => uniform(rng, -0.06, 0.06));
  for (let a = 0; a < NL_ARMS; a++) {
    const w = weights[a]!;
    for (let j = 1; j <= p; j++) w[j] = 0.25 * stableNormal(rng);
    // Three nonlinear terms, one of each kind, each worth about twice the whole linear part.
    w[1 + p + Math.floor(rng.next() * 8)] += (rng.next() < 0.5 ? -1 : 1) * (1.5 + rng.next());
    w[1 + p + 8 + Math.floor(rng.next() * 8)] += (rng.next() < 0.5 ? -1 : 1) * (2 + rng.next());
    w[1 + p + 16 + Math.floor(rng.next() * 8)] += (rng.next() < 0.5 ? -1 : 1) * (1.5 + rng.next());
  }
  // Scale every arm's non-constant part by one factor so the widest arm spans exactly [0.05, 0.95].
  let scale = Number.POSITIVE_INFINITY;
  for (let a = 0; a < NL_ARMS; a++) {
    let half = 0;
    for (let j = 1; j < m; j++)
      half += Math.abs(weights[a]![j]!) * Math.max(Math.abs(zLo[j]!), Math.abs(zHi[j]!));
    scale = Math.min(scale, (0.45 - Math.abs(offsets[a]!)) / half);
  }
  for (let a = 0; a < NL_ARMS; a++) {
    const w = weights[a]!;
    for (let j = 1; j < m; j++) w[j] *= scale;
    w[0] = 0.5 + offsets[a]!;
  }
  return {
    id: "nonlinear",
    label: "nonlinear (8 arms, d = 17)",
    description:
      "16 features uniform in [-1, 1] (+ intercept), 8 arms; each arm: a small linear part + a product x_i·x_j, an |x_i| and a threshold 1[x_i > 0.3] term (a linear model sees only the threshold's linear shadow); means in [0.05, 0.95]; Bernoulli rewards.",
    featureNames: range(p).map((j) => `x${j}`),
    dimensions: [{ name: "arm", options: range(NL_ARMS).map((a) => `a${a}`) }],
    constraints: [],
    actionCount: NL_ARMS,
    feasible: Int32Array.from(range(NL_ARMS)),
    basisLength: m,
    basis(x, z) {
      z[0] = 1;
      for (let j = 0; j < p; j++) z[1 + j] = x[j]!;
      for (let i = 0; i < 8; i++) z[1 + p + i] = x[2 * i]! * x[2 * i + 1]!;
      for (let i = 0; i < 8; i++) z[1 + p + 8 + i] = Math.abs(x[i]!) - 0.5;
      for (let i = 0; i < 8; i++) z[1 + p + 16 + i] = (x[8 + i]! > 0.3 ? 1 : 0) - 0.35;
    },
    truth: { form, weights },
    references: [
      { id: "full-info", label: "full-info ridge (true form)", form },
      { id: "full-info-linear", label: "full-info ridge (linear per arm)", form: perArmForm(NL_ARMS, p + 1) },
    ],
    sampleContext(r, out) {
      for (let j = 0; j < p; j++) out[j] = uniform(r, -1, 1);
    },
    horizon: 10_000,
    meanRange: boxRange(form, weights, range(NL_ARMS), zLo, zHi),
  };
}
