import { z } from "zod";
import { matchesCondition } from "./condition.js";
import { NoEligibleActionError, ValidationError, validationErrorFrom } from "./errors.js";
import { createRng, type Rng, randomInt } from "./rng.js";

/** One option of a dimension: a name (`"sms"`) or a number (`9` for 9 o'clock). */
export type OptionValue = string | number;
/** An action as a record, one option per dimension: `{ offer: "10%", channel: "sms", hour: 9 }`. */
export type ActionRecord = Record<string, OptionValue>;

/** An option value: a non-empty name or a finite number. */
export const optionValueSchema = z.union([z.string().min(1), z.number().finite()]);
const optionValue = optionValueSchema;
const condition = z.union([
  optionValue,
  z.strictObject({ in: z.array(optionValue).min(1) }),
  z.strictObject({ notIn: z.array(optionValue).min(1) }),
  z
    .strictObject({ lt: z.number(), lte: z.number(), gt: z.number(), gte: z.number() })
    .partial()
    .refine((c) => Object.keys(c).length > 0, "a range needs at least one of lt, lte, gt, gte"),
]);
/** A forbidden combination: the action is forbidden when every listed dimension matches its condition. */
export const constraintRuleSchema = z.strictObject({
  forbid: z
    .record(z.string(), condition)
    .refine((f) => Object.keys(f).length > 0, "forbid names no dimension"),
  reason: z.string().optional(),
});
export type ConstraintRule = z.infer<typeof constraintRuleSchema>;

const dimensionSchema = z.strictObject({ name: z.string().min(1), options: z.array(optionValue).min(1) });
/**
 * Numeric attributes of options, per dimension and option name: `{ offer: { "10%": { discount: 0.1 }, … } }`.
 * Every option of a dimension named here carries the same attributes. Linear models learn an effect per
 * attribute shared by the options (besides each option's own), so an option added later starts from what
 * its attributes predict.
 */
export const optionAttributesSchema = z.record(
  z.string().min(1),
  z.record(z.string(), z.record(z.string().min(1), z.number().finite())),
);
/** Declares an action space: ordered dimensions with their options, and forbidden combinations. */
export const actionSpaceConfigSchema = z.strictObject({
  dimensions: z.union([
    z.array(dimensionSchema).min(1),
    z
      .record(z.string().min(1), z.array(optionValue).min(1))
      .refine((d) => Object.keys(d).length > 0, "no dimensions"),
  ]),
  constraints: z.array(constraintRuleSchema).default([]),
  attributes: optionAttributesSchema.optional(),
});
export type ActionSpaceConfig = z.input<typeof actionSpaceConfigSchema>;

/** Per-decision eligibility: which options this customer may get, and which combinations are excluded. */
export const eligibilitySchema = z.strictObject({
  allow: z.record(z.string(), z.array(optionValue)).optional(),
  deny: z.record(z.string(), z.array(optionValue)).optional(),
  denyActions: z.array(z.record(z.string(), optionValue)).optional(),
});
export type Eligibility = z.infer<typeof eligibilitySchema>;

const isOptionValue = (v: unknown): boolean =>
  (typeof v === "string" && v.length > 0) || (typeof v === "number" && Number.isFinite(v));
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isOptionLists = (v: unknown): boolean =>
  v === undefined ||
  (isPlainObject(v) && Object.values(v).every((list) => Array.isArray(list) && list.every(isOptionValue)));

/** What eligibilitySchema accepts, checked without zod (false: let zod say what is wrong). */
function isPlainEligibility(e: unknown): e is Eligibility {
  if (!isPlainObject(e)) return false;
  for (const key in e) if (key !== "allow" && key !== "deny" && key !== "denyActions") return false;
  const { denyActions } = e;
  return (
    isOptionLists(e.allow) &&
    isOptionLists(e.deny) &&
    (denyActions === undefined ||
      (Array.isArray(denyActions) &&
        denyActions.every((r) => isPlainObject(r) && Object.values(r).every(isOptionValue))))
  );
}

