-- zoomlens case file, schema version 7: waiting rooms and chat channels.

-- One stay in a meeting's waiting room (meeting.participant_joined_waiting_room /
-- put_in_waiting_room, then participant_admitted or participant_left_waiting_room).
-- outcome: waiting (no end seen yet) | admitted | left (left or was removed before admission).
CREATE TABLE IF NOT EXISTS waiting_room (
  id               INTEGER PRIMARY KEY,
  meeting_uuid     TEXT NOT NULL,
  meeting_id       INTEGER,
  user_id          TEXT NOT NULL,          -- participant user_id in the meeting ('' when none)
  participant_uuid TEXT NOT NULL,          -- '' when none
  name             TEXT,
  email            TEXT COLLATE NOCASE,
  entered_at       TEXT NOT NULL,          -- UTC; the admission time when the entry was not seen
  admitted_at      TEXT,
  left_at          TEXT,
  outcome          TEXT NOT NULL,
  origin_id INTEGER NOT NULL, line INTEGER, raw TEXT NOT NULL, sha256 TEXT NOT NULL,
  UNIQUE (meeting_uuid, user_id, participant_uuid, entered_at)
);
CREATE INDEX IF NOT EXISTS waiting_room_meeting ON waiting_room (meeting_uuid, entered_at);
CREATE INDEX IF NOT EXISTS waiting_room_email ON waiting_room (email, entered_at);
CREATE INDEX IF NOT EXISTS waiting_room_name ON waiting_room (name, entered_at);

-- Team Chat channels as a user's channel list names them (GET /chat/users/{id}/channels), so a
-- message's to_channel id reads as its name and type.
CREATE TABLE IF NOT EXISTS chat_channels (
  id          INTEGER PRIMARY KEY,
  channel_id  TEXT NOT NULL UNIQUE,
  name        TEXT,
  type        INTEGER,                     -- Zoom's channel type (1 private, 2 private within the account, 3 public, 4 instant chat)
  origin_id INTEGER NOT NULL, line INTEGER, raw TEXT NOT NULL, sha256 TEXT NOT NULL
);
