import { optionAttributesSchema } from "@kairos/core";
import { z } from "zod";

const optionValue = z.union([z.string().min(1), z.number().finite()]);

/** A match on one value: equal to it, one of a list, none of a list, or a numeric range. */
export const conditionSchema = z.union([
  optionValue,
  z.boolean(),
  z.strictObject({ in: z.array(z.union([optionValue, z.boolean()])).min(1) }),
  z.strictObject({ notIn: z.array(z.union([optionValue, z.boolean()])).min(1) }),
  z
    .strictObject({ lt: z.number(), lte: z.number(), gt: z.number(), gte: z.number() })
    .partial()
    .refine((c) => Object.keys(c).length > 0, "a range needs at least one of lt, lte, gt, gte"),
]);
export type Condition = z.infer<typeof conditionSchema>;

/** A distribution of a numeric customer feature. */
export const numericDistSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("normal"), mean: z.number(), sd: z.number().nonnegative() }),
  z.strictObject({ kind: z.literal("lognormal"), mu: z.number(), sigma: z.number().nonnegative() }),
  z
    .strictObject({ kind: z.literal("uniform"), min: z.number(), max: z.number() })
    .refine((d) => d.max >= d.min, { message: "max must be at least min", path: ["max"] }),
  z.strictObject({ kind: z.literal("exponential"), mean: z.number().positive() }),
  z.strictObject({ kind: z.literal("poisson"), mean: z.number().nonnegative() }),
  z.strictObject({
    kind: z.literal("choice"),
    values: z.array(z.number()).min(1),
    weights: z.array(z.number().nonnegative()).optional(),
  }),
]);
export type NumericDist = z.infer<typeof numericDistSchema>;

/** A value that may depend on an earlier categorical or boolean feature: `{given, cases}`. */
function conditional<T extends z.ZodType>(inner: T) {
  return z.union([inner, z.strictObject({ given: z.string().min(1), cases: z.record(z.string(), inner) })]);
}

const weightsSchema = z
  .record(z.string().min(1), z.number().nonnegative())
  .refine((w) => Object.keys(w).length > 0, "at least one category")
  .refine((w) => Object.values(w).some((v) => v > 0), "weights must not all be zero");

const common = {
  /** Whether the policy sees this feature (false: a latent trait only the response model uses). */
  observed: z.boolean().default(true),
  description: z.string().optional(),
};

/** A customer feature and how it is distributed in the population. */
export const featureSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("numeric"),
    dist: conditional(numericDistSchema),
    /** Bounds applied after drawing. */
    clip: z.tuple([z.number(), z.number()]).optional(),
    round: z.boolean().default(false),
    ...common,
  }),
  z.strictObject({ type: z.literal("categorical"), weights: conditional(weightsSchema), ...common }),
  z.strictObject({ type: z.literal("boolean"), p: conditional(z.number().min(0).max(1)), ...common }),
]);
export type FeatureConfig = z.infer<typeof featureSchema>;

/**
 * One additive term of the response model: `effect × Π times` when every `when` condition holds, with an
 * optional bell-shaped `peak` (e.g. a customer's best send hour). Keys of `when` are action dimensions,
 * customer features, or the calendar keys `weekend` and `dayOfWeek`.
 */
export const termSchema = z.strictObject({
  effect: z.number(),
  when: z.record(z.string().min(1), conditionSchema).optional(),
  /** Numeric or boolean features multiplying the effect; numeric ones enter as population z-scores. */
  times: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  /** `exp(-d²/2w²)` where d is the (circular when `period` is set) distance between the option and a feature. */
  peak: z
    .strictObject({
      dimension: z.string().min(1),
      center: z.string().min(1),
      width: z.number().positive(),
      period: z.number().positive().optional(),
    })
    .optional(),
  note: z.string().optional(),
});
export type Term = z.infer<typeof termSchema>;

const shareSchema = z.number().min(0).max(1);

