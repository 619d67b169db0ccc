// zod issues → one ValidationError naming the field, as every Kairos boundary reports bad input.
import { ValidationError } from "@kairos/core";
import type { z } from "zod";

type Issue = z.core.$ZodIssue;

function pathText(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const part of path) out += typeof part === "number" ? `[${part}]` : `${out ? "." : ""}${String(part)}`;
  return out;
}

/**
 * The issue to report: inside a union, the branch that got furthest (longest path) explains the mistake
 * better than "invalid input" at the union itself.
 */
function deepest(issue: Issue, path: readonly PropertyKey[]): { issue: Issue; path: PropertyKey[] } {
  const full = [...path, ...issue.path];
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    const candidates = issue.errors
      .filter((branch) => branch.length > 0)
      .map((branch) => deepest(branch[0]!, full));
    // A branch rejected on its discriminating literal did not get anywhere: prefer the others.
    candidates.sort((a, b) => b.path.length - a.path.length);
    if (candidates.length > 0) return candidates[0]!;
  }
  if (issue.code === "unrecognized_keys" && issue.keys.length > 0)
    return { issue, path: [...full, issue.keys[0]!] };
  return { issue, path: full };
}

/** The first zod issue as a ValidationError whose field is the dotted path under `prefix`. */
export function validationErrorOf(prefix: string, error: z.ZodError): ValidationError {
  const { issue, path } = deepest(error.issues[0]!, []);
  const message = issue.code === "unrecognized_keys" ? "unknown field" : issue.message;
  return new ValidationError(pathText(prefix, path) || "(file)", message);
}
