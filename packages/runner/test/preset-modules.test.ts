// A use case whose policy is another package's preset (@kairos/neural's neural-linear, listed in the file's
// presetModules): `kairos day` runs two days against the fake Braze, the saved model restores, and worker
// threads import the package before deciding. An unregistered kind is bad input (one line, exit 2).
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeBraze } from "@kairos/braze-adapter/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decideAndLog, loadPolicy, loadUseCase, openState, storeAudience } from "../src/index.js";
import { kairos } from "./helpers/kairos.js";
import {
  audienceJsonl,
  CAMPAIGNS,
  customerIds,
  SimulatedCustomers,
  segmentOf,
  testUseCase,
} from "./helpers/world.js";

const KEY = "preset-modules-key-1234";
const CUSTOMERS = 30;
// Small network, trained from the few conversions of day 1.
const NEURAL = { kind: "neural-linear", hidden: [4], minObservations: 4, epochs: 1, batchSize: 8 };

describe("a use case with presetModules", () => {
  const dir = mkdtempSync(join(tmpdir(), "kairos-preset-modules-"));
  const file = join(dir, "promo.json");
  const state = join(dir, "state");
  let fake: Awaited<ReturnType<typeof startFakeBraze>>;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    // @kairos/neural installed next to the use-case file, as a user's project has it.
    mkdirSync(join(dir, "node_modules", "@kairos"), { recursive: true });
    symlinkSync(
      fileURLToPath(new URL("../../neural", import.meta.url)),
      join(dir, "node_modules/@kairos/neural"),
    );
    mkdirSync(join(dir, "outcomes"));
    // Day 2 messages other customers: Braze's campaign receipts cannot tell two sends to one customer
    // minutes apart (the Activator spaces them by its reconcile delay, on the wall clock here).
    const lines = audienceJsonl(2 * CUSTOMERS).split("\n");
    writeFileSync(join(dir, "audience.jsonl"), lines.slice(0, CUSTOMERS).join("\n"));
    writeFileSync(join(dir, "day2.jsonl"), lines.slice(CUSTOMERS).join("\n"));
    const useCase = testUseCase({
      sendTime: { defaultTimeZone: "UTC" },
      presetModules: ["@kairos/neural"],
      policy: NEURAL,
    });
    writeFileSync(file, JSON.stringify(useCase));
    writeFileSync(join(dir, "unregistered.json"), JSON.stringify({ ...useCase, presetModules: [] }));
    writeFileSync(
      join(dir, "missing.json"),
      JSON.stringify({ ...useCase, presetModules: ["@kairos/no-such-package"] }),
    );
    fake = await startFakeBraze({
      apiKey: KEY,
      users: customerIds(2 * CUSTOMERS),
      campaigns: CAMPAIGNS,
      audience: new SimulatedCustomers(0),
    });
    env = { BRAZE_REST_ENDPOINT: fake.url, BRAZE_API_KEY: KEY };
  });
  afterAll(() => fake.close());

  // First: once @kairos/neural is imported, its presets stay registered in this process.
  it("refuses a kind no module registered, and a module it cannot find, in one line (exit 2)", async () => {
    const unregistered = await kairos(["validate", join(dir, "unregistered.json")]);
    expect(unregistered.code).toBe(2);
    expect(unregistered.err.trim().split("\n")).toHaveLength(1);
    expect(unregistered.err).toMatch(/policy\.kind: "neural-linear" is not a registered preset/);
    const missing = await kairos(["validate", join(dir, "missing.json")]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/presetModules\[0\]: cannot find "@kairos\/no-such-package"/);
  });

  it("runs two days, saves a neural-linear model that restores, and decides on worker threads", async () => {
    const day1 = await kairos(["day", file, "--state", state, "--date", "2026-03-02", "--quiet"], env);
    expect(day1.err).toBe("");
    expect(day1.code).toBe(0);
    const sent = fake.sends.length;
    expect(sent).toBeGreaterThan(0);
    // Overnight drop: the purchases the sends caused, attributed by decision id.
    writeFileSync(
      join(dir, "outcomes", "2026-03-03-braze.json"),
      JSON.stringify(fake.trackBody({ since: 0 })),
    );
    const day2 = await kairos(
      [
        "day",
        file,
        "--state",
        state,
        "--date",
        "2026-03-03",
        "--quiet",
        "--audience",
        join(dir, "day2.jsonl"),
      ],
      env,
    );
    expect(day2.err).toBe("");
    expect(day2.code).toBe(0);
    expect(day2.out).toMatch(/learned [1-9]/);
    expect(fake.sends.length).toBeGreaterThan(sent);

    const useCase = await loadUseCase(file);
    const s = openState(state, useCase.id);
    try {
      const latest = s.snapshots.latest()!;
      expect(JSON.parse(latest.json).model.format).toBe("kairos-neural-linear/v1");
      // Two restorations of the saved model: the same model, the same decisions.
      const a = loadPolicy(useCase, s.snapshots, 0, false);
      const b = loadPolicy(useCase, s.snapshots, 0, false);
      expect(a.snapshot().model).toEqual(JSON.parse(latest.json).model);
      for (const id of customerIds(4)) {
        const context = { segment: segmentOf(id) };
        expect(a.decide(context, { decisionId: id })).toEqual(b.decide(context, { decisionId: id }));
      }
      // Worker threads import @kairos/neural themselves before restoring the model.
      storeAudience(
        s,
        "2026-03-04",
        customerIds(CUSTOMERS).map((id) => ({
          externalId: id,
          timeZone: "UTC",
          attrs: { segment: segmentOf(id) },
        })),
      );
      const decided = await decideAndLog(useCase, s, a, "2026-03-04", { workers: 1, parallelFrom: 0 });
      expect(decided.workers).toBe(1);
      expect(Object.values(decided.byGroup).reduce((x, y) => x + y, 0)).toBeGreaterThan(0);
    } finally {
      await s.close();
    }
  });
});
