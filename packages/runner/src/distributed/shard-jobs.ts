// What a worker does for one shard of a day. Both jobs may be killed at any point and run again, on another
// worker, with the same result:
// - ingest: feed the shard's joiner the day's outcome records (once: the joiner's saved cursor names the day
//   it has read), close the windows that ended, and learn the final rewards not yet in the model into a fresh
//   policy, whose statistics (a delta from the prior) the learn job merges into the model;
// - decide and activate: the shard's customers in external-id order, their stored groups (new ones drawn and
//   stored), those at the frequency cap skipped (send-history.ts), the same decisions one process makes
//   (core keys every draw by the decision id, and every worker restores the same snapshot), each page's sends
//   queued in the shard's ledger (a row per decision id: a rerun queues nothing twice), the Activator run
//   until every send is sent or failed (the ledger makes that exactly-once across kills), then every send and
//   holdout customer registered with the shard's joiner, and the shard's decisions, settled, staged in Redis
//   for the coordinator's decision log (decision-rows.ts).
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { type ActivationRequest, Activator, type BrazeClient, systemClock } from "@kairos/braze-adapter";
import { type ActionRecord, createPolicy } from "@kairos/core";
import { RewardJoiner } from "@kairos/rewards";
import type { Redis } from "ioredis";
import { Decider, EXPLAIN_SAMPLE, type SkipReason } from "../decide.js";
import { drawGroup } from "../groups.js";
import { feedbackToLearn } from "../learn.js";
import { SendRegistration } from "../register-sends.js";
import type { ActivationSettings } from "../run-day.js";
import { sendTimes } from "../send-times.js";
import type { Group, LoggedDecision } from "../state/decision-log.js";
import { RecordingLedger } from "../state/recording-ledger.js";
import type { RewardRecord } from "../state/snapshots.js";
import { sendAction, type UseCase } from "../use-case/compile.js";
import { stageDecisions } from "./decision-rows.js";
import { RedisJoinerStore } from "./joiner-store.js";
import type { UseCaseKeys } from "./keys.js";
import { policyOf, readModel } from "./model.js";
import { RedisSendLedger } from "./redis-ledger.js";
import { ShardSendHistory } from "./send-history.js";
import type { StagedDay, StoredMember } from "./stage.js";

/** What a shard job works with. */
export interface ShardContext {
  redis: Redis;
  keys: UseCaseKeys;
  useCase: UseCase;
  day: string;
  shard: number;
  staged: StagedDay;
  /** Reports how far the job got (the coordinator shows the sum over shards). */
  progress?: (done: number, total: number) => Promise<void>;
}

/** What a shard learned on a day (stored for the learn job). */
export interface ShardDelta {
  /** The shard joiner's last reward taken (acknowledged once the model holds it). */
  through: number;
  rewards: number;
  learned: number;
  events: number;
  quarantined: number;
  /** The final rewards taken (every group), for the coordinator's local reward table. */
  final: RewardRecord[];
  /** A fresh policy updated with the shard's feedback: statistics to add to the model. */
  snapshot: ReturnType<ReturnType<typeof createPolicy>["snapshot"]>;
}

/** What a shard's decide-and-activate job did. */
export interface ShardDayResult {
  audience: number;
  byGroup: Record<string, number>;
  skipped: Record<SkipReason, number>;
  queued: number;
  sent: number;
  failed: number;
  held: number;
}

/** Records read from Redis per round trip. */
const PAGE = 2_000;

/** Opens the shard's joiner, acknowledging the rewards the model already holds. */
async function openJoiner(ctx: ShardContext, learnedThrough: number) {
  const store = await RedisJoinerStore.open(ctx.redis, ctx.keys.joiner(ctx.shard));
  const joiner = RewardJoiner.open(ctx.useCase.metric, store);
  if (learnedThrough > 0) joiner.ack(learnedThrough);
  return { store, joiner };
}

/** Reads a Redis list page by page. */
async function* pages(redis: Redis, key: string): AsyncGenerator<string[]> {
  for (let from = 0; ; from += PAGE) {
    const page = await redis.lrange(key, from, from + PAGE - 1);
    if (page.length > 0) yield page;
    if (page.length < PAGE) return;
  }
}

/** The ingest job of a shard (see the file comment). */
export async function ingestShard(ctx: ShardContext): Promise<ShardDelta> {
  const { redis, keys, useCase, day, shard } = ctx;
  const existing = await redis.get(keys.delta(day, shard));
  if (existing !== null) return JSON.parse(existing) as ShardDelta;
  const model = await readModel(redis, keys, useCase);
  const inModel = model.learnedThrough[shard] ?? 0;
  const { store, joiner } = await openJoiner(ctx, inModel);
  const mark = `day:${day}`;
  let events = 0;
  if (joiner.savedCursor !== mark) {
    for await (const page of pages(redis, keys.events(day, shard))) {
      const lines: string[] = [];
      for (const record of page) {
        if (record.startsWith("L")) lines.push(record.slice(1));
        else joiner.ingestTrack(JSON.parse(record.slice(1)), ctx.staged.at);
      }
      if (lines.length > 0) joiner.ingestJsonLines(lines);
      events += page.length;
      await yieldToLoop();
    }
    joiner.advanceTo(ctx.staged.at);
    joiner.checkpoint(mark);
  }
  await store.flush();
  const batch = joiner.takeBatch();
  const fresh = batch.rewards.filter((r) => r.seq > inModel);
  const users = [...new Set(fresh.map((r) => r.userId))];
  const groups = new Map<string, Group>();
  for (let i = 0; i < users.length; i += PAGE) {
    const ids = users.slice(i, i + PAGE);
    const found = await redis.hmget(keys.groups(shard), ...ids);
    ids.forEach((id, j) => {
      if (found[j]) groups.set(id, found[j] as Group);
    });
  }
  const feedback = feedbackToLearn(useCase, fresh, (r) => groups.get(r.userId));
  const delta = createPolicy(useCase.policyConfig);
  if (feedback.length > 0) delta.update(feedback);
  const result: ShardDelta = {
    through: Math.max(inModel, batch.through),
    rewards: fresh.length,
    final: fresh.map((r) => ({
      decisionId: r.decisionId,
      seq: r.seq,
      reward: r.reward,
      countedAt: r.countedAt,
    })),
    learned: feedback.length,
    events,
    quarantined: joiner.quarantine.total,
    snapshot: delta.snapshot(),
  };
  await redis.set(keys.delta(day, shard), JSON.stringify(result));
  return result;
}

