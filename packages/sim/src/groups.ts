import type { Scenario } from "./scenario/schema.js";
import { hashString, keyedStream } from "./streams.js";

/** The experiment groups customers are randomised into. */
export const GROUPS = ["kairos", "random", "bau", "holdout"] as const;
/** Name of one experiment group. */
export type GroupName = (typeof GROUPS)[number];

/** Customers of each group (indices into the population), randomised once per replication. */
export type GroupAssignment = Record<GroupName, Int32Array>;

/**
 * Randomises every customer into exactly one group with the scenario's shares. Each customer's draw is
 * keyed by the seed and their index, so the split does not depend on population order or size changes.
 */
export function assignGroups(scenario: Scenario, size: number, seed: string | number): GroupAssignment {
  const shares = scenario.groups;
  const key = hashString(`${seed}\u0000groups`);
  const lists: Record<GroupName, number[]> = { kairos: [], random: [], bau: [], holdout: [] };
  for (let i = 0; i < size; i++) {
    let u = keyedStream(key, i).next();
    let group: GroupName = "kairos";
    for (const g of GROUPS) {
      if (u < shares[g]) {
        group = g;
        break;
      }
      u -= shares[g];
    }
    lists[group].push(i);
  }
  return {
    kairos: Int32Array.from(lists.kairos),
    random: Int32Array.from(lists.random),
    bau: Int32Array.from(lists.bau),
    holdout: Int32Array.from(lists.holdout),
  };
}
