import { describe, expect, it } from "vitest";
import { Quarantine } from "../src/quarantine.js";

describe("Quarantine", () => {
  const fill = (q: Quarantine, n: number) => {
    for (let i = 0; i < n; i++)
      q.add({ reason: i % 2 ? "malformed" : "unknown_user", detail: `d${i}`, payload: i }, i);
  };

  it("keeps the newest `limit` payloads and exact counts of all", () => {
    const q = new Quarantine(3);
    fill(q, 5);
    expect(q.list().map((r) => r.payload)).toEqual([2, 3, 4]);
    expect(q.total).toBe(5);
    expect(q.byReason()).toEqual({ unknown_user: 3, malformed: 2 });
    const restored = Quarantine.fromJSON(q.toJSON(), 2);
    expect(restored.list().map((r) => r.payload)).toEqual([3, 4]);
  });

  it("withdraws by id and uncounts, ignoring ids no longer kept; release keeps the counts", () => {
    const q = new Quarantine(3);
    fill(q, 5); // ids 1..5, ids 1 and 2 trimmed
    expect(q.withdraw([1, 3, 5]).map((r) => r.id)).toEqual([3, 5]);
    expect(q.byReason()).toEqual({ unknown_user: 1, malformed: 2 });
    expect(q.release("malformed").map((r) => r.id)).toEqual([4]);
    expect(q.byReason()).toEqual({ unknown_user: 1, malformed: 2 });
    expect(q.list()).toEqual([]);
    expect(q.takeRemoved()).toEqual([3, 5, 4]);
  });
});
