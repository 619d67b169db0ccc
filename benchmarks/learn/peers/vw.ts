// Vowpal Wabbit `--cb_explore_adf` (action-dependent features) as a practitioner runs it on these problems:
//
//   shared |U x0:… x1:… …            (the customer's raw features; VW adds a constant)
//   |A offer=20% subject=urgency …   (one indicator per dimension of the action; namespaces O S C H)
//   -q UO -q US -q UC -q UH          (customer × each dimension: per-option contextual effects)
//   [-q OS -q OC … ]                 ("pairs": every pair of action dimensions, for interactions)
//   --epsilon 0.05 (default) | --squarecb --gamma_scale 10 (default)
//
// with the defaults underneath: cb_type mtr (learn on the chosen action only, as a regression on its cost
// = −reward, importance weight 1/p · 1/K; squarecb learns with p = 1), the squared loss, and online
// gradient descent with VW's default update (adaptive, normalized and invariant: per-feature AdaGrad and
// scale normalisation, the importance-aware closed-form step), learning rate 0.5. Exact feature indices
// stand in for VW's hashing (18 bits leave these few hundred weights collision-free in practice).
// Exploration: ε-greedy gives the first lowest-cost action 1 − ε + ε/K and every other ε/K; SquareCB gives
// each non-best action 1/(K + γ·(ŷ_a − ŷ_best)), γ = gamma_scale·n^0.5 after n learned examples, the best
// the rest.
import { createRng, type Rng } from "../../../packages/core/src/index.js";
import type { Learner } from "../learner.js";
import type { Problem } from "../problems.js";
import { codesOf } from "../problems.js";
import type { Stream } from "../stream.js";

export interface VwOptions {
  explore: "epsilon" | "squarecb";
  epsilon?: number;
  gammaScale?: number;
  /** Interactions between action dimensions too (`-q` over every pair of action namespaces). */
  pairs: boolean;
  /** -l (default 0.5). */
  learningRate?: number;
}

/** Weight layout: constant, U, A_k = v, U × A_k = v, A_k × A_l. */
class Layout {
  readonly p: number;
  readonly sizes: number[];
  readonly aBase: number[] = [];
  readonly uaBase: number[] = [];
  readonly pairs: { k: number; l: number; base: number }[] = [];
  readonly length: number;

  constructor(problem: Problem, pairs: boolean) {
    this.p = problem.featureNames.length;
    this.sizes = problem.dimensions.map((d) => d.options.length);
    let at = 1 + this.p;
    for (const n of this.sizes) {
      this.aBase.push(at);
      at += n;
    }
    for (const n of this.sizes) {
      this.uaBase.push(at);
      at += n * this.p;
    }
    if (pairs) {
      for (let k = 0; k < this.sizes.length; k++) {
        for (let l = k + 1; l < this.sizes.length; l++) {
          this.pairs.push({ k, l, base: at });
          at += this.sizes[k]! * this.sizes[l]!;
        }
      }
    }
    this.length = at;
  }
}

export class VwCbExploreAdf implements Learner {
  private readonly layout: Layout;
  private readonly w: Float64Array;
  /** AdaGrad accumulator (Σ g² x²) and normaliser (max |x|) per weight. */
  private readonly g2: Float64Array;
  private readonly norm: Float64Array;
  private totalWeight = 0;
  private normalizedSumNormX = 0;
  private minLabel = 0;
  private maxLabel = 0;
  /** Learned examples (SquareCB's counter). */
  private counter = 0;
  private readonly rng: Rng;
  private readonly codes: Int32Array[];
  private readonly feasible: Int32Array;
  private readonly armOf: Map<number, number>;
  private readonly eta: number;
  private probabilities = new Float64Array(0);
  // Scratch: per-dimension option costs, and the chosen action's sparse features.
  private readonly optionCost: Float64Array[];
  private readonly featIndex: Int32Array;
  private readonly featValue: Float64Array;
  private readonly rate: Float64Array;

  constructor(
    private readonly stream: Stream,
    private readonly options: VwOptions,
    seed: string,
  ) {
    const problem = stream.problem;
    this.layout = new Layout(problem, options.pairs);
    this.w = new Float64Array(this.layout.length);
    this.g2 = new Float64Array(this.layout.length);
    this.norm = new Float64Array(this.layout.length);
    this.rng = createRng(seed);
    this.feasible = problem.feasible;
    this.armOf = new Map(Array.from(problem.feasible, (a, k) => [a, k]));
    this.codes = Array.from(problem.feasible, (a) => Int32Array.from(codesOf(problem.dimensions, a)));
    this.eta = options.learningRate ?? 0.5;
    this.optionCost = this.layout.sizes.map((n) => new Float64Array(n));
    const maxFeatures =
      1 +
      this.layout.p * (1 + this.layout.sizes.length) +
      this.layout.sizes.length +
      this.layout.pairs.length;
    this.featIndex = new Int32Array(maxFeatures);
    this.featValue = new Float64Array(maxFeatures);
    this.rate = new Float64Array(maxFeatures);
  }

  /** Predicted cost of every feasible action for context x (raw features). */
  private costs(x: Float64Array, out: Float64Array): void {
    const { layout, w } = this;
    const p = layout.p;
    let shared = w[0]!;
    for (let j = 0; j < p; j++) shared += w[1 + j]! * x[j]!;
    layout.sizes.forEach((n, k) => {
      const oc = this.optionCost[k]!;
      for (let v = 0; v < n; v++) {
        let s = w[layout.aBase[k]! + v]!;
        const base = layout.uaBase[k]! + v * p;
        for (let j = 0; j < p; j++) s += w[base + j]! * x[j]!;
        oc[v] = s;
      }
    });
    for (let a = 0; a < this.codes.length; a++) {
      const c = this.codes[a]!;
      let s = shared;
      for (let k = 0; k < c.length; k++) s += this.optionCost[k]![c[k]!]!;
      for (const { k, l, base } of layout.pairs) s += w[base + c[k]! * layout.sizes[l]! + c[l]!]!;
      out[a] = s;
    }
  }

