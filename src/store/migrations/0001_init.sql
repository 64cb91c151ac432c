-- zoomlens case file, schema version 1.
-- Evidence is never edited: every normalised row carries the verbatim record (raw), its SHA-256
-- and its origin (origins row + line). Further evidence for the same row (a dashboard row merged
-- into a report row, a webhook for the same session) goes to extra_evidence.
-- Times are UTC text 'YYYY-MM-DDTHH:MM:SSZ'.

CREATE TABLE origins (
  id         INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL,            -- capture | file | webhook | api | csv | panther
  source     TEXT NOT NULL,            -- file path, or API path as requested
  query      TEXT NOT NULL DEFAULT '', -- request query as JSON text
  fetched_at TEXT NOT NULL DEFAULT '',
  UNIQUE (kind, source, query, fetched_at)
);

CREATE TABLE extra_evidence (
  id         INTEGER PRIMARY KEY,
  tbl        TEXT NOT NULL,
  row_id     INTEGER NOT NULL,
  origin_id  INTEGER NOT NULL REFERENCES origins(id),
  line       INTEGER,
  raw        TEXT NOT NULL,
  sha256     TEXT NOT NULL,
  UNIQUE (tbl, sha256)
);
CREATE INDEX extra_evidence_row ON extra_evidence (tbl, row_id);

CREATE TABLE users (
  id                  INTEGER PRIMARY KEY,
  ukey                TEXT NOT NULL UNIQUE,   -- zoom id, or lower(email) for pending users
  zoom_id             TEXT,
  email               TEXT NOT NULL COLLATE NOCASE,
  first_name          TEXT,
  last_name           TEXT,
  display_name        TEXT,
  user_type           INTEGER,
  status              TEXT,
  role_id             TEXT,
  role_name           TEXT,
  dept                TEXT,
  timezone            TEXT,
  pmi                 INTEGER,
  last_client_version TEXT,
  last_login_time     TEXT,
  created_at          TEXT,
  origin_id INTEGER NOT NULL, line INTEGER, raw TEXT NOT NULL, sha256 TEXT NOT NULL
);
CREATE INDEX users_email ON users (email);

CREATE TABLE signins (
  id          INTEGER PRIMARY KEY,
  time        TEXT NOT NULL,
  email       TEXT NOT NULL COLLATE NOCASE,
  activity    TEXT NOT NULL,          -- 'Sign in' | 'Sign out'
  ip_address  TEXT NOT NULL DEFAULT '',
  client_type TEXT NOT NULL DEFAULT '',
  version     TEXT NOT NULL DEFAULT '',
  login_type  INTEGER,
  via         TEXT NOT NULL,
  origin_id INTEGER NOT NULL, line INTEGER, raw TEXT NOT NULL, sha256 TEXT NOT NULL,
  UNIQUE (email, time, activity, ip_address, client_type, version)
);
CREATE INDEX signins_time ON signins (time);
CREATE INDEX signins_ip ON signins (ip_address);

CREATE TABLE operations (
  id               INTEGER PRIMARY KEY,
  time             TEXT NOT NULL,
  operator         TEXT NOT NULL COLLATE NOCASE,
  category_type    TEXT NOT NULL COLLATE NOCASE,
  action           TEXT NOT NULL COLLATE NOCASE,
  operation_detail TEXT NOT NULL,
  via              TEXT NOT NULL,
  origin_id INTEGER NOT NULL, line INTEGER, raw TEXT NOT NULL, sha256 TEXT NOT NULL,
  UNIQUE (time, operator, category_type, action, operation_detail)
);
CREATE INDEX operations_time ON operations (time);
CREATE INDEX operations_operator ON operations (operator, time);

-- operation_detail parsed into changes (one row per change of a batched detail).
CREATE TABLE op_changes (
  id           INTEGER PRIMARY KEY,
  operation_id INTEGER NOT NULL REFERENCES operations(id),
  seq          INTEGER NOT NULL,
  kind         TEXT NOT NULL,
  section      TEXT,
  setting      TEXT,
  from_value   TEXT,
  to_value     TEXT,
  target       TEXT COLLATE NOCASE,
  meeting_id   INTEGER,
  UNIQUE (operation_id, seq)
);
CREATE INDEX op_changes_target ON op_changes (target);
CREATE INDEX op_changes_meeting ON op_changes (meeting_id);

