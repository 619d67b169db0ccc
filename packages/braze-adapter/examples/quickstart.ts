// Start the fake Braze, create a client, send decisions through an Activator.
// Run: npx tsx --conditions=kairos-source packages/braze-adapter/examples/quickstart.ts
import { Activator, BrazeClient, SqliteSendLedger } from "@kairos/braze-adapter";
import { startFakeBraze } from "@kairos/braze-adapter/testing";

const fake = await startFakeBraze({
  apiKey: "demo-key",
  users: ["u1", "u2", "u3"],
  campaigns: [
    {
      id: "offer-email",
      name: "Offer email",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Braze Liquid, not a JS template
      variations: [{ id: "v1", channel: "email", subject: "Today: {{api_trigger_properties.${offer}}}" }],
    },
  ],
  // 10% of requests get a 500: the client and the ledger absorb it.
  faults: { rate500: 0.1, seed: 1 },
});

const client = new BrazeClient({ baseUrl: fake.url, apiKey: "demo-key" });
const ledger = new SqliteSendLedger(":memory:");
const activator = new Activator({
  client,
  ledger,
  mapping: { targets: { default: { kind: "campaign", campaignId: "offer-email" } } },
  reconcileDelayMs: 100, // in production keep minutes: Braze profiles lag
  retryDelayMs: 50,
});

// Decisions come from a @kairos/core policy; each is paired with its recipient.
await activator.enqueue(
  ["u1", "u2", "u3"].map((externalId, i) => ({
    decision: { decisionId: `demo-${i}`, action: { offer: ["10% off", "free shipping", "BOGO"][i] } },
    recipient: { externalId },
  })),
);
console.log(await activator.run()); // { queued: 0, in_flight: 0, sent: 3, failed: 0 }
for (const s of fake.sends) console.log(s.externalId, s.rendered.subject, s.properties.kairos_decision_id);

await ledger.close();
await client.close();
await fake.close();
