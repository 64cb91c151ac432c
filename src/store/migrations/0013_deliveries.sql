-- Schema 13 (issue 17): smaller evidence.
-- * Every SHA-256 is stored as its 32 bytes (a BLOB), not 64 hex characters; the Rust step
--   of this migration converts the existing ones. `zoomlens sql` shows them as hex.
-- * A record whose bytes are exactly a webhook delivery's refers to its webhook_events row
--   instead of keeping a second copy (`raw` = X'02' || the row id as 8 little-endian bytes;
--   see src/store/raw.rs).
-- Older zoomlens versions would misread both, so they must refuse this schema.
-- Records written before are rewritten as references after the upgrade commits, in chunks,
-- by whichever writing command opens the case next (or `zoomlens compact`).
INSERT OR REPLACE INTO meta (key, value) VALUES ('compact_pending', '1');