-- One row per meeting instance.
CREATE TABLE meetings (
  id                 INTEGER PRIMARY KEY,
  uuid               TEXT NOT NULL UNIQUE,
  meeting_id         INTEGER,
  topic              TEXT,
  host_id            TEXT,
  host_email         TEXT COLLATE NOCASE,
  host_name          TEXT,
  meeting_type       INTEGER,
  start_time         TEXT,
  end_time           TEXT,
  duration           INTEGER,
  participants_count INTEGER,
  has_screen_share   INTEGER,
  has_recording      INTEGER,
  has_chat           INTEGER,
  via                TEXT NOT NULL,
  origin_id INTEGER NOT NULL, line INTEGER, raw TEXT NOT NULL, sha256 TEXT NOT NULL
);
CREATE INDEX meetings_meeting_id ON meetings (meeting_id, start_time);
CREATE INDEX meetings_start ON meetings (start_time);
CREATE INDEX meetings_host ON meetings (host_email, start_time);

-- One row per participant session; report, dashboard and webhook rows merge here.
CREATE TABLE participants (
  id                INTEGER PRIMARY KEY,
  meeting_uuid      TEXT NOT NULL,
  meeting_id        INTEGER,
  user_id           TEXT NOT NULL,
  zoom_user_id      TEXT,
  participant_uuid  TEXT,
  name              TEXT,
  email             TEXT COLLATE NOCASE,
  join_time         TEXT NOT NULL,
  leave_time        TEXT,
  duration          INTEGER,
  status            TEXT,
  role              TEXT,
  registrant_id     TEXT,
  customer_key      TEXT,
  failover          INTEGER,
  ip_address        TEXT,
  location          TEXT,
  network_type      TEXT,
  data_center       TEXT,
  connection_type   TEXT,
  device            TEXT,
  os                TEXT,
  os_version        TEXT,
  pc_name           TEXT,
  domain            TEXT,
  mac_addr          TEXT,
  harddisk_id       TEXT,
  version           TEXT,
  leave_reason      TEXT,
  share_application INTEGER,
  share_desktop     INTEGER,
  share_whiteboard  INTEGER,
  recording         INTEGER,
  in_report         INTEGER NOT NULL DEFAULT 0,
  in_metrics        INTEGER NOT NULL DEFAULT 0,
  in_webhook        INTEGER NOT NULL DEFAULT 0,
  origin_id INTEGER NOT NULL, line INTEGER, raw TEXT NOT NULL, sha256 TEXT NOT NULL,
  UNIQUE (meeting_uuid, user_id, join_time)
);
CREATE INDEX participants_email ON participants (email, join_time);
CREATE INDEX participants_join ON participants (join_time);
CREATE INDEX participants_ip ON participants (ip_address);
CREATE INDEX participants_name ON participants (name);

CREATE TABLE recordings (
  id              INTEGER PRIMARY KEY,
  meeting_uuid    TEXT NOT NULL UNIQUE,
  meeting_id      INTEGER,
  host_id         TEXT,
  host_email      TEXT COLLATE NOCASE,
  topic           TEXT,
  start_time      TEXT,
  duration        INTEGER,
  total_size      INTEGER,
  recording_count INTEGER,
  share_url       TEXT,
  deleted_time    TEXT,
  via             TEXT NOT NULL,
  origin_id INTEGER NOT NULL, line INTEGER, raw TEXT NOT NULL, sha256 TEXT NOT NULL
);
CREATE INDEX recordings_meeting_id ON recordings (meeting_id);

CREATE TABLE recording_files (
  id              INTEGER PRIMARY KEY,
  fkey            TEXT NOT NULL UNIQUE,  -- file id, or uuid|type|start when Zoom gives none
  recording_id    INTEGER NOT NULL REFERENCES recordings(id),
  meeting_uuid    TEXT NOT NULL,
  file_id         TEXT,
  file_type       TEXT,
  file_extension  TEXT,
  file_size       INTEGER,
  recording_start TEXT,
  recording_end   TEXT,
  recording_type  TEXT,
  status          TEXT,
  play_url        TEXT,
  download_url    TEXT,
  deleted_time    TEXT
);
CREATE INDEX recording_files_rec ON recording_files (recording_id);

CREATE TABLE chat_messages (
  id                    INTEGER PRIMARY KEY,
  message_id            TEXT NOT NULL UNIQUE,
  owner                 TEXT COLLATE NOCASE,
  sender                TEXT COLLATE NOCASE,
  sender_display_name   TEXT,
  time                  TEXT NOT NULL,
  message               TEXT,
  status                TEXT,
  to_contact            TEXT,
  to_channel            TEXT,
  reply_main_message_id TEXT,
  origin_id INTEGER NOT NULL, line INTEGER, raw TEXT NOT NULL, sha256 TEXT NOT NULL
);
CREATE INDEX chat_sender ON chat_messages (sender, time);

