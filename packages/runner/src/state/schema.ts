// Tables of the runner's own database (kairos.sqlite). The send ledger and the joiner's store keep their
// own files, owned by @kairos/braze-adapter and @kairos/rewards.
export const RUNNER_SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cycles (
  day TEXT PRIMARY KEY,
  step TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  summary TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS audience (
  day TEXT NOT NULL,
  external_id TEXT NOT NULL,
  time_zone TEXT,
  attrs TEXT NOT NULL,
  PRIMARY KEY (day, external_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS groups (
  external_id TEXT PRIMARY KEY,
  grp TEXT NOT NULL,
  assigned_day TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS decisions (
  decision_id TEXT PRIMARY KEY,
  day TEXT NOT NULL,
  external_id TEXT NOT NULL,
  grp TEXT NOT NULL,
  action TEXT,
  action_index INTEGER,
  propensity REAL,
  policy_version INTEGER,
  context TEXT NOT NULL,
  time_zone TEXT,
  status TEXT NOT NULL,
  sent_at INTEGER,
  explanation TEXT
);
CREATE INDEX IF NOT EXISTS decisions_day ON decisions (day, grp);
CREATE INDEX IF NOT EXISTS decisions_user ON decisions (external_id, day);
CREATE TABLE IF NOT EXISTS snapshots (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at INTEGER NOT NULL,
  day TEXT,
  reason TEXT NOT NULL,
  policy_version INTEGER NOT NULL,
  learned_through INTEGER NOT NULL,
  learned INTEGER NOT NULL,
  json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rewards (
  decision_id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  reward REAL NOT NULL,
  counted_at INTEGER NOT NULL
);
`;