/** An eligibility compiled against one action space: an allowed-option mask per dimension. */
export interface CompiledEligibility {
  readonly masks: readonly Uint8Array[];
  readonly deniedActions: ReadonlySet<number>;
  /** Stable key: equal keys mean equal eligible sets (used to cache counts). */
  readonly key: string;
}

interface CompiledRule {
  masks: (Uint8Array | null)[];
  /** Highest dimension index the rule looks at: the rule can be checked once that dimension is assigned. */
  lastDim: number;
}

/** The numeric attributes of one dimension's options: `values[code · names.length + j]` is attribute j's. */
export interface DimensionAttributes {
  readonly names: readonly string[];
  readonly values: Float64Array;
}

/** Above this many combinations an eligible-set count is estimated by sampling rather than enumerated. */
const EXACT_COUNT_LIMIT = 20_000_000;

/**
 * A space of actions that are combinations of one option per dimension. The space is never materialised:
 * an action is a mixed-radix index (last dimension varies fastest), a code per dimension, or a record,
 * and the three convert exactly.
 */
export class ActionSpace {
  readonly dimensions: readonly string[];
  readonly options: readonly (readonly OptionValue[])[];
  /** Number of combinations, forbidden ones included. */
  readonly size: number;
  readonly rules: readonly ConstraintRule[];
  /** Per dimension, its options' numeric attributes (no names when none are declared). */
  readonly attributes: readonly DimensionAttributes[];
  private readonly strides: Float64Array;
  private readonly lookup: Map<OptionValue, number>[];
  private readonly compiledRules: CompiledRule[];
  private readonly everything: CompiledEligibility;
  private readonly countCache = new Map<string, number>();
  /** Codes of an index being looked at by one synchronous method (recordOf, isFeasibleInBox). */
  private readonly scratchCodes: Int32Array;

  constructor(config: ActionSpaceConfig) {
    const parsed = actionSpaceConfigSchema.safeParse(config);
    if (!parsed.success) {
      throw validationErrorFrom("actionSpace", parsed.error.issues);
    }
    if (!Array.isArray(parsed.data.dimensions)) {
      // Objects keep their keys' insertion order except integer-like keys, which JavaScript moves first:
      // the declared order (and so every index) would silently differ from what was written.
      const integerLike = Object.keys(parsed.data.dimensions).find((name) => /^(0|[1-9]\d*)$/.test(name));
      if (integerLike !== undefined) {
        throw new ValidationError(
          `actionSpace.dimensions.${integerLike}`,
          "integer-like dimension names reorder in an object: use the array form [{ name, options }]",
        );
      }
    }
    const dims = Array.isArray(parsed.data.dimensions)
      ? parsed.data.dimensions
      : Object.entries(parsed.data.dimensions).map(([name, options]) => ({ name, options }));
    this.dimensions = dims.map((d) => d.name);
    this.options = dims.map((d) => d.options);
    if (new Set(this.dimensions).size !== this.dimensions.length) {
      throw new ValidationError("actionSpace.dimensions", "dimension names must be unique");
    }
    this.lookup = dims.map((d) => {
      const map = new Map<OptionValue, number>();
      d.options.forEach((o, i) => {
        if (map.has(o))
          throw new ValidationError(`actionSpace.dimensions.${d.name}[${i}]`, `duplicate option ${o}`);
        map.set(o, i);
      });
      return map;
    });
    this.strides = new Float64Array(dims.length);
    this.scratchCodes = new Int32Array(dims.length);
    let size = 1;
    for (let k = dims.length - 1; k >= 0; k--) {
      this.strides[k] = size;
      size *= dims[k]!.options.length;
    }
    if (!Number.isSafeInteger(size))
      throw new ValidationError("actionSpace.dimensions", "too many combinations");
    this.size = size;
    this.rules = parsed.data.constraints;
    this.attributes = this.compileAttributes(parsed.data.attributes ?? {});
    this.compiledRules = parsed.data.constraints.map((rule, r) => this.compileRule(rule, r));
    this.everything = this.compileEligibility(undefined);
  }

