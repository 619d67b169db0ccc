// The adapter draws every random number from @kairos/core's generator: client jitter, and the fake's faults,
// ids and variation picks.
import { createRng, fnv1a } from "@kairos/core";
import { describe, expect, it } from "vitest";
import { BrazeClient } from "../src/index.js";
import { FaultInjector } from "../src/testing/index.js";
import { startWorld, workspace } from "./fixtures/world.js";

describe("one random-number generator", () => {
  it("the fake draws faults from core's seeded generator", () => {
    const faults = new FaultInjector({ rate429: 0.5, seed: 42 });
    const rng = createRng(42);
    const expected = Array.from({ length: 50 }, () => (rng.next() < 0.5 ? "429" : "none"));
    expect(Array.from({ length: 50 }, () => faults.draw("/segments/details"))).toEqual(expected);
  });

  it("the fake picks trigger-campaign variations by core's string hash", async () => {
    const base = workspace(4);
    const { fake, client, close } = await startWorld({
      ...base,
      campaigns: [
        {
          id: "two-arms",
          name: "Two arms",
          variations: [
            { id: "arm-0", channel: "email" },
            { id: "arm-1", channel: "email" },
          ],
        },
      ],
    });
    await client.messaging.triggerCampaign({
      campaign_id: "two-arms",
      recipients: ["u0", "u1", "u2", "u3"].map((external_user_id) => ({ external_user_id })),
    });
    expect(fake.sends.map((s) => s.variationId)).toEqual(
      ["u0", "u1", "u2", "u3"].map((u) => `arm-${fnv1a(`two-arms:${u}`) % 2}`),
    );
    await close();
  });

  it("the client takes a core Rng for its jitter", async () => {
    const draws: number[] = [];
    const rng = {
      next: () => {
        draws.push(0.5);
        return 0.5;
      },
    };
    const { fake, close } = await startWorld({
      ...workspace(2),
      faults: { rate500: 1, paths: ["/segments/details"] },
    });
    const client = new BrazeClient({
      baseUrl: fake.url,
      apiKey: fake.key,
      rng,
      retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    await client.segments.details("seg-all").catch(() => undefined);
    expect(draws.length).toBeGreaterThan(0);
    await client.close();
    await close();
  });
});
