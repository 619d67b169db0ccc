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

/** A use-case file and a state directory of its own. */
async function world() {
  const dir = mkdtempSync(join(tmpdir(), "kairos-rollback-redis-"));
  const file = join(dir, "promo.json");
  writeFileSync(file, JSON.stringify(testUseCase()));
  const useCase = await loadUseCase(file);
  const stateDir = join(dir, "state");
  /** Appends a snapshot to the local history, as the coordinator records a learned day; returns its id. */
  const record = async (snapshot: PolicySnapshot, day: string): Promise<number> => {
    const state = openState(stateDir, useCase.id);
    try {
      return state.snapshots.append({
        createdAt: 0,
        day,
        reason: "learned",
        policyVersion: snapshot.version,
        learnedThrough: 13,
        learned: 1,
        json: JSON.stringify(snapshot),
      });
    } finally {
      await state.close();
    }
  };
  /** `kairos rollback <file> --to N --redis <test server> --prefix P`. */
  const rollback = (to: number, prefix: string) =>
    kairos([
      "rollback",
      file,
      "--state",
      stateDir,
      "--to",
      String(to),
      "--redis",
      env.server.url,
      "--prefix",
      prefix,
    ]);
  /** The local history's snapshots, newest first. */
  const history = async () => {
    const state = openState(stateDir, useCase.id);
    try {
      return state.snapshots.list(50).map((s) => state.snapshots.get(s.id)!.json);
    } finally {
      await state.close();
    }
  };
  return { file, useCase, record, rollback, history };
}

describe("kairos rollback --redis", () => {
  it("makes an earlier snapshot the workers' model, keeping the day and each shard's learned rewards", async () => {
    const { useCase, record, rollback, history } = await world();
    const keys = new UseCaseKeys("rb", useCase.id);
    const modelInRedis = async () => JSON.parse((await env.redis.get(keys.model))!) as SharedModel;

    // Two learned days: the prior, then a model that learned one reward.
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
    const first = await record(prior, "2026-03-02");
    await record(learned.snapshot, "2026-03-03");

    const back = await rollback(first, "rb");
    expect(back.code).toBe(0);
    expect(back.out).toContain("in Redis too");
    expect(await modelInRedis()).toEqual({ ...learned, snapshot: prior });
    expect((await history())[0]).toBe(JSON.stringify(prior));

    // A snapshot of another policy: refused in one line, Redis and the local history untouched.
    const bad = await record({ ...prior, kind: "lints" }, "2026-03-03");
    const before = await history();
    const refused = await rollback(bad, "rb");
    expect(refused.code).not.toBe(0);
    expect(refused.err.trim().split("\n")).toHaveLength(1);
    expect(refused.err).toContain("does not fit the use-case file");
    expect((await modelInRedis()).snapshot).toEqual(prior);
    expect(await history()).toEqual(before);
  });

  it("says so when no day has run on Redis under that prefix", async () => {
    const { useCase, record, rollback } = await world();
    const id = await record(createPolicy(useCase.policyConfig).snapshot(), "2026-03-02");
    const r = await rollback(id, "empty");
    expect(r.code).not.toBe(0);
    expect(r.err).toContain("no day has run there yet");
  });

  it("answers a URL that is not redis:// with one line and exit code 2", async () => {
    const { file } = await world();
    const r = await kairos(["rollback", file, "--to", "1", "--redis", "http://127.0.0.1:6379"]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toContain("--redis: expected redis://host:port");
  });
});