CREATE TABLE webhook_events (
  id             INTEGER PRIMARY KEY,
  event          TEXT NOT NULL,
  event_ts       INTEGER NOT NULL,
  time           TEXT NOT NULL,
  account_id     TEXT,
  operator       TEXT COLLATE NOCASE,
  object_id      TEXT,
  payload_sha256 TEXT NOT NULL,
  origin_id INTEGER NOT NULL, line INTEGER, raw TEXT NOT NULL, sha256 TEXT NOT NULL,
  UNIQUE (event, event_ts, payload_sha256)
);
CREATE INDEX webhook_events_time ON webhook_events (time);

CREATE TABLE departures (
  id          INTEGER PRIMARY KEY,
  email       TEXT NOT NULL UNIQUE COLLATE NOCASE,
  departed_at TEXT NOT NULL,
  origin_id INTEGER NOT NULL, line INTEGER, raw TEXT NOT NULL, sha256 TEXT NOT NULL
);

CREATE TABLE assets (
  id          INTEGER PRIMARY KEY,
  pc_name     TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  mac_addr    TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  owner_email TEXT NOT NULL COLLATE NOCASE,
  origin_id INTEGER NOT NULL, line INTEGER, raw TEXT NOT NULL, sha256 TEXT NOT NULL,
  UNIQUE (pc_name, mac_addr, owner_email)
);
CREATE INDEX assets_owner ON assets (owner_email);

CREATE TABLE vips (
  id     INTEGER PRIMARY KEY,
  email  TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name   TEXT,
  title  TEXT,
  origin_id INTEGER NOT NULL, line INTEGER, raw TEXT NOT NULL, sha256 TEXT NOT NULL
);

-- Meeting audit trail (`/report/meeting_activities`): who started, joined, shared, chatted.
CREATE TABLE meeting_activities (
  id             INTEGER PRIMARY KEY,
  time           TEXT NOT NULL,
  meeting_number INTEGER NOT NULL,    -- "982 610 0285" as a number
  operator       TEXT,
  operator_email TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  category       TEXT NOT NULL DEFAULT '',
  detail         TEXT NOT NULL DEFAULT '',
  origin_id INTEGER NOT NULL, line INTEGER, raw TEXT NOT NULL, sha256 TEXT NOT NULL,
  UNIQUE (time, meeting_number, operator_email, category, detail)
);
CREATE INDEX meeting_activities_time ON meeting_activities (time);

-- Records that could not be used, kept whole with the reason.
CREATE TABLE rejects (
  id        INTEGER PRIMARY KEY,
  source    TEXT NOT NULL,
  line      INTEGER,
  reason    TEXT NOT NULL,
  raw       TEXT NOT NULL,
  sha256    TEXT NOT NULL,
  rejected_at TEXT NOT NULL,
  UNIQUE (source, line, sha256)
);

-- Full-text search over distinct searchable values (names, emails, topics, details, chat).
-- Values repeat massively across sessions, so the index holds each (kind, value) once.
CREATE TABLE search_terms (
  id    INTEGER PRIMARY KEY,
  kind  TEXT NOT NULL,    -- name | email | topic | detail | chat
  value TEXT NOT NULL,
  UNIQUE (kind, value)
);
CREATE VIRTUAL TABLE search_fts USING fts5(value, content='search_terms', content_rowid='id',
  tokenize = "unicode61 tokenchars '@.-_'");
CREATE TRIGGER search_terms_ai AFTER INSERT ON search_terms BEGIN
  INSERT INTO search_fts(rowid, value) VALUES (new.id, new.value);
END;

-- Analyst's work: keyed by (table, record id), never by a row position in a view.
CREATE TABLE annotations (
  id         INTEGER PRIMARY KEY,
  tbl        TEXT NOT NULL,
  row_id     INTEGER NOT NULL,
  kind       TEXT NOT NULL,  -- bookmark | tag | note
  text       TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  UNIQUE (tbl, row_id, kind, text)
);

-- Collection bookkeeping (written by sync; read by status).
CREATE TABLE coverage (
  id         INTEGER PRIMARY KEY,
  source     TEXT NOT NULL,   -- users | signins | operations | meetings | participants | metrics | recordings | chat
  scope      TEXT NOT NULL DEFAULT '',  -- entity: user id, meeting uuid; '' for account-wide
  win_from   TEXT NOT NULL DEFAULT '',
  win_to     TEXT NOT NULL DEFAULT '',
  state      TEXT NOT NULL,   -- done | failed | unavailable | partial
  detail     TEXT NOT NULL DEFAULT '',
  updated_at TEXT NOT NULL,
  UNIQUE (source, scope, win_from, win_to)
);

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
