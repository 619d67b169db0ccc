import { Agent } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { BrazeClient, BrazeError, BrazeNetworkError, BrazeServerError } from "../src/index.js";
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

describe("slow responses, timeouts and the caller's dispatcher", () => {
  it("a body that stalls after the headers is a timeout: reads are retried, a send is left outcome-unknown", async () => {
    const { fake, client, close } = await startWorld(
      { ...workspace(2), faults: { slowBodyRate: 1, slowMs: 400 } },
      { timeoutMs: 100, retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 } },
    );
    closers.push(close);
    const read = await client.segments.details("seg-all").catch((e) => e);
    expect(read).toBeInstanceOf(BrazeNetworkError);
    expect(read.kind).toBe("timeout");
    expect(fake.requests.filter((r) => r.path === "/segments/details")).toHaveLength(3);
    const send = await client.messaging
      .triggerCampaign({ campaign_id: "camp-offer", recipients: [{ external_user_id: "u1" }] })
      .catch((e) => e);
    expect(send.kind).toBe("timeout");
    expect(send.outcomeUnknown).toBe(true);
    // Braze processed it (the headers had left): exactly the case the ledger reconciles.
    expect(fake.requests.filter((r) => r.path === "/campaigns/trigger/send")).toHaveLength(1);
    expect(fake.sends).toHaveLength(1);
  });

  it("uses the caller's undici dispatcher, and reads its headers and body timeouts as timeouts", async () => {
    // undici checks its own headers and body timeouts about once a second: stall well past that.
    const { fake, close } = await startWorld({
      ...workspace(2),
      faults: { slowRate: 1, slowMs: 5_000, paths: ["/segments/details"] },
    });
    closers.push(close);
    const headersTimeout = new Agent({ headersTimeout: 50 });
    const bodyTimeout = new Agent({ bodyTimeout: 50 });
    closers.push(
      () => headersTimeout.close(),
      () => bodyTimeout.close(),
    );
    const options = { baseUrl: fake.url, apiKey: fake.key, retry: { maxRetries: 0 } };
    const late = new BrazeClient({ ...options, dispatcher: headersTimeout });
    const err = await late.segments.details("seg-all").catch((e) => e);
    expect(err).toBeInstanceOf(BrazeNetworkError);
    expect(err.kind).toBe("timeout");
    fake.setFaults({ slowRate: 0, slowBodyRate: 1, paths: ["/campaigns/trigger/send"] });
    const stalled = new BrazeClient({ ...options, dispatcher: bodyTimeout });
    const send = await stalled.messaging
      .triggerCampaign({ campaign_id: "camp-offer", recipients: [{ external_user_id: "u1" }] })
      .catch((e) => e);
    expect(send.kind).toBe("timeout");
    expect(send.outcomeUnknown).toBe(true);
    // The caller's dispatcher stays open: closing the client does not close it.
    await late.close();
    await stalled.close();
    expect(headersTimeout.closed).toBe(false);
  });

  it("downloads the segment export through the same transport: dispatcher, retries, logs, no key", async () => {
    const lines: string[] = [];
    const keep = (m: string, f?: object) => lines.push(`${m} ${JSON.stringify(f ?? {})}`);
    const seen: string[] = [];
    const agent = new Agent();
    closers.push(() => agent.close());
    const counting = agent.compose((dispatch) => (opts, handler) => {
      seen.push(opts.path);
      return dispatch(opts, handler);
    });
    const { fake, client, close } = await startWorld(
      {
        ...workspace(30),
        // Every other download attempt fails: a 500, a dropped connection, or a body that stalls past the timeout.
        faults: { rate500: 0.2, dropRate: 0.2, slowBodyRate: 0.2, slowMs: 400, paths: ["/exports"], seed: 4 },
      },
      {
        dispatcher: counting,
        logger: { debug: keep, info: keep, warn: keep },
        timeoutMs: 150,
        retry: { maxRetries: 12, baseDelayMs: 1, maxDelayMs: 5 },
      },
    );
    closers.push(close);
    const users = [];
    for await (const u of client.users.exportSegmentUsers(
      { segment_id: "seg-all", fields_to_export: ["external_id"] },
      { pollIntervalMs: 20 },
    )) {
      users.push(u.external_id);
    }
    expect(new Set(users).size).toBe(30);
    const downloads = fake.requests.filter((r) => r.path === "/exports");
    expect(downloads.some((r) => r.fault !== "none")).toBe(true);
    expect(downloads.every((r) => !r.withKey)).toBe(true);
    expect(seen.filter((p) => p.startsWith("/exports/"))).toHaveLength(downloads.length);
    const log = lines.join("\n");
    expect(log).toMatch(/braze response.*\/exports\//);
    expect(log).not.toMatch(/signature/i); // the pre-signed URL's query never reaches the logs
  });
});
