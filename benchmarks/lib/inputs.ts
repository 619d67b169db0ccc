// Seeded inputs, generated outside every timed region and reproducible in the heap child process.
import { ActionSpace, createRng, type Feedback } from "../../packages/core/src/index.js";
import { productOf, type SpaceSpec } from "./spaces.js";
import type { Structure } from "./variants.js";

export interface InputOptions {
  seed: number;
  /** Feedback items per update() call. */
  batchSize: number;
  /** Distinct contexts cycled through by the decision loop. */
  contextPool: number;
}

export interface Inputs {
  contexts: Float64Array[];
  /** A few distinct update batches of random actions, cycled through by the update loop. */
  batches: Feedback[][];
  /** One batch touching every unit of a model of the given structure (joint: every action; else every option). */
  coverage: (structure: Structure) => Feedback[];
}

/** Contexts with entries uniform in [-1, 1]/√d; rewards Bernoulli(0.25); actions as indexes. */
export function makeInputs(space: SpaceSpec, d: number, opts: InputOptions): Inputs {
  const rng = createRng(`${opts.seed}:${space.id}:${d}`);
  const scale = 1 / Math.sqrt(d);
  const contexts = Array.from({ length: opts.contextPool }, () => {
    const x = new Float64Array(d);
    for (let i = 0; i < d; i++) x[i] = (2 * rng.next() - 1) * scale;
    return x;
  });
  const size = productOf(space);
  const counts = Object.values(space.dimensions).map((o) => o.length);
  const item = (i: number, action: number): Feedback => ({
    context: contexts[i % contexts.length]!,
    action,
    reward: rng.next() < 0.25 ? 1 : 0,
  });
  const batches = Array.from({ length: 4 }, () =>
    Array.from({ length: opts.batchSize }, (_, i) => item(i, Math.floor(rng.next() * size))),
  );
  const cache = new Map<Structure, Feedback[]>();
  const coverage = (structure: Structure): Feedback[] => {
    let out = cache.get(structure);
    if (out) return out;
    if (structure === "joint") {
      out = Array.from({ length: Math.max(opts.batchSize, size) }, (_, i) => item(i, i % size));
    } else {
      // Option i mod count in every dimension: every option is touched within max(count) items.
      const as = new ActionSpace({ dimensions: space.dimensions });
      const codes = new Int32Array(counts.length);
      out = Array.from({ length: opts.batchSize }, (_, i) => {
        counts.forEach((n, k) => {
          codes[k] = i % n;
        });
        return item(i, as.indexOfCodes(codes));
      });
    }
    cache.set(structure, out);
    return out;
  };
  return { contexts, batches, coverage };
}
