-- Schema 13: a record whose bytes are exactly a webhook delivery's refers to its
-- webhook_events row instead of keeping a second copy (`raw` = X'02' || the row id as 8
-- little-endian bytes; see src/store/raw.rs). Older zoomlens versions would read such a
-- reference as the record itself, so they must refuse this schema.
-- Records written before are rewritten as references after the upgrade commits, in chunks,
-- by whichever writing command opens the case next (or `zoomlens compact`).
INSERT OR REPLACE INTO meta (key, value) VALUES ('compact_pending', '1');
