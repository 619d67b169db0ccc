// A small simulated market for the runner's tests: customers in two segments whose conversion probability
// depends, additively, on the offer and the channel they get (a known truth, so "the policy learns" is
// measurable), answering sends made through the fake Braze.
import type {
  AudienceEvent,
  AudienceResponder,
  FakeCampaign,
  RecordedSend,
} from "@kairos/braze-adapter/testing";
import { keyedRng } from "@kairos/core";
import type { UseCaseInput } from "../../src/index.js";

export const OFFERS = ["none", "10%", "20%"] as const;
export const CHANNELS = ["email", "sms"] as const;
type Segment = "young" | "old";

const BASE: Record<Segment, number> = { young: 0.05, old: 0.08 };
const OFFER_EFFECT: Record<Segment, Record<string, number>> = {
  young: { none: 0, "10%": 0.04, "20%": 0.2 },
  old: { none: 0.12, "10%": 0.02, "20%": 0 },
};
const CHANNEL_EFFECT: Record<Segment, Record<string, number>> = {
  young: { email: 0, sms: 0.15 },
  old: { email: 0.15, sms: 0 },
};

/** The true conversion probability of an action for a customer of a segment. */
export function trueRate(segment: Segment, offer: string, channel: string): number {
  return BASE[segment] + OFFER_EFFECT[segment][offer]! + CHANNEL_EFFECT[segment][channel]!;
}

/** The best action's rate for a segment. */
export function bestRate(segment: Segment): number {
  return Math.max(...OFFERS.flatMap((o) => CHANNELS.map((c) => trueRate(segment, o, c))));
}

/** Customer c<i>: even ones young, odd ones old. */
export function segmentOf(externalId: string): Segment {
  return Number(externalId.slice(1)) % 2 === 0 ? "young" : "old";
}

export function customerIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `c${i}`);
}

/** The audience file: segment-export users as JSON Lines. */
export function audienceJsonl(n: number): string {
  return customerIds(n)
    .map((id) =>
      JSON.stringify({ external_id: id, time_zone: "UTC", custom_attributes: { segment: segmentOf(id) } }),
    )
    .join("\n");
}

/** Customers converting after a send, with the true probability; the purchase carries the decision id. */
export class SimulatedCustomers implements AudienceResponder {
  constructor(private readonly delayMs: number) {}

  respond(send: RecordedSend): AudienceEvent[] {
    const id = String(send.properties.kairos_decision_id);
    const p = trueRate(segmentOf(send.externalId), String(send.properties.offer), send.channel);
    if (keyedRng("simulated-customers", id).next() >= p) return [];
    return [
      {
        type: "purchase",
        at: send.at + this.delayMs,
        productId: "basket",
        price: 30,
        currency: "USD",
        properties: { kairos_decision_id: id },
      },
    ];
  }
}

/** A Liquid tag reading a trigger property (Braze's `${name}` syntax, spelled out of a template literal). */
export function liquidTag(name: string): string {
  return `{{api_trigger_properties.$\{${name}}}}`;
}

/** One API-triggered campaign per channel; the subject reads the offer's Liquid property. */
const SUBJECT = liquidTag("offer_text");
export const CAMPAIGNS: FakeCampaign[] = CHANNELS.map((channel) => ({
  id: `promo-${channel}`,
  name: `Promo (${channel})`,
  variations: [{ id: `promo-${channel}-v1`, channel, subject: SUBJECT }],
}));

/** The tests' use case: offer × channel for two segments, with the three control groups. */
export function testUseCase(overrides: Partial<UseCaseInput> = {}): UseCaseInput {
  return {
    id: "promo",
    metric: { preset: "conversionRate", settings: { window: "2d" } },
    audience: { file: "audience.jsonl" },
    outcomes: { folder: "outcomes" },
    features: [{ name: "segment", type: "categorical", categories: ["young", "old"] }],
    dimensions: { offer: [...OFFERS], channel: [...CHANNELS] },
    liquid: {
      offer: {
        none: { offer_text: "New this week" },
        "10%": { offer_text: "10% off" },
        "20%": { offer_text: "20% off" },
      },
    },
    activation: {
      dimension: "channel",
      targets: { email: { campaign: "promo-email" }, sms: { campaign: "promo-sms" } },
    },
    sendTime: { hour: 9, defaultTimeZone: "UTC" },
    groups: { random: 0.1, bau: 0.1, holdout: 0.1, bauAction: { offer: "10%", channel: "email" } },
    ...overrides,
  };
}
