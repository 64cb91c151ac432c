-- Documented views (the research data model's names), recreated on every open for writing.
DROP VIEW IF EXISTS zoom_meetings;
CREATE VIEW zoom_meetings AS
SELECT id, uuid AS meeting_uuid, meeting_id, topic, host_id, host_email, host_name,
       meeting_type AS type, start_time, end_time, duration, participants_count,
       has_screen_share, has_recording, has_chat
FROM meetings;

-- The three participant views name the same things alike (user_name, user_email) and carry
-- person_key: one person across meetings. A report's `user_id` is a per-meeting number, not a
-- person: group by person_key (the Zoom user id, else the email, else a guest's display name
-- within that one meeting, since two guests called "iPhone" are not one person).
DROP VIEW IF EXISTS zoom_participants_basic;
CREATE VIEW zoom_participants_basic AS
SELECT id, meeting_uuid, meeting_id, user_id, zoom_user_id AS participant_user_id,
       name AS user_name, email AS user_email, COALESCE(NULLIF(zoom_user_id, ''), lower(NULLIF(email, '')),
       'guest:' || meeting_uuid || ':' || COALESCE(name, '')) AS person_key, join_time, leave_time,
       duration, status, registrant_id, customer_key, failover
FROM participants WHERE in_report = 1 OR in_webhook = 1;

DROP VIEW IF EXISTS zoom_participants_detailed;
CREATE VIEW zoom_participants_detailed AS
SELECT id, meeting_uuid, meeting_id, user_id, zoom_user_id AS participant_user_id,
       participant_uuid, name AS user_name, email AS user_email,
       COALESCE(NULLIF(zoom_user_id, ''), lower(NULLIF(email, '')),
       'guest:' || meeting_uuid || ':' || COALESCE(name, '')) AS person_key, role, status, device, os, os_version,
       ip_address, location, network_type, data_center, connection_type, pc_name, domain,
       mac_addr, harddisk_id, version, join_time, leave_time, leave_reason, share_application,
       share_desktop, share_whiteboard, recording, registrant_id
FROM participants WHERE in_metrics = 1;

DROP VIEW IF EXISTS zoom_participants;
CREATE VIEW zoom_participants AS
SELECT p.id, COALESCE(p.meeting_id, m.meeting_id) AS meeting_id, p.meeting_uuid,
       m.topic AS meeting_topic, p.email AS user_email, p.name AS user_name,
       COALESCE(NULLIF(p.zoom_user_id, ''), lower(NULLIF(p.email, '')),
       'guest:' || p.meeting_uuid || ':' || COALESCE(p.name, '')) AS person_key, p.join_time,
       p.leave_time, p.duration, p.ip_address, p.location, p.device, p.pc_name, p.version,
       p.share_desktop, p.share_application, p.registrant_id, p.user_id,
       p.zoom_user_id AS participant_user_id, p.mac_addr, p.role, p.status
FROM participants p LEFT JOIN meetings m ON m.uuid = p.meeting_uuid;

DROP VIEW IF EXISTS zoom_recordings;
CREATE VIEW zoom_recordings AS
SELECT r.id, r.meeting_uuid, r.meeting_id, r.topic, r.host_id, r.host_email, r.start_time,
       r.duration, r.total_size, r.share_url, r.deleted_time, f.file_id, f.file_type,
       f.file_extension, f.file_size, f.recording_type, f.recording_start, f.recording_end,
       f.status, f.download_url, f.deleted_time AS file_deleted_time
FROM recordings r LEFT JOIN recording_files f ON f.recording_id = r.id;

DROP VIEW IF EXISTS zoom_operation_logs;
CREATE VIEW zoom_operation_logs AS
SELECT id, time, operator, category_type, action, operation_detail FROM operations;

DROP VIEW IF EXISTS zoom_operation_changes;
CREATE VIEW zoom_operation_changes AS
SELECT c.id, o.id AS operation_id, o.time, o.operator, o.category_type, o.action, c.seq,
       c.kind, c.section, c.setting, c.from_value, c.to_value, c.target, c.meeting_id
FROM op_changes c JOIN operations o ON o.id = c.operation_id;

-- One row per sign-in event: the report row and the webhook of one event are merged, and
-- `via` lists every door it came through, richest first ('report', 'webhook', 'report+webhook').
DROP VIEW IF EXISTS zoom_signins;
CREATE VIEW zoom_signins AS
SELECT id, time, email, activity AS type, ip_address, client_type, version, login_type, via
FROM signins;

DROP VIEW IF EXISTS zoom_users;
CREATE VIEW zoom_users AS
SELECT id, zoom_id AS user_id, email, first_name, last_name, display_name, user_type AS type,
       status, role_id, role_name, dept, timezone, pmi, last_client_version, last_login_time,
       created_at
FROM users;

DROP VIEW IF EXISTS zoom_webhook_events;
CREATE VIEW zoom_webhook_events AS
SELECT id, event, event_ts, time, account_id, operator, object_id, zl_raw(raw) AS body
FROM webhook_events;

DROP VIEW IF EXISTS zoom_chat_messages;
CREATE VIEW zoom_chat_messages AS
SELECT id, message_id, owner, sender, sender_display_name, time, message, status, to_contact,
       to_channel, reply_main_message_id
FROM chat_messages;

DROP VIEW IF EXISTS zoom_rejects;
CREATE VIEW zoom_rejects AS
SELECT id, source, line, reason, zl_raw(raw) AS raw, rejected_at FROM rejects;

DROP VIEW IF EXISTS zoom_meeting_activities;
CREATE VIEW zoom_meeting_activities AS
SELECT id, time AS activity_time, meeting_number, operator, operator_email,
       category AS activity_category, detail AS activity_detail
FROM meeting_activities;

-- Identity-provider sign-ins and admin actions (Okta, Entra ID, Google Workspace), one row per
-- event. `email` is the Zoom user whose email the provider's name equals (any case), else the
-- name lower-cased; in `zoomlens sql` and the rules, `zl_person(user)` also applies the
-- configuration's `user_aliases`.
DROP VIEW IF EXISTS idp_events;
CREATE VIEW idp_events AS
SELECT i.id, i.time, i.user, COALESCE((SELECT u.email FROM users u WHERE u.email = i.user
       COLLATE NOCASE LIMIT 1), lower(i.user)) AS email, i.ip, i.outcome, i.action,
       i.is_signin, i.is_admin_action, i.app, i.target, i.client, i.session_id, i.location,
       i.country, i.source, i.event_id
FROM idp_log i;

-- File and data access (Google Drive, Microsoft 365 SharePoint/OneDrive, DLP/CASB CSV), one
-- row per event; action is access | download | share | sync, vendor_action the source's word.
DROP VIEW IF EXISTS data_access_events;
CREATE VIEW data_access_events AS
SELECT d.id, d.time, d.user, COALESCE((SELECT u.email FROM users u WHERE u.email = d.user
       COLLATE NOCASE LIMIT 1), lower(d.user)) AS email, d.action, d.vendor_action,
       d.resource, d.sensitivity, d.ip, d.shared_with, d.source, d.event_id
FROM data_access_log d;
