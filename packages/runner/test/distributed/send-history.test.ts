// The frequency cap's history on Redis counts what the decision log counts: messages on the days of the
// cap's window before today (the single-process window: today and the `days - 1` days before it), and a
// rerun of a day's job reads and writes the same.
import { describe, expect, it } from "vitest";
import { ShardSendHistory } from "../../src/distributed/send-history.js";
import { useTestRedis } from "./use-test-redis.js";

const env = useTestRedis();

const CAP = { messages: 2, days: 3 };
const KEY = "t:send-days:0";

/** The customers a day's job finds capped, after recording a send for `sent`. */
async function day(date: string, sent: string[]): Promise<string[]> {
  const { redis } = env;
  const history = new ShardSendHistory(redis, KEY, CAP, date);
  await history.read(["a", "b", "c"]);
  const capped = ["a", "b", "c"].filter((id) => history.capped(id));
  await history.record(sent);
  return capped;
}

describe("ShardSendHistory", () => {
  it("caps a customer at `messages` sends in the window before today, idempotently", async () => {
    const { redis } = env;
    expect(await day("2026-03-01", ["a", "b"])).toEqual([]);
    expect(await day("2026-03-02", ["a"])).toEqual([]);
    // a: two sends in [03-01, 03-03): capped; b: one.
    expect(await day("2026-03-03", ["b"])).toEqual(["a"]);
    // The same day again (a job rerun): the same answer, the same history.
    const before = await redis.hgetall(KEY);
    expect(await day("2026-03-03", ["b"])).toEqual(["a"]);
    expect(await redis.hgetall(KEY)).toEqual(before);
    // 03-04's window is [03-02, 03-04): a sent on 03-02 only, b on 03-03 only.
    expect(await day("2026-03-04", [])).toEqual([]);
    expect(JSON.parse(before.a!)).toEqual(["2026-03-01", "2026-03-02"]);
    expect(JSON.parse(before.b!)).toEqual(["2026-03-01", "2026-03-03"]);
  });
});
