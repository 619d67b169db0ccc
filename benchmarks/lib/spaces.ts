// Action spaces and context dimensions the benchmark runs over.
import type { OptionValue } from "../../packages/core/src/index.js";

/** One benchmarked action space, declared as createPolicy takes it. */
export interface SpaceSpec {
  id: string;
  label: string;
  dimensions: Record<string, OptionValue[]>;
}

/** Option lists named `${prefix}0`, `${prefix}1`, … */
export function options(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}`);
}

/** A space from option counts, dimensions named dim0, dim1, … */
export function spaceOfCounts(id: string, counts: readonly number[]): SpaceSpec {
  const dimensions: Record<string, OptionValue[]> = {};
  counts.forEach((n, k) => {
    dimensions[`dim${k}`] = options(`d${k}o`, n);
  });
  return { id, label: `${counts.join("×")}`, dimensions };
}

export function sumOf(space: SpaceSpec): number {
  return Object.values(space.dimensions).reduce((s, o) => s + o.length, 0);
}

export function productOf(space: SpaceSpec): number {
  return Object.values(space.dimensions).reduce((s, o) => s * o.length, 1);
}

/** The three spaces of the issue: 10 arms, 576 combinations, 120,960 combinations (6 dimensions). */
export const FULL_SPACES: SpaceSpec[] = [
  { id: "arms-10", label: "10 arms (1 dimension)", dimensions: { offer: options("offer", 10) } },
  {
    id: "combos-576",
    label: "576 combinations (offer 4 × channel 3 × hour 6 × day 8)",
    dimensions: {
      offer: ["none", "5%", "10%", "free-shipping"],
      channel: ["email", "sms", "push"],
      hour: [8, 10, 12, 14, 18, 20],
      day: ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "any"],
    },
  },
  {
    id: "combos-120960",
    label: "120,960 combinations (offer 8 × channel 7 × hour 6 × day 6 × creative 5 × subject 12)",
    dimensions: {
      offer: options("offer", 8),
      channel: options("channel", 7),
      hour: [6, 8, 10, 12, 18, 20],
      day: options("day", 6),
      creative: options("creative", 5),
      subject: options("subject", 12),
    },
  },
];

export const FULL_DIMENSIONS = [8, 32, 128];

/**
 * Spaces for the memory-scaling table: six dimensions each, grouped by the same sum of options while the
 * product (number of combinations) differs by up to five orders of magnitude.
 */
export const FULL_MEMORY_SPACES: SpaceSpec[] = [
  spaceOfCounts("sum24-p19", [1, 1, 1, 1, 1, 19]),
  spaceOfCounts("sum24-p4096", [4, 4, 4, 4, 4, 4]),
  spaceOfCounts("sum48-p43", [1, 1, 1, 1, 1, 43]),
  spaceOfCounts("sum48-p1216", [2, 2, 2, 2, 2, 38]),
  spaceOfCounts("sum48-p8019", [3, 3, 3, 3, 3, 33]),
  spaceOfCounts("sum48-p262144", [8, 8, 8, 8, 8, 8]),
  spaceOfCounts("sum96-p91", [1, 1, 1, 1, 1, 91]),
  spaceOfCounts("sum96-p16777216", [16, 16, 16, 16, 16, 16]),
];

/** Tiny sizes for the smoke run (`--quick` and the test). */
export const QUICK_SPACES: SpaceSpec[] = [
  { id: "arms-4", label: "4 arms", dimensions: { offer: options("offer", 4) } },
  spaceOfCounts("combos-12", [2, 3, 2]),
  // 2^17 = 131,072 > the joint limit, so the n/a path is exercised too; the sum of options is only 34.
  spaceOfCounts(
    "combos-131072",
    Array.from({ length: 17 }, () => 2),
  ),
];

export const QUICK_DIMENSIONS = [4];

export const QUICK_MEMORY_SPACES: SpaceSpec[] = [
  spaceOfCounts("sum18-p13", [1, 1, 1, 1, 1, 13]),
  spaceOfCounts("sum18-p729", [3, 3, 3, 3, 3, 3]),
];
