// A marketing problem of 576 combinations (offer 4 × subject 4 × channel 6 × hour 6) with additive
// conversion rates from 3% to 23%: shared by examples/batches.ts and the learning-engine tests.

/** Option names per dimension. */
export const dims = [
  ["o0", "o1", "o2", "o3"],
  ["s0", "s1", "s2", "s3"],
  ["c0", "c1", "c2", "c3", "c4", "c5"],
  ["h0", "h1", "h2", "h3", "h4", "h5"],
];
/** Each option's effect on the conversion rate. */
export const effects = [
  [0, 0.02, 0.04, 0.06],
  [0.03, 0, 0.01, 0.02],
  [0, 0.01, 0.03, 0.02, 0.05, 0],
  [0.02, 0, 0.01, 0.04, 0, 0.01],
];
/** The action space, dimensions named d0…d3. */
export const space = { dimensions: dims.map((options, k) => ({ name: `d${k}`, options })) };
/** Codes of the best combination. */
export const best = [3, 0, 4, 3];

/** Conversion rate of an action (per-dimension codes); `offerWeight` scales the offer's effect. */
export function rate(codes: number[], offerWeight = 1): number {
  return 0.03 + codes.reduce((s, c, k) => s + effects[k]![c]! * (k === 0 ? offerWeight : 1), 0);
}

/** Per-dimension option codes of an action record. */
export function codesOf(action: Record<string, string | number>): number[] {
  return Object.values(action).map((v, k) => dims[k]!.indexOf(String(v)));
}
