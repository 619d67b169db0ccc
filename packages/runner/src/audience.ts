// Today's audience: a file of external ids, a local segment export (JSON Lines), or a Braze segment exported
// through /users/export/segment with a non-PII allow-list. Only the attributes the use case reads are kept.
import { readFileSync } from "node:fs";
import { extname, resolve } from "node:path";
import type { BrazeClient } from "@kairos/braze-adapter";
import { ValidationError } from "@kairos/core";
import { z } from "zod";
import type { UseCase } from "./use-case/compile.js";

/** One customer of the day's audience. */
export interface AudienceMember {
  externalId: string;
  /** IANA zone from Braze's `time_zone`, when known. */
  timeZone?: string;
  /** The attributes the use case reads (features, eligibility), from custom_attributes or top-level fields. */
  attrs: Record<string, unknown>;
}

/** What reading the audience gave. */
export interface AudienceRead {
  members: AudienceMember[];
  /** Ids seen more than once (kept once). */
  duplicates: number;
}

const exportedUser = z.looseObject({
  external_id: z.string().min(1),
  time_zone: z.string().nullish(),
  custom_attributes: z.record(z.string(), z.unknown()).nullish(),
});
type ExportedUser = z.output<typeof exportedUser>;

function member(user: ExportedUser, attributes: readonly string[]): AudienceMember {
  const attrs: Record<string, unknown> = {};
  for (const name of attributes) {
    const v = user.custom_attributes?.[name] ?? (user as Record<string, unknown>)[name];
    if (v !== undefined && v !== null) attrs[name] = v;
  }
  // No object spread: this runs once per customer.
  const m: AudienceMember = { externalId: user.external_id, attrs };
  if (user.time_zone) m.timeZone = user.time_zone;
  return m;
}

/** What `exportedUser` accepts, checked by hand (the same rules). */
function wellFormed(raw: unknown): raw is ExportedUser {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return false;
  const u = raw as Record<string, unknown>;
  const ca = u.custom_attributes;
  return (
    typeof u.external_id === "string" &&
    u.external_id.length > 0 &&
    (u.time_zone === undefined || u.time_zone === null || typeof u.time_zone === "string") &&
    (ca === undefined || ca === null || (typeof ca === "object" && !Array.isArray(ca)))
  );
}

/** Reads a local audience file: ids one per line (first CSV column), or segment-export users as JSON Lines. */
export function readAudienceFile(path: string, attributes: readonly string[]): AudienceMember[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ValidationError(
      `audience.file`,
      `${path}: ${code === "ENOENT" ? "no such file" : `cannot read (${code})`}`,
    );
  }
  const jsonl = [".jsonl", ".ndjson"].includes(extname(path).toLowerCase());
  const out: AudienceMember[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    if (!jsonl) {
      const id = line
        .split(",")[0]!
        .trim()
        .replace(/^"(.*)"$/, "$1");
      if (i === 0 && id === "external_id") continue; // a CSV header
      out.push({ externalId: id, attrs: {} });
      continue;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new ValidationError(`${path}:${i + 1}`, "not valid JSON");
    }
    // Well-formed lines (nearly all) skip zod, which only words what is wrong with the others.
    if (wellFormed(raw)) {
      out.push(member(raw, attributes));
      continue;
    }
    const user = exportedUser.safeParse(raw);
    if (!user.success)
      throw new ValidationError(
        `${path}:${i + 1}.${user.error.issues[0]!.path.join(".")}`,
        user.error.issues[0]!.message,
      );
    out.push(member(user.data, attributes));
  }
  return out;
}

/** Reads the use case's audience (deduplicated by external id, first occurrence kept). */
export async function readAudience(
  useCase: UseCase,
  braze: BrazeClient | undefined,
  override?: string,
): Promise<AudienceRead> {
  const source = useCase.file.audience;
  let members: AudienceMember[];
  if (override !== undefined || "file" in source) {
    const path = override ?? resolve(useCase.baseDir, (source as { file: string }).file);
    members = readAudienceFile(path, useCase.attributes);
  } else {
    if (!braze) throw new ValidationError("audience.segment", "a segment audience needs Braze credentials");
    const fields = [...new Set(["external_id", ...source.segment.fieldsToExport])];
    members = [];
    for await (const user of braze.users.exportSegmentUsers({
      segment_id: source.segment.id,
      fields_to_export: fields,
    })) {
      const parsed = exportedUser.safeParse(user);
      // Profiles without an external id (anonymous, alias-only) cannot be addressed by a trigger send.
      if (parsed.success) members.push(member(parsed.data, useCase.attributes));
    }
  }
  const seen = new Set<string>();
  const unique: AudienceMember[] = [];
  for (const m of members) {
    if (seen.has(m.externalId)) continue;
    seen.add(m.externalId);
    unique.push(m);
  }
  return { members: unique, duplicates: members.length - unique.length };
}
