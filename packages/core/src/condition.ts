import { ValidationError } from "./errors.js";

/** A value a condition is checked against: an action option, a customer attribute, a calendar value. */
export type ConditionValue = string | number | boolean;

/**
 * A match on one value: equal to it, one of a list (`in`), none of a list (`notIn`), or a numeric range
 * (`lt`, `lte`, `gt`, `gte`; every bound given must hold). Constraint rules' `forbid` and the simulator's
 * `when` are written in it.
 */
export type ValueCondition =
  | ConditionValue
  | { readonly in: readonly ConditionValue[] }
  | { readonly notIn: readonly ConditionValue[] }
  | { readonly lt?: number; readonly lte?: number; readonly gt?: number; readonly gte?: number };

/**
 * Whether `value` satisfies `cond`. The one rule, wherever Kairos matches a value:
 * - values compare exactly, type included: the number `9` and the text `"9"` differ, as do `true` and
 *   `"true"` (no conversion to text: an action dimension may hold both `9` and `"9"` as distinct options);
 * - a range applies to numbers only: checking one against a non-number is a configuration mistake, and
 *   throws a {@link ValidationError} naming `field` rather than quietly not matching.
 */
export function matchesCondition(value: ConditionValue, cond: ValueCondition, field = "condition"): boolean {
  if (typeof cond !== "object") return value === cond;
  if ("in" in cond) return cond.in.includes(value);
  if ("notIn" in cond) return !cond.notIn.includes(value);
  if (typeof value !== "number")
    throw new ValidationError(field, `a range applies to numbers only, got ${JSON.stringify(value)}`);
  const { lt, lte, gt, gte } = cond;
  return (
    (lt === undefined || value < lt) &&
    (lte === undefined || value <= lte) &&
    (gt === undefined || value > gt) &&
    (gte === undefined || value >= gte)
  );
}
