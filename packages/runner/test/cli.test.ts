// The `kairos` command in process (its main function with captured output), against the fake Braze.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeBraze } from "@kairos/braze-adapter/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileUseCase, loadPolicy, openState } from "../src/index.js";
import { kairos } from "./helpers/kairos.js";
import { audienceJsonl, CAMPAIGNS, customerIds, liquidTag, testUseCase } from "./helpers/world.js";

const KEY = "cli-secret-key-1234";

describe("kairos command", () => {
  const dir = mkdtempSync(join(tmpdir(), "kairos-cli-"));
  const file = join(dir, "promo.json");
  const state = join(dir, "state");
  let fake: Awaited<ReturnType<typeof startFakeBraze>>;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    mkdirSync(join(dir, "outcomes"));
    writeFileSync(join(dir, "audience.jsonl"), audienceJsonl(40));
    // Sends at once (no send hour), so a day finishes on the wall clock.
    writeFileSync(file, JSON.stringify(testUseCase({ sendTime: { defaultTimeZone: "UTC" } })));
    fake = await startFakeBraze({
      apiKey: KEY,
      users: customerIds(40),
      campaigns: CAMPAIGNS,
      restrictedKeys: { "no-export-key": ["campaigns.list", "campaigns.details"] },
    });
    env = { BRAZE_REST_ENDPOINT: fake.url, BRAZE_API_KEY: KEY };
  });
  afterAll(() => fake.close());

  it("has help for itself and every command", async () => {
    expect((await kairos([])).code).toBe(2);
    expect((await kairos(["--help"])).out).toMatch(/^usage: kairos <command>/);
    for (const c of ["day", "doctor", "status", "report", "rollback", "validate"]) {
      const { code, out } = await kairos([c, "--help"]);
      expect(code).toBe(0);
      expect(out).toContain(`usage: kairos ${c}`);
      expect((await kairos(["help", c])).out).toBe(out);
    }
  });

  it("answers bad input with one line and exit code 2, before sending anything", async () => {
    const oneLine = (r: { code: number; err: string }) => {
      expect(r.code).toBe(2);
      expect(r.err.trim().split("\n")).toHaveLength(1);
      return r.err;
    };
    expect(oneLine(await kairos(["deploy"]))).toContain('unknown command "deploy"');
    expect(oneLine(await kairos(["day", file, "--bogus"], env))).toContain("unknown option --bogus");
    expect(oneLine(await kairos(["day"], env))).toContain("which use case?");
    expect(oneLine(await kairos(["day", file, "--date", "2026-13-45"], env))).toContain("--date");
    expect(oneLine(await kairos(["day", file, "--state", state], {}))).toContain(
      "BRAZE_REST_ENDPOINT: not set",
    );
    expect(oneLine(await kairos(["day", file, "--state", state], { ...env, BRAZE_API_KEY: "" }))).toContain(
      "BRAZE_API_KEY",
    );
    const bad = join(dir, "bad.json");
    const broken = testUseCase();
    (broken.liquid as Record<string, Record<string, unknown>>).offer!["30%"] = { offer_text: "30% off" };
    writeFileSync(bad, JSON.stringify(broken));
    expect(oneLine(await kairos(["day", bad, "--state", join(dir, "bad-state")], env))).toContain(
      "liquid.offer.30%",
    );
    writeFileSync(join(dir, "broken-audience.jsonl"), '{"external_id":"c1"}\n{"time_zone":"UTC"}\n');
    expect(
      oneLine(
        await kairos(
          [
            "day",
            file,
            "--quiet",
            "--state",
            join(dir, "s2"),
            "--audience",
            join(dir, "broken-audience.jsonl"),
          ],
          env,
        ),
      ),
    ).toMatch(/broken-audience.jsonl:2.external_id/);
    expect(fake.sends).toHaveLength(0);
    expect(existsSync(state)).toBe(false);
  });

  it("doctor lists what is missing, and never prints the key", async () => {
    const ok = await kairos(["doctor", file, "--state", state], env);
    expect(ok.out).toContain("ready");
    expect(ok.code).toBe(0);
    const restricted = await kairos(["doctor", file, "--state", state], {
      ...env,
      BRAZE_API_KEY: "no-export-key",
    });
    expect(restricted.code).toBe(1);
    expect(restricted.out).toMatch(/FAIL {2}reconciliation: users.export.ids: permission missing \(403\)/);
    const wrongKey = await kairos(["doctor", file, "--state", state], { ...env, BRAZE_API_KEY: "wrong" });
    expect(wrongKey.out).toMatch(/FAIL {2}authentication: 401/);
    for (const r of [ok, restricted]) expect(r.out + r.err).not.toContain(KEY);
    // A creative reading a property Kairos does not send.
    const other = await startFakeBraze({
      apiKey: KEY,
      campaigns: CAMPAIGNS.map((c) => ({
        ...c,
        variations: [{ ...c.variations[0]!, body: liquidTag("discount_code") }],
      })),
    });
    const liquid = await kairos(["doctor", file, "--state", state], {
      ...env,
      BRAZE_REST_ENDPOINT: other.url,
    });
    await other.close();
    expect(liquid.out).toMatch(/FAIL .*reads discount_code, not sent by Kairos/);
  });

  it("runs a day, dry and real; status, report and rollback read the result", async () => {
    const dry = await kairos(["day", file, "--state", state, "--dry-run", "--date", "2026-03-02"], env);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.out.slice(dry.out.indexOf("{"))).audience).toBe(40);
    expect(fake.sends).toHaveLength(0);
    const day = await kairos(["day", file, "--state", state, "--date", "2026-03-02", "--quiet"], env);
    expect(day.err).toBe("");
    expect(day.code).toBe(0);
    expect(day.out).toMatch(/^2026-03-02: done: 40 customers/);
    expect(fake.sends.length).toBeGreaterThan(30);
    expect((await kairos(["day", file, "--state", state, "--date", "2026-03-02"], env)).out).toContain(
      "already done",
    );
    const status = await kairos(["status", file, "--state", state]);
    expect(status.out).toMatch(/2026-03-02 {2}done/);
    const report = await kairos(["report", file, "--state", state, "--out", join(dir, "r.html")]);
    expect(report.code).toBe(0);
    expect(readFileSync(join(dir, "r.html"), "utf8")).toContain("<h1>promo");
    const list = await kairos(["rollback", file, "--state", state, "--list"]);
    expect(list.out).toContain("initial");
    const back = await kairos(["rollback", file, "--state", state, "--to", "1"]);
    expect(back.out).toContain("a copy of #1");
    expect((await kairos(["rollback", file, "--state", state, "--to", "99"])).code).toBe(1);
  });

  it("keeps what was learned about every option when an option is added", async () => {
    const original = compileUseCase(testUseCase(), dir);
    const s = openState(join(dir, "learned"), "promo");
    const policy = loadPolicy(original, s.snapshots, 0);
    const feedback = Array.from({ length: 200 }, (_, i) => ({
      context: { segment: i % 2 ? "old" : "young" },
      action: { offer: ["none", "10%", "20%"][i % 3]!, channel: ["email", "sms"][i % 2]! },
      reward: (i % 3) / 2,
    }));
    policy.update(feedback);
    s.snapshots.append({
      createdAt: 1,
      day: null,
      reason: "learned",
      policyVersion: 1,
      learnedThrough: 0,
      learned: 200,
      json: JSON.stringify(policy.snapshot()),
    });
    const extended = testUseCase({
      dimensions: { offer: ["none", "10%", "20%", "30%"], channel: ["email", "sms"] },
    });
    (extended.liquid as Record<string, Record<string, unknown>>).offer!["30%"] = { offer_text: "30% off" };
    const after = loadPolicy(compileUseCase(extended, dir), s.snapshots, 0);
    await s.close();
    for (const segment of ["young", "old"]) {
      const before = policy.decide({ segment }, { decisionId: "x" }).scores.offer!;
      const now = after.decide({ segment }, { decisionId: "x" }).scores.offer!;
      for (const o of ["none", "10%", "20%"]) expect(now[o]).toBeCloseTo(before[o]!, 10);
      expect(now["30%"]).toBeDefined();
    }
  });
});
