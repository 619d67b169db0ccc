import type { ActionSpace, ContextSchemaConfig } from "@kairos/core";
import { assignGroups, type GroupAssignment } from "./groups.js";
import { contextSchemaOf, generatePopulation, type Population } from "./population.js";
import { ResponseModel } from "./response.js";
import { actionSpaceOf } from "./scenario/load.js";
import type { Scenario } from "./scenario/schema.js";

/** One replication's world: customers, their groups, and the true response model. */
export interface World {
  scenario: Scenario;
  seed: string;
  space: ActionSpace;
  population: Population;
  groups: GroupAssignment;
  model: ResponseModel;
  context: ContextSchemaConfig;
}

/** Builds the world of one replication; deterministic in (scenario, seed, size). */
export function buildWorld(scenario: Scenario, seed: string, size?: number): World {
  const space = actionSpaceOf(scenario);
  const population = generatePopulation(scenario, seed, size);
  return {
    scenario,
    seed,
    space,
    population,
    groups: assignGroups(scenario, population.size, seed),
    model: new ResponseModel(scenario, space, population),
    context: contextSchemaOf(scenario, population),
  };
}
