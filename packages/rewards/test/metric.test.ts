import { ValidationError } from "@kairos/core";
import { describe, expect, it } from "vitest";
import { annuityFactor, defineMetric } from "../src/metric.js";
import { presets } from "../src/presets.js";

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).field;
  }
  throw new Error("did not throw");
}

const revenueComp = { name: "revenue", counts: { type: "purchase" }, aggregate: "sum" } as const;
const discount = {
  name: "discount_cost",
  counts: { type: "event", name: "coupon_redeemed" },
  aggregate: "sum",
  value: { property: "amount" },
} as const;
const unsub = { name: "unsubscribed", counts: { type: "unsubscribe" }, aggregate: "first" } as const;

describe("defineMetric", () => {
  it("reports a bad field with its path", () => {
    expect(fieldOf(() => defineMetric({ name: "m", window: "7 days", components: [revenueComp] }))).toBe(
      "metric.window",
    );
    expect(
      fieldOf(() =>
        defineMetric({
          name: "m",
          window: "7d",
          components: [{ ...revenueComp, counts: { type: "purchase", minPrice: "x" } }],
        }),
      ),
    ).toBe("metric.components[0].counts.minPrice");
    expect(
      fieldOf(() =>
        defineMetric({ name: "m", window: "7d", components: [{ ...revenueComp, aggregate: "cappedSum" }] }),
      ),
    ).toBe("metric.components[0].cap");
    expect(
      fieldOf(() =>
        defineMetric({
          name: "m",
          window: "7d",
          components: [revenueComp, revenueComp],
          objective: "revenue",
        }),
      ),
    ).toBe("metric.components[1].name");
    expect(fieldOf(() => defineMetric({ name: "m", window: "7d", components: [revenueComp, unsub] }))).toBe(
      "metric.objective",
    );
  });

  it("compiles a composite objective and scores it", () => {
    const m = defineMetric({
      name: "net",
      window: "7d",
      components: [revenueComp, discount, unsub],
      objective: "revenue - 0.3 * discount_cost - 5 * unsubscribed",
    });
    expect([...(m.objective?.uses ?? [])].sort()).toEqual(["discount_cost", "revenue", "unsubscribed"]);
    expect(m.score(new Float64Array([100, 10, 1]), 0)).toBeCloseTo(92);
    expect(m.binary).toBe(false);
    expect(m.canFinishEarly).toBe(false);
  });

  it("fails at definition time on an unknown name, a non-numeric result or a forbidden construct", () => {
    const base = { name: "m", window: "7d", components: [revenueComp, discount] };
    expect(fieldOf(() => defineMetric({ ...base, objective: "revenue - disount_cost" }))).toBe(
      "metric.objective",
    );
    expect(() => defineMetric({ ...base, objective: "revenue - disount_cost" })).toThrow(
      /unknown name "disount_cost"/,
    );
    expect(() => defineMetric({ ...base, objective: "revenue > discount_cost" })).toThrow(/number/);
    expect(() => defineMetric({ ...base, objective: "[revenue, discount_cost]" })).toThrow(/not allowed/);
    expect(() => defineMetric({ ...base, objective: "x = revenue" })).toThrow(/not allowed/);
    expect(() => defineMetric({ ...base, objective: "evaluate(revenue)" })).toThrow(/unknown function/);
    expect(() => defineMetric({ ...base, objective: "sqrt(revenue - 5)" })).toThrow(/number/);
    expect(() => defineMetric({ ...base, objective: "revenue +" })).toThrow(/parse/);
    expect(
      defineMetric({ ...base, objective: "max(revenue - discount_cost, 0) + pi * 0" }).objective,
    ).toBeDefined();
  });

  it("matches events by kind, name, product, price and property filters", () => {
    const m = defineMetric({
      name: "m",
      window: "7d",
      components: [
        {
          name: "big",
          counts: { type: "purchase", products: ["p1"], minPrice: 10, where: { plan: { in: ["gold"] } } },
          aggregate: "sum",
        },
      ],
    });
    const c = m.components[0];
    const purchase = (productId: string, price: number, plan: string) => ({
      userId: "u",
      time: 0,
      kind: "purchase" as const,
      name: productId,
      properties: { plan },
      value: price * 2,
      purchase: { productId, price, quantity: 2, currency: "USD" },
    });
    expect(c.contribution(purchase("p1", 12, "gold"))).toBe(24);
    expect(c.contribution(purchase("p2", 12, "gold"))).toBeNaN();
    expect(c.contribution(purchase("p1", 9, "gold"))).toBeNaN();
    expect(c.contribution(purchase("p1", 12, "free"))).toBeNaN();
    expect(
      c.contribution({
        userId: "u",
        time: 0,
        kind: "custom",
        name: "p1",
        properties: { plan: "gold" },
        value: 1,
      }),
    ).toBeNaN();
  });
});

describe("presets", () => {
  it("all define valid metrics", () => {
    for (const [name, make] of Object.entries(presets)) expect(defineMetric(make()).name, name).toBeTruthy();
    expect(defineMetric(presets.arpu({ revenueEvents: ["subscription_payment"] })).components).toHaveLength(
      2,
    );
    for (const weighting of ["binary", "contract_length", "npv"] as const)
      expect(defineMetric(presets.renewal({ weighting }))).toBeTruthy();
  });

  it("renewal NPV weights a contract by its discounted payment stream", () => {
    expect(annuityFactor(12, 0)).toBe(12);
    expect(annuityFactor(12, 0.12)).toBeCloseTo(11.3676, 3);
    const m = defineMetric(presets.renewal({ annualRate: 0.12 }));
    const v = m.components[0].contribution({
      userId: "u",
      time: 0,
      kind: "custom",
      name: "subscription_renewed",
      properties: { contract_months: 12, monthly_amount: 10 },
      value: 1,
    });
    expect(v).toBeCloseTo(113.676, 2);
  });

  it("repeat purchase is 1 only from the n-th purchase on", () => {
    const m = defineMetric(presets.repeatPurchase({ minPurchases: 2 }));
    expect(m.score(new Float64Array([1]), 0)).toBe(0);
    expect(m.score(new Float64Array([2]), 0)).toBe(1);
    expect(m.canFinishEarly).toBe(true);
  });
});
