import { afterEach, describe, expect, it } from "vitest";
import { BrazeError, BrazeNetworkError, BrazeServerError } from "../src/index.js";
import { startWorld, workspace } from "./fixtures/world.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

describe("transport", () => {
  it("times out slow calls, retries reads, and reports a typed timeout", async () => {
    const { fake, client, close } = await startWorld(
      { ...workspace(2), faults: { slowRate: 1, slowMs: 300 } },
      { timeoutMs: 50, retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 } },
    );
    closers.push(close);
    const err = await client.segments.details("seg-all").catch((e) => e);
    expect(err).toBeInstanceOf(BrazeNetworkError);
    expect(err.kind).toBe("timeout");
    expect(fake.requests).toHaveLength(3);
  });

  it("honours an AbortSignal", async () => {
    const { client, close } = await startWorld({ ...workspace(2), faults: { slowRate: 1, slowMs: 300 } });
    closers.push(close);
    const ac = new AbortController();
    const p = client.segments.details("seg-all", { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    const err = await p.catch((e) => e);
    expect(err).toBeInstanceOf(BrazeError);
    expect(err.kind).toBe("aborted");
  });

  it("retries reads through 500s and dropped connections but never repeats a send after an ambiguous failure", async () => {
    // Reads get 12 retries: at 50% drops, a read fails only after 13 drops in a row (p = 1/8192).
    const { fake, client, close } = await startWorld(
      { ...workspace(2), faults: { rate500: 1, paths: ["/campaigns/trigger/send"] } },
      { retry: { maxRetries: 12, baseDelayMs: 1, maxDelayMs: 5 } },
    );
    closers.push(close);
    const err = await client.messaging
      .triggerCampaign({ campaign_id: "camp-offer", recipients: [{ external_user_id: "u1" }] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(BrazeServerError);
    expect(err.outcomeUnknown).toBe(true);
    expect(fake.requests.filter((r) => r.path === "/campaigns/trigger/send")).toHaveLength(1);
    fake.setFaults({ rate500: 0, dropRate: 0.5, dropAfterProcessingShare: 0, paths: ["/segments/details"] });
    for (let i = 0; i < 10; i++) await client.segments.details("seg-all");
    expect(fake.faults.counts.drop_before).toBeGreaterThan(0);
  });

  it("keeps the API key out of logs and errors", async () => {
    const lines: string[] = [];
    const logger = {
      debug: (m: string, f?: object) => lines.push(m + JSON.stringify(f)),
      info: (m: string, f?: object) => lines.push(m + JSON.stringify(f)),
      warn: (m: string, f?: object) => lines.push(m + JSON.stringify(f)),
    };
    const { fake, client, close } = await startWorld(
      { ...workspace(2), faults: { rate500: 1 } },
      { logger, retry: { maxRetries: 1, baseDelayMs: 1 } },
    );
    closers.push(close);
    const err = await client.messaging
      .triggerCampaign({
        campaign_id: "camp-offer",
        recipients: [{ email: "jane@example.com", prioritization: ["identified"] }],
      })
      .catch((e) => e);
    const text = [...lines, err.message, JSON.stringify(err), String(err.stack)].join("\n");
    expect(text).not.toContain(fake.key);
    expect(text).not.toContain("jane@example.com");
    expect(lines.length).toBeGreaterThan(0);
  });
});
