// The replay of one problem instance for one seed: customers, the true expected reward of every action
// for each (through per-unit scores), the best feasible expectation, and the reward noise. Every policy
// replays the same stream (common random numbers): round t's reward is 1 when noise[t] < mean(t, action).
import { createRng } from "../../packages/core/src/index.js";
import { makeProblem, type Problem } from "./problems.js";

export interface Stream {
  problem: Problem;
  seed: number;
  rounds: number;
  /** Raw features per round (what Kairos gets). */
  contexts: Float64Array[];
  /** [1, raw features] per round (what the peers get: a bias column, as a practitioner adds). */
  biased: Float64Array[];
  /** Basis z(x) per round, flat (rounds × basisLength). */
  basis: Float64Array;
  /** Truth: score of every unit per round, flat (rounds × units). */
  unitScores: Float64Array;
  /** Best feasible expected reward per round. */
  best: Float64Array;
  /** Mean expected reward over feasible actions per round (uniform random's expectation). */
  average: Float64Array;
  /** Uniform noise per round: the reward of action a at round t is noise[t] < mean(t, a). */
  noise: Float64Array;
  mean(t: number, action: number): number;
  reward(t: number, action: number): number;
}

export function makeStream(problemId: string, seed: number, rounds?: number): Stream {
  const problem = makeProblem(problemId, seed, rounds);
  const T = problem.horizon;
  const p = problem.featureNames.length;
  const m = problem.basisLength;
  const { form, weights } = problem.truth;
  const U = form.units.length;
  const ctxRng = createRng(`kairos-learn/${problem.randomKey}/${seed}/customers`);
  const noiseRng = createRng(`kairos-learn/${problem.randomKey}/${seed}/noise`);
  const contexts: Float64Array[] = [];
  const biased: Float64Array[] = [];
  const basis = new Float64Array(T * m);
  const unitScores = new Float64Array(T * U);
  const best = new Float64Array(T);
  const average = new Float64Array(T);
  const noise = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    const x = new Float64Array(p);
    problem.sampleContext(ctxRng, x);
    contexts.push(x);
    const xb = new Float64Array(p + 1);
    xb[0] = 1;
    xb.set(x, 1);
    biased.push(xb);
    const z = basis.subarray(t * m, (t + 1) * m);
    problem.basis(x, z);
    for (let u = 0; u < U; u++) {
      const { lo } = form.units[u]!;
      const w = weights[u]!;
      let s = 0;
      for (let j = 0; j < w.length; j++) s += w[j]! * z[lo + j]!;
      unitScores[t * U + u] = s;
    }
    noise[t] = noiseRng.next();
  }
  const mean = (t: number, action: number): number => {
    let s = 0;
    const at = t * U;
    for (const u of form.unitsOf[action]!) s += unitScores[at + u]!;
    return s;
  };
  for (let t = 0; t < T; t++) {
    let b = Number.NEGATIVE_INFINITY;
    let sum = 0;
    for (const a of problem.feasible) {
      const v = mean(t, a);
      sum += v;
      if (v > b) b = v;
    }
    best[t] = b;
    average[t] = sum / problem.feasible.length;
  }
  return {
    problem,
    seed,
    rounds: T,
    contexts,
    biased,
    basis,
    unitScores,
    best,
    average,
    noise,
    mean,
    reward: (t, action) => (noise[t]! < mean(t, action) ? 1 : 0),
  };
}
