-- Schema 10: evidence compressed at rest (see src/store/raw.rs).
-- A record's `raw` is plain TEXT, or a BLOB compressed with the zstd dictionary of
-- raw_dicts.id named in its header; `zl_raw(raw)` reads either as the original text. The
-- SHA-256 beside it still covers the original bytes. Dictionaries are never changed or
-- deleted: records name them.
CREATE TABLE IF NOT EXISTS raw_dicts (
  id   INTEGER PRIMARY KEY,
  tbl  TEXT NOT NULL,      -- the table whose records trained it (and use it)
  dict BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS raw_dicts_tbl ON raw_dicts (tbl);
-- Records written before this version are compressed after the upgrade commits, a chunk per
-- transaction, by whichever writing command opens the case next (or `zoomlens compact`);
-- the key is removed when none is left.
INSERT OR REPLACE INTO meta (key, value) VALUES ('compact_pending', '1');
