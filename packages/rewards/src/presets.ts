// Ready-made metric definitions for the seed use cases. Each returns a definition (plain data) that can
// be tweaked before `defineMetric`; all windows default to 7 days.
import type { MetricDefinitionInput } from "./metric.js";

type Window = { window?: string | number; countBy?: "event_time" | "send_time"; currency?: string };

function common(name: string, o: Window) {
  return {
    name,
    window: o.window ?? "7d",
    countBy: o.countBy ?? "event_time",
    ...(o.currency ? { currency: o.currency } : {}),
  };
}

/** Conversion rate: 1 if the user converts (a named custom event, or any purchase) in the window, else 0. */
export function conversionRate(o: Window & { event?: string } = {}): MetricDefinitionInput {
  return {
    ...common("conversion_rate", o),
    components: [
      {
        name: "converted",
        counts: o.event ? { type: "event", name: o.event } : { type: "purchase" },
        aggregate: "first",
      },
    ],
  };
}

/** Revenue: the sum of price × quantity of purchases in the window (optionally only some products). */
export function revenue(o: Window & { products?: string[] } = {}): MetricDefinitionInput {
  return {
    ...common("revenue", o),
    components: [
      {
        name: "revenue",
        counts: { type: "purchase", ...(o.products ? { products: o.products } : {}) },
        aggregate: "sum",
      },
    ],
  };
}

/**
 * ARPU: revenue per targeted user, purchases plus custom revenue events (e.g. subscription payments,
 * valued by a numeric property), capped per user so one outlier does not dominate the arm's mean.
 */
export function arpu(
  o: Window & { cap?: number; revenueEvents?: string[]; amountProperty?: string } = {},
): MetricDefinitionInput {
  const components: MetricDefinitionInput["components"] = [
    { name: "purchases", counts: { type: "purchase" }, aggregate: "cappedSum", cap: o.cap ?? 1000 },
  ];
  if (o.revenueEvents?.length)
    components.push({
      name: "payments",
      counts: { type: "event", name: o.revenueEvents },
      aggregate: "cappedSum",
      cap: o.cap ?? 1000,
      value: { property: o.amountProperty ?? "amount" },
    });
  return {
    ...common("arpu", o),
    components,
    ...(components.length > 1 ? { objective: `min(purchases + payments, ${o.cap ?? 1000})` } : {}),
  };
}

/**
 * Renewal: a renewal event in the window, weighted as a plain 0/1, by contract length (months), or by the
 * net present value of the contract (monthly amount × annuity factor at an annual discount rate).
 */
export function renewal(
  o: Window & {
    event?: string;
    weighting?: "binary" | "contract_length" | "npv";
    monthsProperty?: string;
    monthlyAmountProperty?: string;
    annualRate?: number;
  } = {},
): MetricDefinitionInput {
  const event = o.event ?? "subscription_renewed";
  const months = o.monthsProperty ?? "contract_months";
  const weighting = o.weighting ?? "npv";
  const counts = { type: "event" as const, name: event };
  if (weighting === "binary")
    return { ...common("renewal", o), components: [{ name: "renewed", counts, aggregate: "first" }] };
  if (weighting === "contract_length")
    return {
      ...common("renewal_months", o),
      components: [{ name: "months", counts, aggregate: "sum", value: { months } }],
    };
  return {
    ...common("renewal_npv", o),
    components: [
      {
        name: "npv",
        counts,
        aggregate: "sum",
        value: {
          npv: {
            monthsProperty: months,
            amountProperty: o.monthlyAmountProperty ?? "monthly_amount",
            annualRate: o.annualRate ?? 0.1,
          },
        },
      },
    ],
  };
}

/** Repeat purchase: 1 when the (previous) buyer makes at least `minPurchases` purchases in the window. */
export function repeatPurchase(o: Window & { minPurchases?: number } = {}): MetricDefinitionInput {
  const n = o.minPurchases ?? 1;
  return {
    ...common("repeat_purchase", o),
    components: [
      {
        name: "purchases",
        counts: { type: "purchase" },
        aggregate: "cappedSum",
        cap: n,
        value: { constant: 1 },
      },
    ],
    objective: `purchases >= ${n} ? 1 : 0`,
  };
}

/** Reactivation: 1 when a lapsed user comes back (any of the activity events, or a purchase) in the window. */
export function reactivation(o: Window & { events?: string[] } = {}): MetricDefinitionInput {
  return {
    ...common("reactivation", o),
    window: o.window ?? "14d",
    components: [
      {
        name: "reactivated",
        counts: [{ type: "event", name: o.events ?? ["session_start", "login"] }, { type: "purchase" }],
        aggregate: "first",
      },
    ],
  };
}

/** Referral sign-up: the number of referred sign-ups in the window (capped), each a sign-up event with a referrer. */
export function referralSignup(
  o: Window & { event?: string; referrerProperty?: string; cap?: number } = {},
): MetricDefinitionInput {
  return {
    ...common("referral_signup", o),
    window: o.window ?? "30d",
    components: [
      {
        name: "referrals",
        counts: {
          type: "event",
          name: o.event ?? "referral_signup",
          where: { [o.referrerProperty ?? "referrer_id"]: { exists: true } },
        },
        aggregate: "cappedSum",
        cap: o.cap ?? 10,
        value: { constant: 1 },
      },
    ],
  };
}

/** The ready-made definitions by name. */
export const presets = {
  conversionRate,
  revenue,
  arpu,
  renewal,
  repeatPurchase,
  reactivation,
  referralSignup,
};