  /**
   * Each dimension's attribute table, checked: a dimension that has attributes gives every option the
   * same ones (in the order its first option lists them); an unknown dimension or option is an error.
   */
  private compileAttributes(config: z.infer<typeof optionAttributesSchema>): DimensionAttributes[] {
    const tables: DimensionAttributes[] = this.dimensions.map(() => ({
      names: [],
      values: new Float64Array(0),
    }));
    for (const [dimension, byOption] of Object.entries(config)) {
      const field = `actionSpace.attributes.${dimension}`;
      const k = this.dimensionIndex(dimension);
      if (k < 0) throw new ValidationError(field, "unknown dimension");
      const options = this.options[k]!;
      for (const name of Object.keys(byOption)) {
        if (!options.some((o) => String(o) === name))
          throw new ValidationError(`${field}.${name}`, `unknown option of ${dimension}`);
      }
      const first = byOption[String(options[0])];
      if (!first)
        throw new ValidationError(
          `${field}.${String(options[0])}`,
          "missing: every option needs its attributes",
        );
      const names = Object.keys(first);
      if (names.length === 0) throw new ValidationError(`${field}.${String(options[0])}`, "no attributes");
      const values = new Float64Array(options.length * names.length);
      options.forEach((option, code) => {
        const own = byOption[String(option)];
        if (!own)
          throw new ValidationError(
            `${field}.${String(option)}`,
            "missing: every option needs its attributes",
          );
        const extra = Object.keys(own).find((a) => !names.includes(a));
        if (extra !== undefined)
          throw new ValidationError(
            `${field}.${String(option)}.${extra}`,
            `not an attribute of ${String(options[0])}`,
          );
        names.forEach((a, j) => {
          if (!(a in own)) throw new ValidationError(`${field}.${String(option)}.${a}`, "missing");
          values[code * names.length + j] = own[a]!;
        });
      });
      tables[k] = { names, values };
    }
    return tables;
  }

  /** Number of option attributes over every dimension (0: none declared). */
  get attributeCount(): number {
    return this.attributes.reduce((n, a) => n + a.names.length, 0);
  }

  /** Whether any dimension declares option attributes. */
  get hasAttributes(): boolean {
    return this.attributeCount > 0;
  }

  /** The configuration this space was built from (for snapshots and equality checks). */
  toConfig(): {
    dimensions: { name: string; options: OptionValue[] }[];
    constraints: ConstraintRule[];
    attributes?: Record<string, Record<string, Record<string, number>>>;
  } {
    const config = {
      dimensions: this.dimensions.map((name, k) => ({ name, options: [...this.options[k]!] })),
      constraints: this.rules.map((r) => structuredClone(r)),
    };
    if (!this.hasAttributes) return config;
    // In declared order (dimensions, options, attributes), so equal spaces have equal fingerprints.
    const attributes: Record<string, Record<string, Record<string, number>>> = {};
    this.attributes.forEach(({ names, values }, k) => {
      if (names.length === 0) return;
      const byOption: Record<string, Record<string, number>> = {};
      this.options[k]!.forEach((option, code) => {
        byOption[String(option)] = Object.fromEntries(
          names.map((a, j) => [a, values[code * names.length + j]!]),
        );
      });
      attributes[this.dimensions[k]!] = byOption;
    });
    return { ...config, attributes };
  }

  /** A fingerprint of dimensions, options and constraints: two spaces with the same one are interchangeable. */
  fingerprint(): string {
    return JSON.stringify(this.toConfig());
  }

  /** Option count of dimension k. */
  optionCount(k: number): number {
    return this.options[k]!.length;
  }

