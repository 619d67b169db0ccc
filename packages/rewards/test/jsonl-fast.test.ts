import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonlEventSchema, normaliseJsonlRecord, parseJsonLines, recordOptions } from "../src/jsonl.js";
import { fastJsonlEvent } from "../src/jsonl-fast.js";
import { parseTime } from "../src/time.js";

const kinds = ["custom", "purchase", "open", "click", "conversion", "unsubscribe"];
const anything = fc.anything({ withNullPrototype: true, withBoxedValues: true, withMap: true });
const str = (...common: string[]) => fc.oneof(fc.constantFrom(...common), fc.string(), anything);
const num = fc.oneof(fc.double(), fc.integer({ min: -5, max: 150 }), anything);
const time = fc.oneof(
  fc.constantFrom(
    "2024-05-01T10:00:00Z",
    "2024-05-01T10:00:00.123Z",
    "2024-05-01T24:00:00.000Z",
    "2024-05-01T24:00:00.001Z",
    "2024-02-30T00:00:00Z",
    "2024-05-01T10:61:00Z",
    "2024-05-01T10:00:00.12Z",
    "2024-05-01T10:00:00+02:00",
    " 2024-05-01T10:00:00Z",
    "2024-05-01",
    "05/03/2024",
    "soon",
  ),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 1714568400000),
  anything,
);
const fields = {
  id: str("e1"),
  user_id: str("u1", "u2", ""),
  time,
  type: fc.oneof(fc.constantFrom(...kinds, "bogus"), anything),
  name: str("signup", ""),
  properties: fc.oneof(
    fc.dictionary(fc.string(), fc.jsonValue()),
    fc.record({ kairos_decision_id: str("d1"), d: str("d2") }, { requiredKeys: [] }),
    fc.object(),
    fc.constantFrom(
      { constructor: () => 1 },
      { constructor: function Props() {} },
      { constructor: "x", a: 1 },
      { [Symbol("s")]: 1 },
      Object.assign(Object.create(null), { a: 1 }),
      Object.defineProperty({ a: 1 }, "b", { value: 2, enumerable: false }),
      [1, 2],
      new (class Props {})(),
    ),
    anything,
  ),
  value: num,
  decision_id: str("d1", ""),
  product_id: str("p", ""),
  currency: fc.oneof(fc.constantFrom("USD", "usd", "EUR", "US", "dollars", "U$D", "ÜSD", "@SD"), anything),
  price: num,
  quantity: num,
};
const record = fc.record(fields, { requiredKeys: [] });
// Records that are mostly well-formed, so both paths are exercised on what matters.
const likely = fc.oneof(
  fc.record({
    id: fc.constantFrom("e1", "e2"),
    user_id: fc.constantFrom("u1", "u2"),
    time: fields.time,
    type: fc.constantFrom("purchase"),
    product_id: fc.constantFrom("p", "q"),
    currency: fc.constantFrom("USD", "usd", "EUR"),
    price: fc.oneof(fc.double({ noNaN: true }), fc.integer({ min: -2, max: 50 })),
    quantity: fc.oneof(fc.integer({ min: -2, max: 120 }), fc.double()),
  }),
  fc.record(
    {
      user_id: fc.constantFrom("u1", "u2"),
      time: fields.time,
      type: fc.constantFrom(...kinds),
      name: fc.constantFrom("signup", "other"),
      properties: fields.properties,
      decision_id: fc.constantFrom("d1"),
      value: fc.double(),
    },
    { requiredKeys: ["user_id", "time"] },
  ),
);
/** The same record in other clothes: through JSON, null prototype, a class, an extra or hidden key. */
const dressed = fc
  .tuple(
    fc.oneof(record, likely, likely),
    fc.constantFrom(
      "plain",
      "json",
      "null-proto",
      "class",
      "unknown-key",
      "__proto__",
      "hidden",
      "hidden-ok",
    ),
  )
  .map(([r, how]): unknown => {
    switch (how) {
      case "json": {
        const text = JSON.stringify(r);
        return text === undefined ? r : JSON.parse(text);
      }
      case "null-proto":
        return Object.assign(Object.create(null), r);
      case "class":
        return Object.assign(new (class Rec {})(), r);
      case "unknown-key":
        return { ...r, userId: "u1" };
      case "__proto__":
        return JSON.parse(
          `{"__proto__":{"a":1},${JSON.stringify({ user_id: "u1", time: 0, name: "x" }).slice(1)}`,
        );
      case "hidden":
        return Object.defineProperty({ ...r }, "value", { value: "x", enumerable: false });
      case "hidden-ok":
        return Object.defineProperty({ ...r }, "value", { value: 3, enumerable: false });
      default:
        return r;
    }
  });
