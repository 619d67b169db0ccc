import type { z } from "zod";

/** Turns a zod issue path into a dotted field path (`events[2].time`). */
export function fieldPath(prefix: string, path: ReadonlyArray<PropertyKey>): string {
  let out = prefix;
  for (const part of path)
    out += typeof part === "number" ? `[${part}]` : out === "" ? String(part) : `.${String(part)}`;
  return out === "" ? "(root)" : out;
}

type Issue = { path: PropertyKey[]; message: string; code?: string; errors?: Issue[][] };

/**
 * The most specific issue: for a failed union, the branch issue with the deepest path (so a bad field
 * inside one alternative is reported at its own path, not at the union).
 */
function specific(issue: Issue): { path: PropertyKey[]; message: string } {
  if (issue.code !== "invalid_union" || !issue.errors?.length) return issue;
  let best: { path: PropertyKey[]; message: string } = issue;
  for (const branch of issue.errors)
    for (const inner of branch) {
      const s = specific(inner);
      const path = [...issue.path, ...s.path];
      if (path.length > best.path.length) best = { path, message: s.message };
    }
  return best;
}

/** The first issue of a zod error as a field path and message. */
export function describeIssue(prefix: string, error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0] as unknown as Issue | undefined;
  if (issue === undefined) return { field: fieldPath(prefix, []), message: "invalid" };
  const s = specific(issue);
  return { field: fieldPath(prefix, s.path), message: s.message };
}
