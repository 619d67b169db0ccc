// Decisions on worker threads: each worker restores the policy from the same snapshot and decides the pages
// it is sent; a page goes to the least busy worker and comes back as decision-log rows (JSON already
// written), so this thread only writes them.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { ActionSpace, type PolicySnapshot } from "@kairos/core";
import type { Decider, DecideSpec, SkipReason } from "./decide.js";
import { drawGroup } from "./groups.js";
import { type DecisionRow, decisionRow, type Group } from "./state/decision-log.js";
import type { UseCase } from "./use-case/compile.js";
import { workerEntry } from "./worker-entry.js";

/**
 * One customer of a page: external id, time zone, attributes (JSON), their stored group (null: new, drawn
 * where the page is decided), and their messages in the frequency cap's window.
 */
export type ChunkItem = [
  externalId: string,
  timeZone: string | null,
  attrs: string,
  group: Group | null,
  recentMessages: number,
];

/** A page to decide: its customers, and how many of its first Kairos decisions keep their explanation. */
export interface Chunk {
  items: ChunkItem[];
  explain: number;
}

/** A decided page: its decision-log rows, new group assignments, decisions per group, customers left out. */
export interface ChunkResult {
  rows: DecisionRow[];
  fresh: [string, Group][];
  byGroup: Record<string, number>;
  skipped: Record<SkipReason, number>;
  examples: Partial<Record<SkipReason, string>>;
}

/** Decides a page with `decider` (on whichever thread holds it). */
export function decideChunk(
  decider: Decider,
  spec: DecideSpec & { file: { frequencyCap?: UseCase["file"]["frequencyCap"] } },
  chunk: Chunk,
): ChunkResult {
  const out: ChunkResult = {
    rows: [],
    fresh: [],
    byGroup: {},
    skipped: { frequency_cap: 0, no_eligible_action: 0, bad_attributes: 0 },
    examples: {},
  };
  const cap = spec.file.frequencyCap;
  const actions = new Map<number, string>();
  let explain = chunk.explain;
  for (const [externalId, timeZone, attrs, stored, recent] of chunk.items) {
    const group = stored ?? drawGroup(spec, externalId);
    if (stored === null) out.fresh.push([externalId, group]);
    if (group !== "holdout" && cap && recent >= cap.messages) {
      out.skipped.frequency_cap++;
      continue;
    }
    const r = decider.decide({
      externalId,
      timeZone,
      attrs: JSON.parse(attrs) as Record<string, unknown>,
      group,
      explain: group === "kairos" && explain > 0,
    });
    if ("skip" in r) {
      out.skipped[r.skip]++;
      out.examples[r.skip] ??= r.example;
      continue;
    }
    if (group === "kairos") explain--;
    out.rows.push(decisionRow(r, actions));
    out.byGroup[r.group] = (out.byGroup[r.group] ?? 0) + 1;
  }
  return out;
}

/** What a worker is told first: what deciding needs of the use case (plain data), the model, the day. */
export interface WorkerInit {
  id: string;
  file: DecideSpec["file"] &
    Pick<UseCase["file"], "dimensions" | "constraints" | "attributes" | "frequencyCap">;
  /** The use case's presetModules (file URLs), imported before the policy is built. */
  presetModules: readonly string[];
  /** The policy configuration without its action space (rebuilt from the dimensions, constraints and attributes). */
  policyConfig: Record<string, unknown>;
  snapshot: PolicySnapshot;
  day: string;
}

/** The decide spec a worker rebuilds from its init message. */
export function specOf(init: WorkerInit): DecideSpec & { file: WorkerInit["file"] } {
  const { dimensions, constraints, attributes } = init.file;
  const space = new ActionSpace({ dimensions, constraints, attributes });
  return {
    id: init.id,
    space,
    policyConfig: { ...init.policyConfig, actionSpace: space } as DecideSpec["policyConfig"],
    file: init.file,
  };
}

type Reply =
  | { type: "ready" }
  | { type: "done"; seq: number; result: ChunkResult }
  | { type: "error"; seq: number; message: string; stack?: string };

interface Slot {
  worker: Worker;
  busy: number;
}

/** A few worker threads deciding pages. */
export class DecidePool {
  private seq = 0;
  private readonly pending = new Map<
    number,
    { resolve: (r: ChunkResult) => void; reject: (e: Error) => void; slot: Slot }
  >();
  private failure: Error | undefined;

  private constructor(private readonly slots: Slot[]) {
    for (const slot of slots) {
      slot.worker.on("message", (m: Reply) => {
        if (m.type === "ready") return;
        const p = this.pending.get(m.seq);
        if (!p) return;
        this.pending.delete(m.seq);
        p.slot.busy--;
        if (m.type === "done") p.resolve(m.result);
        else {
          const e = new Error(`decision worker: ${m.message}`);
          if (m.stack) e.stack = m.stack;
          p.reject(e);
        }
      });
      slot.worker.on("error", (e) => this.fail(e));
      slot.worker.on("exit", (code) => {
        if (code !== 0) this.fail(new Error(`decision worker exited with code ${code}`));
      });
    }
  }

  /** The default number of workers: the available cores, at most 4. */
  static defaultSize(): number {
    return Math.max(1, Math.min(4, availableParallelism()));
  }

  /** Starts `size` workers, each with the use case and the model, and waits until they are ready. */
  static async start(
    size: number,
    useCase: UseCase,
    snapshot: PolicySnapshot,
    day: string,
  ): Promise<DecidePool> {
    const { entry, options } = workerEntry("decide-worker");
    const { actionSpace: _, ...policyConfig } = useCase.policyConfig as unknown as Record<string, unknown>;
    const f = useCase.file;
    const init: WorkerInit = {
      id: useCase.id,
      file: {
        features: f.features,
        eligibility: f.eligibility,
        groups: f.groups,
        dimensions: f.dimensions,
        constraints: f.constraints,
        attributes: f.attributes,
        frequencyCap: f.frequencyCap,
      },
      presetModules: useCase.presetModules,
      policyConfig,
      snapshot,
      day,
    };
    const slots = Array.from({ length: size }, () => ({
      worker: new Worker(entry, { ...options, workerData: init }),
      busy: 0,
    }));
    await Promise.all(
      slots.map(
        (s) =>
          new Promise<void>((resolve, reject) => {
            const onMessage = (m: Reply) => {
              if (m.type !== "ready") return;
              s.worker.off("message", onMessage);
              s.worker.off("error", reject);
              resolve();
            };
            s.worker.on("message", onMessage);
            s.worker.once("error", reject);
          }),
      ),
    ).catch(async (e) => {
      await Promise.all(slots.map((s) => s.worker.terminate()));
      throw e;
    });
    return new DecidePool(slots);
  }

  /** Decides a page on the least busy worker. */
  decide(chunk: Chunk): Promise<ChunkResult> {
    if (this.failure) return Promise.reject(this.failure);
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const seq = this.seq++;
    slot.busy++;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject, slot });
      slot.worker.postMessage({ seq, chunk });
    });
  }

  /** Stops the workers (pages still being decided are rejected). */
  async close(): Promise<void> {
    this.fail(new Error("decision workers closed"));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
