// What the model learned, in marketers' terms: for each segment of customers, how much better (in reward
// units) each option is than its dimension's average, according to the current model's posterior means.
import type { BanditPolicy } from "@kairos/core";
import type { UseCase } from "../use-case/compile.js";

/** Learned effects of one segment: dimension → option → effect (posterior mean − dimension average). */
export interface SegmentEffects {
  segment: string;
  customers: number;
  effects: Record<string, Record<string, number>>;
  /** Dimension → option attribute → what one unit of it adds to the reward, averaged over the segment. */
  attributes: Record<string, Record<string, number>>;
}

/**
 * Averages each option's score (the best posterior mean among actions using it) over the segment's
 * customers and centres it on the dimension's average. Segments: everyone, each category of every
 * categorical feature, and each half (below/above the median) of every numeric feature.
 */
export function learnedEffects(
  useCase: UseCase,
  policy: BanditPolicy,
  contexts: readonly Record<string, unknown>[],
): SegmentEffects[] {
  const segments: { name: string; members: Record<string, unknown>[] }[] = [
    { name: "everyone", members: [...contexts] },
  ];
  for (const f of useCase.file.features) {
    if (f.type === "categorical") {
      const values = [
        ...new Set(
          contexts
            .map((c) => c[f.name])
            .filter((v) => v !== undefined)
            .map(String),
        ),
      ].sort();
      for (const v of values)
        segments.push({ name: `${f.name} = ${v}`, members: contexts.filter((c) => String(c[f.name]) === v) });
    } else if (f.type === "numeric") {
      const xs = contexts
        .map((c) => c[f.name])
        .filter((v): v is number => typeof v === "number")
        .sort((a, b) => a - b);
      if (xs.length < 2) continue;
      const median = xs[Math.floor(xs.length / 2)]!;
      segments.push({
        name: `${f.name} < ${median}`,
        members: contexts.filter((c) => (c[f.name] as number) < median),
      });
      segments.push({
        name: `${f.name} ≥ ${median}`,
        members: contexts.filter((c) => (c[f.name] as number) >= median),
      });
    } else {
      for (const v of [true, false])
        segments.push({ name: `${f.name} = ${v}`, members: contexts.filter((c) => c[f.name] === v) });
    }
  }
  return segments
    .filter((s) => s.members.length > 0)
    .map((s) => {
      const sums: Record<string, Record<string, number>> = {};
      const attributes: Record<string, Record<string, number>> = {};
      const add = (to: Record<string, Record<string, number>>, dim: string, key: string, v: number) => {
        to[dim] ??= {};
        to[dim][key] = (to[dim][key] ?? 0) + v / s.members.length;
      };
      for (const [i, ctx] of s.members.entries()) {
        const d = policy.decide(ctx, { decisionId: `report:${s.name}:${i}` });
        for (const [dim, byOption] of Object.entries(d.scores)) {
          for (const [o, v] of Object.entries(byOption)) add(sums, dim, o, v);
        }
        if (!useCase.space.hasAttributes) continue;
        for (const [dim, byName] of Object.entries(policy.attributeEffects(ctx))) {
          for (const [name, { mean }] of Object.entries(byName)) add(attributes, dim, name, mean);
        }
      }
      const effects: Record<string, Record<string, number>> = {};
      for (const [dim, byOption] of Object.entries(sums)) {
        const values = Object.values(byOption);
        const avg = values.reduce((a, b) => a + b, 0) / values.length;
        effects[dim] = Object.fromEntries(Object.entries(byOption).map(([o, v]) => [o, v - avg]));
      }
      return { segment: s.name, customers: s.members.length, effects, attributes };
    });
}
