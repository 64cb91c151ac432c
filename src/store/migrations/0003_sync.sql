-- Sync bookkeeping (written by `zoomlens sync`).
-- Meeting instances each user's meetings report listed, stored in the same transaction as the
-- report page: participants and metrics are fetched for these, and `--users` scoping and
-- resumed runs find them again without re-reading the reports.
CREATE TABLE sync_meetings (
  uuid       TEXT NOT NULL,
  user_key   TEXT NOT NULL COLLATE NOCASE,  -- the user id or email whose report listed it
  start_time TEXT,
  PRIMARY KEY (uuid, user_key)
);
CREATE INDEX sync_meetings_start ON sync_meetings (start_time);
CREATE INDEX sync_meetings_user ON sync_meetings (user_key, start_time);