  decide(t0: number, n: number): Int32Array {
    const K = this.feasible.length;
    const out = new Int32Array(n);
    this.probabilities = new Float64Array(n);
    const cost = new Float64Array(K);
    const probs = new Float64Array(K);
    const gamma = (this.options.gammaScale ?? 10) * Math.sqrt(this.counter);
    for (let i = 0; i < n; i++) {
      this.costs(this.stream.contexts[t0 + i]!, cost);
      let best = 0;
      for (let a = 1; a < K; a++) if (cost[a]! < cost[best]!) best = a;
      if (this.options.explore === "epsilon") {
        const eps = this.options.epsilon ?? 0.05;
        probs.fill(eps / K);
        probs[best] += 1 - eps;
      } else {
        let rest = 0;
        for (let a = 0; a < K; a++) {
          if (a === best) continue;
          probs[a] = 1 / (K + gamma * (cost[a]! - cost[best]!));
          rest += probs[a]!;
        }
        probs[best] = 1 - rest;
      }
      let u = this.rng.next();
      let pick = 0;
      while (pick < K - 1 && u >= probs[pick]!) u -= probs[pick++]!;
      out[i] = this.feasible[pick]!;
      this.probabilities[i] = probs[pick]!;
    }
    return out;
  }

  update(t0: number, n: number, actions: Int32Array, rewards: Float64Array): void {
    const K = this.feasible.length;
    for (let i = 0; i < n; i++) {
      const k = this.armOf.get(actions[i]!)!;
      const p = this.options.explore === "squarecb" ? 1 : this.probabilities[i]!;
      this.learn(this.stream.contexts[t0 + i]!, this.codes[k]!, -rewards[i]!, 1 / p / K);
      this.counter++;
    }
  }

  /** One step of VW's default gd update (adaptive, normalized, invariant; sqrt rate) on the squared loss. */
  private learn(x: Float64Array, codes: Int32Array, label: number, importance: number): void {
    const { layout, w } = this;
    const p = layout.p;
    // The chosen action's features (zero values are absent, as in VW's sparse examples).
    let nf = 0;
    const add = (index: number, value: number) => {
      if (value === 0) return;
      this.featIndex[nf] = index;
      this.featValue[nf++] = value;
    };
    add(0, 1);
    for (let j = 0; j < p; j++) add(1 + j, x[j]!);
    for (let k = 0; k < codes.length; k++) add(layout.aBase[k]! + codes[k]!, 1);
    for (let k = 0; k < codes.length; k++) {
      const base = layout.uaBase[k]! + codes[k]! * p;
      for (let j = 0; j < p; j++) add(base + j, x[j]!);
    }
    for (const { k, l, base } of layout.pairs) add(base + codes[k]! * layout.sizes[l]! + codes[l]!, 1);

    this.minLabel = Math.min(this.minLabel, label);
    this.maxLabel = Math.max(this.maxLabel, label);
    let raw = 0;
    for (let i = 0; i < nf; i++) raw += w[this.featIndex[i]!]! * this.featValue[i]!;
    const pred = Math.min(this.maxLabel, Math.max(this.minLabel, raw));
    if (squaredLoss(raw, label, this.minLabel, this.maxLabel) <= 0) return;

    const gradSquared = importance * 4 * (pred - label) * (pred - label);
    let normX = 0;
    let predPerUpdate = 0;
    for (let i = 0; i < nf; i++) {
      const f = this.featIndex[i]!;
      let v = this.featValue[i]!;
      let x2 = v * v;
      if (x2 < X2_MIN) {
        v = v > 0 ? X_MIN : -X_MIN;
        x2 = X2_MIN;
      }
      this.g2[f] += gradSquared * x2;
      const av = Math.abs(v);
      if (av > this.norm[f]!) {
        if (this.norm[f]! > 0) w[f] *= this.norm[f]! / av;
        this.norm[f] = av;
      }
      const nrm = this.norm[f]!;
      normX += x2 / (nrm * nrm);
      const rate = 1 / Math.sqrt(this.g2[f]!) / nrm;
      this.rate[i] = rate;
      predPerUpdate += x2 * rate;
    }
    this.normalizedSumNormX += importance * normX;
    this.totalWeight += importance;
    const multiplier = Math.sqrt(this.totalWeight / this.normalizedSumNormX);
    predPerUpdate *= multiplier;
    const scale = this.eta * importance;
    const step =
      scale * predPerUpdate < 1e-6
        ? 2 * (label - pred) * scale
        : ((label - pred) * (1 - Math.exp(-2 * scale * predPerUpdate))) / predPerUpdate;
    const update = step * multiplier;
    for (let i = 0; i < nf; i++) w[this.featIndex[i]!] += update * this.featValue[i]! * this.rate[i]!;
  }
}

const X_MIN = 1.084202e-19;
const X2_MIN = X_MIN * X_MIN;

/** VW's squared loss with its label-range clipping (a prediction beyond the seen labels on the label's side costs nothing). */
function squaredLoss(prediction: number, label: number, min: number, max: number): number {
  if (prediction <= max && prediction >= min) return (prediction - label) ** 2;
  if (prediction < min)
    return label === min ? 0 : (label - min) ** 2 + 2 * (label - min) * (min - prediction);
  return label === max ? 0 : (max - label) ** 2 + 2 * (max - label) * (prediction - max);
}
