//! Checkpoints: rows of the `coverage` table, one per (source, scope, window), written in the
//! same transaction as the page they describe. `partial` while a window is being drained,
//! `done` with its last page, `failed` (with the reason) when retries ran out, `unavailable`
//! when Zoom says the data does not exist for this account (no Dashboard on the plan, user or
//! meeting gone, older than the retention). Also `sync_meetings`: the meeting instances each
//! user's report listed, which drive participant fetches across runs.

use super::plan::{Source, Unit};
use anyhow::Result;
use chrono::{Days, NaiveDate};
use rusqlite::{Connection, params};
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Partial,
    Done,
    Failed,
    Unavailable,
    /// The app's token lacks the scope: nothing of this source could be fetched.
    MissingScope,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Partial => "partial",
            State::Done => "done",
            State::Failed => "failed",
            State::Unavailable => "unavailable",
            State::MissingScope => "missing-scope",
        }
    }
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Checkpoint {
    pub source: &'static str,
    pub scope: String,
    pub win_from: String,
    pub win_to: String,
    pub state: State,
    pub detail: String,
}

impl Checkpoint {
    pub fn of(unit: &Unit, state: State, detail: impl Into<String>) -> Checkpoint {
        Checkpoint {
            source: unit.source.name(),
            scope: unit.scope.clone(),
            win_from: unit.win_from.clone(),
            win_to: unit.win_to.clone(),
            state,
            detail: detail.into(),
        }
    }
}

pub fn upsert(conn: &Connection, c: &Checkpoint, now: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO coverage (source, scope, win_from, win_to, state, detail, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (source, scope, win_from, win_to)
         DO UPDATE SET state = excluded.state, detail = excluded.detail,
                       updated_at = excluded.updated_at",
    )?
    .execute(params![
        c.source,
        c.scope,
        c.win_from,
        c.win_to,
        c.state.as_str(),
        c.detail,
        now
    ])?;
    Ok(())
}

/// Remember the meeting instances one user's meetings-report page listed.
pub fn record_meetings(conn: &Connection, user_key: &str, body: &str) -> Result<usize> {
    let v: serde_json::Value = serde_json::from_str(body)?;
    let mut n = 0;
    let mut st = conn.prepare_cached(
        "INSERT INTO sync_meetings (uuid, user_key, start_time) VALUES (?1, ?2, ?3)
         ON CONFLICT DO NOTHING",
    )?;
    // The account-wide report names each meeting's host (their email stands for the user); a
    // user's own report lists theirs.
    for (list, uuid_key, host_key) in [
        ("history_meetings", "meeting_uuid", Some("host_email")),
        ("meetings", "uuid", None),
    ] {
        for m in v.get(list).and_then(|m| m.as_array()).into_iter().flatten() {
            let Some(uuid) = m
                .get(uuid_key)
                .and_then(|u| u.as_str())
                .filter(|u| !u.is_empty())
            else {
                continue;
            };
            let host = host_key
                .and_then(|k| m.get(k))
                .and_then(|u| u.as_str())
                .unwrap_or(user_key);
            let start = m
                .get("start_time")
                .and_then(crate::model::time::norm_time_value);
            n += st.execute(params![uuid, host, start])?;
        }
    }
    Ok(n)
}

