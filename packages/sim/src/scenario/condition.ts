import type { Condition } from "./schema.js";

/** Whether a value (option, category, number, boolean) satisfies a `when` condition. */
export function matchesCondition(value: string | number | boolean, cond: Condition): boolean {
  if (typeof cond !== "object") return String(value) === String(cond);
  if ("in" in cond) return cond.in.some((c) => String(c) === String(value));
  if ("notIn" in cond) return !cond.notIn.some((c) => String(c) === String(value));
  if (typeof value !== "number") return false;
  const { lt, lte, gt, gte } = cond as { lt?: number; lte?: number; gt?: number; gte?: number };
  return (
    (lt === undefined || value < lt) &&
    (lte === undefined || value <= lte) &&
    (gt === undefined || value > gt) &&
    (gte === undefined || value >= gte)
  );
}
