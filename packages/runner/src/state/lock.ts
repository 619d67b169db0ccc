// One run at a time per state directory: the send ledger's exactly-once guarantee assumes a single
// Activator per ledger. A lock left by a killed process (its pid no longer alive) is taken over.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { KairosError } from "@kairos/core";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the directory's lock; returns its release. Throws KairosError("state_locked") if another live run holds it. */
export function acquireLock(dir: string): () => void {
  const path = join(dir, "lock");
  for (let tries = 0; tries < 2; tries++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const holder = Number(readFileSync(path, "utf8"));
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder))
        throw new KairosError(
          "state_locked",
          `${dir} is in use by process ${holder} (one run at a time per use case)`,
        );
      rmSync(path, { force: true });
    }
  }
  throw new KairosError("state_locked", `${dir}: could not take the lock`);
}
