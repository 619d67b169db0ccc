// Success-metric definitions: what counts, how it aggregates per decision, the attribution window, and the
// objective. Definitions are validated with zod (a bad field is reported with its path) and compiled once
// into matchers and an objective, so the joiner's hot path does no parsing.
import { ValidationError } from "@kairos/core";
import { z } from "zod";
import { EVENT_KINDS, type EventKind, type RewardEvent } from "./event.js";
import { compileObjective, type Objective } from "./objective.js";
import { parseDuration } from "./time.js";
import { describeIssue } from "./zod-util.js";

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const condition = z.union([
  scalar,
  z
    .strictObject({
      eq: scalar,
      ne: scalar,
      gt: z.number(),
      gte: z.number(),
      lt: z.number(),
      lte: z.number(),
      in: z.array(scalar).min(1),
      exists: z.boolean(),
    })
    .partial()
    .refine((c) => Object.keys(c).length > 0, "a condition needs at least one operator"),
]);
/** Property filters: every listed property must satisfy its condition (a bare value means equality). */
const where = z.record(z.string().min(1), condition);

const matcherSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("event"),
    name: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    where: where.optional(),
  }),
  z.strictObject({
    type: z.literal("purchase"),
    products: z.array(z.string().min(1)).min(1).optional(),
    minPrice: z.number().optional(),
    maxPrice: z.number().optional(),
    where: where.optional(),
  }),
  z.strictObject({
    type: z.literal("engagement"),
    action: z.enum(["open", "click", "conversion"]),
    where: where.optional(),
  }),
  z.strictObject({ type: z.literal("unsubscribe"), where: where.optional() }),
]);

const valueSchema = z.union([
  z.literal("event"),
  z.strictObject({ property: z.string().min(1) }),
  z.strictObject({ constant: z.number() }),
  z.strictObject({
    npv: z.strictObject({
      monthsProperty: z.string().min(1),
      amountProperty: z.string().min(1).optional(),
      annualRate: z.number().min(0).max(10),
    }),
  }),
  z.strictObject({ months: z.string().min(1) }),
]);

const componentSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an identifier (letters, digits, _)"),
    counts: z.union([matcherSchema, z.array(matcherSchema).min(1)]),
    aggregate: z.enum(["first", "sum", "count", "cappedSum"]),
    cap: z.number().positive().optional(),
    value: valueSchema.default("event"),
  })
  .superRefine((c, ctx) => {
    if (c.aggregate === "cappedSum" && c.cap === undefined)
      ctx.addIssue({ code: "custom", path: ["cap"], message: "cappedSum needs a cap" });
  });

const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (Number.isNaN(ms) || ms <= 0) {
    ctx.addIssue({
      code: "custom",
      message: 'must be a positive duration ("7d", "36h", "P7D" or milliseconds)',
    });
    return z.NEVER;
  }
  return ms;
});

/** The zod schema of a metric definition. */
export const metricSchema = z
  .strictObject({
    name: z.string().min(1),
    description: z.string().optional(),
    /** Attribution window after the send. */
    window: duration,
    /** Date a conversion by the send (as Braze's `*_by_send_time`) or by when it happened. */
    countBy: z.enum(["event_time", "send_time"]).default("event_time"),
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/, "must be an ISO 4217 code")
      .default("USD"),
    components: z.array(componentSchema).min(1),
    objective: z.string().min(1).optional(),
  })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.components.forEach((c, i) => {
      if (seen.has(c.name))
        ctx.addIssue({
          code: "custom",
          path: ["components", i, "name"],
          message: `duplicate component "${c.name}"`,
        });
      seen.add(c.name);
    });
    if (m.objective === undefined && m.components.length > 1)
      ctx.addIssue({ code: "custom", path: ["objective"], message: "several components need an objective" });
  });

/** A metric definition as written (input of `defineMetric`). */
export type MetricDefinitionInput = z.input<typeof metricSchema>;
/** A validated metric definition (defaults filled, window in milliseconds). */
export type MetricDefinition = z.output<typeof metricSchema>;
type Matcher = z.output<typeof matcherSchema>;
type Condition = z.output<typeof condition>;

