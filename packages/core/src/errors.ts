/** Base class of every error Kairos throws on purpose; `code` is stable for programs to branch on. */
export class KairosError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that breaks a declared contract; `field` is the path of the offending value (e.g. `context.tenure`). */
export class ValidationError extends KairosError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super("invalid_input", `${field}: ${message}`);
  }
}

/** A snapshot that cannot be restored into this policy (other action space, schema, kind or format). */
export class SnapshotMismatchError extends KairosError {
  constructor(message: string) {
    super("snapshot_mismatch", message);
  }
}

/** No action satisfies the constraints and the per-decision eligibility. */
export class NoEligibleActionError extends KairosError {
  constructor(message = "no action satisfies the constraints and eligibility of this decision") {
    super("no_eligible_action", message);
  }
}

/** Two policies whose statistics cannot be combined (different kinds, spaces, or a model without sufficient statistics). */
export class MergeError extends KairosError {
  constructor(message: string) {
    super("not_mergeable", message);
  }
}

/** Turns a zod issue path into the dotted field path used by {@link ValidationError}. */
export function issuePath(prefix: string, path: ReadonlyArray<PropertyKey>): string {
  let out = prefix;
  for (const part of path) out += typeof part === "number" ? `[${part}]` : `.${String(part)}`;
  return out;
}

/** A {@link ValidationError} from the first zod issue, with its path (and the offending key, if any). */
export function validationErrorFrom(
  prefix: string,
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string; code?: string; keys?: string[] }>,
): ValidationError {
  const issue = issues[0]!;
  const path =
    issue.code === "unrecognized_keys" && issue.keys?.length ? [...issue.path, issue.keys[0]!] : issue.path;
  return new ValidationError(issuePath(prefix, path), issue.message);
}
