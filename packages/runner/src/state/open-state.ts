// The state directory of one use case: the runner's database (decision log, snapshots, cycles, audience,
// groups, rewards), the send ledger and the reward joiner's store, each a SQLite file. Back up the whole
// directory (see README, "Where state lives").
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { SqliteSendLedger } from "@kairos/braze-adapter";
import { KairosError } from "@kairos/core";
import { SqliteStore } from "@kairos/rewards/sqlite";
import Database from "better-sqlite3";
import { CycleLog } from "./cycles.js";
import { DecisionLog } from "./decision-log.js";
import { acquireLock } from "./lock.js";
import { RUNNER_SCHEMA } from "./schema.js";
import { SnapshotHistory } from "./snapshots.js";

/** Options of {@link openState}. */
export interface OpenStateOptions {
  /** Take the directory's lock (default true; read-only commands such as status pass false). */
  lock?: boolean;
}

/** An open state directory. */
export interface RunnerState {
  readonly dir: string;
  readonly db: Database.Database;
  readonly ledger: SqliteSendLedger;
  readonly joinerStore: SqliteStore;
  readonly decisions: DecisionLog;
  readonly snapshots: SnapshotHistory;
  readonly cycles: CycleLog;
  /** Closes every file and releases the lock. */
  close(): Promise<void>;
}

/** Opens (or creates) the state directory of a use case; refuses one that belongs to another use case. */
export function openState(dir: string, useCaseId: string, options: OpenStateOptions = {}): RunnerState {
  mkdirSync(dir, { recursive: true });
  const release = options.lock === false ? () => {} : acquireLock(dir);
  try {
    const db = new Database(join(dir, "kairos.sqlite"));
    db.pragma("journal_mode = WAL");
    // FULL: a committed step survives a power cut, as the ledger and the joiner's store do.
    db.pragma("synchronous = FULL");
    db.pragma("busy_timeout = 5000");
    db.exec(RUNNER_SCHEMA);
    db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('use_case', ?)").run(useCaseId);
    const owner = db.prepare("SELECT value FROM meta WHERE key = 'use_case'").pluck().get() as string;
    if (owner !== useCaseId) {
      db.close();
      throw new KairosError(
        "state_mismatch",
        `${dir} holds the state of use case "${owner}", not "${useCaseId}"`,
      );
    }
    const ledger = new SqliteSendLedger(join(dir, "ledger.sqlite"));
    const joinerStore = new SqliteStore(join(dir, "joiner.sqlite"));
    return {
      dir,
      db,
      ledger,
      joinerStore,
      decisions: new DecisionLog(db),
      snapshots: new SnapshotHistory(db),
      cycles: new CycleLog(db),
      async close() {
        joinerStore.close();
        await ledger.close();
        db.close();
        release();
      },
    };
  } catch (e) {
    release();
    throw e;
  }
}
