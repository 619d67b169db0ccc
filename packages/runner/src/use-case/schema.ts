// The use-case file: everything Kairos needs to run one lifecycle programme every day, except credentials
// (those come from the environment only, so the file can live in version control).
import { EXPORT_FIELDS, PII_EXPORT_FIELDS } from "@kairos/braze-adapter";
import { actionSpaceConfigSchema, contextSchemaConfig, policyKinds } from "@kairos/core";
import { metricSchema } from "@kairos/rewards";
import { z } from "zod";

const identifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, "letters, digits, _ and - only, starting with a letter or _");
const optionValue = z.union([z.string().min(1), z.number().finite()]);
/** Values a Liquid tag reads from trigger properties. */
const liquidValue = z.union([z.string(), z.number().finite()]);
/** Values of customer attributes tested by eligibility rules. */
const attributeValue = z.union([z.string(), z.number().finite(), z.boolean()]);
const share = z.number().min(0).max(1);
const hour = z.number().int().min(0).max(23);

/** Export fields that may be asked of Braze: every export field except the PII ones. */
export const NON_PII_EXPORT_FIELDS = [...EXPORT_FIELDS].filter((f) => !PII_EXPORT_FIELDS.has(f)).sort();

// Core's own schemas, so the file accepts exactly what createPolicy does.
const constraintsSchema = actionSpaceConfigSchema.shape.constraints;
const featuresSchema = contextSchemaConfig.options[0].shape.features;

const presetWindow = {
  window: z.union([z.string(), z.number().positive()]).optional(),
  countBy: z.enum(["event_time", "send_time"]).optional(),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/)
    .optional(),
};
const strings = z.array(z.string().min(1)).min(1);

/** Packages or files that register presets with core (such as `@kairos/neural`), imported before the policy is built. */
export const presetModulesSchema = z
  .array(z.string().min(1))
  .default([])
  .describe(
    "Packages or files (resolved from the use-case file's directory) registering presets with @kairos/core, e.g. @kairos/neural",
  );

/** A rewards preset by name, with its settings. */
const metricPreset = z.discriminatedUnion("preset", [
  z.strictObject({
    preset: z.literal("conversionRate"),
    settings: z.strictObject({ ...presetWindow, event: z.string().min(1).optional() }).default({}),
  }),
  z.strictObject({
    preset: z.literal("revenue"),
    settings: z.strictObject({ ...presetWindow, products: strings.optional() }).default({}),
  }),
  z.strictObject({
    preset: z.literal("arpu"),
    settings: z
      .strictObject({
        ...presetWindow,
        cap: z.number().positive().optional(),
        revenueEvents: strings.optional(),
        amountProperty: z.string().min(1).optional(),
      })
      .default({}),
  }),
  z.strictObject({
    preset: z.literal("renewal"),
    settings: z
      .strictObject({
        ...presetWindow,
        event: z.string().min(1).optional(),
        weighting: z.enum(["binary", "contract_length", "npv"]).optional(),
        monthsProperty: z.string().min(1).optional(),
        monthlyAmountProperty: z.string().min(1).optional(),
        annualRate: z.number().min(0).optional(),
      })
      .default({}),
  }),
  z.strictObject({
    preset: z.literal("repeatPurchase"),
    settings: z
      .strictObject({ ...presetWindow, minPurchases: z.number().int().min(1).optional() })
      .default({}),
  }),
  z.strictObject({
    preset: z.literal("reactivation"),
    settings: z.strictObject({ ...presetWindow, events: strings.optional() }).default({}),
  }),
  z.strictObject({
    preset: z.literal("referralSignup"),
    settings: z
      .strictObject({
        ...presetWindow,
        event: z.string().min(1).optional(),
        referrerProperty: z.string().min(1).optional(),
        cap: z.number().int().min(1).optional(),
      })
      .default({}),
  }),
]);

