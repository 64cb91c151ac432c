//! `zoomlens doctor`: with the credentials given, which sources can be read — granted, missing
//! a scope, not on the account's plan — asked with one small request per source, and kept in
//! the case so `status` can say why a source is empty.

use super::plan::Source;
use crate::zoom::{ApiError, Client, Request, endpoints};
use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

/// The answer for one source.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Capability {
    pub source: String,
    /// `ok`, `missing-scope`, `not-on-plan`, `not-checked` or `error`.
    pub state: String,
    pub detail: String,
}

/// What a doctor run found, and when.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Capabilities {
    pub checked_at: String,
    pub sources: Vec<Capability>,
}

fn small(mut r: Request) -> Request {
    r.query.retain(|(k, _)| k != "page_size");
    r.query.push(("page_size".into(), "1".into()));
    r
}

fn verdict(source: Source, res: &Result<crate::zoom::Page, ApiError>) -> Capability {
    let (state, detail) = match res {
        Ok(_) => ("ok", String::new()),
        Err(ApiError::MissingScope { scopes }) => (
            "missing-scope",
            format!("grant one of: {}", scopes.join(", ")),
        ),
        Err(e) if e.is_no_permission() => ("not-on-plan", e.to_string()),
        Err(e) => ("error", e.to_string()),
    };
    Capability {
        source: source.name().into(),
        state: state.into(),
        detail,
    }
}

/// Ask each source once (a one-day window, one record a page). Per-user and per-meeting
/// sources are asked about the first user and the first meeting found; without one they are
/// `not-checked`.
pub async fn check(client: &Client, today: NaiveDate) -> Capabilities {
    let day = today.pred_opt().unwrap_or(today);
    let month = day - chrono::Days::new(29);
    let mut out = Vec::new();
    let users = client.get(&small(endpoints::users("active")), None).await;
    out.push(verdict(Source::Users, &users));
    let first_user: Option<String> = users.as_ref().ok().and_then(|p| {
        let v: serde_json::Value = serde_json::from_str(&p.body).ok()?;
        let u = v.get("users")?.as_array()?.first()?.clone();
        u.get("id")
            .or(u.get("email"))
            .and_then(|x| x.as_str())
            .map(String::from)
    });
    for (s, r) in [
        (Source::Signins, endpoints::activities(day, today)),
        (Source::Operations, endpoints::operation_logs(day, today)),
        (Source::History, endpoints::history_meetings(day, today)),
        (Source::Disclaimers, endpoints::disclaimer(day, today)),
        (Source::RemoteSupport, endpoints::remote_support(day, today)),
    ] {
        out.push(verdict(s, &client.get(&small(r), None).await));
    }
    let not_checked = |s: Source, why: &str| Capability {
        source: s.name().into(),
        state: "not-checked".into(),
        detail: why.into(),
    };
    let mut meeting: Option<String> = None;
    match &first_user {
        Some(u) => {
            let r = client
                .get(&small(endpoints::user_meetings(u, month, today)), None)
                .await;
            meeting = r.as_ref().ok().and_then(|p| {
                let v: serde_json::Value = serde_json::from_str(&p.body).ok()?;
                v.get("meetings")?
                    .as_array()?
                    .first()?
                    .get("uuid")?
                    .as_str()
                    .map(String::from)
            });
            out.push(verdict(Source::Meetings, &r));
            let r = client
                .get(&small(endpoints::recordings(u, month, today)), None)
                .await;
            out.push(verdict(Source::Recordings, &r));
            let r = client.get(&small(endpoints::user_channels(u)), None).await;
            out.push(verdict(Source::Chat, &r));
        }
        None => {
            for s in [Source::Meetings, Source::Recordings, Source::Chat] {
                out.push(not_checked(
                    s,
                    "no user to ask about (the users directory was not readable or empty)",
                ));
            }
        }
    }
    match &meeting {
        Some(m) => {
            let r = client
                .get(&small(endpoints::report_participants(m)), None)
                .await;
            out.push(verdict(Source::Participants, &r));
            let r = client
                .get(&small(endpoints::metrics_participants(m)), None)
                .await;
            out.push(verdict(Source::Metrics, &r));
            // A meeting without a cloud recording answers 3301: the scope is there.
            let r = client
                .get(
                    &small(endpoints::recording_analytics(m, false, month, today)),
                    None,
                )
                .await;
            out.push(match r {
                Err(ApiError::Zoom { code: 3301, .. }) => Capability {
                    source: Source::Analytics.name().into(),
                    state: "ok".into(),
                    detail: "granted (the meeting asked about has no cloud recording)".into(),
                },
                r => verdict(Source::Analytics, &r),
            });
        }
        None => {
            for s in [Source::Participants, Source::Metrics, Source::Analytics] {
                out.push(not_checked(
                    s,
                    "no meeting in the last 30 days to ask about",
                ));
            }
        }
    }
    Capabilities {
        checked_at: crate::model::time::fmt_utc(chrono::Utc::now()),
        sources: out,
    }
}

const KEY: &str = "capabilities";

/// Keep the result in the case (replacing an earlier one).
pub fn store(conn: &Connection, c: &Capabilities) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        rusqlite::params![KEY, serde_json::to_string(c)?],
    )?;
    Ok(())
}

/// The last doctor result kept in the case, if any.
pub fn load(conn: &Connection) -> Result<Option<Capabilities>> {
    let v: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [KEY], |r| r.get(0))
        .optional()?;
    Ok(v.and_then(|s| serde_json::from_str(&s).ok()))
}
