//! One function per endpoint this tool calls, each with its rate-limit category.

use super::{Category, Request};
use chrono::NaiveDate;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986 unreserved characters is escaped (so `/`, `+`, `=` and `@` are).
const STRICT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Encode a path segment once (user ids and emails).
pub fn encode_segment(s: &str) -> String {
    utf8_percent_encode(s, STRICT).to_string()
}

/// Meeting instance UUIDs are double-encoded, always: Zoom requires it when the UUID starts with
/// `/` or contains `//`, and accepts it for the rest.
pub fn encode_uuid(uuid: &str) -> String {
    encode_segment(&encode_segment(uuid))
}

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// `GET /users?status=` — call once per status (active, inactive, pending).
pub fn users(status: &str) -> Request {
    Request {
        path: "/users".into(),
        query: q(&[("status", status), ("page_size", "300")]),
        category: Category::Medium,
    }
}

/// `GET /report/activities` — sign-in/sign-out.
pub fn activities(from: NaiveDate, to: NaiveDate) -> Request {
    Request {
        path: "/report/activities".into(),
        query: q(&[("from", &day(from)), ("to", &day(to)), ("page_size", "300")]),
        category: Category::Heavy,
    }
}

/// `GET /report/operationlogs`.
pub fn operation_logs(from: NaiveDate, to: NaiveDate) -> Request {
    Request {
        path: "/report/operationlogs".into(),
        query: q(&[("from", &day(from)), ("to", &day(to)), ("page_size", "300")]),
        category: Category::Heavy,
    }
}

/// `GET /report/users/{userId}/meetings?type=past`.
pub fn user_meetings(user: &str, from: NaiveDate, to: NaiveDate) -> Request {
    Request {
        path: format!("/report/users/{}/meetings", encode_segment(user)),
        query: q(&[
            ("from", &day(from)),
            ("to", &day(to)),
            ("type", "past"),
            ("page_size", "300"),
        ]),
        category: Category::Heavy,
    }
}

/// `GET /report/users/{userId}/meetings?type=pastJoined`: meetings the user joined, not only
/// hosted (used to scope `--users` to "the meetings they are in").
pub fn user_meetings_joined(user: &str, from: NaiveDate, to: NaiveDate) -> Request {
    let mut r = user_meetings(user, from, to);
    for (k, v) in r.query.iter_mut() {
        if k == "type" {
            *v = "pastJoined".into();
        }
    }
    r
}

/// `GET /report/meetings/{uuid}/participants?include_fields=registrant_id`.
pub fn report_participants(uuid: &str) -> Request {
    Request {
        path: format!("/report/meetings/{}/participants", encode_uuid(uuid)),
        query: q(&[("include_fields", "registrant_id"), ("page_size", "300")]),
        category: Category::Heavy,
    }
}

/// `GET /metrics/meetings/{uuid}/participants?type=past` (Business+ with the Dashboard).
pub fn metrics_participants(uuid: &str) -> Request {
    Request {
        path: format!("/metrics/meetings/{}/participants", encode_uuid(uuid)),
        query: q(&[
            ("type", "past"),
            ("include_fields", "registrant_id"),
            ("page_size", "300"),
        ]),
        category: Category::Heavy,
    }
}

/// `GET /users/{userId}/recordings` for a window.
pub fn recordings(user: &str, from: NaiveDate, to: NaiveDate) -> Request {
    Request {
        path: format!("/users/{}/recordings", encode_segment(user)),
        query: q(&[("from", &day(from)), ("to", &day(to)), ("page_size", "300")]),
        category: Category::Medium,
    }
}

/// `GET /users/{userId}/recordings?trash=true` (from/to cannot filter trash).
pub fn recordings_trash(user: &str) -> Request {
    Request {
        path: format!("/users/{}/recordings", encode_segment(user)),
        query: q(&[
            ("trash", "true"),
            ("trash_type", "meeting_recordings"),
            ("page_size", "300"),
        ]),
        category: Category::Medium,
    }
}

