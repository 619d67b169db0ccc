import type { z } from "zod";

/** Turns a zod issue path into a dotted field path (`events[2].time`). */
export function fieldPath(prefix: string, path: ReadonlyArray<PropertyKey>): string {
  let out = prefix;
  for (const part of path)
    out += typeof part === "number" ? `[${part}]` : out === "" ? String(part) : `.${String(part)}`;
  return out === "" ? "(root)" : out;
}

/** The first issue of a zod error as `path: message`. */
export function describeIssue(prefix: string, error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  return { field: fieldPath(prefix, issue?.path ?? []), message: issue?.message ?? "invalid" };
}
