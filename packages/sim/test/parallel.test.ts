import { KairosError, ValidationError } from "@kairos/core";
import { describe, expect, it } from "vitest";
import type { Job } from "../src/experiment.js";
import { LineError } from "../src/ope/format.js";
import { deserializeError, runJobs, serializeError } from "../src/parallel.js";
import { parsePolicySpec } from "../src/policies.js";
import { fixture } from "./helpers.js";

describe("errors across the worker boundary", () => {
  it("keep their kind: ValidationError with its field, KairosError with its code, LineError with its line", () => {
    const round = (e: Error) => deserializeError(structuredClone(serializeError(e)), 3);
    const v = round(new ValidationError("policy.epsilon", "Too big"));
    expect(v).toBeInstanceOf(ValidationError);
    expect(v).toMatchObject({
      field: "policy.epsilon",
      message: "policy.epsilon: Too big",
      code: "invalid_input",
    });
    const k = round(new KairosError("no_eligible_action", "nothing is eligible"));
    expect(k).toBeInstanceOf(KairosError);
    expect(k).toMatchObject({ code: "no_eligible_action", message: "nothing is eligible" });
    const l = round(new LineError(7, "x must be an array"));
    expect(l).toBeInstanceOf(LineError);
    expect(l).toMatchObject({ line: 7, message: "line 7: x must be an array" });
    // Anything else is a plain Error naming the job, with the worker's stack.
    const plain = new TypeError("boom");
    const p = round(plain);
    expect(p).not.toBeInstanceOf(KairosError);
    expect(p).toMatchObject({ name: "TypeError", message: "job 3: boom", stack: plain.stack });
  });

  it("a policy's bad setting rejects runJobs with the ValidationError a worker threw", async () => {
    const s = fixture({ days: 2, population: { size: 50 } });
    const job: Job = {
      id: 0,
      scenario: s,
      replication: 1,
      unit: { type: "policy", spec: { label: "bad", kind: "epsilon-greedy", params: { epsilonn: 0.1 } } },
    };
    const other: Job = { ...job, id: 1, unit: { type: "policy", spec: parsePolicySpec("random") } };
    const error = await runJobs([job, other], { workers: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe("policy.epsilonn");
  });
});