/// The conversation a chat request reads: Zoom requires `to_channel` or `to_contact` on
/// `GET /chat/users/{userId}/messages`.
#[derive(Debug, Clone, Copy)]
pub enum ChatWith<'a> {
    /// A channel id, as `GET /chat/users/{userId}/channels` lists them.
    Channel(&'a str),
    /// A 1:1 contact: email, user id or member id.
    Contact(&'a str),
}

/// `GET /chat/users/{userId}/channels`: Zoom's "List user's channels" (Medium, max 50 a page).
pub fn user_channels(user: &str) -> Request {
    Request {
        path: format!("/chat/users/{}/channels", encode_segment(user)),
        query: q(&[("page_size", "50")]),
        category: Category::Medium,
    }
}

/// `GET /chat/users/{userId}/messages` of one conversation for a window, edited and deleted
/// messages included.
pub fn chat_messages(user: &str, with: ChatWith, from: NaiveDate, to: NaiveDate) -> Request {
    let (k, v) = match with {
        ChatWith::Channel(c) => ("to_channel", c),
        ChatWith::Contact(c) => ("to_contact", c),
    };
    Request {
        path: format!("/chat/users/{}/messages", encode_segment(user)),
        query: q(&[
            (k, v),
            ("from", &format!("{}T00:00:00Z", day(from))),
            // The next midnight, so a message in the day's last second is inside (chat is
            // deduplicated by message id, so the instant shared with the next window is harmless).
            (
                "to",
                &format!("{}T00:00:00Z", day(to.succ_opt().unwrap_or(to))),
            ),
            ("include_deleted_and_edited_message", "true"),
            ("page_size", "50"),
        ]),
        category: Category::Medium,
    }
}

/// `GET /report/history_meetings`: every past meeting of the account in one paged report
/// (Zoom asks for `meeting_type` and `report_type`; their defaults are unstated, so send them).
pub fn history_meetings(from: NaiveDate, to: NaiveDate) -> Request {
    Request {
        path: "/report/history_meetings".into(),
        query: q(&[
            ("from", &day(from)),
            ("to", &day(to)),
            ("date_type", "start_time"),
            ("meeting_type", "all"),
            ("report_type", "all"),
            ("page_size", "300"),
        ]),
        category: Category::Heavy,
    }
}

/// `GET /meetings/{uuid}/recordings/analytics_details?type=by_view|by_download` for a window
/// (at most one month; `type` has no documented default, so it is always sent).
pub fn recording_analytics(uuid: &str, download: bool, from: NaiveDate, to: NaiveDate) -> Request {
    Request {
        path: format!(
            "/meetings/{}/recordings/analytics_details",
            encode_uuid(uuid)
        ),
        query: q(&[
            ("from", &day(from)),
            ("to", &day(to)),
            ("type", if download { "by_download" } else { "by_view" }),
            ("page_size", "300"),
        ]),
        category: Category::Medium,
    }
}

/// `GET /report/disclaimer?disclaimer_type=all`.
pub fn disclaimer(from: NaiveDate, to: NaiveDate) -> Request {
    Request {
        path: "/report/disclaimer".into(),
        query: q(&[
            ("from", &day(from)),
            ("to", &day(to)),
            ("disclaimer_type", "all"),
            ("page_size", "300"),
        ]),
        category: Category::Heavy,
    }
}

/// `GET /report/remote_support`.
pub fn remote_support(from: NaiveDate, to: NaiveDate) -> Request {
    Request {
        path: "/report/remote_support".into(),
        query: q(&[("from", &day(from)), ("to", &day(to)), ("page_size", "300")]),
        category: Category::Heavy,
    }
}

/// `GET /past_meetings/{meetingId}/instances` (no pagination).
pub fn past_instances(meeting_id: i64) -> Request {
    Request {
        path: format!("/past_meetings/{meeting_id}/instances"),
        query: vec![],
        category: Category::Medium,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_double_encoded_as_zoom_documents() {
        assert_eq!(
            encode_uuid("/ajXp112QmuoKj4854875=="),
            "%252FajXp112QmuoKj4854875%253D%253D"
        );
        assert_eq!(
            encode_uuid("ab+cd//ef=="),
            "ab%252Bcd%252F%252Fef%253D%253D"
        );
        assert_eq!(
            report_participants("ab+cd//ef==").path,
            "/report/meetings/ab%252Bcd%252F%252Fef%253D%253D/participants"
        );
    }

    #[test]
    fn user_ids_and_emails_are_encoded_once() {
        assert_eq!(
            user_meetings("a.b@x.com", NaiveDate::MIN, NaiveDate::MIN).path,
            "/report/users/a.b%40x.com/meetings"
        );
        let j = user_meetings_joined("u", NaiveDate::MIN, NaiveDate::MIN);
        assert!(j.query.contains(&("type".into(), "pastJoined".into())));
    }
}
