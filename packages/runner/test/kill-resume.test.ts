// SIGKILL at every step of `kairos day`, then run it again for the same day: the day finishes with every
// decision sent exactly once, the same decisions as an uninterrupted run, and every reward learned once.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeBraze } from "@kairos/braze-adapter/testing";
import { afterAll, describe, expect, it } from "vitest";
import { openState } from "../src/index.js";
import { runChildDay } from "./fixtures/run-day-child.js";
import { audienceJsonl, CAMPAIGNS, customerIds, SimulatedCustomers, testUseCase } from "./helpers/world.js";

const CUSTOMERS = 200;
const DAYS = ["2026-03-02", "2026-03-03"];
/**
 * Where each run is killed: after the first progress line of a step, or once some sends went out (in the
 * middle of activation, the step where exactly-once is at stake). Every other step boundary is covered in
 * process by crash-resume.test.ts; a real kill costs a process start (seconds on a busy machine).
 */
const KILLS: Record<string, (string | number)[]> = {
  "2026-03-02": [40, "register"],
  "2026-03-03": ["learn", 30],
};
const child = new URL("./fixtures/run-day-child.ts", import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A world: a directory with the use case, its audience and outcomes, and a fake Braze with faults. */
async function world(name: string) {
  const dir = mkdtempSync(join(tmpdir(), `kairos-kill-${name}-`));
  mkdirSync(join(dir, "outcomes"));
  writeFileSync(join(dir, "audience.jsonl"), audienceJsonl(CUSTOMERS));
  // Sends at once (no send hour) and a one-second window, so a day's rewards close on the wall clock.
  const uc = testUseCase({
    sendTime: { defaultTimeZone: "UTC" },
    metric: { preset: "conversionRate", settings: { window: 1000 } },
  });
  writeFileSync(join(dir, "use-case.json"), JSON.stringify(uc));
  const fake = await startFakeBraze({
    apiKey: "kill-key",
    users: customerIds(CUSTOMERS),
    campaigns: CAMPAIGNS,
    audience: new SimulatedCustomers(100),
    faults: { rate500: 0.05, dropRate: 0.05, seed: name },
  });
  const env = { ...process.env, BRAZE_REST_ENDPOINT: fake.url, BRAZE_API_KEY: "kill-key" };
  return { dir, fake, env, useCase: join(dir, "use-case.json"), state: join(dir, "state") };
}

/** Runs the child until it prints the kill point (then SIGKILLs it) or finishes; true if it finished. */
async function runUntil(
  w: Awaited<ReturnType<typeof world>>,
  day: string,
  kill: string | number | undefined,
): Promise<boolean> {
  const sendsBefore = w.fake.sends.length;
  const proc: ChildProcess = spawn(
    process.execPath,
    ["--conditions=kairos-source", "--import", "tsx", child, w.useCase, w.state, day],
    {
      env: w.env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  proc.stderr!.on("data", (b) => (err += b));
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  const killer = setInterval(() => {
    if (typeof kill === "number" && w.fake.sends.length - sendsBefore >= kill) proc.kill("SIGKILL");
  }, 5);
  proc.stdout!.on("data", (b) => {
    out += b;
    if (typeof kill === "string" && out.includes(`STEP ${kill}`)) proc.kill("SIGKILL");
  });
  const code = await exited;
  clearInterval(killer);
  if (code !== 0 && code !== null) throw new Error(`child failed (${code}): ${err}`);
  return out.includes("DONE");
}

/** The outcome file of the night: everything the fake saw customers do. */
function dropOutcomes(w: Awaited<ReturnType<typeof world>>, day: string): void {
  writeFileSync(join(w.dir, "outcomes", `${day}.json`), JSON.stringify(w.fake.trackBody()));
}

describe("kill -9 at any step, then rerun the same day", () => {
  const worlds: Awaited<ReturnType<typeof world>>[] = [];
  afterAll(async () => {
    for (const w of worlds) await w.fake.close();
  });

  it("loses nothing and sends nothing twice", async () => {
    const reference = await world("reference");
    const killed = await world("killed");
    worlds.push(reference, killed);
    let kills = 0;
    for (const [d, day] of DAYS.entries()) {
      if (d > 0) {
        await sleep(1200); // yesterday's windows close
        dropOutcomes(reference, day);
        dropOutcomes(killed, day);
      }
      await runChildDay(reference.useCase, reference.state, day, reference.env);
      for (const kill of KILLS[day]!) if (!(await runUntil(killed, day, kill))) kills++;
      expect(await runUntil(killed, day, undefined)).toBe(true);
    }
    expect(kills).toBeGreaterThanOrEqual(3);

    const read = async (w: typeof reference) => {
      const state = openState(w.state, "promo", { lock: false });
      const decisions = state.db
        .prepare("SELECT decision_id, grp, action, status FROM decisions ORDER BY decision_id")
        .all() as {
        decision_id: string;
        grp: string;
        action: string | null;
        status: string;
      }[];
      const rewards = state.db.prepare("SELECT decision_id, reward FROM rewards ORDER BY decision_id").all();
      const learned = state.db.prepare("SELECT SUM(learned) FROM snapshots").pluck().get() as number;
      const cycles = state.cycles.list(10).map((c) => c.step);
      const ledger = await state.ledger.counts();
      await state.close();
      return { decisions, rewards, learned, cycles, ledger };
    };
    const a = await read(reference);
    const b = await read(killed);
    expect(b.cycles).toEqual(["done", "done"]);
    // Day 1 is decided from the prior in both: the same decisions.
    const day1 = (x: typeof a) =>
      x.decisions
        .filter((r) => r.decision_id.includes(DAYS[0]!))
        .map((r) => [r.decision_id, r.grp, r.action]);
    expect(day1(b)).toEqual(day1(a));
    // Every decision sent exactly once.
    const sends = new Map<string, number>();
    for (const s of killed.fake.sends)
      sends.set(
        String(s.properties.kairos_decision_id),
        (sends.get(String(s.properties.kairos_decision_id)) ?? 0) + 1,
      );
    const toSend = b.decisions.filter((r) => r.grp !== "holdout");
    expect(toSend.length).toBe(a.decisions.filter((r) => r.grp !== "holdout").length);
    expect(toSend.every((r) => r.status === "sent" && sends.get(r.decision_id) === 1)).toBe(true);
    expect(killed.fake.sends.length).toBe(toSend.length);
    expect(b.ledger).toMatchObject({ queued: 0, in_flight: 0, failed: 0 });
    // Every reward of day 1 learned once: the same rewards, and as many learned as there are sent decisions'.
    expect(b.rewards).toEqual(a.rewards);
    expect(b.rewards.length).toBe(CUSTOMERS);
    expect(b.learned).toBe(a.learned);
    expect(b.learned).toBe(toSend.filter((r) => r.decision_id.includes(DAYS[0]!)).length);
  }, 180_000);
});
