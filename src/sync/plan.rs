//! What a sync fetches: sources, windows of at most 30 days, and one unit of work per
//! (source, entity, window) — the grain of checkpoints and of the `coverage` table.

use crate::zoom::Request;
use crate::zoom::endpoints::{self, ChatWith};
use anyhow::{Result, bail};
use chrono::{Days, NaiveDate};

/// Zoom allows one month per report/recording request; 30 days is the safe reading.
pub const MAX_WINDOW_DAYS: u64 = 30;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Users,
    Signins,
    Operations,
    Meetings,
    Participants,
    Metrics,
    Recordings,
    Chat,
    /// `/report/history_meetings`: the account-wide meeting list (replaces the per-user loop).
    History,
    /// Recording analytics: who viewed or downloaded each recording.
    Analytics,
    Disclaimers,
    RemoteSupport,
}

impl Source {
    pub const ALL: [Source; 12] = [
        Source::Users,
        Source::Signins,
        Source::Operations,
        Source::Meetings,
        Source::Participants,
        Source::Metrics,
        Source::Recordings,
        Source::Chat,
        Source::History,
        Source::Analytics,
        Source::Disclaimers,
        Source::RemoteSupport,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Source::Users => "users",
            Source::Signins => "signins",
            Source::Operations => "operations",
            Source::Meetings => "meetings",
            Source::Participants => "participants",
            Source::Metrics => "metrics",
            Source::Recordings => "recordings",
            Source::Chat => "chat",
            Source::History => "history",
            Source::Analytics => "analytics",
            Source::Disclaimers => "disclaimers",
            Source::RemoteSupport => "remote_support",
        }
    }

    pub fn parse(s: &str) -> Result<Source> {
        let s = s.trim().to_ascii_lowercase();
        Source::ALL
            .into_iter()
            .find(|x| x.name() == s)
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "unknown source {:?}; choose from {}",
                    crate::output::sanitize(&s),
                    Source::ALL.map(|x| x.name()).join(",")
                )
            })
    }

    /// The OAuth scopes the source's endpoints need: (granular, admin level; classic). Apps
    /// created since 2024 get granular scopes, older apps keep classic ones; Zoom accepts any
    /// listed level of a granular scope.
    pub fn scopes(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Source::Users => (&["user:read:list_users:admin"], &["user:read:admin"]),
            Source::Signins => (
                &["report:read:user_activities:admin"],
                &["report:read:admin"],
            ),
            Source::Operations => (
                &["report:read:operation_logs:admin"],
                &["report:read:admin"],
            ),
            Source::Meetings => (
                &[
                    "report:read:user:admin",
                    "meeting:read:list_past_instances:admin",
                ],
                &["report:read:admin", "meeting:read:admin"],
            ),
            Source::Participants => (
                &["report:read:list_meeting_participants:admin"],
                &["report:read:admin"],
            ),
            Source::Metrics => (
                &["dashboard:read:list_meeting_participants:admin"],
                &["dashboard_meetings:read:admin"],
            ),
            Source::Recordings => (
                &["cloud_recording:read:list_user_recordings:admin"],
                &["recording:read:admin"],
            ),
            Source::Chat => (
                &[
                    "team_chat:read:list_user_channels:admin",
                    "team_chat:read:list_user_messages:admin",
                ],
                &["chat_channel:read:admin", "chat_message:read:admin"],
            ),
            Source::History => (
                &["report:read:list_history_meetings:admin"],
                &["report:read:admin"],
            ),
            Source::Analytics => (
                &["cloud_recording:read:recording_analytics_details:admin"],
                &["recording:read:admin"],
            ),
            Source::Disclaimers => (&["report:read:disclaimer:admin"], &["report:read:admin"]),
            Source::RemoteSupport => (
                &["report:read:remote_support:admin"],
                &["report:read:admin"],
            ),
        }
    }

    /// Sources whose endpoints take a user id (and so walk the users directory).
    pub fn per_user(self) -> bool {
        matches!(
            self,
            Source::Meetings
                | Source::Recordings
                | Source::Chat
                | Source::Participants
                | Source::Metrics
        )
    }
}

