import { readFileSync } from "node:fs";
import { KairosError } from "@kairos/core";

/** Reads a UTF-8 file, or throws `file_not_found` naming it (`what`, e.g. "scenario", goes before the name). */
export function readText(file: string, what?: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new KairosError(
      "file_not_found",
      `cannot read ${what ? `${what} ` : ""}${file}: ${(e as NodeJS.ErrnoException).code ?? e}`,
    );
  }
}
