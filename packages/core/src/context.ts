import { z } from "zod";
import { ValidationError, validationErrorFrom } from "./errors.js";

const numericFeature = z
  .strictObject({
    name: z.string().min(1),
    type: z.literal("numeric"),
    /** What a missing value (undefined, null, NaN) becomes: an error, zero, the standardisation mean, or a number. */
    missing: z.union([z.enum(["error", "zero", "mean"]), z.number().finite()]).default("error"),
    /** Optional standardisation: (value - mean) / std. */
    standardize: z.strictObject({ mean: z.number().finite(), std: z.number().positive() }).optional(),
  })
  .refine((f) => f.missing !== "mean" || f.standardize !== undefined, {
    message: 'missing: "mean" needs standardize (it imputes the declared mean)',
    path: ["missing"],
  });
const categoricalFeature = z.strictObject({
  name: z.string().min(1),
  type: z.literal("categorical"),
  /** Known categories get one column each (one-hot); leave empty and set `hashBuckets` for high cardinality. */
  categories: z.array(z.string()).default([]),
  /** Columns for hashed categories (high-cardinality features such as postcode); 0 means one-hot only. */
  hashBuckets: z.number().int().min(0).default(0),
  /** Missing value: its own column, or an error. */
  missing: z.enum(["bucket", "error"]).default("bucket"),
});
const booleanFeature = z.strictObject({
  name: z.string().min(1),
  type: z.literal("boolean"),
  missing: z.union([z.enum(["error", "false"]), z.literal(0.5)]).default("error"),
});
export const featureSchema = z.discriminatedUnion("type", [
  numericFeature,
  categoricalFeature,
  booleanFeature,
]);
export type FeatureSpec = z.input<typeof featureSchema>;

/** A declared context: named features, or a raw numeric vector of a fixed length. */
export const contextSchemaConfig = z.union([
  z.strictObject({ features: z.array(featureSchema), intercept: z.boolean().default(true) }),
  z.strictObject({ vectorLength: z.number().int().min(0), intercept: z.boolean().default(true) }),
]);
export type ContextSchemaConfig = z.input<typeof contextSchemaConfig>;

/** A customer context: feature values by name, or a numeric vector when the schema is a raw vector. */
export type Context = Readonly<Record<string, unknown>> | ArrayLike<number>;

type ParsedFeature = z.output<typeof featureSchema>;

interface Slot {
  feature: ParsedFeature;
  offset: number;
  categoryIndex?: Map<string, number>;
}

/**
 * Encodes contexts into `Float64Array`s: numeric features (optionally standardised), booleans as 0/1,
 * small categoricals one-hot with an extra "unknown" column, high-cardinality categoricals hashed into
 * buckets, and a leading intercept column of 1 unless disabled. An unknown category goes to its bucket and
 * never throws; a missing or non-finite value where the schema forbids it is a {@link ValidationError}.
 */
export class ContextEncoder {
  /** Length of every encoded vector. */
  readonly dimension: number;
  /** Column names, for explanations and reports. */
  readonly columns: readonly string[];
  private readonly slots: Slot[];
  private readonly vectorLength: number | undefined;
  private readonly intercept: boolean;
  private readonly config: z.output<typeof contextSchemaConfig>;

  constructor(config: ContextSchemaConfig = { features: [] }) {
    const parsed = contextSchemaConfig.safeParse(config);
    if (!parsed.success) {
      throw validationErrorFrom("contextSchema", parsed.error.issues);
    }
    this.config = parsed.data;
    this.intercept = parsed.data.intercept;
    const columns: string[] = this.intercept ? ["(intercept)"] : [];
    this.slots = [];
    if ("vectorLength" in parsed.data) {
      this.vectorLength = parsed.data.vectorLength;
      for (let i = 0; i < parsed.data.vectorLength; i++) columns.push(`x${i}`);
    } else {
      const names = new Set<string>();
      for (const feature of parsed.data.features) {
        if (names.has(feature.name))
          throw new ValidationError(`contextSchema.features.${feature.name}`, "duplicate feature");
        names.add(feature.name);
        const slot: Slot = { feature, offset: columns.length };
        if (feature.type === "categorical") {
          slot.categoryIndex = new Map(feature.categories.map((c, i) => [c, i]));
          for (const c of feature.categories) columns.push(`${feature.name}=${c}`);
          for (let b = 0; b < feature.hashBuckets; b++) columns.push(`${feature.name}#${b}`);
          columns.push(`${feature.name}=(unknown)`);
        } else {
          columns.push(feature.name);
        }
        this.slots.push(slot);
      }
    }
    this.columns = columns;
    this.dimension = columns.length;
  }

