import seedrandom from "seedrandom";

/** A source of uniform numbers in [0, 1). Every random choice in Kairos goes through one of these. */
export interface Rng {
  next(): number;
}

/** A seeded generator (Alea): same seed, same sequence. */
export function createRng(seed: string | number): Rng {
  const prng = seedrandom.alea(String(seed));
  return { next: () => prng() };
}

/**
 * A generator keyed by a policy seed and a decision id, so the same decision id always reproduces the
 * same draws (audits, retries) whatever happened before it.
 */
export function keyedRng(seed: string | number, key: string): Rng {
  return createRng(`${seed}\u0000${key}`);
}

/** Standard normal draw (Box–Muller; one of the pair is discarded to keep the generator stateless). */
export function normal(rng: Rng): number {
  let u = rng.next();
  while (u <= Number.MIN_VALUE) u = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Gamma(shape, 1) draw by Marsaglia–Tsang, with the boost for shape < 1. */
export function gamma(rng: Rng, shape: number): number {
  if (shape < 1) return gamma(rng, shape + 1) * rng.next() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Beta(a, b) draw as a ratio of gammas. */
export function beta(rng: Rng, a: number, b: number): number {
  const x = gamma(rng, a);
  const y = gamma(rng, b);
  return x / (x + y);
}

/** Uniform integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng.next() * n);
}
