-- zoomlens case file, schema version 2: detection findings and rule runs.
-- Findings are derived data: `zoomlens detect` replaces a rule's findings each time the rule
-- runs. A finding that is found again keeps its id (upsert on (rule, fkey)), so analyst
-- annotations keyed by ('findings', id) survive a re-run.

CREATE TABLE findings (
  id           INTEGER PRIMARY KEY,
  rule         TEXT NOT NULL,
  fkey         TEXT NOT NULL,            -- identity of the finding within its rule
  severity     TEXT NOT NULL,            -- info | low | medium | high | critical
  sev_rank     INTEGER NOT NULL,         -- 0..4, for ordering and --min-severity
  time         TEXT NOT NULL,            -- UTC, when the suspicious activity happened
  summary      TEXT NOT NULL,
  user_email   TEXT COLLATE NOCASE,
  meeting_id   INTEGER,
  meeting_uuid TEXT,
  ip           TEXT,
  recording_id INTEGER,                  -- recordings.id
  technique    TEXT,                     -- MITRE ATT&CK technique id
  detected_at  TEXT NOT NULL,
  UNIQUE (rule, fkey)
);
CREATE INDEX findings_time ON findings (time);
CREATE INDEX findings_sev ON findings (sev_rank, time);
CREATE INDEX findings_user ON findings (user_email);
CREATE INDEX findings_meeting ON findings (meeting_uuid);

-- The exact evidence records behind a finding: (table, row id) of the normalised row.
CREATE TABLE finding_evidence (
  finding_id INTEGER NOT NULL REFERENCES findings(id),
  tbl        TEXT NOT NULL,
  row_id     INTEGER NOT NULL,
  PRIMARY KEY (finding_id, tbl, row_id)
) WITHOUT ROWID;
CREATE INDEX finding_evidence_row ON finding_evidence (tbl, row_id);

-- One row per rule: the last time it ran, whether it could run, and why not.
CREATE TABLE rule_runs (
  rule       TEXT PRIMARY KEY,
  ran_at     TEXT NOT NULL,
  status     TEXT NOT NULL,              -- ok | skipped
  reason     TEXT NOT NULL DEFAULT '',
  findings   INTEGER NOT NULL DEFAULT 0,
  elapsed_ms INTEGER NOT NULL DEFAULT 0
);

-- Indexes the detection rules' set-based queries rely on.
CREATE INDEX participants_meeting_join ON participants (meeting_uuid, join_time);
CREATE INDEX signins_email_time ON signins (email, time);
CREATE INDEX op_changes_kind ON op_changes (kind);
CREATE INDEX webhook_events_event ON webhook_events (event, time);
CREATE INDEX recordings_deleted ON recordings (deleted_time);
