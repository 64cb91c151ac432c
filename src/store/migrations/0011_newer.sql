-- zoomlens case file, issue 18's newer Zoom sources (migration 0011). Replayable (IF NOT
-- EXISTS) and independent of the other migrations: only new tables and their indexes.

-- Who viewed or downloaded a cloud recording
-- (GET /meetings/{uuid}/recordings/analytics_details?type=by_view|by_download).
-- kind: view | download. email and name are '' for an anonymous share-link viewer.
CREATE TABLE IF NOT EXISTS recording_access (
  id            INTEGER PRIMARY KEY,
  meeting_uuid  TEXT NOT NULL,
  kind          TEXT NOT NULL,
  time          TEXT NOT NULL,
  email         TEXT NOT NULL COLLATE NOCASE,
  name          TEXT NOT NULL,
  duration      INTEGER,                    -- seconds watched (views only)
  origin_id INTEGER NOT NULL, line INTEGER, raw TEXT NOT NULL, sha256 TEXT NOT NULL,
  UNIQUE (meeting_uuid, kind, time, email, name)
);
CREATE INDEX IF NOT EXISTS recording_access_email ON recording_access (email, time);

-- One past meeting of the account-wide report (GET /report/history_meetings): the host's
-- department and groups and the feature_used flags (a JSON object; a missing key is unknown).
CREATE TABLE IF NOT EXISTS meeting_history (
  id            INTEGER PRIMARY KEY,
  meeting_uuid  TEXT NOT NULL UNIQUE,
  meeting_id    INTEGER,
  type          TEXT,                       -- 'Meeting' | 'Webinar'
  start_time    TEXT,
  host_email    TEXT COLLATE NOCASE,
  host_name     TEXT,
  department    TEXT,
  groups        TEXT,                       -- JSON array
  source        TEXT,
  participants  INTEGER,
  features      TEXT NOT NULL DEFAULT '{}', -- JSON object of booleans
  origin_id INTEGER NOT NULL, line INTEGER, raw TEXT NOT NULL, sha256 TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS meeting_history_start ON meeting_history (start_time);

-- Responses to Zoom's recording / AI / login disclaimers (GET /report/disclaimer).
CREATE TABLE IF NOT EXISTS disclaimers (
  id              INTEGER PRIMARY KEY,
  time            TEXT NOT NULL,
  meeting_uuid    TEXT NOT NULL,            -- the record's meeting_id ('' when none)
  email           TEXT NOT NULL COLLATE NOCASE,
  display_name    TEXT NOT NULL,
  disclaimer_type TEXT NOT NULL,
  status          TEXT NOT NULL,            -- Agree | Cancel | Passive Agree | Decline Attend
  meeting_number  INTEGER,
  client_type     TEXT,
  is_guest        INTEGER,
  origin_id INTEGER NOT NULL, line INTEGER, raw TEXT NOT NULL, sha256 TEXT NOT NULL,
  UNIQUE (time, meeting_uuid, email, display_name, disclaimer_type, status)
);
CREATE INDEX IF NOT EXISTS disclaimers_email ON disclaimers (email, time);
CREATE INDEX IF NOT EXISTS disclaimers_meeting ON disclaimers (meeting_uuid);
CREATE INDEX IF NOT EXISTS disclaimers_name ON disclaimers (display_name, time);

-- Remote-support sessions: who took control of whose machine (GET /report/remote_support).
CREATE TABLE IF NOT EXISTS remote_support (
  id              INTEGER PRIMARY KEY,
  meeting_uuid    TEXT NOT NULL,
  start_time      TEXT NOT NULL,
  supporter_email TEXT NOT NULL COLLATE NOCASE,
  supportee_email TEXT NOT NULL COLLATE NOCASE,
  meeting_number  INTEGER,
  topic           TEXT,
  host_id         TEXT,
  supporter_name  TEXT,
  supportee_name  TEXT,
  request_time    TEXT,
  end_time        TEXT,
  wait_s          INTEGER,
  duration_s      INTEGER,
  origin_id INTEGER NOT NULL, line INTEGER, raw TEXT NOT NULL, sha256 TEXT NOT NULL,
  UNIQUE (meeting_uuid, start_time, supporter_email, supportee_email)
);
CREATE INDEX IF NOT EXISTS remote_support_supporter ON remote_support (supporter_email, start_time);
CREATE INDEX IF NOT EXISTS remote_support_supportee ON remote_support (supportee_email, start_time);

-- Zoom's At-Risk Meeting Notifier (meeting.risk_alert webhook): where the meeting's link was
-- posted. The delivery itself is also in webhook_events.
CREATE TABLE IF NOT EXISTS risk_alerts (
  id             INTEGER PRIMARY KEY,
  meeting_id     INTEGER,
  meeting_uuid   TEXT NOT NULL,
  post_time      TEXT NOT NULL,             -- '' when Zoom gave none
  social_link    TEXT NOT NULL,
  alert_time     TEXT NOT NULL,
  host_email     TEXT COLLATE NOCASE,
  topic          TEXT,
  post_platform  TEXT,
  post_user      TEXT,
  meeting_url    TEXT,
  recommended    TEXT,                      -- JSON {enable: [...], disable: [...]}
  origin_id INTEGER NOT NULL, line INTEGER, raw TEXT NOT NULL, sha256 TEXT NOT NULL,
  UNIQUE (meeting_uuid, post_time, social_link)
);
CREATE INDEX IF NOT EXISTS risk_alerts_meeting ON risk_alerts (meeting_id);
CREATE INDEX IF NOT EXISTS risk_alerts_host ON risk_alerts (host_email, alert_time);
CREATE INDEX IF NOT EXISTS recording_access_meeting ON recording_access (meeting_uuid, time);
