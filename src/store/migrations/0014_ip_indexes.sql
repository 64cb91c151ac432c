-- Schema 14: identity-provider and file-access events by IP address. The console's IP
-- timeline (pivot from any row's address) asks `ip = ?` of both tables; without these it read
-- every event (150 ms on a month of 2,000 people, ten times that at 20,000).
CREATE INDEX IF NOT EXISTS idp_log_ip ON idp_log (ip, time);
CREATE INDEX IF NOT EXISTS data_access_ip ON data_access_log (ip, time);
