import type { Rng } from "@kairos/core";

/** 32-bit string hash (FNV-1a) used to turn seeds into stream keys: core's `fnv1a`. */
export { fnv1a as hashString } from "@kairos/core";

/** Mixes 32-bit words into one (murmur3 finaliser); cheap and well spread. */
function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A small PRNG (sfc32) keyed by (seed, a, b, c). Outcome draws are keyed by customer and day rather than
 * taken from one running stream, so every policy faces the same luck for the same customer on the same day
 * (common random numbers): differences between policies are not drowned by sampling noise.
 */
export function keyedStream(seedHash: number, a: number, b = 0, c = 0): Rng {
  let s0 = mix(seedHash, a);
  let s1 = mix(s0, b);
  let s2 = mix(s1, c);
  let s3 = mix(s2, 0x9e3779b9);
  const next = (): number => {
    s0 |= 0;
    s1 |= 0;
    s2 |= 0;
    s3 |= 0;
    const t = (((s0 + s1) | 0) + s3) | 0;
    s3 = (s3 + 1) | 0;
    s0 = s1 ^ (s1 >>> 9);
    s1 = (s2 + (s2 << 3)) | 0;
    s2 = (s2 << 21) | (s2 >>> 11);
    s2 = (s2 + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // Discard a few outputs so nearby keys do not start correlated.
  for (let i = 0; i < 8; i++) next();
  return { next };
}
