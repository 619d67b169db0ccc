// A dry run: what `kairos day` would decide and send today with the current model, without writing any
// state or sending anything (reads only: the audience, the saved model, stored group assignments).
import { type BrazeClient, planFor } from "@kairos/braze-adapter";
import { readAudience } from "./audience.js";
import { decideDay, type SkipReason } from "./decide.js";
import { assignGroups } from "./groups.js";
import { loadPolicy } from "./policy-state.js";
import { sendTimes } from "./send-times.js";
import type { RunnerState } from "./state/open-state.js";
import { sendAction, type UseCase } from "./use-case/compile.js";

/** The plan of a day. */
export interface DayPlan {
  day: string;
  audience: number;
  byGroup: Record<string, number>;
  skipped: Record<SkipReason, number>;
  /** Sends per Braze target (`campaign:<id>`, `canvas:<id>`). */
  byTarget: Record<string, number>;
  /** Sends per dimension and option. */
  byOption: Record<string, Record<string, number>>;
  /** Sends per UTC hour they are due. */
  byUtcHour: Record<string, number>;
  /** The first few sends: recipient, group, trigger properties, due time. */
  sample: {
    externalId: string;
    group: string;
    target: string;
    properties: Record<string, unknown>;
    dueAt: string;
  }[];
}

/** Decides today's audience in memory and summarises what would be sent. */
export async function planDay(
  useCase: UseCase,
  state: RunnerState,
  braze: BrazeClient | undefined,
  day: string,
  now: number,
  audienceFile?: string,
): Promise<DayPlan> {
  const { members } = await readAudience(useCase, braze, audienceFile);
  const policy = loadPolicy(useCase, state.snapshots, now, false);
  const groups = assignGroups(
    state,
    useCase,
    members.map((m) => m.externalId),
    day,
    false,
  );
  const decided = decideDay(useCase, policy, members, groups, new Set(), day);
  const plan: DayPlan = {
    day,
    audience: members.length,
    byGroup: {},
    skipped: decided.skipped,
    byTarget: {},
    byOption: {},
    byUtcHour: {},
    sample: [],
  };
  const dueAt = sendTimes(useCase, now);
  for (const d of decided.rows) {
    plan.byGroup[d.group] = (plan.byGroup[d.group] ?? 0) + 1;
    if (!d.action) continue;
    const action = sendAction(useCase, d.action);
    const { plan: send, targetKey } = planFor(useCase.mapping, d.decisionId, action);
    const due = dueAt(d.action, d.timeZone);
    plan.byTarget[targetKey] = (plan.byTarget[targetKey] ?? 0) + 1;
    for (const [dim, option] of Object.entries(d.action)) {
      plan.byOption[dim] ??= {};
      plan.byOption[dim][String(option)] = (plan.byOption[dim][String(option)] ?? 0) + 1;
    }
    const h = new Date(due).toISOString().slice(11, 13);
    plan.byUtcHour[h] = (plan.byUtcHour[h] ?? 0) + 1;
    if (plan.sample.length < 5)
      plan.sample.push({
        externalId: d.externalId,
        group: d.group,
        target: targetKey,
        properties: "properties" in send ? send.properties : {},
        dueAt: new Date(due).toISOString(),
      });
  }
  return plan;
}
