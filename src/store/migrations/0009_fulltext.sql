-- zoomlens case file: full-text indexes over chat messages and operation details.
-- `search_fts` holds distinct values (a name, an email, a topic) whole; these index every word
-- of every message and detail, so `/` finds a word inside one and leads to that record.
-- External content: the text stays in its table only, each index is keyed by the row's id, and
-- triggers keep it in step with whatever writes the table (import, sync, listen, a fold).
CREATE VIRTUAL TABLE IF NOT EXISTS chat_fts USING fts5(message, content='chat_messages',
  content_rowid='id');
CREATE TRIGGER IF NOT EXISTS chat_fts_ai AFTER INSERT ON chat_messages BEGIN
  INSERT INTO chat_fts(rowid, message) VALUES (new.id, new.message);
END;
CREATE TRIGGER IF NOT EXISTS chat_fts_ad AFTER DELETE ON chat_messages BEGIN
  INSERT INTO chat_fts(chat_fts, rowid, message) VALUES ('delete', old.id, old.message);
END;
CREATE TRIGGER IF NOT EXISTS chat_fts_au AFTER UPDATE OF message ON chat_messages
  WHEN old.message IS NOT new.message BEGIN
  INSERT INTO chat_fts(chat_fts, rowid, message) VALUES ('delete', old.id, old.message);
  INSERT INTO chat_fts(rowid, message) VALUES (new.id, new.message);
END;

CREATE VIRTUAL TABLE IF NOT EXISTS operation_fts USING fts5(operation_detail,
  content='operations', content_rowid='id');
CREATE TRIGGER IF NOT EXISTS operation_fts_ai AFTER INSERT ON operations BEGIN
  INSERT INTO operation_fts(rowid, operation_detail) VALUES (new.id, new.operation_detail);
END;
CREATE TRIGGER IF NOT EXISTS operation_fts_ad AFTER DELETE ON operations BEGIN
  INSERT INTO operation_fts(operation_fts, rowid, operation_detail)
    VALUES ('delete', old.id, old.operation_detail);
END;
CREATE TRIGGER IF NOT EXISTS operation_fts_au AFTER UPDATE OF operation_detail ON operations
  WHEN old.operation_detail IS NOT new.operation_detail BEGIN
  INSERT INTO operation_fts(operation_fts, rowid, operation_detail)
    VALUES ('delete', old.id, old.operation_detail);
  INSERT INTO operation_fts(rowid, operation_detail) VALUES (new.id, new.operation_detail);
END;

-- A case written before this version: index what it already holds.
INSERT INTO chat_fts(chat_fts) VALUES ('rebuild');
INSERT INTO operation_fts(operation_fts) VALUES ('rebuild');