/// Parse `--sources`; empty means all.
pub fn parse_sources(list: &[String]) -> Result<Vec<Source>> {
    if list.iter().all(|s| s.trim().is_empty()) {
        return Ok(Source::ALL.to_vec());
    }
    let mut v = list
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| Source::parse(s))
        .collect::<Result<Vec<_>>>()?;
    v.sort();
    v.dedup();
    Ok(v)
}

pub fn parse_day(s: &str, flag: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        anyhow::anyhow!(
            "{flag} {:?} is not a date; use YYYY-MM-DD",
            crate::output::sanitize(s)
        )
    })
}

/// Split `from..=to` into consecutive windows of at most 30 days, `to` inclusive (Zoom's own
/// examples ask for a month as `from=2019-09-01&to=2019-09-30`), so no day is fetched twice.
/// A `--since-last` run starts again on the last day it completed, which may have been
/// incomplete then; the store deduplicates that boundary day.
pub fn windows(from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out = vec![];
    if to < from {
        return out;
    }
    let mut s = from;
    loop {
        let e = s
            .checked_add_days(Days::new(MAX_WINDOW_DAYS - 1))
            .unwrap_or(to)
            .min(to);
        out.push((s, e));
        if e >= to {
            break;
        }
        s = e.succ_opt().unwrap_or(e);
    }
    out
}

/// One checkpointed piece of work.
#[derive(Clone, Debug)]
pub struct Unit {
    pub source: Source,
    /// Coverage scope: user id/email, meeting UUID, users status, `trash:<user>`, or ''.
    pub scope: String,
    pub win_from: String,
    pub win_to: String,
    pub req: Request,
    /// A current-state snapshot (users directory, recordings trash): fetched on every run.
    pub snapshot: bool,
}

fn d(x: NaiveDate) -> String {
    x.format("%Y-%m-%d").to_string()
}

pub fn users_units() -> Vec<Unit> {
    ["active", "inactive", "pending"]
        .into_iter()
        .map(|st| Unit {
            source: Source::Users,
            scope: st.to_string(),
            win_from: String::new(),
            win_to: String::new(),
            req: endpoints::users(st),
            snapshot: true,
        })
        .collect()
}

/// Account-wide windowed report (sign-ins, operation logs).
pub fn account_units(source: Source, from: NaiveDate, to: NaiveDate) -> Vec<Unit> {
    windowed(source, "", from, to, |a, b| match source {
        Source::Signins => endpoints::activities(a, b),
        Source::History => endpoints::history_meetings(a, b),
        Source::Disclaimers => endpoints::disclaimer(a, b),
        Source::RemoteSupport => endpoints::remote_support(a, b),
        _ => endpoints::operation_logs(a, b),
    })
}

/// `source`'s units of coverage `scope`, one a window from `from` to `to`, each asking
/// `req(window start, window end)`.
fn windowed(
    source: Source,
    scope: &str,
    from: NaiveDate,
    to: NaiveDate,
    req: impl Fn(NaiveDate, NaiveDate) -> Request,
) -> Vec<Unit> {
    windows(from, to)
        .into_iter()
        .map(|(a, b)| Unit {
            source,
            scope: scope.to_string(),
            win_from: d(a),
            win_to: d(b),
            req: req(a, b),
            snapshot: false,
        })
        .collect()
}

/// Per-user windowed endpoints (meetings report, recordings); chat goes through
/// [`channels_unit`] and [`chat_units`], since Zoom asks for a conversation.
pub fn user_units(source: Source, user: &str, from: NaiveDate, to: NaiveDate) -> Vec<Unit> {
    windowed(source, user, from, to, |a, b| match source {
        Source::Meetings => endpoints::user_meetings(user, a, b),
        _ => endpoints::recordings(user, a, b),
    })
}

/// Prefix of the coverage scope of `type=pastJoined` meeting reports (`--users` only).
pub const JOINED: &str = "joined:";

/// Meetings a scoped user joined (hosted by others), window by window.
pub fn joined_units(user: &str, from: NaiveDate, to: NaiveDate) -> Vec<Unit> {
    let scope = format!("{JOINED}{user}");
    windowed(Source::Meetings, &scope, from, to, |a, b| {
        endpoints::user_meetings_joined(user, a, b)
    })
}