  /** Index of a dimension by name, or -1. */
  dimensionIndex(name: string): number {
    return this.dimensions.indexOf(name);
  }

  /** Whether an integer is the index of some combination (forbidden ones included). */
  isValidIndex(index: number): boolean {
    return Number.isInteger(index) && index >= 0 && index < this.size;
  }

  /** Writes the per-dimension option codes of an index into `out`. */
  codesOf(index: number, out: Int32Array = new Int32Array(this.dimensions.length)): Int32Array {
    let rest = index;
    for (let k = 0; k < out.length; k++) {
      const s = this.strides[k]!;
      const c = Math.floor(rest / s);
      out[k] = c;
      rest -= c * s;
    }
    return out;
  }

  /** The index of a combination given its per-dimension option codes. */
  indexOfCodes(codes: ArrayLike<number>): number {
    let index = 0;
    for (let k = 0; k < this.dimensions.length; k++) index += codes[k]! * this.strides[k]!;
    return index;
  }

  /** The record of an index. */
  recordOf(index: number): ActionRecord {
    if (!this.isValidIndex(index))
      throw new ValidationError("action", `index ${index} is outside [0, ${this.size})`);
    const codes = this.codesOf(index, this.scratchCodes);
    const record: ActionRecord = {};
    for (let k = 0; k < codes.length; k++) record[this.dimensions[k]!] = this.options[k]![codes[k]!]!;
    return record;
  }

  /**
   * Codes of a record (into `codes`); throws a {@link ValidationError} naming the field when a dimension or
   * option is unknown.
   */
  codesOfRecord(
    record: ActionRecord,
    field = "action",
    codes: Int32Array = new Int32Array(this.dimensions.length),
  ): Int32Array {
    if (record === null || typeof record !== "object")
      throw new ValidationError(field, "must be an action record");
    for (let k = 0; k < this.dimensions.length; k++) {
      const name = this.dimensions[k]!;
      if (!(name in record)) throw new ValidationError(`${field}.${name}`, "missing dimension");
      const code = this.lookup[k]!.get(record[name]!);
      if (code === undefined)
        throw new ValidationError(`${field}.${name}`, `unknown option ${JSON.stringify(record[name])}`);
      codes[k] = code;
    }
    // Every dimension is there: any other key is unknown (counted without building the keys' array).
    let keys = 0;
    for (const _ in record) keys++;
    if (keys > this.dimensions.length) {
      for (const key of Object.keys(record)) {
        if (!this.dimensions.includes(key)) throw new ValidationError(`${field}.${key}`, "unknown dimension");
      }
    }
    return codes;
  }

  /**
   * The index of a record (exact inverse of {@link recordOf}); errors name `field`, and `codes` (when
   * given) holds the record's codes on the way.
   */
  indexOf(record: ActionRecord, field = "action", codes?: Int32Array): number {
    return this.indexOfCodes(this.codesOfRecord(record, field, codes));
  }

  /** Code of one option of one dimension, or -1. */
  optionCode(k: number, option: OptionValue): number {
    return this.lookup[k]!.get(option) ?? -1;
  }

