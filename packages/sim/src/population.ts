import { type ContextSchemaConfig, createRng, type Rng, stableNormal } from "@kairos/core";
import type { FeatureConfig, NumericDist, Scenario } from "./scenario/schema.js";

/** A feature value of one customer. */
export type FeatureValue = number | string | boolean;

/** A synthetic customer base, stored column-wise for speed. */
export interface Population {
  readonly size: number;
  /** Raw feature values per feature name, one entry per customer. */
  readonly values: Readonly<Record<string, readonly FeatureValue[]>>;
  /** Numeric features as population z-scores, booleans as 0/1 (what `times` terms multiply). */
  readonly scaled: Readonly<Record<string, Float64Array>>;
  /** Population mean and standard deviation of each numeric feature. */
  readonly stats: Readonly<Record<string, { mean: number; std: number }>>;
  /** Contact cadence of each customer in days, and the day offset of their first contact. */
  readonly cadence: Int32Array;
  readonly offset: Int32Array;
  /** The observed features of each customer (the policy's context, before day-specific fields). */
  readonly contexts: readonly Readonly<Record<string, FeatureValue>>[];
}

/** Draws a population from the scenario's feature distributions; the same seed gives the same customers. */
export function generatePopulation(
  scenario: Scenario,
  seed: string | number,
  size = scenario.population.size,
): Population {
  const rng = createRng(`${seed}\u0000population`);
  const values: Record<string, FeatureValue[]> = {};
  for (const [name, f] of Object.entries(scenario.features)) {
    const column: FeatureValue[] = new Array(size);
    for (let i = 0; i < size; i++) column[i] = drawFeature(f, (given) => values[given]![i]!, rng);
    values[name] = column;
  }
  const scaled: Record<string, Float64Array> = {};
  const stats: Record<string, { mean: number; std: number }> = {};
  for (const [name, f] of Object.entries(scenario.features)) {
    if (f.type === "categorical") continue;
    const column = values[name]!;
    const x = Float64Array.from(column, (v) => (v === true ? 1 : v === false ? 0 : (v as number)));
    if (f.type === "numeric") {
      let mean = 0;
      for (const v of x) mean += v;
      mean /= Math.max(1, size);
      let ss = 0;
      for (const v of x) ss += (v - mean) ** 2;
      // A constant feature gets std 1 so z-scores stay finite (they are all 0).
      const std = Math.sqrt(ss / Math.max(1, size - 1)) || 1;
      stats[name] = { mean, std };
      for (let i = 0; i < size; i++) x[i] = (x[i]! - mean) / std;
    }
    scaled[name] = x;
  }
  const cadences = Object.entries(scenario.audience.cadence).map(
    ([days, share]) => [Number(days), share] as const,
  );
  const total = cadences.reduce((s, [, w]) => s + w, 0) || 1;
  const cadence = new Int32Array(size);
  const offset = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    let u = rng.next() * total;
    let c = cadences[cadences.length - 1]![0];
    for (const [days, w] of cadences) {
      if (u < w) {
        c = days;
        break;
      }
      u -= w;
    }
    cadence[i] = c;
    offset[i] = Math.floor(rng.next() * c);
  }
  const observed = Object.entries(scenario.features)
    .filter(([, f]) => f.observed)
    .map(([n]) => n);
  const contexts = Array.from({ length: size }, (_, i) => {
    const ctx: Record<string, FeatureValue> = {};
    for (const n of observed) ctx[n] = values[n]![i]!;
    return ctx;
  });
  return { size, values, scaled, stats, cadence, offset, contexts };
}

/** The context schema core policies get: observed features (numeric ones standardised) plus day state. */
export function contextSchemaOf(scenario: Scenario, population: Population): ContextSchemaConfig {
  const features: Exclude<ContextSchemaConfig, { vectorLength: number }>["features"] = [];
  for (const [name, f] of Object.entries(scenario.features)) {
    if (!f.observed) continue;
    if (f.type === "numeric") features.push({ name, type: "numeric", standardize: population.stats[name]! });
    else if (f.type === "boolean") features.push({ name, type: "boolean" });
    else features.push({ name, type: "categorical", categories: categoriesOf(f) });
  }
  features.push({ name: "weekend", type: "boolean" });
  // Scaled by the fatigue window so the column stays near unit scale.
  features.push({ name: "recentMessages", type: "numeric", standardize: { mean: 1, std: 2 } });
  return { features };
}

/** Every category a categorical feature can take, in declaration order. */
export function categoriesOf(f: Extract<FeatureConfig, { type: "categorical" }>): string[] {
  const w = f.weights as
    | Record<string, number>
    | { given: string; cases: Record<string, Record<string, number>> };
  if (typeof w.given === "string" && typeof w.cases === "object") {
    const all = new Set<string>();
    for (const c of Object.values(w.cases as Record<string, Record<string, number>>))
      for (const k of Object.keys(c)) all.add(k);
    return [...all];
  }
  return Object.keys(w as Record<string, number>);
}

function resolve<T>(
  spec: T | { given: string; cases: Record<string, T> },
  lookup: (given: string) => FeatureValue,
): T {
  if (typeof spec === "object" && spec !== null && "given" in spec && "cases" in spec) {
    const c = spec as { given: string; cases: Record<string, T> };
    return c.cases[String(lookup(c.given))]!;
  }
  return spec as T;
}

function drawFeature(f: FeatureConfig, lookup: (given: string) => FeatureValue, rng: Rng): FeatureValue {
  if (f.type === "boolean") return rng.next() < resolve(f.p, lookup);
  if (f.type === "categorical") return pickWeighted(resolve(f.weights, lookup), rng);
  let x = drawNumeric(resolve(f.dist, lookup), rng);
  if (f.round) x = Math.round(x);
  if (f.clip) x = Math.min(f.clip[1], Math.max(f.clip[0], x));
  return x;
}

function pickWeighted(weights: Record<string, number>, rng: Rng): string {
  const entries = Object.entries(weights);
  let u = rng.next() * entries.reduce((s, [, w]) => s + w, 0);
  for (const [k, w] of entries) {
    if (u < w) return k;
    u -= w;
  }
  return entries.findLast(([, w]) => w > 0)![0];
}

/** One draw from a numeric distribution. */
export function drawNumeric(d: NumericDist, rng: Rng): number {
  switch (d.kind) {
    case "normal":
      return d.mean + d.sd * stableNormal(rng);
    case "lognormal":
      return Math.exp(d.mu + d.sigma * stableNormal(rng));
    case "uniform":
      return d.min + (d.max - d.min) * rng.next();
    case "exponential":
      return -d.mean * Math.log(1 - rng.next());
    case "poisson":
      return poisson(d.mean, rng);
    case "choice": {
      const w = d.weights ?? d.values.map(() => 1);
      const weights: Record<string, number> = {};
      d.values.forEach((_, i) => {
        weights[i] = w[i] ?? 0;
      });
      return d.values[Number(pickWeighted(weights, rng))]!;
    }
  }
}

function poisson(mean: number, rng: Rng): number {
  // Knuth's product method is exact and fast for the small means customer counts have; a rounded
  // normal is close enough above 30.
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * stableNormal(rng)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}
