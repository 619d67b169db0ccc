import { describe, expect, it } from "vitest";
import { ContextEncoder, fnv1a, ValidationError } from "../src/index.js";

const encoder = new ContextEncoder({
  features: [
    { name: "tenure", type: "numeric", standardize: { mean: 10, std: 5 } },
    { name: "spend", type: "numeric", missing: "zero" },
    { name: "plan", type: "categorical", categories: ["basic", "pro"] },
    { name: "postcode", type: "categorical", hashBuckets: 4 },
    { name: "consented", type: "boolean", missing: "false" },
  ],
});

describe("ContextEncoder", () => {
  it("lays out intercept, numerics, one-hot with unknown bucket, hashed buckets and booleans", () => {
    expect(encoder.columns).toEqual([
      "(intercept)",
      "tenure",
      "spend",
      "plan=basic",
      "plan=pro",
      "plan=(unknown)",
      "postcode#0",
      "postcode#1",
      "postcode#2",
      "postcode#3",
      "postcode=(unknown)",
      "consented",
    ]);
    const x = encoder.encode({ tenure: 20, spend: 3.5, plan: "pro", postcode: "75011", consented: true });
    const bucket = fnv1a("75011") % 4;
    const expected = [1, 2, 3.5, 0, 1, 0, 0, 0, 0, 0, 0, 1];
    expected[6 + bucket] = 1;
    expect([...x]).toEqual(expected);
  });

  it("encodes into one row of a batch's array as it does alone, leaving the other rows as they were", () => {
    const contexts = [
      { tenure: 20, spend: 3.5, plan: "pro", postcode: "75011", consented: true },
      { tenure: 10, plan: "enterprise", postcode: null },
      { tenure: 5, spend: 1, plan: "basic", postcode: 13, consented: false },
    ];
    const d = encoder.dimension;
    const batch = new Float64Array(contexts.length * d).fill(7);
    encoder.encode(contexts[1]!, batch, "contexts[1]", d);
    expect([...batch.subarray(d, 2 * d)]).toEqual([...encoder.encode(contexts[1]!)]);
    expect([...batch.subarray(0, d)].every((v) => v === 7)).toBe(true);
    expect([...batch.subarray(2 * d)].every((v) => v === 7)).toBe(true);
    for (const [i, c] of contexts.entries()) encoder.encode(c, batch, `contexts[${i}]`, i * d);
    for (const [i, c] of contexts.entries())
      expect([...batch.subarray(i * d, (i + 1) * d)]).toEqual([...encoder.encode(c)]);
    const vectors = new ContextEncoder({ vectorLength: 2 });
    const rows = new Float64Array(6).fill(7);
    vectors.encode([0.5, -1], rows, "x", 3);
    expect([...rows]).toEqual([7, 7, 7, 1, 0.5, -1]);
  });

  it("sends an unknown category to its bucket instead of throwing", () => {
    const x = encoder.encode({ tenure: 10, plan: "enterprise", postcode: null });
    expect(x[encoder.columns.indexOf("plan=(unknown)")]).toBe(1);
    expect(x[encoder.columns.indexOf("postcode=(unknown)")]).toBe(1);
    expect(x[encoder.columns.indexOf("spend")]).toBe(0);
  });

  it("rejects NaN and Infinity where the schema forbids them, naming the field", () => {
    expect(() => encoder.encode({ tenure: Number.NaN })).toThrow(/context\.tenure: missing value/);
    expect(() => encoder.encode({ tenure: 1, spend: Number.POSITIVE_INFINITY })).toThrow(
      /context\.spend: not a finite/,
    );
    expect(() => encoder.encode({ tenure: "3" })).toThrow(ValidationError);
  });

  it("checks raw vectors for length and finiteness", () => {
    const raw = new ContextEncoder({ vectorLength: 3, intercept: false });
    expect([...raw.encode([1, 2, 3])]).toEqual([1, 2, 3]);
    expect(() => raw.encode([1, 2])).toThrow(/expected a vector of length 3/);
    expect(() => raw.encode([1, Number.NaN, 3])).toThrow(/context\[1\]/);
  });

  it("rejects a bad schema with its path", () => {
    expect(() => new ContextEncoder({ features: [{ name: "x", type: "numeric", missing: "mean" }] })).toThrow(
      /contextSchema\.features\[0\]\.missing/,
    );
  });
});