/** Aggregation codes used in the joiner's accumulator arrays. */
export const Agg = { First: 0, Sum: 1, Count: 2, CappedSum: 3 } as const;
/** One of the aggregation codes. */
export type Agg = (typeof Agg)[keyof typeof Agg];

/** A component compiled for the hot path. */
export interface CompiledComponent {
  readonly name: string;
  readonly agg: Agg;
  readonly cap: number;
  /** Bitmask of the event kinds this component can match (a fast first filter). */
  readonly kindMask: number;
  /** The contribution of an event, or NaN when the event does not count for this component. */
  readonly contribution: (event: RewardEvent) => number;
}

/** A validated, compiled metric. */
export interface Metric {
  readonly definition: MetricDefinition;
  readonly name: string;
  readonly windowMs: number;
  readonly countBy: "event_time" | "send_time";
  readonly currency: string;
  readonly components: readonly CompiledComponent[];
  /** Bitmask of every event kind any component can match. */
  readonly kindMask: number;
  /** True when every component can become final before the window closes (first, cappedSum). */
  readonly canFinishEarly: boolean;
  /** True for a single first-occurrence component scored as itself: a 0/1 conversion. */
  readonly binary: boolean;
  readonly objective: Objective | undefined;
  /** The reward from accumulated component values (stored at `acc[offset..offset+components)`). */
  score(acc: Float64Array, offset: number): number;
  /** The component values as a record (for reports). */
  componentValues(acc: Float64Array, offset: number): Record<string, number>;
}

function kindBit(kind: EventKind): number {
  return 1 << EVENT_KINDS.indexOf(kind);
}

function testCondition(value: unknown, c: Condition): boolean {
  if (typeof c !== "object") return value === c;
  if (c.exists !== undefined && (value !== undefined && value !== null) !== c.exists) return false;
  if (c.eq !== undefined && value !== c.eq) return false;
  if (c.ne !== undefined && value === c.ne) return false;
  if (c.in !== undefined && !c.in.includes(value as string | number | boolean)) return false;
  if (c.gt !== undefined || c.gte !== undefined || c.lt !== undefined || c.lte !== undefined) {
    if (typeof value !== "number") return false;
    if (c.gt !== undefined && !(value > c.gt)) return false;
    if (c.gte !== undefined && !(value >= c.gte)) return false;
    if (c.lt !== undefined && !(value < c.lt)) return false;
    if (c.lte !== undefined && !(value <= c.lte)) return false;
  }
  return true;
}

function compileWhere(w: Record<string, Condition> | undefined): (props: Record<string, unknown>) => boolean {
  if (w === undefined) return () => true;
  const entries = Object.entries(w);
  return (props) => {
    for (let i = 0; i < entries.length; i++)
      if (!testCondition(props[entries[i][0]], entries[i][1])) return false;
    return true;
  };
}

function compileMatcher(m: Matcher): { mask: number; test: (e: RewardEvent) => boolean } {
  const whereOk = compileWhere(m.where);
  switch (m.type) {
    case "event": {
      const names = new Set(Array.isArray(m.name) ? m.name : [m.name]);
      return {
        mask: kindBit("custom"),
        test: (e) => e.kind === "custom" && names.has(e.name) && whereOk(e.properties),
      };
    }
    case "purchase": {
      const products = m.products ? new Set(m.products) : undefined;
      const lo = m.minPrice ?? Number.NEGATIVE_INFINITY;
      const hi = m.maxPrice ?? Number.POSITIVE_INFINITY;
      return {
        mask: kindBit("purchase"),
        test: (e) => {
          const p = e.purchase;
          if (e.kind !== "purchase" || p === undefined) return false;
          if (products !== undefined && !products.has(p.productId)) return false;
          return p.price >= lo && p.price <= hi && whereOk(e.properties);
        },
      };
    }
    case "engagement": {
      const kind = m.action;
      return { mask: kindBit(kind), test: (e) => e.kind === kind && whereOk(e.properties) };
    }
    case "unsubscribe":
      return { mask: kindBit("unsubscribe"), test: (e) => e.kind === "unsubscribe" && whereOk(e.properties) };
  }
}

/** Present value of `months` monthly payments of 1 at an annual rate, paid at the start of each month. */
export function annuityFactor(months: number, annualRate: number): number {
  const r = annualRate / 12;
  if (r === 0) return months;
  return (1 - (1 + r) ** -months) * ((1 + r) / r);
}