const sum = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0);
/** A sum for a message: 1.1, not 1.1000000000000003. */
const round = (x: number): number => Number(x.toPrecision(12));

/** The full scenario file. */
export const scenarioSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1),
  description: z.string().optional(),
  seed: z.union([z.string(), z.number()]).default(1),
  /** Horizon in days. */
  days: z.number().int().min(1).max(3650),
  /** Day of week of day 0 (0 = Monday … 6 = Sunday). */
  startDayOfWeek: z.number().int().min(0).max(6).default(0),
  population: z.strictObject({
    size: z.number().int().min(1).max(5_000_000),
    /** The categorical feature reports break preferences down by. */
    segmentFeature: z.string().min(1).optional(),
  }),
  audience: z
    .strictObject({
      /** Contact cadence in days → share of customers (e.g. `{"1": 0.1, "7": 0.9}`: daily or weekly). */
      cadence: z
        .record(z.string().regex(/^[1-9][0-9]*$/, "cadence keys are whole numbers of days"), shareSchema)
        .default({ "1": 1 }),
      /** Cap on customers messaged per day, drawn at random among those due. */
      perDay: z.number().int().min(1).optional(),
    })
    .default({ cadence: { "1": 1 } }),
  features: z
    .record(z.string().min(1), featureSchema)
    .refine((f) => Object.keys(f).length > 0, "no features"),
  actions: z.strictObject({
    dimensions: z.record(z.string().min(1), z.array(optionValue).min(1)),
    constraints: z
      .array(z.strictObject({ forbid: z.record(z.string(), conditionSchema), reason: z.string().optional() }))
      .default([]),
    /** Numeric attributes of options (`{ offer: { "10%": { discount: 0.1 }, … } }`), as core's action space takes them. */
    attributes: optionAttributesSchema.optional(),
  }),
  metric: z
    .strictObject({
      kind: z.enum(["conversion", "revenue", "arpu", "net-revenue"]),
      /** Discount rate per option of a dimension, deducted from revenue (net-revenue). */
      discount: z
        .strictObject({ dimension: z.string().min(1), rates: z.record(z.string(), z.number().min(0).max(1)) })
        .optional(),
      /** Cost of sending, per option of a dimension (e.g. SMS costs more than email). */
      cost: z
        .strictObject({ dimension: z.string().min(1), costs: z.record(z.string(), z.number().min(0)) })
        .optional(),
      /** Currency of money metrics in reports: an ISO 4217 code (`EUR`) or a symbol (`€`). */
      currency: z.string().min(1).max(8).optional(),
    })
    .default({ kind: "conversion" }),
  response: z.strictObject({
    /** Log-odds of converting after a message before any term. */
    intercept: z.number(),
    terms: z.array(termSchema).default([]),
    /** Log-odds shift for a customer who got no message (holdout): organic conversions. */
    organicShift: z.number().default(-2),
  }),
  /** Purchase amount when converting: lognormal with log-mean `mu` plus revenue terms. */
  revenue: z
    .strictObject({ mu: z.number(), sigma: z.number().min(0).max(3), terms: z.array(termSchema).default([]) })
    .optional(),
  fatigue: z
    .strictObject({
      /** Days looked back. */
      window: z.number().int().min(1).default(7),
      /** Messages in the window that cost nothing. */
      free: z.number().int().min(0).default(1),
      /** Log-odds lost per extra message in the window. */
      perMessage: z.number().min(0),
    })
    .optional(),
  unsubscribe: z
    .strictObject({
      /** Log-odds of unsubscribing after a message. */
      base: z.number(),
      /** Extra log-odds per message already received in the fatigue window. */
      perMessage: z.number().default(0),
      /** Unsubscribe from one option of this dimension (e.g. a channel) instead of from everything. */
      dimension: z.string().min(1).optional(),
      /** Log-odds shift per option of `dimension`. */
      byOption: z.record(z.string(), z.number()).default({}),
      /** Subtracted from the reward the policy learns from when a customer unsubscribes. */
      penalty: z.number().min(0).default(0),
    })
    .optional(),
  /** Probability that a conversion arrives 0, 1, 2 … days after the send; the last index closes the window. */
  delays: z
    .array(shareSchema)
    .min(1)
    .max(60)
    .refine((p) => Math.abs(p.reduce((s, v) => s + v, 0) - 1) < 1e-6, {
      error: (issue) =>
        `delay probabilities must sum to 1 (they sum to ${round(sum(issue.input as number[]))})`,
    })
    .default([1]),
  /** Market shifts: from `day` on, these terms are added to the response (and revenue) model. */
  drift: z
    .array(
      z.strictObject({
        day: z.number().int().min(0),
        terms: z.array(termSchema).default([]),
        revenueTerms: z.array(termSchema).default([]),
        note: z.string().optional(),
      }),
    )
    .default([]),
  groups: z
    .strictObject({
      kairos: shareSchema,
      random: shareSchema,
      bau: shareSchema,
      holdout: shareSchema.default(0),
    })
    .refine((g) => Math.abs(g.kairos + g.random + g.bau + g.holdout - 1) < 1e-6, {
      error: (issue) => {
        const g = issue.input as Record<"kairos" | "random" | "bau" | "holdout", number>;
        const shares = [g.kairos, g.random, g.bau, g.holdout];
        return `group shares must sum to 1, they sum to ${round(sum(shares))} (kairos ${g.kairos} + random ${g.random} + bau ${g.bau} + holdout ${g.holdout})`;
      },
    })
    .refine((g) => g.kairos > 0, { message: "the kairos group needs a positive share", path: ["kairos"] })
    .default({ kairos: 0.7, random: 0.1, bau: 0.1, holdout: 0.1 }),
  /** Business-as-usual: the single action the marketing team sends today. */
  bau: z.record(z.string(), optionValue),
  /**
   * The A/B test baselines. `sequential` (default): one dimension at a time in `order`, the others held at
   * the champion (BAU first), each stage sized by a power calculation (`mde`, `power`, `alpha`) and decided
   * after the attribution window closes. `full-factorial`: the naive test, uniform over every combination
   * (or `arms`) for `days` days, then the best observed mean.
   */
  abTest: z
    .strictObject({
      design: z.enum(["sequential", "full-factorial"]).default("sequential"),
      /** Smallest relative difference a stage is sized to detect (0.2: 20%). */
      mde: z.number().positive().default(0.2),
      power: z.number().gt(0).lt(1).default(0.8),
      /** Two-sided false-positive rate of a stage, split over its comparisons with the control. */
      alpha: z.number().gt(0).lt(1).default(0.05),
      /** Dimensions in the order the sequential design tests them (default: the scenario's order). */
      order: z.array(z.string().min(1)).min(1).optional(),
      days: z.number().int().min(1).default(7),
      arms: z.array(z.record(z.string(), optionValue)).min(1).optional(),
    })
    .default({ design: "sequential", mde: 0.2, power: 0.8, alpha: 0.05, days: 7 }),
  /**
   * Rewards are divided by this before policies learn from them (a normaliser, as in production), so
   * exploration bonuses are on the scale of the reward. Default: the mean purchase amount, or 1.
   */
  rewardScale: z.number().positive().optional(),
  /** Policies `run` compares when `--policies` is not given. */
  policies: z.array(z.string().min(1)).optional(),
  /** Default settings per policy kind (e.g. `{"factorised-thompson": {"interactions": [["channel","hour"]]}}`). */
  policySettings: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  /**
   * Packages (or files) whose presets the policies use, e.g. `["@kairos/neural"]`: imported before any
   * policy is built, they register their kinds with core's registry. Resolved from the scenario's directory.
   */
  presetModules: z.array(z.string().min(1)).default([]),
});

/** A scenario as written in the file. */
export type ScenarioInput = z.input<typeof scenarioSchema>;
/** A validated scenario with defaults filled in. */
export type Scenario = z.output<typeof scenarioSchema>;
