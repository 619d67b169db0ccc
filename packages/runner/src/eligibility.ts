// Per-customer eligibility from the use case's rules: when a customer's attributes match a rule's `when`,
// its `deny` options are removed and its `allow` lists restrict the dimension (several allows intersect).
import type { Eligibility, OptionValue } from "@kairos/core";
import type { UseCaseFile } from "./use-case/schema.js";

type Rule = UseCaseFile["eligibility"][number];
type Condition = Rule["when"][string];

function matches(value: unknown, c: Condition): boolean {
  if (typeof c !== "object" || c === null) return value === c;
  if (c.exists !== undefined && (value !== undefined) !== c.exists) return false;
  if (value === undefined) return c.exists === false || (c.ne !== undefined && c.eq === undefined && !c.in);
  if (c.eq !== undefined && value !== c.eq) return false;
  if (c.ne !== undefined && value === c.ne) return false;
  if (c.in && !c.in.includes(value as never)) return false;
  if (c.notIn?.includes(value as never)) return false;
  const n = typeof value === "number" ? value : Number.NaN;
  if (c.lt !== undefined && !(n < c.lt)) return false;
  if (c.lte !== undefined && !(n <= c.lte)) return false;
  if (c.gt !== undefined && !(n > c.gt)) return false;
  if (c.gte !== undefined && !(n >= c.gte)) return false;
  return true;
}

/** The eligibility of one customer (undefined when no rule applies). */
export function eligibilityFor(
  rules: readonly Rule[],
  attrs: Record<string, unknown>,
): Eligibility | undefined {
  let deny: Record<string, OptionValue[]> | undefined;
  let allow: Record<string, OptionValue[]> | undefined;
  for (const rule of rules) {
    if (!Object.entries(rule.when).every(([name, c]) => matches(attrs[name], c))) continue;
    for (const [dim, opts] of Object.entries(rule.deny ?? {})) {
      deny ??= {};
      deny[dim] = [...(deny[dim] ?? []), ...opts];
    }
    for (const [dim, opts] of Object.entries(rule.allow ?? {})) {
      allow ??= {};
      allow[dim] = allow[dim] ? allow[dim].filter((o) => opts.includes(o)) : [...opts];
    }
  }
  if (!deny && !allow) return undefined;
  // No object spread: this runs once per customer.
  const out: Eligibility = {};
  if (deny) out.deny = deny;
  if (allow) out.allow = allow;
  return out;
}