/// Meeting instances listed for these users (all users when None) starting in `from..=to`.
pub fn meetings_in(
    conn: &Connection,
    users: Option<&[String]>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<String>> {
    let lo = from.format("%Y-%m-%d").to_string();
    let hi = to
        .checked_add_days(Days::new(1))
        .unwrap_or(to)
        .format("%Y-%m-%d")
        .to_string();
    let mut st = conn.prepare(
        "SELECT uuid, user_key FROM sync_meetings
         WHERE start_time IS NULL OR (start_time >= ?1 AND start_time < ?2)
         ORDER BY start_time, uuid",
    )?;
    let rows = st.query_map(params![lo, hi], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut out = vec![];
    let mut seen = std::collections::HashSet::new();
    for r in rows {
        let (uuid, user) = r?;
        if let Some(us) = users
            && !us.iter().any(|u| u.eq_ignore_ascii_case(&user))
        {
            continue;
        }
        if seen.insert(uuid.clone()) {
            out.push(uuid);
        }
    }
    Ok(out)
}

/// The coverage rows of a case, as left by earlier runs.
#[derive(Default)]
pub struct Coverage {
    rows: HashMap<(String, String, String, String), (String, String)>,
}

impl Coverage {
    pub fn load(conn: &Connection) -> Result<Coverage> {
        let mut st = conn
            .prepare("SELECT source, scope, win_from, win_to, state, updated_at FROM coverage")?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?),
                    (r.get(4)?, r.get(5)?),
                ))
            })?
            .collect::<rusqlite::Result<HashMap<_, _>>>()?;
        Ok(Coverage { rows })
    }

    /// Whether an earlier run finished this unit for good: done (or unavailable), and for a
    /// window, fetched more than a day after it closed (reports can lag the meeting's end).
    pub fn is_complete(&self, u: &Unit) -> bool {
        if u.snapshot {
            return false;
        }
        let key = (
            u.source.name().to_string(),
            u.scope.clone(),
            u.win_from.clone(),
            u.win_to.clone(),
        );
        let Some((state, updated)) = self.rows.get(&key) else {
            return false;
        };
        if state != "done" && state != "unavailable" {
            return false;
        }
        if u.win_to.is_empty() {
            return true;
        }
        let Ok(end) = NaiveDate::parse_from_str(&u.win_to, "%Y-%m-%d") else {
            return false;
        };
        let settled = end
            .checked_add_days(Days::new(1))
            .unwrap_or(end)
            .format("%Y-%m-%d")
            .to_string();
        updated.get(..10).is_some_and(|d| d > settled.as_str())
    }

    /// For `--since-last`: the end of the latest completed window of (source, scope).
    pub fn last_done_to(&self, source: Source, scope: &str) -> Option<NaiveDate> {
        self.rows
            .iter()
            .filter(|((s, sc, _, to), (state, _))| {
                s == source.name() && sc == scope && state == "done" && !to.is_empty()
            })
            .filter_map(|((_, _, _, to), _)| NaiveDate::parse_from_str(to, "%Y-%m-%d").ok())
            .max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn done_windows_are_complete_only_once_settled() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("c.case")).unwrap();
        let u = super::super::plan::account_units(
            Source::Signins,
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 1, 10).unwrap(),
        )
        .remove(0);
        let put = |state, detail, at| {
            upsert(&s.conn, &Checkpoint::of(&u, state, detail), at).unwrap();
        };
        put(State::Done, "", "2026-01-11T00:00:00Z");
        assert!(!Coverage::load(&s.conn).unwrap().is_complete(&u));
        put(State::Done, "", "2026-01-12T00:00:00Z");
        let cov = Coverage::load(&s.conn).unwrap();
        assert!(cov.is_complete(&u));
        assert_eq!(
            cov.last_done_to(Source::Signins, ""),
            NaiveDate::from_ymd_opt(2026, 1, 10)
        );
        put(State::Failed, "x", "2026-01-13T00:00:00Z");
        assert!(!Coverage::load(&s.conn).unwrap().is_complete(&u));
        let n: i64 = s
            .conn
            .query_row("SELECT COUNT(*) FROM coverage", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn meetings_are_remembered_per_user_and_scoped() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("c.case")).unwrap();
        let body = r#"{"meetings":[{"uuid":"a==","start_time":"2026-01-02T10:00:00Z"},
            {"uuid":"b//c","start_time":"2026-02-02T10:00:00Z"},{"uuid":""}]}"#;
        assert_eq!(record_meetings(&s.conn, "u1", body).unwrap(), 2);
        assert_eq!(record_meetings(&s.conn, "u1", body).unwrap(), 0);
        record_meetings(
            &s.conn,
            "u2",
            r#"{"meetings":[{"uuid":"a==","start_time":"2026-01-02T10:00:00Z"}]}"#,
        )
        .unwrap();
        let jan = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
        assert_eq!(
            meetings_in(&s.conn, None, jan(1), jan(31)).unwrap(),
            vec!["a=="]
        );
        assert_eq!(
            meetings_in(
                &s.conn,
                Some(&["U2".into()]),
                jan(1),
                NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
            )
            .unwrap(),
            vec!["a=="]
        );
        assert_eq!(
            meetings_in(&s.conn, None, jan(1), jan(2)).unwrap(),
            vec!["a=="]
        );
    }
}
