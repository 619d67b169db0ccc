import { dirname, resolve } from "node:path";
import { type ActionRecord, ActionSpace, resolvePresetModules, ValidationError } from "@kairos/core";
import type { z } from "zod";
import { parseJsonFile, readText } from "../files.js";
import { closest, didYouMean } from "../suggest.js";
import { type Condition, type Scenario, scenarioSchema, type Term } from "./schema.js";

/** Keys a term's `when` may use besides dimensions and features. */
export const CALENDAR_KEYS = ["weekend", "dayOfWeek"] as const;
/** Context fields the simulator adds to every customer's features. */
export const STATE_FEATURES = ["weekend", "recentMessages"] as const;

/** Turns a zod issue path into `a.b[2].c`. */
function pathOf(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path)
    out += typeof part === "number" ? `[${part}]` : out === "" ? String(part) : `.${String(part)}`;
  return out || "(root)";
}

/** Validates a parsed JSON value as a scenario; throws a ValidationError naming the path of the first bad field. */
export function parseScenario(json: unknown): Scenario {
  const parsed = scenarioSchema.safeParse(json);
  if (!parsed.success)
    throw firstError(
      parsed.error.issues.flatMap((i) => leafIssues(i)),
      json,
    );
  checkReferences(parsed.data);
  return parsed.data;
}

/** A zod issue reduced to what a message needs, at its full path. */
interface Leaf {
  path: PropertyKey[];
  code: string;
  message: string;
  keys?: string[];
}

/**
 * Zod reports a failed union at the union's path; the branch with the deepest error usually names the bad
 * field best, so a union issue becomes that branch's issues, at their full paths.
 */
function leafIssues(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[] = []): Leaf[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    let best: z.core.$ZodIssue[] | undefined;
    let depth = 0;
    for (const branch of issue.errors) {
      for (const inner of branch) {
        if (inner.path.length > depth) {
          best = branch;
          depth = inner.path.length;
        }
      }
    }
    if (best) return best.flatMap((inner) => leafIssues(inner, path));
  }
  return [
    {
      path,
      code: issue.code,
      message: issue.message,
      keys: issue.code === "unrecognized_keys" ? issue.keys : undefined,
    },
  ];
}

/**
 * One error for the first issue. A misspelled key yields two issues (the unknown key, and the required key
 * it was meant to be, missing): they are reported as one, `dayz: unknown key (did you mean "days"?)`, and
 * any unknown key gets the closest known key of its object as a suggestion.
 */
function firstError(issues: Leaf[], json: unknown): ValidationError {
  const unknownKeys = issues.flatMap((i) =>
    i.code === "unrecognized_keys" ? (i.keys ?? []).map((key) => ({ at: i.path, key })) : [],
  );
  const suggestion = (at: PropertyKey[], key: string) => closest(key, knownKeysAt(scenarioSchema, at, json));
  const missing = (i: Leaf): boolean => {
    if (i.path.length === 0) return false;
    const parent = valueAt(json, i.path.slice(0, -1));
    return typeof parent === "object" && parent !== null && !(String(i.path.at(-1)) in parent);
  };
  for (const issue of issues) {
    if (!missing(issue)) continue;
    const parent = issue.path.slice(0, -1);
    const name = String(issue.path[issue.path.length - 1]);
    const typo = unknownKeys.find((u) => samePath(u.at, parent) && suggestion(u.at, u.key) === name);
    if (typo)
      return new ValidationError(pathOf([...parent, typo.key]), `unknown key (did you mean "${name}"?)`);
  }
  const first = issues[0]!;
  if (first.code === "unrecognized_keys" && first.keys?.length) {
    const key = first.keys[0]!;
    const known = knownKeysAt(scenarioSchema, first.path, json);
    const hint = suggestion(first.path, key);
    return new ValidationError(
      pathOf([...first.path, key]),
      hint !== undefined
        ? `unknown key (did you mean "${hint}"?)`
        : `unknown key${known.length > 0 ? ` (expected one of ${known.join(", ")})` : ""}`,
    );
  }
  if (missing(first)) return new ValidationError(pathOf(first.path), "missing (required)");
  return new ValidationError(pathOf(first.path), first.message);
}

