// A validated use-case file turned into the pieces the daily cycle uses: the action space, the metric, the
// policy configuration, the Braze mapping and the per-customer rules. Every cross-field check happens here,
// so a bad file fails before anything is read or sent.
import {
  type ActivationMapping,
  type BrazeTarget,
  DECISION_ID_PROPERTY,
  isValidTimeZone,
} from "@kairos/braze-adapter";
import {
  ActionSpace,
  createPolicy,
  KairosError,
  type OptionValue,
  type PolicyConfig,
  registeredPresets,
  resolvePresetModules,
  ValidationError,
} from "@kairos/core";
import { defineMetric, type Metric, type MetricDefinitionInput, presets } from "@kairos/rewards";
import { validationErrorOf } from "./issues.js";
import { type UseCaseFile, useCaseSchema } from "./schema.js";

export { sendAction } from "../send-action.js";

/** A use case ready to run. */
export interface UseCase {
  /** The file after defaults. */
  readonly file: UseCaseFile;
  readonly id: string;
  /** Directory relative paths in the file are resolved against. */
  readonly baseDir: string;
  readonly space: ActionSpace;
  readonly metric: Metric;
  readonly mapping: ActivationMapping;
  /** The file's presetModules as file URLs: worker threads import them before building the policy. */
  readonly presetModules: readonly string[];
  /** The createPolicy configuration (the snapshot, if any, is restored on top). */
  readonly policyConfig: PolicyConfig;
  /** Attributes read from each customer: the features and those the eligibility rules test. */
  readonly attributes: readonly string[];
}

/**
 * Validates a parsed use-case file (zod, then cross-field checks); throws a ValidationError naming the field.
 * The policy kind must be registered: import the file's presetModules first.
 */
export function compileUseCase(input: unknown, baseDir: string): UseCase {
  const parsed = useCaseSchema.safeParse(input);
  if (!parsed.success) throw validationErrorOf("", parsed.error);
  const file = parsed.data;
  const space = buildSpace(file);
  const optionsOf = (dim: string, field: string): readonly OptionValue[] => {
    const k = space.dimensions.indexOf(dim);
    if (k < 0)
      throw new ValidationError(
        field,
        `unknown dimension "${dim}" (dimensions: ${space.dimensions.join(", ")})`,
      );
    return space.options[k]!;
  };
  const checkOption = (dim: string, option: OptionValue | string, field: string): void => {
    if (!optionsOf(dim, field).some((o) => String(o) === String(option)))
      throw new ValidationError(
        field,
        `unknown option ${JSON.stringify(option)} of ${dim} (options: ${optionsOf(dim, field).join(", ")})`,
      );
  };
  checkLiquid(file, optionsOf, checkOption);
  checkSendTime(file, optionsOf);
  for (const [i, rule] of file.eligibility.entries())
    for (const kind of ["deny", "allow"] as const)
      for (const [dim, opts] of Object.entries(rule[kind] ?? {}))
        for (const [j, o] of opts.entries()) checkOption(dim, o, `eligibility[${i}].${kind}.${dim}[${j}]`);
  checkGroups(file, space, checkOption);
  for (const [dim, names] of Object.entries(file.renames ?? {}))
    for (const [from, to] of Object.entries(names)) checkOption(dim, to, `renames.${dim}.${from}`);
  const features = file.features.map((f) => f.name);
  if (file.report.segmentBy !== undefined) {
    const f = file.features.find((x) => x.name === file.report.segmentBy);
    if (f?.type !== "categorical")
      throw new ValidationError(
        "report.segmentBy",
        `must name a categorical feature (features: ${features.join(", ")})`,
      );
  }
  const presetModules = resolvePresetModules(file.presetModules, baseDir);
  const policyConfig = buildPolicyConfig(file, space);
  const metric = buildMetric(file);
  const mapping = buildMapping(file, checkOption);
  const attributes = [...new Set([...features, ...file.eligibility.flatMap((r) => Object.keys(r.when))])];
  return { file, id: file.id, baseDir, space, metric, mapping, presetModules, policyConfig, attributes };
}

function buildSpace(file: UseCaseFile): ActionSpace {
  try {
    return new ActionSpace({
      dimensions: file.dimensions,
      constraints: file.constraints,
      attributes: file.attributes,
    });
  } catch (e) {
    if (e instanceof ValidationError)
      throw new ValidationError(e.field.replace(/^actionSpace\./, ""), e.message.slice(e.field.length + 2));
    throw e;
  }
}

function checkLiquid(
  file: UseCaseFile,
  optionsOf: (dim: string, field: string) => readonly OptionValue[],
  checkOption: (dim: string, option: string, field: string) => void,
): void {
  const dims = new Set(Object.keys(file.dimensions));
  for (const [dim, byOption] of Object.entries(file.liquid)) {
    for (const [option, properties] of Object.entries(byOption)) {
      checkOption(dim, option, `liquid.${dim}.${option}`);
      for (const name of Object.keys(properties)) {
        if (dims.has(name) || name === DECISION_ID_PROPERTY)
          throw new ValidationError(
            `liquid.${dim}.${option}.${name}`,
            `"${name}" is already a trigger property (a dimension or the decision id): pick another name`,
          );
      }
    }
    const missing = optionsOf(dim, `liquid.${dim}`).find((o) => !(String(o) in byOption));
    if (missing !== undefined)
      throw new ValidationError(`liquid.${dim}`, `option ${JSON.stringify(missing)} has no mapping`);
  }
}

