// The Beta distribution's log-density and CDF (the regularized incomplete beta function), for exact
// Thompson-sampling propensities of Beta–Bernoulli models.

/** Lanczos coefficients (g = 7, n = 9): log Γ to ~1e-15 relative for x > 0. */
const LANCZOS = [
  0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406,
  12.507343278686905, -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
];

/** log Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let s = LANCZOS[0]!;
  for (let i = 1; i < 9; i++) s += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b). */
export function logBetaFunction(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** Log-density of Beta(a, b) at x in (0, 1), given log B(a, b). */
export function betaLogPdf(x: number, a: number, b: number, logB: number): number {
  return (a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - logB;
}

/**
 * P(X ≤ x) for X ~ Beta(a, b): the regularized incomplete beta function I_x(a, b), by its continued fraction
 * (modified Lentz), on the side where it converges fast; `logB` is log B(a, b).
 */
export function betaCdf(x: number, a: number, b: number, logB: number): number {
  return betaCdfSplit(x, 1 - x, a, b, logB);
}

/**
 * {@link betaCdf} at a point given by its distances x from 0 and y from 1 (x + y = 1): near 1, y keeps
 * digits that 1 − x has lost (with a shape below 1 much of the mass lies within 1e-16 of an end).
 */
export function betaCdfSplit(x: number, y: number, a: number, b: number, logB: number): number {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  const front = Math.exp(a * Math.log(x) + b * Math.log(y) - logB);
  if (x < (a + 1) / (a + b + 2)) return (front * continuedFraction(x, a, b)) / a;
  return 1 - (front * continuedFraction(y, b, a)) / b;
}

/** Log-density of Beta(a, b) at the point x from 0 and y from 1 (x + y = 1, both > 0). */
export function betaLogPdfSplit(x: number, y: number, a: number, b: number, logB: number): number {
  return (a - 1) * Math.log(x) + (b - 1) * Math.log(y) - logB;
}

const TINY = 1e-300;

function continuedFraction(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
}