/** The decide-and-activate job of a shard (see the file comment). */
export async function decideShard(
  ctx: ShardContext,
  braze: BrazeClient,
  activation: ActivationSettings = {},
): Promise<ShardDayResult> {
  const { redis, keys, useCase, day, shard } = ctx;
  const model = await readModel(redis, keys, useCase);
  const decider = new Decider(useCase, policyOf(useCase, model.snapshot), day);
  const ledger = new RecordingLedger(new RedisSendLedger(redis, keys.ledger(shard)));
  const activator = new Activator({
    client: braze,
    ledger,
    mapping: useCase.mapping,
    clock: systemClock,
    ...activation,
  });
  const due = sendTimes(useCase, ctx.staged.at);
  const properties = new Map<number, ActionRecord>();
  const total = await redis.llen(keys.audience(day, shard));
  const out: ShardDayResult = {
    audience: total,
    byGroup: {},
    skipped: { frequency_cap: 0, no_eligible_action: 0, bad_attributes: 0 },
    queued: 0,
    sent: 0,
    failed: 0,
    held: 0,
  };
  const decided: LoggedDecision[] = [];
  const cap = useCase.file.frequencyCap;
  const history = cap && new ShardSendHistory(redis, keys.sendDays(shard), cap, day);
  let seen = 0;
  let explained = 0;
  for await (const page of pages(redis, keys.audience(day, shard))) {
    const members = page.map((raw) => JSON.parse(raw) as StoredMember);
    const stored = await redis.hmget(keys.groups(shard), ...members.map((m) => m[0]));
    await history?.read(members.map((m) => m[0]));
    const fresh: string[] = [];
    const requests: ActivationRequest[] = [];
    members.forEach(([externalId, timeZone, attrs], i) => {
      let group = stored[i] as Group | null;
      if (!group) {
        group = drawGroup(useCase, externalId);
        fresh.push(externalId, group);
      }
      if (group !== "holdout" && history?.capped(externalId)) {
        out.skipped.frequency_cap++;
        return;
      }
      // The report's explained sample: shard 0's first Kairos customers (one process: the day's first).
      const explain = shard === 0 && group === "kairos" && explained < EXPLAIN_SAMPLE;
      if (explain) explained++;
      const r = decider.decide({ externalId, timeZone, attrs, group, explain });
      if ("skip" in r) {
        out.skipped[r.skip]++;
        return;
      }
      out.byGroup[r.group] = (out.byGroup[r.group] ?? 0) + 1;
      decided.push(r);
      if (r.group === "holdout" || r.action === null) return;
      let action = r.actionIndex === null ? undefined : properties.get(r.actionIndex);
      if (!action) {
        action = sendAction(useCase, r.action);
        if (r.actionIndex !== null) properties.set(r.actionIndex, action);
      }
      requests.push({
        decision: {
          decisionId: r.decisionId,
          action,
          actionIndex: r.actionIndex ?? undefined,
          propensity: r.propensity ?? undefined,
          policyVersion: r.policyVersion ?? undefined,
        },
        recipient: { externalId },
        dueAt: due(r.action, timeZone),
      });
    });
    // Groups are stored before the page's sends are queued: a rerun finds the groups its sends were made for.
    if (fresh.length > 0) await redis.hset(keys.groups(shard), ...fresh);
    if (requests.length > 0) await activator.enqueue(requests);
    out.queued += requests.length;
    seen += members.length;
    await ctx.progress?.(seen, total * 2);
  }

  let settled = 0;
  const run = activator.run();
  const ticker = setInterval(() => void ctx.progress?.(total + Math.min(total, settled), total * 2), 500);
  const tally = setInterval(() => (settled = ledger.ends.size), 100);
  try {
    await run;
  } finally {
    clearInterval(ticker);
    clearInterval(tally);
  }

  // Register: every send as the ledger settled it, the holdout at the shard's median send.
  const { store, joiner } = await openJoiner(ctx, model.learnedThrough[shard] ?? 0);
  const registration = new SendRegistration<LoggedDecision>(joiner, (d) => d.context);
  for (const d of decided) {
    if (d.group === "holdout") continue;
    const end = ledger.ends.get(d.decisionId) ?? (await ledger.get(d.decisionId));
    const settled = registration.send(d, end, ctx.staged.at);
    if (settled) [d.status, d.sentAt] = [settled.status, settled.sentAt];
  }
  const holdoutAt = registration.holdoutAt(ctx.staged.at);
  for (const d of decided)
    if (d.group === "holdout") {
      registration.hold(d, holdoutAt);
      d.sentAt = holdoutAt;
    }
  out.sent = registration.sent;
  out.failed = registration.failed;
  out.held = registration.held;
  joiner.checkpoint();
  await store.flush();
  await history?.record(
    decided.filter((d) => d.group !== "holdout" && d.status !== "failed").map((d) => d.externalId),
  );
  await stageDecisions(redis, keys.decisions(day, shard), decided);
  await ctx.progress?.(total * 2, total * 2);
  return out;
}