function checkSendTime(
  file: UseCaseFile,
  optionsOf: (dim: string, field: string) => readonly OptionValue[],
): void {
  const t = file.sendTime;
  if (!isValidTimeZone(t.defaultTimeZone))
    throw new ValidationError("sendTime.defaultTimeZone", `unknown time zone "${t.defaultTimeZone}"`);
  if (t.hour !== undefined && t.hourDimension !== undefined)
    throw new ValidationError("sendTime.hour", "give either hour or hourDimension, not both");
  const quiet = (h: number): boolean => {
    const q = t.quietHours;
    if (!q) return false;
    return q.start <= q.end ? h >= q.start && h < q.end : h >= q.start || h < q.end;
  };
  if (t.hour !== undefined && quiet(t.hour))
    throw new ValidationError("sendTime.hour", `${t.hour}h falls in the quiet hours`);
  if (t.hourDimension !== undefined) {
    optionsOf(t.hourDimension, "sendTime.hourDimension").forEach((o, i) => {
      const h = typeof o === "number" ? o : Number(/^(\d{1,2})(?::\d{2})?$/.exec(o)?.[1]);
      if (!Number.isInteger(h) || h < 0 || h > 23)
        throw new ValidationError(
          `dimensions.${t.hourDimension}[${i}]`,
          `send hour must be 0–23 or "HH:MM", got ${o}`,
        );
      if (quiet(h))
        throw new ValidationError(`dimensions.${t.hourDimension}[${i}]`, `${o} falls in the quiet hours`);
    });
  } else if (t.quietHours && t.hour === undefined) {
    throw new ValidationError(
      "sendTime.quietHours",
      "sending at once cannot respect quiet hours: give hour or hourDimension",
    );
  }
}

function checkGroups(
  file: UseCaseFile,
  space: ActionSpace,
  checkOption: (dim: string, option: OptionValue, field: string) => void,
): void {
  const g = file.groups;
  if (g.random + g.bau + g.holdout >= 1)
    throw new ValidationError("groups", "random + bau + holdout must leave a share for Kairos (sum below 1)");
  if (g.bau > 0 && g.bauAction === undefined)
    throw new ValidationError(
      "groups.bauAction",
      "required when groups.bau > 0: the business-as-usual action",
    );
  if (g.bauAction !== undefined) {
    for (const [dim, option] of Object.entries(g.bauAction))
      checkOption(dim, option, `groups.bauAction.${dim}`);
    const missing = space.dimensions.find((d) => !(d in (g.bauAction ?? {})));
    if (missing) throw new ValidationError(`groups.bauAction.${missing}`, "every dimension needs an option");
  }
}

function buildPolicyConfig(file: UseCaseFile, space: ActionSpace): PolicyConfig {
  for (const key of ["actionSpace", "context"])
    if (key in file.policy)
      throw new ValidationError(
        `policy.${key}`,
        "comes from the file's dimensions and features, not from policy",
      );
  const kinds = Object.keys(registeredPresets());
  if (!kinds.includes(file.policy.kind))
    throw new ValidationError(
      "policy.kind",
      `"${file.policy.kind}" is not a registered preset (registered: ${kinds.join(", ")}; another package's presets need presetModules)`,
    );
  const config = {
    seed: file.id,
    ...file.policy,
    actionSpace: space,
    context: { features: file.features },
  } as PolicyConfig;
  try {
    createPolicy(config);
  } catch (e) {
    if (e instanceof ValidationError)
      throw new ValidationError(
        e.field.startsWith("policy") ? e.field : `policy.${e.field}`,
        e.message.slice(e.field.length + 2),
      );
    if (e instanceof KairosError) throw new ValidationError("policy", e.message);
    throw e;
  }
  return config;
}

function buildMetric(file: UseCaseFile): Metric {
  const m = file.metric;
  const definition: MetricDefinitionInput =
    "preset" in m ? (presets[m.preset] as (o: object) => MetricDefinitionInput)(m.settings) : m.definition;
  try {
    return defineMetric(definition);
  } catch (e) {
    if (e instanceof ValidationError) {
      const where = "preset" in m ? "metric.settings" : "metric.definition";
      throw new ValidationError(e.field.replace(/^metric/, where), e.message.slice(e.field.length + 2));
    }
    throw e;
  }
}

function buildMapping(
  file: UseCaseFile,
  checkOption: (dim: string, option: string, field: string) => void,
): ActivationMapping {
  const a = file.activation;
  const targets: Record<string, BrazeTarget> = {};
  for (const [option, t] of Object.entries(a.targets)) {
    if (a.dimension !== undefined) checkOption(a.dimension, option, `activation.targets.${option}`);
    else if (option !== "default")
      throw new ValidationError(
        `activation.targets.${option}`,
        'without activation.dimension the only target is "default"',
      );
    targets[option] =
      "campaign" in t
        ? { kind: "campaign", campaignId: t.campaign, sendToExistingOnly: t.sendToExistingOnly }
        : {
            kind: "canvas",
            canvasId: t.canvas,
            propertyField: t.propertyField,
            sendToExistingOnly: t.sendToExistingOnly,
          };
  }
  if (a.dimension !== undefined) {
    const k = Object.keys(file.dimensions).indexOf(a.dimension);
    if (k < 0) throw new ValidationError("activation.dimension", `unknown dimension "${a.dimension}"`);
    const missing = file.dimensions[a.dimension]!.find((o) => !(String(o) in targets));
    if (missing !== undefined)
      throw new ValidationError(
        "activation.targets",
        `option ${JSON.stringify(missing)} of ${a.dimension} has no target`,
      );
  } else if (!targets.default)
    throw new ValidationError("activation.targets.default", "required without activation.dimension");
  return {
    targetDimension: a.dimension,
    targets,
    timing: {
      hourDimension: file.sendTime.hourDimension,
      defaultTimeZone: file.sendTime.defaultTimeZone,
      late: "next_occurrence",
    },
  };
}