  /** Compiles a per-decision eligibility (validated) into option masks. `undefined` means everything. */
  compileEligibility(eligibility: Eligibility | undefined): CompiledEligibility {
    if (eligibility === undefined) {
      if (this.everything) return this.everything;
      return {
        masks: this.options.map((o) => new Uint8Array(o.length).fill(1)),
        deniedActions: new Set(),
        key: "*",
      };
    }
    // Most eligibilities are well formed: a structural check lets them skip zod, which runs only to name the
    // field of a bad one (zod was a tenth of a decision in the runner's daily cycle).
    let checked: Eligibility;
    if (isPlainEligibility(eligibility)) checked = eligibility;
    else {
      const parsed = eligibilitySchema.safeParse(eligibility);
      if (!parsed.success) throw validationErrorFrom("eligibility", parsed.error.issues);
      checked = parsed.data;
    }
    const { allow, deny, denyActions } = checked;
    const masks = this.options.map((o) => new Uint8Array(o.length).fill(1));
    const dimOf = (field: string, name: string): number => {
      const k = this.dimensionIndex(name);
      if (k < 0) throw new ValidationError(`${field}.${name}`, "unknown dimension");
      return k;
    };
    // Unknown options in allow/deny lists are ignored on purpose: catalogues change faster than configs,
    // and "deny an option we do not offer" or "allow one we do not offer" changes nothing.
    for (const [name, list] of Object.entries(allow ?? {})) {
      const k = dimOf("eligibility.allow", name);
      const keep = new Uint8Array(masks[k]!.length);
      for (const o of list) {
        const c = this.optionCode(k, o);
        if (c >= 0) keep[c] = 1;
      }
      for (let c = 0; c < keep.length; c++) masks[k]![c]! &= keep[c]!;
    }
    for (const [name, list] of Object.entries(deny ?? {})) {
      const k = dimOf("eligibility.deny", name);
      for (const o of list) {
        const c = this.optionCode(k, o);
        if (c >= 0) masks[k]![c] = 0;
      }
    }
    const denied = new Set<number>();
    (denyActions ?? []).forEach((record, i) => {
      denied.add(this.indexOfCodes(this.codesOfRecord(record, `eligibility.denyActions[${i}]`)));
    });
    const key = `${masks.map((m) => m.join("")).join("|")}#${[...denied].sort((a, b) => a - b).join(",")}`;
    return { masks, deniedActions: denied, key };
  }

  /** Whether a combination passes the constraints and the eligibility. */
  isFeasible(codes: ArrayLike<number>, eligibility: CompiledEligibility = this.everything): boolean {
    for (let k = 0; k < this.dimensions.length; k++) if (eligibility.masks[k]![codes[k]!] === 0) return false;
    for (const rule of this.compiledRules) if (this.ruleMatches(rule, codes)) return false;
    if (eligibility.deniedActions.size > 0 && eligibility.deniedActions.has(this.indexOfCodes(codes)))
      return false;
    return true;
  }

  /** Whether the space has forbidden combinations declared. */
  get hasConstraints(): boolean {
    return this.compiledRules.length > 0;
  }

  /**
   * Visits every feasible combination in index order, pruning a prefix as soon as a constraint or
   * eligibility mask rules it out. The callback gets codes it must not keep; return `false` to stop.
   */
  forEachFeasible(eligibility: CompiledEligibility, visit: (codes: Int32Array) => boolean | undefined): void {
    const n = this.dimensions.length;
    const codes = new Int32Array(n);
    const byLastDim: CompiledRule[][] = Array.from({ length: n }, () => []);
    for (const rule of this.compiledRules) byLastDim[rule.lastDim]!.push(rule);
    const walk = (k: number): boolean => {
      const mask = eligibility.masks[k]!;
      for (let c = 0; c < mask.length; c++) {
        if (mask[c] === 0) continue;
        codes[k] = c;
        let ok = true;
        for (const rule of byLastDim[k]!) if (this.ruleMatches(rule, codes)) ok = false;
        if (!ok) continue;
        if (k + 1 < n) {
          if (!walk(k + 1)) return false;
        } else if (
          eligibility.deniedActions.size === 0 ||
          !eligibility.deniedActions.has(this.indexOfCodes(codes))
        ) {
          if (visit(codes) === false) return false;
        }
      }
      return true;
    };
    walk(0);
  }

