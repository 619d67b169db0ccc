import { createRng, type Rng } from "@kairos/core";
import type { FaultOptions } from "./types.js";

/** What to do to one request. */
export type Fault = "none" | "429" | "500" | "drop_before" | "drop_after" | "slow" | "slow_body";

/** Draws faults in request-arrival order from a seeded generator (reproducible for a given arrival order). */
export class FaultInjector {
  private readonly rng: Rng;
  readonly counts: Record<Fault, number> = {
    none: 0,
    "429": 0,
    "500": 0,
    drop_before: 0,
    drop_after: 0,
    slow: 0,
    slow_body: 0,
  };

  constructor(private options: FaultOptions = {}) {
    this.rng = createRng(options.seed ?? "faults");
  }

  /** Replaces the fault shares (e.g. to stop injecting faults mid-test). */
  configure(options: FaultOptions): void {
    this.options = { ...this.options, ...options };
  }

  /** The fault for the next request on `path`; an `optIn` path gets faults only when `paths` lists it. */
  draw(path: string, optIn = false): Fault {
    const o = this.options;
    if (o.paths ? !o.paths.includes(path) : optIn) return "none";
    const u = this.rng.next();
    const r429 = o.rate429 ?? 0;
    const r500 = o.rate500 ?? 0;
    const drop = o.dropRate ?? 0;
    const slow = o.slowRate ?? 0;
    const slowBody = o.slowBodyRate ?? 0;
    let f: Fault = "none";
    if (u < r429) f = "429";
    else if (u < r429 + r500) f = "500";
    else if (u < r429 + r500 + drop)
      f = this.rng.next() < (o.dropAfterProcessingShare ?? 0.5) ? "drop_after" : "drop_before";
    else if (u < r429 + r500 + drop + slow) f = "slow";
    else if (u < r429 + r500 + drop + slow + slowBody) f = "slow_body";
    this.counts[f]++;
    return f;
  }

  /** Delay of a slow response (before its headers), or stall of a slow body (after its headers). */
  get slowMs(): number {
    return this.options.slowMs ?? 200;
  }
}
