-- zoomlens case file: identity-provider and file-access events from outside Zoom (issue 19).
-- Replayable (IF NOT EXISTS) and independent of the other migrations: it only adds tables.
-- Read them through the views idp_events and data_access_events (views.sql).

-- One identity-provider event: a sign-in (or failed one), or an admin action. `source` is the
-- provider (okta, entra, google); `event_id` its own id for the event (Okta `uuid`, Graph `id`,
-- Google `id.uniqueQualifier`), unique per source. `user` is the person as the provider names
-- them (email, UPN, login); the view matches them to Zoom users.
CREATE TABLE IF NOT EXISTS idp_log (
  id              INTEGER PRIMARY KEY,
  source          TEXT NOT NULL,
  event_id        TEXT NOT NULL,
  time            TEXT NOT NULL,                -- UTC
  user            TEXT NOT NULL COLLATE NOCASE,
  ip              TEXT NOT NULL DEFAULT '',
  action          TEXT NOT NULL,                -- the provider's event type (user.session.start, login_success...)
  outcome         TEXT NOT NULL DEFAULT '',     -- success | failure | other words the provider uses
  is_signin       INTEGER NOT NULL DEFAULT 0,
  is_admin_action INTEGER NOT NULL DEFAULT 0,
  app             TEXT,                         -- application signed in to, or the admin console
  target          TEXT,                         -- what an admin action was done to
  client          TEXT,                         -- user agent / device / client app
  session_id      TEXT,
  location        TEXT,                         -- the provider's own geolocation, "City (CC)"
  country         TEXT,                         -- the provider's own ISO country code
  origin_id INTEGER NOT NULL, line INTEGER, raw TEXT NOT NULL, sha256 TEXT NOT NULL,
  UNIQUE (source, event_id)
);
CREATE INDEX IF NOT EXISTS idp_log_user ON idp_log (user, time);
CREATE INDEX IF NOT EXISTS idp_log_time ON idp_log (time);

-- One file or data access: Google Drive audit, Microsoft 365 unified audit log (SharePoint,
-- OneDrive), or a DLP/CASB export as the generic CSV. action: access | download | share | sync.
CREATE TABLE IF NOT EXISTS data_access_log (
  id              INTEGER PRIMARY KEY,
  source          TEXT NOT NULL,                -- google-drive, m365, csv:<its source column>
  event_id        TEXT NOT NULL,
  time            TEXT NOT NULL,
  user            TEXT NOT NULL COLLATE NOCASE,
  action          TEXT NOT NULL,
  vendor_action   TEXT NOT NULL DEFAULT '',     -- FileDownloaded, download, SharingSet...
  resource        TEXT NOT NULL DEFAULT '',
  sensitivity     TEXT NOT NULL DEFAULT '',     -- label, classification or DLP verdict
  ip              TEXT NOT NULL DEFAULT '',
  shared_with     TEXT,
  origin_id INTEGER NOT NULL, line INTEGER, raw TEXT NOT NULL, sha256 TEXT NOT NULL,
  UNIQUE (source, event_id)
);
CREATE INDEX IF NOT EXISTS data_access_user ON data_access_log (user, time);
CREATE INDEX IF NOT EXISTS data_access_time ON data_access_log (time);