function valueAt(json: unknown, path: readonly PropertyKey[]): unknown {
  let v = json;
  for (const p of path)
    v = v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

function samePath(a: readonly PropertyKey[], b: readonly PropertyKey[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}

/** Minimal view of a zod schema's definition, enough to walk object shapes. */
interface Def {
  type: string;
  innerType?: Schema;
  in?: Schema;
  shape?: Record<string, Schema>;
  valueType?: Schema;
  element?: Schema;
  items?: Schema[];
  options?: Schema[];
  discriminator?: string;
  values?: unknown[];
}
type Schema = { _zod: { def: Def } };

/** The schema without optional/default/pipe wrappers. */
function unwrap(schema: Schema): Schema {
  let s = schema;
  for (;;) {
    const d = s._zod.def;
    if (d.innerType) s = d.innerType;
    else if (d.type === "pipe" && d.in) s = d.in;
    else return s;
  }
}

/** The keys an object at `path` may have (the input picks the branch of a discriminated union). */
export function knownKeysAt(schema: unknown, path: readonly PropertyKey[], input: unknown): string[] {
  const out = new Set<string>();
  const walk = (s: Schema, depth: number, value: unknown): void => {
    const u = unwrap(s);
    const d = u._zod.def;
    if (d.type === "union" && d.options) {
      let options = d.options;
      const disc = d.discriminator;
      if (disc && value && typeof value === "object" && disc in value) {
        const wanted = (value as Record<string, unknown>)[disc];
        const matching = options.filter((o) =>
          unwrap(o)._zod.def.shape?.[disc]?._zod.def.values?.includes(wanted),
        );
        if (matching.length > 0) options = matching;
      }
      for (const o of options) walk(o, depth, value);
      return;
    }
    const next = (child: Schema | undefined) => {
      const key = path[depth]!;
      if (child) walk(child, depth + 1, (value as Record<PropertyKey, unknown> | undefined)?.[key]);
    };
    if (depth === path.length) {
      if (d.type === "object" && d.shape) for (const k of Object.keys(d.shape)) out.add(k);
      return;
    }
    const key = path[depth]!;
    if (d.type === "object") next(d.shape?.[String(key)]);
    else if (d.type === "record") next(d.valueType);
    else if (d.type === "array") next(d.element);
    else if (d.type === "tuple" && typeof key === "number") next(d.items?.[key]);
  };
  walk(schema as Schema, 0, input);
  return [...out];
}

/** Reads and validates a scenario file; errors name the file (unreadable, not JSON) or the bad field. */
export function loadScenario(file: string): Scenario {
  const scenario = parseScenario(parseJsonFile(readText(file, "scenario"), file));
  // Resolved here, where the file's directory is known: workers import the same files.
  return { ...scenario, presetModules: resolvePresetModules(scenario.presetModules, dirname(resolve(file))) };
}

/** The scenario's action space (core), with errors re-rooted at `actions`. */
export function actionSpaceOf(scenario: Scenario): ActionSpace {
  try {
    return new ActionSpace({
      dimensions: scenario.actions.dimensions,
      constraints: scenario.actions.constraints as ConstructorParameters<
        typeof ActionSpace
      >[0]["constraints"],
      attributes: scenario.actions.attributes,
    });
  } catch (e) {
    if (e instanceof ValidationError) {
      throw new ValidationError(
        e.field.replace(/^actionSpace/, "actions"),
        e.message.slice(e.field.length + 2),
      );
    }
    throw e;
  }
}

/** Cross-field checks zod cannot express: every name a field refers to must exist. */
function checkReferences(s: Scenario): void {
  const dims = s.actions.dimensions;
  const feats = s.features;
  const fail = (field: string, message: string): never => {
    throw new ValidationError(field, message);
  };
  const unknownDimension = (field: string, d: string): void => {
    if (!(d in dims)) fail(field, `unknown dimension "${d}"${didYouMean(d, Object.keys(dims))}`);
  };
  for (const reserved of [...CALENDAR_KEYS, ...STATE_FEATURES]) {
    if (reserved in feats) fail(`features.${reserved}`, `"${reserved}" is reserved for the simulator`);
  }
  for (const name of Object.keys(feats)) {
    if (name in dims) fail(`features.${name}`, "a feature cannot share its name with an action dimension");
  }
  // Conditional distributions may only depend on an earlier categorical or boolean feature, and must cover
  // every one of its values so every customer can be drawn.
  const seen: string[] = [];
  for (const [name, f] of Object.entries(feats)) {
    const spec = (f.type === "numeric" ? f.dist : f.type === "categorical" ? f.weights : f.p) as
      | number
      | { given?: unknown; cases?: unknown };
    const key = f.type === "numeric" ? "dist" : f.type === "categorical" ? "weights" : "p";
    if (
      typeof spec === "object" &&
      spec !== null &&
      typeof spec.given === "string" &&
      typeof spec.cases === "object"
    ) {
      const c = spec as { given: string; cases: Record<string, unknown> };
      const at = `features.${name}.${key}`;
      if (!seen.includes(c.given))
        fail(
          `${at}.given`,
          `"${c.given}" is not a feature declared before ${name}${didYouMean(c.given, seen)}`,
        );
      const values = valuesOf(s, c.given);
      if (!values) fail(`${at}.given`, `"${c.given}" must be categorical or boolean`);
      for (const v of values!) if (!(v in c.cases)) fail(`${at}.cases`, `missing case "${v}"`);
      for (const k of Object.keys(c.cases))
        if (!values!.includes(k)) fail(`${at}.cases.${k}`, `unknown value of ${c.given}`);
    }
    seen.push(name);
  }
  if (s.population.segmentFeature !== undefined) {
    const f = feats[s.population.segmentFeature];
    if (!f || f.type === "numeric")
      fail("population.segmentFeature", "must name a categorical or boolean feature");
  }
  const space = actionSpaceOf(s);
  for (const [r, rule] of s.actions.constraints.entries()) {
    for (const d of Object.keys(rule.forbid))
      if (!(d in dims))
        fail(`actions.constraints[${r}].forbid.${d}`, `unknown dimension${didYouMean(d, Object.keys(dims))}`);
  }
  const checkOption = (field: string, dimension: string, option: string) => {
    if (!dims[dimension]!.some((o) => String(o) === option))
      fail(
        field,
        `unknown option "${option}" of ${dimension}${didYouMean(option, dims[dimension]!.map(String))}`,
      );
  };
  if (s.metric.discount) {
    const d = s.metric.discount;
    unknownDimension("metric.discount.dimension", d.dimension);
    for (const o of Object.keys(d.rates)) checkOption(`metric.discount.rates.${o}`, d.dimension, o);
  }
  if (s.metric.cost) {
    const c = s.metric.cost;
    unknownDimension("metric.cost.dimension", c.dimension);
    for (const o of Object.keys(c.costs)) checkOption(`metric.cost.costs.${o}`, c.dimension, o);
  }
  if (s.metric.kind !== "conversion" && !s.revenue)
    fail("revenue", `metric "${s.metric.kind}" needs a revenue model`);
  s.response.terms.forEach((t, i) => {
    checkTerm(s, t, `response.terms[${i}]`);
  });
  s.revenue?.terms.forEach((t, i) => {
    checkTerm(s, t, `revenue.terms[${i}]`);
  });
  s.drift.forEach((d, j) => {
    d.terms.forEach((t, i) => {
      checkTerm(s, t, `drift[${j}].terms[${i}]`);
    });
    d.revenueTerms.forEach((t, i) => {
      checkTerm(s, t, `drift[${j}].revenueTerms[${i}]`);
    });
  });
  if (s.unsubscribe?.dimension !== undefined) {
    const u = s.unsubscribe;
    unknownDimension("unsubscribe.dimension", u.dimension!);
    for (const o of Object.keys(u.byOption)) checkOption(`unsubscribe.byOption.${o}`, u.dimension!, o);
  } else if (s.unsubscribe && Object.keys(s.unsubscribe.byOption).length > 0) {
    fail("unsubscribe.byOption", "needs unsubscribe.dimension");
  }
  checkAction(s, space, s.bau, "bau");
  s.abTest.arms?.forEach((a, i) => {
    checkAction(s, space, a, `abTest.arms[${i}]`);
  });
}

/** The values of a categorical or boolean feature as strings, or undefined for a numeric one. */
function valuesOf(s: Scenario, name: string): string[] | undefined {
  const f = s.features[name];
  if (!f || f.type === "numeric") return undefined;
  if (f.type === "boolean") return ["true", "false"];
  const w = f.weights;
  if ("given" in w && typeof w.given === "string" && "cases" in w) {
    const all = new Set<string>();
    for (const c of Object.values(w.cases as Record<string, Record<string, number>>))
      for (const k of Object.keys(c)) all.add(k);
    return [...all];
  }
  return Object.keys(w);
}

function checkAction(s: Scenario, space: ActionSpace, record: ActionRecord, field: string): void {
  for (const d of Object.keys(s.actions.dimensions)) {
    if (!(d in record)) throw new ValidationError(`${field}.${d}`, "missing dimension");
  }
  for (const [d, v] of Object.entries(record)) {
    const options = s.actions.dimensions[d];
    if (!options)
      throw new ValidationError(
        `${field}.${d}`,
        `unknown dimension${didYouMean(d, Object.keys(s.actions.dimensions))}`,
      );
    if (!options.includes(v))
      throw new ValidationError(
        `${field}.${d}`,
        `unknown option ${JSON.stringify(v)}${didYouMean(String(v), options.map(String))}`,
      );
  }
  if (!space.isFeasible(space.codesOfRecord(record)))
    throw new ValidationError(field, "breaks an action constraint");
}

function checkTerm(s: Scenario, t: Term, at: string): void {
  const dims = s.actions.dimensions;
  for (const [key, cond] of Object.entries(t.when ?? {})) {
    const field = `${at}.when.${key}`;
    if (key === "weekend") {
      if (typeof cond !== "boolean") throw new ValidationError(field, "must be true or false");
      continue;
    }
    if (key === "dayOfWeek") {
      checkValues(field, cond, [0, 1, 2, 3, 4, 5, 6], true);
      continue;
    }
    if (key in dims) {
      checkValues(
        field,
        cond,
        dims[key]!,
        dims[key]!.every((o) => typeof o === "number"),
      );
      continue;
    }
    const f = s.features[key];
    if (!f)
      throw new ValidationError(
        field,
        `"${key}" is neither an action dimension, a feature nor a calendar key${didYouMean(key, [
          ...Object.keys(dims),
          ...Object.keys(s.features),
          ...CALENDAR_KEYS,
        ])}`,
      );
    if (f.type === "numeric") checkValues(field, cond, undefined, true);
    else checkValues(field, cond, f.type === "boolean" ? [true, false] : valuesOf(s, key)!, false);
  }
  const times = t.times === undefined ? [] : Array.isArray(t.times) ? t.times : [t.times];
  for (const name of times) {
    const f = s.features[name];
    if (!f || f.type === "categorical")
      throw new ValidationError(`${at}.times`, `"${name}" must be a numeric or boolean feature`);
  }
  if (t.peak) {
    const options = dims[t.peak.dimension];
    if (!options)
      throw new ValidationError(
        `${at}.peak.dimension`,
        `unknown dimension "${t.peak.dimension}"${didYouMean(t.peak.dimension, Object.keys(dims))}`,
      );
    if (!options.every((o) => typeof o === "number")) {
      throw new ValidationError(`${at}.peak.dimension`, "a peak needs a dimension with numeric options");
    }
    if (s.features[t.peak.center]?.type !== "numeric") {
      throw new ValidationError(`${at}.peak.center`, `"${t.peak.center}" must be a numeric feature`);
    }
  }
}

/**
 * Checks that the values a condition names exist (categories/options), and that ranges apply to numbers.
 * Values match exactly, type included (core's `matchesCondition`): a value equal to a known one only as
 * text (`"9"` for the option 9, `"true"` for a boolean feature) would match nothing, so it is an error.
 */
function checkValues(
  field: string,
  cond: Condition,
  known: readonly (string | number | boolean)[] | undefined,
  numeric: boolean,
): void {
  const list =
    typeof cond !== "object" ? [cond] : "in" in cond ? cond.in : "notIn" in cond ? cond.notIn : undefined;
  if (list === undefined) {
    if (!numeric) throw new ValidationError(field, "a range applies to numeric values only");
    return;
  }
  if (!known) {
    for (const v of list)
      if (typeof v !== "number")
        throw new ValidationError(field, `expected a number, got ${JSON.stringify(v)}`);
    return;
  }
  for (const v of list) {
    if (known.includes(v)) continue;
    const same = known.find((k) => String(k) === String(v));
    if (same !== undefined)
      throw new ValidationError(
        field,
        `${JSON.stringify(v)} is ${describe(v)}, the value is ${describe(same)}: write ${JSON.stringify(same)}`,
      );
    throw new ValidationError(
      field,
      `unknown value ${JSON.stringify(v)}${didYouMean(String(v), known.map(String))}`,
    );
  }
}

function describe(v: string | number | boolean): string {
  return typeof v === "string" ? "text" : typeof v === "number" ? "a number" : "a boolean";
}
