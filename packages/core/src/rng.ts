/** A source of uniform numbers in [0, 1). Every random choice in Kairos goes through one of these. */
export interface Rng {
  next(): number;
}

/**
 * A seeded generator: Baagoe's Alea, the same stream as seedrandom's `alea(String(seed))` (a test holds
 * them equal), in one small class: seedrandom builds several closures per generator, which cost more than
 * the handful of draws a decision makes.
 */
export function createRng(seed: string | number): Rng {
  return Alea.seeded(String(seed));
}

/**
 * Mash, Alea's seed hash: folds text into the running state `n` (a 32-bit integer held in a double).
 * Both truncations take non-negative numbers below 2³², where Math.floor equals Mash's `>>> 0` and costs
 * less (a third of the keying time).
 */
function mash(n: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    n += text.charCodeAt(i);
    let h = 0.02519603282416938 * n;
    n = Math.floor(h);
    h -= n;
    h *= n;
    n = Math.floor(h);
    h -= n;
    n += h * 0x100000000;
  }
  return n;
}

const TWO_TO_MINUS_32 = 2.3283064365386963e-10;
/** Mash's state and Alea's three seeds after mashing " " three times (the start of every seeding). */
const START = (() => {
  let n = 0xefc8249d;
  const s: number[] = [];
  for (let i = 0; i < 3; i++) {
    n = mash(n, " ");
    s.push((n >>> 0) * TWO_TO_MINUS_32);
  }
  return { n, s0: s[0]!, s1: s[1]!, s2: s[2]! };
})();

/** Alea (Johannes Baagoe): three lagged 32-bit fractions with carry, seeded by Mash. */
class Alea implements Rng {
  private c = 1;

  private constructor(
    private s0: number,
    private s1: number,
    private s2: number,
  ) {}

  /** Seeded as Baagoe's Alea: Mash's three passes over the seed, subtracted from its start. */
  static seeded(seed: string): Alea {
    let n = mash(START.n, seed);
    let s0 = START.s0 - (n >>> 0) * TWO_TO_MINUS_32;
    if (s0 < 0) s0 += 1;
    n = mash(n, seed);
    let s1 = START.s1 - (n >>> 0) * TWO_TO_MINUS_32;
    if (s1 < 0) s1 += 1;
    n = mash(n, seed);
    let s2 = START.s2 - (n >>> 0) * TWO_TO_MINUS_32;
    if (s2 < 0) s2 += 1;
    return new Alea(s0, s1, s2);
  }

  /** Alea's recurrence started from three 32-bit words instead of Mash's hash of a seed. */
  static fromWords(w0: number, w1: number, w2: number): Alea {
    return new Alea((w0 >>> 0) * TWO_TO_MINUS_32, (w1 >>> 0) * TWO_TO_MINUS_32, (w2 >>> 0) * TWO_TO_MINUS_32);
  }

  next(): number {
    const t = 2091639 * this.s0 + this.c * TWO_TO_MINUS_32;
    this.s0 = this.s1;
    this.s1 = this.s2;
    this.c = t | 0;
    this.s2 = t - this.c;
    return this.s2;
  }
}

/**
 * A generator keyed by a policy seed and a decision id, so the same decision id always reproduces the
 * same draws (audits, retries) whatever happened before it.
 */
export function keyedRng(seed: string | number, key: string): Rng {
  return createRng(`${seed}\u0000${key}`);
}

/** Murmur3's 32-bit finaliser: every input bit flips each output bit with probability about 1/2. */
function finalMix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * The generator of one decision, keyed by the policy's seed and the decision id, so the same id always
 * reproduces the same draws (audits, retries) whatever happened before it. Alea's recurrence, started
 * from a one-pass hash of the key: three independent multiply–xor lanes, crossed and finalised by
 * Murmur3's mixer. Mash, which seeds {@link keyedRng}, runs three serial passes of floating-point steps
 * over the key: about 0.5 µs, a third of a random policy's whole decision. `keyedRng` keeps Mash, because
 * its streams must never change (control groups are assigned by it).
 */
export function decisionRng(seed: string | number, key: string): Rng {
  const text = `${seed}\u0000${key}`;
  let a = 0x2545f491;
  let b = 0x9e3779b9;
  let c = 0x6a09e667;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
    c = Math.imul(c ^ code, 0x27d4eb2d);
  }
  a = finalMix(a ^ Math.imul(b, 0x165667b1));
  b = finalMix(b ^ Math.imul(c, 0x9e3779b1));
  c = finalMix(c ^ Math.imul(a, 0x85ebca77));
  return Alea.fromWords(a, b, c);
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
