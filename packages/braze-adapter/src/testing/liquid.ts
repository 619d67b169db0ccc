// Just enough Liquid for tests: `{{api_trigger_properties.${x}}}`, `{{context.${x}}}`,
// `{{canvas_entry_properties.${x}}}` and `{{custom_attribute.${x}}}`, each with an optional `| default: "…"`.
const TAG =
  /\{\{\s*(api_trigger_properties|context|canvas_entry_properties|custom_attribute)\.\$\{([A-Za-z0-9_]+)\}\s*(?:\|\s*default:\s*"([^"]*)"\s*)?\}\}/g;

/** Renders the supported Liquid tags; unknown properties render as the default or an empty string. */
export function renderLiquid(
  template: string | undefined,
  properties: Record<string, unknown>,
  attributes: Record<string, unknown> = {},
): string | undefined {
  if (template === undefined) return undefined;
  return template.replace(TAG, (_m, scope: string, key: string, fallback: string | undefined) => {
    const source = scope === "custom_attribute" ? attributes : properties;
    const v = source[key];
    return v === undefined || v === null ? (fallback ?? "") : String(v);
  });
}
