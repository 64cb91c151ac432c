-- zoomlens case file, schema version 6: incidents, the analyst's triage state, the case's
-- own allow-list.
--
-- Incidents are derived (each `detect` regroups the findings) but keep their id while their
-- findings are found again. Triage state and allow-list entries are the analyst's work: detect
-- never writes them, so a re-run never loses or resets a verdict.

-- findings.incident_id is added by the migration's Rust step (only where it is missing).

CREATE TABLE IF NOT EXISTS incidents (
  id         INTEGER PRIMARY KEY,
  title      TEXT NOT NULL,
  score      REAL NOT NULL,               -- rises with severity, count and corroboration
  severity   TEXT NOT NULL,               -- the highest of its findings
  sev_rank   INTEGER NOT NULL,
  first_time TEXT NOT NULL,
  last_time  TEXT NOT NULL,
  actors     TEXT NOT NULL,               -- JSON array: the people (and meetings) involved
  rules      TEXT NOT NULL,               -- JSON array of rule ids, first occurrence order
  findings   INTEGER NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS incidents_score ON incidents (score DESC, id);

-- The current verdict on a finding (subject 'finding', ref '<rule> <fkey>': survives a
-- finding that disappears and comes back) or an incident (subject 'incident', ref its id).
CREATE TABLE IF NOT EXISTS triage (
  subject TEXT NOT NULL,
  ref     TEXT NOT NULL,
  state   TEXT NOT NULL,                  -- new | investigating | false-positive | benign | resolved
  reason  TEXT NOT NULL DEFAULT '',
  analyst TEXT NOT NULL,
  at      TEXT NOT NULL,
  PRIMARY KEY (subject, ref)
) WITHOUT ROWID;

-- Every verdict ever given, for the hand-off.
CREATE TABLE IF NOT EXISTS triage_log (
  id      INTEGER PRIMARY KEY,
  subject TEXT NOT NULL,
  ref     TEXT NOT NULL,
  state   TEXT NOT NULL,
  reason  TEXT NOT NULL DEFAULT '',
  analyst TEXT NOT NULL,
  at      TEXT NOT NULL
);

-- What this case's analyst declared expected; applied by the next `detect`.
CREATE TABLE IF NOT EXISTS allow_list (
  kind    TEXT NOT NULL,                  -- partner-domain | ip | device | name
  value   TEXT NOT NULL,
  reason  TEXT NOT NULL DEFAULT '',
  analyst TEXT NOT NULL,
  at      TEXT NOT NULL,
  PRIMARY KEY (kind, value)
) WITHOUT ROWID;
