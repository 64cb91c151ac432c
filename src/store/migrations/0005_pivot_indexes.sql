-- zoomlens case file, schema version 5: indexes for the console's user pivot.
-- A user's timeline merges, per source, the rows naming them in time order; webhook events
-- (millions on a webhook-heavy case) and operation-log changes targeting the user were
-- scanned whole for each page.
CREATE INDEX IF NOT EXISTS webhook_events_operator ON webhook_events (operator, time);
CREATE INDEX IF NOT EXISTS op_changes_target ON op_changes (target);