  /** The schema this encoder was built from (for snapshots and equality checks). */
  toConfig(): z.output<typeof contextSchemaConfig> {
    return structuredClone(this.config);
  }

  /** A fingerprint of the schema: two encoders with the same one produce the same vectors. */
  fingerprint(): string {
    return JSON.stringify(this.config);
  }

  /**
   * Encodes one context into `out` (allocated when omitted), from index `base` on (one array can hold a
   * batch's contexts). Throws {@link ValidationError} naming the field.
   */
  encode(
    context: Context,
    out: Float64Array = new Float64Array(this.dimension),
    field = "context",
    base = 0,
  ): Float64Array {
    if (context === null || typeof context !== "object")
      throw new ValidationError(field, "must be an object or a vector");
    let at = base;
    if (this.intercept) out[at++] = 1;
    if (this.vectorLength !== undefined) {
      const v = context as ArrayLike<number>;
      if (typeof v.length !== "number" || v.length !== this.vectorLength) {
        throw new ValidationError(
          field,
          `expected a vector of length ${this.vectorLength}, got ${v.length ?? "an object"}`,
        );
      }
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (typeof x !== "number" || !Number.isFinite(x))
          throw new ValidationError(`${field}[${i}]`, `not a finite number: ${x}`);
        out[at++] = x;
      }
      return out;
    }
    const record = context as Record<string, unknown>;
    out.fill(0, at, base + this.dimension);
    for (const slot of this.slots)
      this.encodeFeature(slot, record[slot.feature.name], out, `${field}.${slot.feature.name}`, base);
    return out;
  }

  private encodeFeature(slot: Slot, value: unknown, out: Float64Array, field: string, base: number): void {
    const f = slot.feature;
    const isMissing =
      value === undefined || value === null || (typeof value === "number" && Number.isNaN(value));
    if (f.type === "numeric") {
      let x: number;
      if (isMissing) {
        if (f.missing === "error")
          throw new ValidationError(field, "missing value (schema says missing: error)");
        if (f.missing === "mean") return; // the standardisation mean encodes to 0, already in `out`
        x = f.missing === "zero" ? 0 : f.missing;
      } else {
        if (typeof value !== "number")
          throw new ValidationError(field, `expected a number, got ${typeof value}`);
        if (!Number.isFinite(value)) throw new ValidationError(field, `not a finite number: ${value}`);
        x = value;
      }
      out[base + slot.offset] = f.standardize ? (x - f.standardize.mean) / f.standardize.std : x;
      return;
    }
    if (f.type === "boolean") {
      if (isMissing) {
        if (f.missing === "error")
          throw new ValidationError(field, "missing value (schema says missing: error)");
        out[base + slot.offset] = f.missing === "false" ? 0 : 0.5;
        return;
      }
      if (typeof value !== "boolean")
        throw new ValidationError(field, `expected a boolean, got ${typeof value}`);
      out[base + slot.offset] = value ? 1 : 0;
      return;
    }
    const unknownColumn = slot.offset + f.categories.length + f.hashBuckets;
    if (isMissing) {
      if (f.missing === "error")
        throw new ValidationError(field, "missing value (schema says missing: error)");
      out[base + unknownColumn] = 1;
      return;
    }
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
      throw new ValidationError(field, `expected a category, got ${typeof value}`);
    }
    const key = String(value);
    const known = slot.categoryIndex!.get(key);
    if (known !== undefined) out[base + slot.offset + known] = 1;
    else if (f.hashBuckets > 0)
      out[base + slot.offset + f.categories.length + (fnv1a(key) % f.hashBuckets)] = 1;
    else out[base + unknownColumn] = 1;
  }
}

/** 32-bit FNV-1a: a stable, fast string hash for feature hashing. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
