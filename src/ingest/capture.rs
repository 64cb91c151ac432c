//! Capture files: NDJSON, one Zoom API response page per line
//! (`{"path", "query", "fetched_at", "body"}`), as `sync` writes them.
//!
//! The request path says what the page holds: `/report/meetings/{uuid}/participants` pages
//! take their meeting from the path (UUIDs arrive double-URL-encoded, as Zoom requires them
//! sent), `/metrics/...` rows are dashboard rows, `/users/{id}/recordings?trash=true` rows are
//! deleted recordings.

use super::bodies::{At, Endpoint, PageCtx, store_body};
use super::sink::Sink;
use crate::model::Origin;
use anyhow::Result;
use percent_encoding::percent_decode_str;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// One API response page as captured.
#[derive(Debug, Serialize, Deserialize)]
pub struct CapturePage {
    /// Request path as sent (`/v2` prefix optional; UUIDs double-encoded as Zoom requires).
    pub path: String,
    #[serde(default)]
    pub query: serde_json::Map<String, serde_json::Value>,
    /// RFC 3339.
    #[serde(default)]
    pub fetched_at: String,
    /// The response body, verbatim.
    pub body: Box<RawValue>,
}

/// Normalise and store every record of one page; records that cannot be used become rejects.
/// The caller owns the transaction (sync stores a page and its checkpoint together).
///
/// `source` names where the page came from in rejects: the capture file, or `api` for pages
/// fetched live (their origin is then of kind `api` instead of `capture`).
pub fn store_page(
    w: &mut impl Sink,
    page: &CapturePage,
    source: &str,
    line: Option<i64>,
) -> Result<()> {
    let request = Request {
        path: page.path.clone(),
        query: page.query.clone(),
        fetched_at: page.fetched_at.clone(),
    };
    let whole = || Ok(serde_json::to_string(page)?);
    store_request(w, request, page.body.get(), source, line, whole).map(|_| ())
}

/// What a page was the answer to.
pub(crate) struct Request {
    pub path: String,
    pub query: serde_json::Map<String, serde_json::Value>,
    pub fetched_at: String,
}

/// [`store_page`] for a page read as its parts (a capture line's body is not copied out of the
/// line); `whole` gives the page's text to keep when the request itself is unusable. Returns
/// the number of records the page held.
pub(crate) fn store_request(
    w: &mut impl Sink,
    request: Request,
    body: &str,
    source: &str,
    line: Option<i64>,
    whole: impl FnOnce() -> Result<String>,
) -> Result<usize> {
    let ctx = match page_ctx(&request.path, &request.query, &request.fetched_at) {
        Ok(c) => c,
        Err(reason) => {
            w.reject("unknown", source, line, &reason, &whole()?)?;
            return Ok(0);
        }
    };
    let origin = Origin {
        kind: if source == "api" { "api" } else { "capture" }.to_string(),
        query: serde_json::to_string(&request.query)?,
        source: request.path,
        fetched_at: request.fetched_at,
    };
    let origin_id = w.origin(origin)?;
    let at = At {
        origin_id,
        source,
        line,
        rows_own_lines: false,
    };
    store_body(w, &ctx, body, &at)
}

/// Decode a path segment until stable: Zoom wants UUIDs that start with `/` or contain `//`
/// double-encoded, and clients often double-encode every UUID.
pub fn decode_segment(seg: &str) -> String {
    let mut cur = seg.to_string();
    for _ in 0..3 {
        if !cur.contains('%') {
            break;
        }
        let next = percent_decode_str(&cur).decode_utf8_lossy().into_owned();
        if next == cur {
            break;
        }
        cur = next;
    }
    cur
}

