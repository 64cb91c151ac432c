-- Schema 15 (issue 17): further evidence is deduplicated by (tbl, sha256) through an index on
-- the hash's first 8 bytes instead of a unique index holding the table name and all 32 bytes
-- beside every row id (220 MB on a month of a 20,000-person company, over random keys that
-- every import batch rewrote). The writer checks the whole hash; the table is rebuilt
-- without its UNIQUE constraint, ids kept.
CREATE TABLE extra_evidence_new (
  id         INTEGER PRIMARY KEY,
  tbl        TEXT NOT NULL,
  row_id     INTEGER NOT NULL,
  origin_id  INTEGER NOT NULL REFERENCES origins(id),
  line       INTEGER,
  raw        TEXT NOT NULL,
  sha256     TEXT NOT NULL
);
INSERT INTO extra_evidence_new (id, tbl, row_id, origin_id, line, raw, sha256)
  SELECT id, tbl, row_id, origin_id, line, raw, sha256 FROM extra_evidence ORDER BY id;
DROP TABLE extra_evidence;
ALTER TABLE extra_evidence_new RENAME TO extra_evidence;
CREATE INDEX extra_evidence_row ON extra_evidence (tbl, row_id);
CREATE INDEX extra_evidence_sha ON extra_evidence (substr(sha256, 1, 8));
-- The old table's pages are free now: the next writing open gives them back (VACUUM).
INSERT OR REPLACE INTO meta (key, value) VALUES ('compact_pending', '1');