const raws = fc.oneof(dressed, dressed, anything);
const options = fc.record(
  { currency: fc.constantFrom("USD", "eur"), decisionIdProperty: fc.constantFrom("kairos_decision_id", "d") },
  { requiredKeys: [] },
);

describe("the fast JSON Lines validator", () => {
  it("accepts only what the zod schema accepts, and returns what it returns", () => {
    let accepted = 0;
    fc.assert(
      fc.property(raws, (raw) => {
        const fast = fastJsonlEvent(raw);
        const slow = jsonlEventSchema.safeParse(raw);
        if (fast !== undefined) {
          accepted++;
          expect(slow.success).toBe(true);
          expect(fast).toStrictEqual(slow.data);
        }
      }),
      { numRuns: 3000 },
    );
    // The generators make about 10.7% of records acceptable (≈320 of 3,000, binomial SD ≈ 17): at least 200
    // shows the equivalence was checked on many accepted records, whatever the seed.
    expect(accepted).toBeGreaterThan(200);
  });

  it("normalises every record exactly as the zod path does (events, rejections and their messages)", () => {
    fc.assert(
      fc.property(
        raws,
        options,
        fc.oneof(fc.integer({ min: 1, max: 999 }), fc.constantFrom("", "x")),
        (raw, o, field) => {
          const opts = recordOptions(o);
          expect(normaliseJsonlRecord(raw, opts, field, true)).toStrictEqual(
            normaliseJsonlRecord(raw, opts, field, false),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("takes the fast path for well-formed lines of the usual shapes", () => {
    const lines = [
      '{"id":"j1","user_id":"user-1","time":"2024-05-01T10:00:00.123Z","type":"purchase","product_id":"sku-1","currency":"USD","price":9.5,"quantity":1}',
      '{"user_id":"u1","time":1714568400000,"name":"signup","properties":{"kairos_decision_id":"d1","plan":"gold"}}',
      '{"user_id":"u1","time":"2024-05-01","type":"click","decision_id":"d9"}',
    ];
    for (const line of lines) expect(fastJsonlEvent(JSON.parse(line))).toBeDefined();
    const r = parseJsonLines(lines);
    expect(r.rejected).toEqual([]);
    expect(r.events.map((e) => [e.kind, e.name, e.value, e.decisionId])).toEqual([
      ["purchase", "sku-1", 9.5, undefined],
      ["custom", "signup", 1, "d1"],
      ["click", "click", 1, "d9"],
    ]);
  });
});

describe("parseTime's regex-free path for yyyy-MM-ddTHH:mm:ss(.SSS)Z", () => {
  it("gives what the general path gives", () => {
    const d = (n: number) => fc.integer({ min: 0, max: 10 ** n - 1 }).map((v) => String(v).padStart(n, "0"));
    const iso = fc
      .tuple(d(4), d(2), d(2), d(2), d(2), d(2), fc.option(d(3)), fc.constantFrom("Z", "z", "T", "x"))
      .map(
        ([y, mo, day, h, mi, s, ms, z]) =>
          `${y}-${mo}-${day}${z === "T" ? " " : "T"}${h}:${mi}:${s}${ms === null ? "" : `.${ms}`}${z === "T" ? "Z" : z}`,
      );
    const valid = fc
      .tuple(
        fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(Date.UTC(9999, 11, 31)) }),
        fc.boolean(),
      )
      .map(([x, ms]) => (ms ? x.toISOString() : x.toISOString().replace(/\.\d{3}Z$/, "Z")));
    // ... and with one character replaced, so near-misses of the fast form are covered too.
    const mutated = fc
      .tuple(fc.oneof(valid, iso), fc.nat({ max: 23 }), fc.constantFrom(..."09T:Z.,-+/ x\u0660"))
      .map(([text, at, c]) => text.slice(0, at % text.length) + c + text.slice((at % text.length) + 1));
    const texts = fc.oneof(iso, valid, mutated, mutated);
    fc.assert(
      fc.property(texts, (text) => {
        // Padding makes the text miss the fast path (its length is wrong), and trim restores it.
        expect(parseTime(text)).toBe(parseTime(` ${text} `));
      }),
      { numRuns: 5000 },
    );
    expect(parseTime("2024-05-01T10:00:00.123Z")).toBe(Date.UTC(2024, 4, 1, 10, 0, 0, 123));
    expect(parseTime("2024-05-01T24:00:00.001Z")).toBeNaN();
  });
});