fn query_text(q: &serde_json::Map<String, serde_json::Value>, key: &str) -> Option<String> {
    match q.get(key)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// Endpoint and parameters of a request path (with `/v2`, a full URL or a `?query` tolerated).
pub fn page_ctx(
    path: &str,
    query: &serde_json::Map<String, serde_json::Value>,
    fetched_at: &str,
) -> Result<PageCtx, String> {
    let mut query = query.clone();
    let mut p = path.trim();
    if let Some(i) = p.find("://") {
        p = &p[i + 3..];
        p = p.find('/').map(|j| &p[j..]).unwrap_or("/");
    }
    if let Some((before, qs)) = p.split_once('?') {
        for (k, v) in url::form_urlencoded::parse(qs.as_bytes()) {
            query
                .entry(k.into_owned())
                .or_insert(serde_json::Value::String(v.into_owned()));
        }
        p = before;
    }
    let segs: Vec<&str> = p.split('/').filter(|s| !s.is_empty()).collect();
    let segs: &[&str] = match segs.first() {
        Some(&"v2") => &segs[1..],
        _ => &segs[..],
    };
    let seg = |i: usize| decode_segment(segs[i]);
    let mut ctx = match segs {
        ["report", "activities"] => PageCtx::new(Endpoint::Activities),
        ["report", "operationlogs"] => PageCtx::new(Endpoint::OperationLogs),
        ["report", "meeting_activities"] => PageCtx::new(Endpoint::MeetingActivities),
        ["users"] => PageCtx::new(Endpoint::Users),
        ["report", "history_meetings"] => PageCtx::new(Endpoint::HistoryMeetings),
        ["report", "disclaimer"] => PageCtx::new(Endpoint::Disclaimers),
        ["report", "remote_support"] => PageCtx::new(Endpoint::RemoteSupport),
        ["meetings", _, "recordings", "analytics_details"] => {
            let mut c = PageCtx::new(Endpoint::RecordingAnalytics);
            let m = seg(1);
            if m.bytes().all(|b| b.is_ascii_digit()) {
                c.meeting_id = m.parse().ok();
            }
            c.meeting_uuid = Some(m);
            c.access_kind = match query_text(&query, "type").as_deref() {
                Some("by_view") => Some("view".into()),
                Some("by_download") => Some("download".into()),
                _ => None,
            };
            c
        }
        ["report", "users", _, "meetings"] => {
            let mut c = PageCtx::new(Endpoint::UserMeetings);
            c.user = Some(seg(2));
            c
        }
        ["report", "meetings", _, "participants"] | ["metrics", "meetings", _, "participants"] => {
            let mut c = PageCtx::new(if segs[0] == "metrics" {
                Endpoint::MetricsParticipants
            } else {
                Endpoint::ReportParticipants
            });
            let m = seg(2);
            // A numeric id means "the latest instance": its UUID is unknown, so the number
            // stands in for it (and is kept as the meeting id).
            if m.bytes().all(|b| b.is_ascii_digit()) {
                c.meeting_id = m.parse().ok();
            }
            c.meeting_uuid = Some(m);
            c
        }
        ["past_meetings", _, "instances"] => {
            let mut c = PageCtx::new(Endpoint::PastInstances);
            c.meeting_id = super::lax::int_text(&seg(1));
            c
        }
        ["users", _, "recordings"] => {
            let mut c = PageCtx::new(Endpoint::Recordings);
            c.user = Some(seg(1));
            c.trash = query_text(&query, "trash").is_some_and(|t| t.eq_ignore_ascii_case("true"));
            c
        }
        ["chat", "users", _, "channels"] => {
            let mut c = PageCtx::new(Endpoint::Channels);
            c.user = Some(seg(2));
            c
        }
        ["chat", "users", _, "messages"] => {
            let mut c = PageCtx::new(Endpoint::Chat);
            c.user = Some(seg(2));
            c.to_contact = query_text(&query, "to_contact");
            c.to_channel = query_text(&query, "to_channel");
            c
        }
        _ => {
            return Err(format!(
                "capture path {path:?} is not an endpoint zoomlens reads"
            ));
        }
    };
    ctx.fetched_at = crate::model::time::norm_time(fetched_at);
    Ok(ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(path: &str) -> PageCtx {
        page_ctx(path, &serde_json::Map::new(), "2024-06-12T00:00:00Z").unwrap()
    }

    #[test]
    fn double_encoded_uuids_decode_to_the_real_uuid() {
        let c = ctx("/v2/report/meetings/%252FajXp112QmuoKj4854875%253D%253D/participants");
        assert_eq!(c.endpoint, Endpoint::ReportParticipants);
        assert_eq!(c.meeting_uuid.as_deref(), Some("/ajXp112QmuoKj4854875=="));
        let c = ctx("/metrics/meetings/ab%252Bcd%252F%252Fef%253D%253D/participants");
        assert_eq!(c.endpoint, Endpoint::MetricsParticipants);
        assert_eq!(c.via, "metrics");
        assert_eq!(c.meeting_uuid.as_deref(), Some("ab+cd//ef=="));
        let c = ctx("/report/meetings/4444AAAiAAAAAiAiAiiAii==/participants");
        assert_eq!(c.meeting_uuid.as_deref(), Some("4444AAAiAAAAAiAiAiiAii=="));
    }

    #[test]
    fn trash_and_params_come_from_path_or_query() {
        let c = ctx("/users/z8yC/recordings?trash=true&trash_type=meeting_recordings");
        assert_eq!(c.endpoint, Endpoint::Recordings);
        assert!(c.trash);
        assert_eq!(c.user.as_deref(), Some("z8yC"));
        let mut q = serde_json::Map::new();
        q.insert("trash".into(), serde_json::Value::Bool(true));
        assert!(page_ctx("/v2/users/me/recordings", &q, "").unwrap().trash);
        assert!(!ctx("/users/z8yC/recordings").trash);
        assert_eq!(
            ctx("https://api.zoom.us/v2/users").endpoint,
            Endpoint::Users
        );
        assert_eq!(
            ctx("/past_meetings/85746065432/instances").meeting_id,
            Some(85746065432)
        );
        assert!(page_ctx("/webinars/1", &serde_json::Map::new(), "").is_err());
        assert_eq!(
            ctx("https://api.zoom.us/v2/chat/users/me/channels?page_size=50").endpoint,
            Endpoint::Channels
        );
    }
}