  /**
   * Number of feasible combinations under an eligibility: exact (and cached) up to 20 million
   * combinations, estimated from 200,000 seeded uniform draws above that.
   */
  countFeasible(eligibility: CompiledEligibility = this.everything): number {
    const cached = this.countCache.get(eligibility.key);
    if (cached !== undefined) return cached;
    let count = 0;
    let box = 1;
    for (const m of eligibility.masks) box *= m.reduce((s, v) => s + v, 0);
    if (!this.hasConstraints) {
      count = box;
      for (const index of eligibility.deniedActions) if (this.isFeasibleInBox(index, eligibility)) count--;
    } else if (box <= EXACT_COUNT_LIMIT) {
      this.forEachFeasible(eligibility, () => {
        count++;
        return true;
      });
    } else {
      const rng = createRng(`count:${eligibility.key}`);
      const draws = 200_000;
      let hits = 0;
      const codes = new Int32Array(this.dimensions.length);
      for (let i = 0; i < draws; i++)
        if (this.drawInBox(rng, eligibility, codes) && this.isFeasible(codes, eligibility)) hits++;
      count = Math.max(1, Math.round((box * hits) / draws));
    }
    if (this.countCache.size > 10_000) this.countCache.clear();
    this.countCache.set(eligibility.key, count);
    return count;
  }

  private isFeasibleInBox(index: number, eligibility: CompiledEligibility): boolean {
    const codes = this.codesOf(index, this.scratchCodes);
    for (let k = 0; k < codes.length; k++) if (eligibility.masks[k]![codes[k]!] === 0) return false;
    return true;
  }

  /** Draws one allowed option per dimension uniformly; false when some dimension has none. */
  private drawInBox(rng: Rng, eligibility: CompiledEligibility, out: Int32Array): boolean {
    for (let k = 0; k < out.length; k++) {
      const mask = eligibility.masks[k]!;
      let allowed = 0;
      for (let c = 0; c < mask.length; c++) allowed += mask[c]!;
      if (allowed === 0) return false;
      let pick = randomInt(rng, allowed);
      for (let c = 0; c < mask.length; c++) {
        if (mask[c] === 0) continue;
        if (pick-- === 0) {
          out[k] = c;
          break;
        }
      }
    }
    return true;
  }

  /**
   * Draws a feasible combination uniformly at random (rejection sampling from the allowed box, which is
   * exactly uniform over the feasible set; falls back to enumeration when rejections pile up).
   */
  sampleFeasible(rng: Rng, eligibility: CompiledEligibility = this.everything): Int32Array {
    const codes = new Int32Array(this.dimensions.length);
    for (let attempt = 0; attempt < 1000; attempt++) {
      if (!this.drawInBox(rng, eligibility, codes)) break;
      if (this.isFeasible(codes, eligibility)) return codes;
    }
    const total = this.countFeasible(eligibility);
    if (total === 0) throw new NoEligibleActionError();
    let pick = randomInt(rng, total);
    let found: Int32Array | undefined;
    this.forEachFeasible(eligibility, (c) => {
      if (pick-- === 0) {
        found = Int32Array.from(c);
        return false;
      }
      return true;
    });
    if (!found) throw new NoEligibleActionError();
    return found;
  }

  private ruleMatches(rule: CompiledRule, codes: ArrayLike<number>): boolean {
    for (let k = 0; k < rule.masks.length; k++) {
      const m = rule.masks[k];
      if (m && m[codes[k]!] === 0) return false;
    }
    return true;
  }

  private compileRule(rule: ConstraintRule, r: number): CompiledRule {
    const masks: (Uint8Array | null)[] = this.dimensions.map(() => null);
    let lastDim = 0;
    for (const [name, cond] of Object.entries(rule.forbid)) {
      const k = this.dimensionIndex(name);
      const field = `actionSpace.constraints[${r}].forbid.${name}`;
      if (k < 0) throw new ValidationError(field, "unknown dimension");
      const mask = new Uint8Array(this.options[k]!.length);
      this.options[k]!.forEach((option, c) => {
        mask[c] = matchesCondition(option, cond, field) ? 1 : 0;
      });
      masks[k] = mask;
      lastDim = Math.max(lastDim, k);
    }
    return { masks, lastDim };
  }
}