/// A user's chat channels (a current-state listing, fetched on every run, like the trash).
/// Scope `channels:<user>`.
pub fn channels_unit(user: &str) -> Unit {
    Unit {
        source: Source::Chat,
        scope: format!("channels:{user}"),
        win_from: String::new(),
        win_to: String::new(),
        req: endpoints::user_channels(user),
        snapshot: true,
    }
}

/// Coverage scope of one user's conversation: `channel:<id>:<user>` or `contact:<who>:<user>`.
pub fn chat_scope(user: &str, with: ChatWith) -> String {
    match with {
        ChatWith::Channel(c) => format!("channel:{c}:{user}"),
        ChatWith::Contact(c) => format!("contact:{c}:{user}"),
    }
}

/// One user's messages in one conversation, window by window.
pub fn chat_units(user: &str, with: ChatWith, from: NaiveDate, to: NaiveDate) -> Vec<Unit> {
    let scope = chat_scope(user, with);
    windowed(Source::Chat, &scope, from, to, |a, b| {
        endpoints::chat_messages(user, with, a, b)
    })
}

pub fn trash_unit(user: &str) -> Unit {
    Unit {
        source: Source::Recordings,
        scope: format!("trash:{user}"),
        win_from: String::new(),
        win_to: String::new(),
        req: endpoints::recordings_trash(user),
        snapshot: true,
    }
}

pub fn meeting_unit(source: Source, uuid: &str) -> Unit {
    Unit {
        source,
        scope: uuid.to_string(),
        win_from: String::new(),
        win_to: String::new(),
        req: if source == Source::Metrics {
            endpoints::metrics_participants(uuid)
        } else {
            endpoints::report_participants(uuid)
        },
        snapshot: false,
    }
}

/// Coverage scope of one recording's analytics: `view:<uuid>` or `download:<uuid>`.
pub fn analytics_scope(uuid: &str, download: bool) -> String {
    format!("{}:{uuid}", if download { "download" } else { "view" })
}

/// Who viewed (or downloaded) one recording, window by window from `from` to `to`.
pub fn analytics_units(uuid: &str, download: bool, from: NaiveDate, to: NaiveDate) -> Vec<Unit> {
    let scope = analytics_scope(uuid, download);
    windowed(Source::Analytics, &scope, from, to, |a, b| {
        endpoints::recording_analytics(uuid, download, a, b)
    })
}

/// Validate a requested range.
pub fn check_range(from: NaiveDate, to: NaiveDate) -> Result<()> {
    if to < from {
        bail!("--to {to} is before --from {from}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        parse_day(s, "--from").unwrap()
    }

    #[test]
    fn windows_are_at_most_30_days_contiguous_and_cover_the_range() {
        let w = windows(day("2026-01-01"), day("2026-03-15"));
        assert_eq!(w.first().unwrap().0, day("2026-01-01"));
        assert_eq!(w.last().unwrap().1, day("2026-03-15"));
        for (a, b) in &w {
            assert!((*b - *a).num_days() < 30, "{a}..{b}");
        }
        for pair in w.windows(2) {
            assert_eq!(
                pair[0].1.succ_opt().unwrap(),
                pair[1].0,
                "contiguous, no overlap"
            );
        }
        assert_eq!(w.len(), 3);
        assert_eq!(
            windows(day("2026-01-01"), day("2026-01-30")),
            vec![(day("2026-01-01"), day("2026-01-30"))]
        );
        assert_eq!(windows(day("2026-01-02"), day("2026-01-01")), vec![]);
        assert_eq!(
            windows(day("2026-01-01"), day("2026-01-01")),
            vec![(day("2026-01-01"), day("2026-01-01"))]
        );
    }

    #[test]
    fn sources_parse() {
        assert_eq!(parse_sources(&[]).unwrap().len(), Source::ALL.len());
        assert_eq!(
            parse_sources(&["chat".into(), "Users".into(), "chat".into()]).unwrap(),
            vec![Source::Users, Source::Chat]
        );
        assert!(
            parse_sources(&["bogus".into()])
                .unwrap_err()
                .to_string()
                .contains("choose from")
        );
        assert!(parse_day("2026-13-01", "--from").is_err());
    }
}