function compileValue(v: z.output<typeof valueSchema>): (e: RewardEvent) => number {
  if (v === "event") return (e) => e.value;
  if ("constant" in v) {
    const c = v.constant;
    return () => c;
  }
  if ("property" in v) {
    const key = v.property;
    return (e) => {
      const x = e.properties[key];
      return typeof x === "number" && Number.isFinite(x) ? x : Number.NaN;
    };
  }
  if ("months" in v) {
    const key = v.months;
    return (e) => {
      const x = e.properties[key];
      return typeof x === "number" && Number.isFinite(x) && x >= 0 ? x : Number.NaN;
    };
  }
  const { monthsProperty, amountProperty, annualRate } = v.npv;
  return (e) => {
    const months = e.properties[monthsProperty];
    const amount = amountProperty === undefined ? e.value : e.properties[amountProperty];
    if (
      typeof months !== "number" ||
      !(months >= 0) ||
      typeof amount !== "number" ||
      !Number.isFinite(amount)
    )
      return Number.NaN;
    // The amount is per month; a contract of `months` months is worth its discounted payment stream.
    return amount * annuityFactor(months, annualRate);
  };
}

const AGG: Record<string, Agg> = {
  first: Agg.First,
  sum: Agg.Sum,
  count: Agg.Count,
  cappedSum: Agg.CappedSum,
};

/** Validates and compiles a metric definition; throws a ValidationError naming the bad field. */
export function defineMetric(input: MetricDefinitionInput | unknown): Metric {
  const parsed = metricSchema.safeParse(input);
  if (!parsed.success) {
    const { field, message } = describeIssue("metric", parsed.error);
    throw new ValidationError(field, message);
  }
  const def = parsed.data;
  let kindMask = 0;
  const components: CompiledComponent[] = def.components.map((c) => {
    const matchers = (Array.isArray(c.counts) ? c.counts : [c.counts]).map(compileMatcher);
    let mask = 0;
    for (const m of matchers) mask |= m.mask;
    kindMask |= mask;
    const value = compileValue(c.value);
    const agg = AGG[c.aggregate];
    const contribution = (e: RewardEvent): number => {
      let hit = false;
      for (let i = 0; i < matchers.length && !hit; i++) hit = matchers[i].test(e);
      if (!hit) return Number.NaN;
      if (agg === Agg.First || agg === Agg.Count) return 1;
      const v = value(e);
      // A capped sum only counts non-negative contributions, so reaching the cap is final in any order.
      return agg === Agg.CappedSum && v < 0 ? Number.NaN : v;
    };
    return { name: c.name, agg, cap: c.cap ?? Number.POSITIVE_INFINITY, kindMask: mask, contribution };
  });
  const names = components.map((c) => c.name);
  const objective =
    def.objective === undefined ? undefined : compileObjective(def.objective, names, "metric.objective");
  const k = components.length;
  const scratch: Record<string, number> = {};
  const componentValue = (acc: Float64Array, offset: number, i: number): number => {
    const c = components[i];
    const raw = acc[offset + i];
    return c.agg === Agg.CappedSum ? Math.min(raw, c.cap) : raw;
  };
  const score = (acc: Float64Array, offset: number): number => {
    if (objective === undefined) return componentValue(acc, offset, 0);
    for (let i = 0; i < k; i++) scratch[names[i]] = componentValue(acc, offset, i);
    return objective.evaluate(scratch);
  };
  return {
    definition: def,
    name: def.name,
    windowMs: def.window,
    countBy: def.countBy,
    currency: def.currency.toUpperCase(),
    components,
    kindMask,
    canFinishEarly: components.every((c) => c.agg === Agg.First || c.agg === Agg.CappedSum),
    binary: objective === undefined && components[0].agg === Agg.First,
    objective,
    score,
    componentValues: (acc, offset) =>
      Object.fromEntries(names.map((n, i) => [n, componentValue(acc, offset, i)])),
  };
}

/** Whether a component's accumulated value can no longer change. */
export function componentFinal(c: CompiledComponent, raw: number): boolean {
  return (c.agg === Agg.First && raw >= 1) || (c.agg === Agg.CappedSum && raw >= c.cap);
}