/** A condition on a customer attribute (eligibility rules). */
const attributeCondition = z.union([
  attributeValue,
  z
    .strictObject({
      eq: attributeValue.optional(),
      ne: attributeValue.optional(),
      in: z.array(attributeValue).min(1).optional(),
      notIn: z.array(attributeValue).min(1).optional(),
      lt: z.number().optional(),
      lte: z.number().optional(),
      gt: z.number().optional(),
      gte: z.number().optional(),
      exists: z.boolean().optional(),
    })
    .refine((c) => Object.values(c).some((v) => v !== undefined), "give at least one comparison"),
]);

const brazeTarget = z.union([
  z.strictObject({
    campaign: z
      .string()
      .min(1)
      .describe("API-triggered campaign id (properties travel as trigger_properties)"),
    sendToExistingOnly: z.boolean().optional(),
  }),
  z.strictObject({
    canvas: z.string().min(1).describe("API-triggered Canvas id (properties travel as context)"),
    propertyField: z.enum(["context", "canvas_entry_properties"]).optional(),
    sendToExistingOnly: z.boolean().optional(),
  }),
]);

/** The zod schema of a use-case file (the JSON Schema in schema/use-case.schema.json is generated from it). */
export const useCaseSchema = z.strictObject({
  $schema: z.string().optional(),
  id: identifier.describe("Names the use case in decision ids, state and reports; never change it once live"),
  description: z.string().optional(),
  metric: z
    .union([metricPreset, z.strictObject({ definition: metricSchema })])
    .describe("The success metric: a @kairos/rewards preset with settings, or a full metric definition"),
  audience: z
    .union([
      z.strictObject({
        file: z
          .string()
          .min(1)
          .describe(
            "External ids one per line (.txt/.csv first column), or segment-export users as JSON Lines (.jsonl/.ndjson); relative to this file",
          ),
      }),
      z.strictObject({
        segment: z.strictObject({
          id: z.string().min(1),
          fieldsToExport: z
            .array(
              z.enum(NON_PII_EXPORT_FIELDS as [string, ...string[]], {
                error: (issue) =>
                  PII_EXPORT_FIELDS.has(String(issue.input))
                    ? `${String(issue.input)} is personal data: Kairos never exports it`
                    : `${String(issue.input)} is not a Braze export field`,
              }),
            )
            .min(1)
            .default(["external_id", "time_zone", "custom_attributes"])
            .describe("Non-PII allow-list for /users/export/segment"),
        }),
      }),
    ])
    .describe("Who is targeted every day: a Braze segment exported each run, or a file of external ids"),
  outcomes: z
    .strictObject({
      folder: z
        .string()
        .min(1)
        .describe(
          "Folder of outcome files: *.json (users/track bodies) and *.jsonl (JSON Lines events); relative to this file",
        ),
    })
    .optional(),
  features: featuresSchema
    .default([])
    .describe(
      "Customer features the policy learns from, read from custom_attributes or top-level export fields",
    ),
  dimensions: z
    .record(identifier, z.array(optionValue).min(1))
    .refine((d) => Object.keys(d).length > 0, "declare at least one dimension")
    .describe("What is decided, dimension by dimension (offer, subject, channel, hour…)"),
  constraints: constraintsSchema,
  attributes: actionSpaceConfigSchema.shape.attributes.describe(
    'Numeric attributes of options, e.g. { "offer": { "10%": { "discount": 0.1 }, … } }: the linear policies learn what each is worth across options, so a new option starts from its prediction',
  ),
  eligibility: z
    .array(
      z.strictObject({
        when: z.record(z.string().min(1), attributeCondition),
        deny: z.record(z.string(), z.array(optionValue).min(1)).optional(),
        allow: z.record(z.string(), z.array(optionValue).min(1)).optional(),
        reason: z.string().optional(),
      }),
    )
    .default([])
    .describe("Per-customer rules: when the attributes match, deny (or allow only) these options"),
  liquid: z
    .record(z.string(), z.record(z.string(), z.record(identifier, liquidValue)))
    .default({})
    .describe(
      "Trigger properties per option, read by the creative through Liquid (api_trigger_properties, Canvas context): dimension → option → properties",
    ),
  activation: z
    .strictObject({
      dimension: z
        .string()
        .optional()
        .describe("The dimension whose option picks the Braze target (e.g. channel)"),
      targets: z
        .record(z.string(), brazeTarget)
        .describe("Option of `dimension` (or `default`) → API-triggered campaign or Canvas"),
    })
    .describe("Where decisions go in Braze (no Braze control group: Kairos runs its own)"),
  sendTime: z
    .strictObject({
      hourDimension: z.string().optional().describe("Dimension holding the local send hour (0–23 or HH:MM)"),
      hour: hour
        .optional()
        .describe("Fixed local send hour when there is no hour dimension; omit to send at once"),
      defaultTimeZone: z.string().default("UTC").describe("Zone of customers without a valid time_zone"),
      quietHours: z
        .strictObject({ start: hour, end: hour })
        .optional()
        .describe("Local hours no message may be scheduled in: from start (inclusive) to end (exclusive)"),
    })
    .default({ defaultTimeZone: "UTC" }),
  frequencyCap: z
    .strictObject({ messages: z.number().int().min(1), days: z.number().int().min(1) })
    .optional()
    .describe("At most `messages` sends per customer over the last `days` days (this use case)"),
  groups: z
    .strictObject({
      random: share.default(0.05).describe("Share receiving a uniformly random eligible action"),
      bau: share.default(0).describe("Share receiving the business-as-usual action"),
      holdout: share.default(0.05).describe("Share receiving nothing (measures the programme's uplift)"),
      bauAction: z.record(z.string(), optionValue).optional(),
      salt: z
        .string()
        .optional()
        .describe("Changes every assignment (a new experiment); default: the use-case id"),
    })
    .default({ random: 0.05, bau: 0, holdout: 0.05 })
    .describe("Control groups, assigned once per customer and stable afterwards"),
  presetModules: presetModulesSchema,
  policy: z
    .looseObject({
      kind: z
        .string()
        .min(1)
        .default("auto")
        .describe(
          `A registered preset: core's (${policyKinds.join(", ")}) or one a presetModules entry registers`,
        ),
    })
    .default({ kind: "auto" })
    .describe("The preset and its settings (validated by createPolicy)"),
  renames: z
    .record(z.string(), z.record(z.string(), z.string()))
    .optional()
    .describe("Options renamed since the last snapshot: dimension → old name → new name"),
  report: z
    .strictObject({
      segmentBy: z.string().optional().describe("Categorical feature to break shares down by"),
    })
    .default({}),
  dataSeries: z
    .strictObject({
      enabled: z
        .boolean()
        .default(true)
        .describe("Pull data_series each day (skipped with a note when the key lacks the permission)"),
      days: z
        .number()
        .int()
        .min(1)
        .max(100)
        .default(14)
        .describe("Trailing days pulled each day: Braze revises recent days, a re-pull replaces them"),
      tolerance: z
        .number()
        .min(0)
        .max(1)
        .default(0.1)
        .describe("Relative difference (of the larger count) above which Braze and Kairos disagree"),
      minDifference: z
        .number()
        .min(0)
        .default(3)
        .describe("Absolute difference below which a day is never flagged (day-boundary noise)"),
    })
    .default({ enabled: true, days: 14, tolerance: 0.1, minDifference: 3 })
    .describe(
      "Braze's aggregate reporting (campaigns/canvas data_series) reconciled with what Kairos logged; for validation, never learned from",
    ),
});

/** A use-case file as written. */
export type UseCaseInput = z.input<typeof useCaseSchema>;
/** A use-case file after defaults. */
export type UseCaseFile = z.output<typeof useCaseSchema>;
