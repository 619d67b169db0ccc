import type { BrazeClient } from "./client/client.js";
import type { CallOptions } from "./client/options.js";
import type { TemplateInfo } from "./endpoints/schemas.js";
import { BrazeValidationError } from "./errors.js";

/** Where a placeholder reads its value: trigger properties (campaigns), Canvas context (new or old name), or a profile attribute. */
export type LiquidScope =
  | "api_trigger_properties"
  | "context"
  | "canvas_entry_properties"
  | "custom_attribute";

/** A Liquid tag such as `{{api_trigger_properties.${offer} | default: "10% off"}}`. */
export function liquidPlaceholder(scope: LiquidScope, property: string, fallback?: string): string {
  if (!/^[A-Za-z0-9_]+$/.test(property))
    throw new BrazeValidationError(`invalid Liquid property name ${JSON.stringify(property)}`);
  const d = fallback === undefined ? "" : ` | default: ${JSON.stringify(fallback)}`;
  return `{{${scope}.$${"{"}${property}}${d}}}`;
}

/** Replace the literal text `find` in the base template with the placeholder of `dimension`. */
export interface PlaceholderRule {
  find: string;
  dimension: string;
  /** Property name when it differs from the dimension (as in the activation mapping's `propertyNames`). */
  property?: string;
  /** Keep the original text as the Liquid default, so a send without the property still reads well (default true). */
  keepAsDefault?: boolean;
}

const FIELDS = ["subject", "body", "plaintext_body", "preheader"] as const;
type Field = (typeof FIELDS)[number];

/** Applies placeholder rules to one text; returns the text and the rules that matched. */
export function addPlaceholders(
  text: string,
  rules: readonly PlaceholderRule[],
  scope: LiquidScope,
): { text: string; matched: Set<PlaceholderRule> } {
  const matched = new Set<PlaceholderRule>();
  let out = text;
  for (const r of rules) {
    if (!r.find) throw new BrazeValidationError(`placeholder rule for ${r.dimension} has an empty "find"`);
    if (!out.includes(r.find)) continue;
    matched.add(r);
    const tag = liquidPlaceholder(
      scope,
      r.property ?? r.dimension,
      r.keepAsDefault === false ? undefined : r.find,
    );
    out = out.split(r.find).join(tag);
  }
  return { text: out, matched };
}

/** Options of a template copy. */
export interface CopyTemplateOptions extends CallOptions {
  /** Template to copy (never modified). */
  baseTemplateId: string;
  /** Name of the copy (default: the base name + " (Kairos)"). */
  name?: string;
  rules: readonly PlaceholderRule[];
  /** Liquid scope of the placeholders (default "api_trigger_properties"). */
  scope?: LiquidScope;
  /** Tags for the copy (they must already exist in Braze). */
  tags?: string[];
}

function render(base: TemplateInfo, opts: CopyTemplateOptions): Partial<Record<Field, string>> {
  const scope = opts.scope ?? "api_trigger_properties";
  const seen = new Set<PlaceholderRule>();
  const out: Partial<Record<Field, string>> = {};
  for (const f of FIELDS) {
    const v = base[f];
    if (typeof v !== "string" || !v) continue;
    const { text, matched } = addPlaceholders(v, opts.rules, scope);
    out[f] = text;
    for (const m of matched) seen.add(m);
  }
  const missing = opts.rules.filter((r) => !seen.has(r));
  if (missing.length) {
    throw new BrazeValidationError(
      `base template ${opts.baseTemplateId} does not contain ${missing.map((r) => JSON.stringify(r.find)).join(", ")}`,
    );
  }
  return out;
}

/**
 * Copies a base email template and replaces chosen text with Liquid placeholders for Kairos' dimensions; the base
 * is only read. Returns the new template id. Every rule must match somewhere, else nothing is created.
 */
export async function copyTemplateWithPlaceholders(
  client: BrazeClient,
  opts: CopyTemplateOptions,
): Promise<string> {
  const base = await client.templates.info(opts.baseTemplateId, opts);
  const fields = render(base, opts);
  if (!fields.subject || !fields.body) {
    throw new BrazeValidationError(
      `base template ${opts.baseTemplateId} has no subject or body (drag-and-drop templates cannot be copied)`,
    );
  }
  return client.templates.create(
    {
      template_name: opts.name ?? `${base.template_name} (Kairos)`,
      subject: fields.subject,
      body: fields.body,
      ...(fields.plaintext_body ? { plaintext_body: fields.plaintext_body } : {}),
      ...(fields.preheader ? { preheader: fields.preheader } : {}),
      ...(opts.tags ? { tags: opts.tags } : base.tags.length ? { tags: base.tags } : {}),
      ...(typeof base.should_inline_css === "boolean" ? { should_inline_css: base.should_inline_css } : {}),
    },
    opts,
  );
}

/** Re-renders an existing copy from its (possibly edited) base, updating the copy in place. */
export async function refreshTemplateCopy(
  client: BrazeClient,
  copyTemplateId: string,
  opts: Omit<CopyTemplateOptions, "name" | "tags">,
): Promise<void> {
  const base = await client.templates.info(opts.baseTemplateId, opts);
  await client.templates.update({ email_template_id: copyTemplateId, ...render(base, opts) }, opts);
}
