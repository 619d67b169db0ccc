// @kairos/runner: the daily production cycle of Kairos, as functions (everything the `kairos` command does).

export { type AudienceMember, type AudienceRead, readAudience, readAudienceFile } from "./audience.js";
export { main as runCli, USAGE } from "./cli/main.js";
export { type BrazeCredentials, brazeCredentials } from "./credentials.js";
export { pullDataSeries, type SeriesPull } from "./data-series/pull.js";
export {
  type BrazeComparison,
  brazeComparison,
  type Compared,
  type ComparisonRow,
} from "./data-series/reconciliation.js";
export { SeriesStore } from "./data-series/store.js";
export { type SeriesTarget, seriesTargets } from "./data-series/targets.js";
export { addDays, dayOf } from "./days.js";
export {
  type DayDecisions,
  Decider,
  decideDay,
  decisionIdOf,
  groupPolicies,
  type MemberToDecide,
  policyFromSnapshot,
  type SkipReason,
} from "./decide.js";
export { type DecideStepOptions, type DecideStepResult, decideAndLog } from "./decide-step.js";
export {
  type DistributedDayOptions,
  type DistributedDayResult,
  runDistributedDay,
} from "./distributed/coordinator.js";
export type { DistributedDaySummary, LearnedDay } from "./distributed/day-jobs.js";
export { shardOf, UseCaseKeys } from "./distributed/keys.js";
export { DEFAULT_PREFIX } from "./distributed/queue.js";
export { RedisSendLedger } from "./distributed/redis-ledger.js";
export { bucketKey, RedisBucketLimiter } from "./distributed/redis-limiter.js";
export type { ShardDayResult } from "./distributed/shard-jobs.js";
export { type RunningWorker, startWorker, type WorkerOptions } from "./distributed/worker.js";
export { type DoctorCheck, doctor, liquidProperties } from "./doctor.js";
export { eligibilityFor } from "./eligibility.js";
export { type ExportLogOptions, type ExportLogSummary, exportDecisionLog } from "./export-log.js";
export { assignGroups, drawGroup, groupOf } from "./groups.js";
export { type LearnResult, learn } from "./learn.js";
export { formatCursor, ingestOutcomes, type OutcomeCursor, parseCursor } from "./outcomes.js";
export { type DayPlan, planDay } from "./plan.js";
export { loadPolicy } from "./policy-state.js";
export type { Progress, ProgressListener } from "./progress.js";
export { renderReport } from "./report/html.js";
export { type ReportData, reportData } from "./report/report-data.js";
export { differenceEstimate, type Estimate, meanEstimate } from "./report/stats.js";
export { rollback } from "./rollback.js";
export {
  type ActivationSettings,
  type DayResult,
  queueSends,
  type RunDayOptions,
  runDay,
  storeAudience,
} from "./run-day.js";
export { startSendPlan } from "./send-plan-thread.js";
export { type SendPlan, sendPlanner } from "./send-planner.js";
export { sendTimes, validZone } from "./send-times.js";
export { type RunningService, requestHandler, startDecisionService } from "./service/http.js";
export {
  type DecideRequest,
  decideRequestSchema,
  type FeedbackRequest,
  feedbackRequestSchema,
} from "./service/schemas.js";
export {
  type DecideResponse,
  DecisionService,
  type DecisionServiceOptions,
  type FeedbackOutcome,
  type FeedbackResponse,
  ServiceError,
} from "./service/service.js";
export { type Cycle, type CycleSummary, STEPS, type Step } from "./state/cycles.js";
export type { DecisionStatus, Group, LoggedDecision } from "./state/decision-log.js";
export { type OpenStateOptions, openState, type RunnerState } from "./state/open-state.js";
export type { RewardRecord, SnapshotRecord } from "./state/snapshots.js";
export { statusText } from "./status.js";
export { compileUseCase, sendAction, type UseCase } from "./use-case/compile.js";
export { useCaseJsonSchema } from "./use-case/json-schema.js";
export { loadUseCase, parseJson } from "./use-case/load.js";
export {
  NON_PII_EXPORT_FIELDS,
  type UseCaseFile,
  type UseCaseInput,
  useCaseSchema,
} from "./use-case/schema.js";
