import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { Activator, SqliteSendLedger } from "../src/index.js";
import { decisions, mapping } from "./fixtures/decisions.js";
import { startWorld, workspace } from "./fixtures/world.js";

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, "..");
const dir = mkdtempSync(join(tmpdir(), "kairos-braze-restart-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function waitFor(check: () => boolean, what: string, child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (check()) {
        clearInterval(timer);
        resolve();
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`child exited (${child.exitCode}) before ${what}`));
      }
    }, 5);
  });
}

describe("kill and restart", () => {
  it("a new Activator on the same ledger loses nothing and duplicates nothing after SIGKILL mid-run", async () => {
    const N = 3_000;
    const { fake, client, close } = await startWorld({
      ...workspace(N),
      rateLimits: {
        default: { limit: 200, windowMs: 1000 },
        users_export_ids: { limit: 200, windowMs: 1000 },
      },
      // Slow responses keep requests in flight when the kill lands; drops leave outcomes unknown.
      faults: { rate500: 0.05, dropRate: 0.05, slowRate: 0.4, slowMs: 40, seed: 3 },
    });
    const ledgerPath = join(dir, "restart.db");
    const timeless = { ...mapping, timing: undefined };
    const first = new SqliteSendLedger(ledgerPath);
    await new Activator({ client, ledger: first, mapping: timeless }).enqueue(decisions(N));
    await first.close();

    const child = spawn(
      process.execPath,
      [
        "--conditions=kairos-source",
        "--import",
        "tsx",
        join(here, "fixtures/activator-child.ts"),
        fake.url,
        fake.key,
        ledgerPath,
      ],
      { cwd: pkg, stdio: ["ignore", "pipe", "inherit"] },
    );
    await waitFor(() => fake.sends.length >= N / 3, "a third was sent", child);
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const sentAtKill = fake.sends.length;

    const ledger = new SqliteSendLedger(ledgerPath);
    const atRestart = await ledger.counts();
    const second = new Activator({
      client,
      ledger,
      mapping: timeless,
      // Long enough for requests the dead process left in the server to finish (Braze-side lag in production).
      reconcileDelayMs: 500,
      retryDelayMs: 20,
      maxAttempts: 50,
    });
    const counts = await second.run();
    expect(counts).toEqual({ queued: 0, in_flight: 0, sent: N, failed: 0 });
    const ids = fake.sends.map((s) => String(s.properties.kairos_decision_id));
    expect(ids).toHaveLength(N);
    expect(new Set(ids).size).toBe(N);
    expect(sentAtKill).toBeLessThan(N);
    console.log(
      JSON.stringify({
        test: "kill and restart",
        sentAtKill,
        ledgerAtRestart: atRestart,
        restarted: second.stats,
      }),
    );
    await ledger.close();
    await close();
  });
});
