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

/**
 * Alea (Johannes Baagoe): three lagged 32-bit fractions with carry, seeded by Mash. The state lives in a
 * Float64Array: as object fields, every step would write three boxed doubles, and a draw cost twice as much.
 */
class Alea implements Rng {
  /** s0, s1, s2 and the carry c. */
  private readonly state: Float64Array;

  private constructor(s0: number, s1: number, s2: number) {
    this.state = Float64Array.of(s0, s1, s2, 1);
  }

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

  /** Alea's recurrence (re)started from three 32-bit words instead of Mash's hash of a seed. */
  restart(w0: number, w1: number, w2: number): this {
    const s = this.state;
    s[0] = (w0 >>> 0) * TWO_TO_MINUS_32;
    s[1] = (w1 >>> 0) * TWO_TO_MINUS_32;
    s[2] = (w2 >>> 0) * TWO_TO_MINUS_32;
    s[3] = 1;
    return this;
  }

  static blank(): Alea {
    return new Alea(0, 0, 0);
  }

  next(): number {
    const s = this.state;
    const t = 2091639 * s[0]! + s[3]! * TWO_TO_MINUS_32;
    s[0] = s[1]!;
    s[1] = s[2]!;
    const c = t | 0;
    s[3] = c;
    const next = t - c;
    s[2] = next;
    return next;
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

/** A safe integer's decimal digits, for {@link KeyHash.digits}. */
const digitScratch = new Uint8Array(16);

/**
 * The one-pass hash that keys a decision's generator, so the same decision id always reproduces the same
 * draws (audits, retries) whatever happened before it; fed in pieces: three independent multiply–xor
 * lanes over the key's UTF-16 code units, crossed and finalised by Murmur3's mixer. Feeding "ab" then "c"
 * gives what "abc" gives, so a policy hashes the part its decision ids share once ({@link copy} keeps that
 * state) and feeds only each decision's number ({@link digits}, as `${n}` would, without the string).
 * Mash, which seeds {@link keyedRng}, runs three serial passes of floating-point steps over the key: about
 * 0.5 µs, a third of a random policy's whole decision; `keyedRng` keeps it, because its streams must never
 * change (control groups are assigned by it).
 */
export class KeyHash {
  private a = 0x2545f491;
  private b = 0x9e3779b9;
  private c = 0x6a09e667;

  /** Back to the empty key, then fed a decision key: the policy's seed, a NUL, and `text`. */
  key(seed: string | number, text: string): this {
    return this.reset().text(String(seed)).text("\u0000").text(text);
  }

  /** Back to the empty key. */
  reset(): this {
    this.a = 0x2545f491;
    this.b = 0x9e3779b9;
    this.c = 0x6a09e667;
    return this;
  }

  /** The state of another hash (what it has been fed so far). */
  copy(from: KeyHash): this {
    this.a = from.a;
    this.b = from.b;
    this.c = from.c;
    return this;
  }

  /** Feeds a string. */
  text(text: string): this {
    for (let i = 0; i < text.length; i++) this.code(text.charCodeAt(i));
    return this;
  }

  /** Feeds the decimal digits of a non-negative safe integer, as `text(String(n))` would. */
  digits(n: number): this {
    // Least significant first into the scratch, then fed in reading order; (n − n % 10) / 10 is exact.
    let count = 0;
    do {
      const digit = n % 10;
      digitScratch[count++] = digit;
      n = (n - digit) / 10;
    } while (n > 0);
    while (count > 0) this.code(48 + digitScratch[--count]!);
    return this;
  }

  private code(code: number): void {
    this.a = Math.imul(this.a ^ code, 0x01000193);
    this.b = Math.imul(this.b ^ code, 0x5bd1e995);
    this.c = Math.imul(this.c ^ code, 0x27d4eb2d);
  }

  /**
   * A generator started from the hash of what was fed (Alea's recurrence); `reuse`, a generator this
   * returned earlier and nobody draws from any more, is restarted instead of allocating one.
   */
  rng(reuse?: Rng): Rng {
    const a = finalMix(this.a ^ Math.imul(this.b, 0x165667b1));
    const b = finalMix(this.b ^ Math.imul(this.c, 0x9e3779b1));
    const c = finalMix(this.c ^ Math.imul(a, 0x85ebca77));
    return (reuse instanceof Alea ? reuse : Alea.blank()).restart(a, b, c);
  }
}

// The ziggurat (Marsaglia & Tsang 2000, with Doornik's 2005 correction: the layer comes from its own draw,
// not from bits of the value). The normal density under its peak is covered by 128 layers of equal area:
// 127 horizontal strips and a base strip that carries the tail beyond R. A draw picks a layer and a
// point in it; inside the layer's core rectangle (about 98.5% of draws) the point is the answer, at the
// cost of two uniforms and a comparison. Box–Muller, which this replaces, paid a logarithm, a square root
// and a cosine for every draw: a third of a linear Thompson decision over eight arms.
const ZIGGURAT_LAYERS = 128;
/** Where the tail starts, and the area of each layer, for 128 layers. */
const ZIGGURAT_R = 3.442619855899;
const ZIGGURAT_AREA = 9.91256303526217e-3;
/** Right edge of each layer (x[0]: the base strip's V / f(R), x[1] = R, …, x[128] = 0). */
const zigguratX = new Float64Array(ZIGGURAT_LAYERS + 1);
/** x[i + 1] / x[i]: the share of layer i that lies under the density at every height. */
const zigguratCore = new Float64Array(ZIGGURAT_LAYERS);
{
  let f = Math.exp(-0.5 * ZIGGURAT_R * ZIGGURAT_R);
  zigguratX[0] = ZIGGURAT_AREA / f;
  zigguratX[1] = ZIGGURAT_R;
  for (let i = 2; i < ZIGGURAT_LAYERS; i++) {
    zigguratX[i] = Math.sqrt(-2 * Math.log(ZIGGURAT_AREA / zigguratX[i - 1]! + f));
    f = Math.exp(-0.5 * zigguratX[i]! * zigguratX[i]!);
  }
  for (let i = 0; i < ZIGGURAT_LAYERS; i++) zigguratCore[i] = zigguratX[i + 1]! / zigguratX[i]!;
}

/** A uniform in (0, 1), for logarithms. */
function positiveUniform(rng: Rng): number {
  let u = rng.next();
  while (u <= Number.MIN_VALUE) u = rng.next();
  return u;
}

/** Standard normal draw (the ziggurat above). */
export function normal(rng: Rng): number {
  for (;;) {
    const u = 2 * rng.next() - 1;
    const i = Math.floor(rng.next() * ZIGGURAT_LAYERS);
    if (Math.abs(u) < zigguratCore[i]!) return u * zigguratX[i]!;
    if (i === 0) {
      // Beyond R, by Marsaglia's exponential rejection.
      let x: number;
      let y: number;
      do {
        x = Math.log(positiveUniform(rng)) / ZIGGURAT_R;
        y = Math.log(positiveUniform(rng));
      } while (-2 * y < x * x);
      return u < 0 ? x - ZIGGURAT_R : ZIGGURAT_R - x;
    }
    // A wedge between layer i's core and the curve: accept under the density.
    const x = u * zigguratX[i]!;
    const top = Math.exp(-0.5 * (zigguratX[i]! * zigguratX[i]! - x * x));
    const bottom = Math.exp(-0.5 * (zigguratX[i + 1]! * zigguratX[i + 1]! - x * x));
    if (bottom + rng.next() * (top - bottom) < 1) return x;
  }
}

/**
 * A standard normal draw whose stream never changes across versions of Kairos (Box–Muller, the pair's
 * second value discarded), for what must stay the same from one version to the next: simulated customers
 * and benchmark problems. Decisions draw with {@link normal}, which is faster and may change.
 */
export function stableNormal(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(positiveUniform(rng))) * Math.cos(2 * Math.PI * rng.next());
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
