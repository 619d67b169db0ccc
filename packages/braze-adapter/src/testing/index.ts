// Public entry of `@kairos/braze-adapter/testing`: the fake Braze and its audience-response interface.
export { type Fault, FaultInjector } from "./faults.js";
export { renderLiquid } from "./liquid.js";
export { ServerBuckets } from "./rate-buckets.js";
export { FakeBraze, type FakeRequestRecord, startFakeBraze } from "./server.js";
export { type FakeStore, type FakeTemplate, type FakeUser, toTrackBody } from "./store.js";
export type {
  AudienceEvent,
  AudienceResponder,
  EventRecord,
  FakeBrazeOptions,
  FakeCampaign,
  FakeCanvas,
  FakeMessage,
  FakeSegment,
  FaultOptions,
  RecordedSend,
} from "./types.js";
