import { describe, expect, it } from "vitest";
import { normaliseTrack } from "../src/braze-track.js";
import { parseJsonLines } from "../src/jsonl.js";

describe("normaliseTrack", () => {
  it("normalises events, purchases (revenue = price × quantity) and unsubscribes", () => {
    const r = normaliseTrack(
      {
        attributes: [
          { external_id: "u1", email_subscribe: "unsubscribed" },
          { external_id: "u2", first_name: "Jon" },
        ],
        events: [
          {
            external_id: "u1",
            name: "signup",
            time: "2024-05-01T14:00:00+01:00",
            properties: { kairos_decision_id: "d1" },
          },
          { user_alias: { alias_name: "a", alias_label: "l" }, name: "x", time: "2024-05-01" },
        ],
        purchases: [
          {
            external_id: "u1",
            product_id: "p",
            currency: "usd",
            price: 2.5,
            quantity: 4,
            time: "2024-05-01T13:00:00Z",
          },
        ],
      },
      { receivedAt: 42 },
    );
    expect(r.rejected).toEqual([]);
    expect(r.ignored).toBe(1);
    expect(r.events).toHaveLength(4);
    const [signup, alias, purchase, unsub] = r.events;
    expect(signup).toMatchObject({
      userId: "u1",
      time: Date.UTC(2024, 4, 1, 13),
      kind: "custom",
      decisionId: "d1",
    });
    expect(alias.userId).toBe("alias:l:a");
    expect(purchase).toMatchObject({
      kind: "purchase",
      name: "p",
      value: 10,
      purchase: { currency: "USD", quantity: 4 },
    });
    expect(unsub).toMatchObject({ kind: "unsubscribe", time: 42, properties: { channel: "email" } });
    expect(r.sources).toHaveLength(4);
  });

  it("rejects each bad object with its reason and path, keeping the good ones", () => {
    const r = normaliseTrack({
      events: [
        { external_id: "u1", name: "a", time: "not a time" },
        { name: "a", time: "2024-05-01" },
        { external_id: "u1", time: "2024-05-01" },
      ],
      purchases: [
        { external_id: "u1", product_id: "p", currency: "USD", price: 1, quantity: -2, time: "2024-05-01" },
        { external_id: "u1", product_id: "p", currency: "EUR", price: 1, time: "2024-05-01" },
        { external_id: "u1", product_id: "p", currency: "USD", price: -1, time: "2024-05-01" },
        { external_id: "u1", product_id: "p", currency: "USD", price: 1, time: "2024-05-01" },
      ],
    });
    expect(r.rejected.map((x) => x.reason)).toEqual([
      "bad_time",
      "malformed",
      "malformed",
      "negative_quantity",
      "currency_mismatch",
      "negative_price",
    ]);
    expect(r.rejected[2].detail).toContain("events[2].name");
    expect(r.rejected[3].payload).toMatchObject({ quantity: -2 });
    expect(r.events).toHaveLength(1);
    expect(normaliseTrack("nope").rejected[0].reason).toBe("malformed");
  });
});

describe("parseJsonLines", () => {
  it("parses the documented format and rejects bad lines with their line number", () => {
    const text = [
      '{"id":"e1","user_id":"u1","time":"2024-05-01T13:00:00Z","name":"signup","properties":{"plan":"gold"}}',
      '{"user_id":"u1","time":1714568400000,"type":"purchase","product_id":"p","currency":"USD","price":3,"quantity":2}',
      '{"user_id":"u1","time":"2024-05-01","type":"click","decision_id":"d9"}',
      "",
      "{oops",
      '{"user_id":"u1","time":"2024-05-01","type":"purchase","product_id":"p","price":3}',
      '{"userId":"u1","time":"2024-05-01","name":"x"}',
    ].join("\n");
    const r = parseJsonLines(text);
    expect(r.events.map((e) => [e.kind, e.name, e.value])).toEqual([
      ["custom", "signup", 1],
      ["purchase", "p", 6],
      ["click", "click", 1],
    ]);
    expect(r.events[0].id).toBe("e1");
    expect(r.events[2].decisionId).toBe("d9");
    expect(r.rejected.map((x) => x.detail)).toEqual([
      "line 5: not valid JSON",
      "line 6.currency: required for a purchase",
      expect.stringContaining("line 7"),
    ]);
  });
});
