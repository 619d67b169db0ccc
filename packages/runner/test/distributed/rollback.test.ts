// `kairos rollback --redis`: the model the workers share goes back with the local history, keeping how far
// each shard's rewards were learned; a snapshot the use case cannot restore leaves Redis as it was.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPolicy, type PolicySnapshot } from "@kairos/core";
import { describe, expect, it } from "vitest";
import { UseCaseKeys } from "../../src/distributed/keys.js";
import { readModel, type SharedModel } from "../../src/distributed/model.js";
import { loadUseCase, openState } from "../../src/index.js";
import { kairos } from "../helpers/kairos.js";
import { testUseCase } from "../helpers/world.js";
import { useTestRedis } from "./use-test-redis.js";

const env = useTestRedis();

describe("kairos rollback --redis", () => {
  it("makes an earlier snapshot the workers' model, keeping the day and each shard's learned rewards", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kairos-rollback-redis-"));
    const file = join(dir, "promo.json");
    writeFileSync(file, JSON.stringify(testUseCase()));
    const useCase = await loadUseCase(file);
    const keys = new UseCaseKeys("rb", useCase.id);

    // Two learned days, as the coordinator records them: the prior, then a model that learned.
    const prior = (await readModel(env.redis, keys, useCase)).snapshot;
    const policy = createPolicy(useCase.policyConfig);
    policy.restore(prior);
    const decision = policy.decide({ segment: "young" });
    policy.update([{ context: { segment: "young" }, action: decision.actionIndex, reward: 1 }]);
    const learned: SharedModel = {
      day: "2026-03-03",
      learnedThrough: { 0: 4, 1: 9 },
      snapshot: policy.snapshot(),
    };
    await env.redis.set(keys.model, JSON.stringify(learned));
    const state = openState(join(dir, "state"), useCase.id);
    const record = (json: PolicySnapshot, day: string) =>
      state.snapshots.append({
        createdAt: 0,
        day,
        reason: "learned",
        policyVersion: json.version,
        learnedThrough: 13,
        learned: 1,
        json: JSON.stringify(json),
      });
    record(prior, "2026-03-02");
    record(learned.snapshot, "2026-03-03");
    await state.close();

    const url = env.server.url;
    const back = await kairos([
      "rollback",
      file,
      "--state",
      join(dir, "state"),
      "--to",
      "1",
      "--redis",
      url,
      "--prefix",
      "rb",
    ]);
    expect(back.code).toBe(0);
    expect(back.out).toContain("in Redis too");
    const now = JSON.parse((await env.redis.get(keys.model))!) as SharedModel;
    expect(now.snapshot).toEqual(prior);
    expect(now.day).toBe("2026-03-03");
    expect(now.learnedThrough).toEqual({ 0: 4, 1: 9 });
    const local = openState(join(dir, "state"), useCase.id);
    expect(local.snapshots.latest()!.json).toBe(JSON.stringify(prior));
    await local.close();

    // A snapshot of another policy: refused, Redis and the local history untouched.
    const other = { ...prior, kind: "lints" };
    const state2 = openState(join(dir, "state"), useCase.id);
    const bad = state2.snapshots.append({
      createdAt: 0,
      day: "2026-03-03",
      reason: "learned",
      policyVersion: 0,
      learnedThrough: 13,
      learned: 0,
      json: JSON.stringify(other),
    });
    const count = state2.snapshots.list(50).length;
    await state2.close();
    const refused = await kairos([
      "rollback",
      file,
      "--state",
      join(dir, "state"),
      "--to",
      String(bad),
      "--redis",
      url,
      "--prefix",
      "rb",
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.err.trim().split("\n")).toHaveLength(1);
    expect(refused.err).toContain("does not fit the use-case file");
    expect(JSON.parse((await env.redis.get(keys.model))!).snapshot).toEqual(prior);
    const state3 = openState(join(dir, "state"), useCase.id);
    expect(state3.snapshots.list(50)).toHaveLength(count);
    await state3.close();
  });

  it("says so when no day has run on Redis under that prefix", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kairos-rollback-redis-"));
    const file = join(dir, "promo.json");
    writeFileSync(file, JSON.stringify(testUseCase()));
    const useCase = await loadUseCase(file);
    const state = openState(join(dir, "state"), useCase.id);
    state.snapshots.append({
      createdAt: 0,
      day: "2026-03-02",
      reason: "learned",
      policyVersion: 0,
      learnedThrough: 0,
      learned: 0,
      json: JSON.stringify(createPolicy(useCase.policyConfig).snapshot()),
    });
    await state.close();
    const r = await kairos([
      "rollback",
      file,
      "--state",
      join(dir, "state"),
      "--to",
      "1",
      "--redis",
      env.server.url,
      "--prefix",
      "empty",
    ]);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain("no day has run there yet");
  });
});
