//! Records of issue 18's newer sources: `/report/history_meetings` rows (a meeting plus its
//! host's department and `feature_used` flags), recording analytics rows, `/report/disclaimer`
//! and `/report/remote_support` rows, and the `meeting.risk_alert` webhook object.

use super::bodies::PageCtx;
use super::lax::{B, N, S, text_req, time_opt, time_req};
use super::sink::Sink;
use crate::model::{Evidence, Meeting};
use crate::store::{Disclaimer, HistoryMeeting, RecordingAccess, RemoteSupport, RiskAlert};
use anyhow::Result;
use serde::Deserialize;
use serde_json::value::RawValue;

fn parse<'a, T: Deserialize<'a>>(raw: &'a str) -> Result<T, String> {
    serde_json::from_str(raw).map_err(|e| format!("unusable record: {e}"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct HistoryRow<'a> {
    #[serde(borrow)]
    meeting_uuid: S<'a>,
    meeting_id: N,
    #[serde(borrow, rename = "type")]
    kind: S<'a>,
    #[serde(borrow)]
    host_display_name: S<'a>,
    #[serde(borrow)]
    host_email: S<'a>,
    #[serde(borrow)]
    start_time: S<'a>,
    #[serde(borrow)]
    end_time: S<'a>,
    #[serde(borrow)]
    topic: S<'a>,
    participants: N,
    duration: N,
    #[serde(borrow)]
    department: S<'a>,
    #[serde(borrow)]
    group: Option<&'a RawValue>,
    #[serde(borrow)]
    source: S<'a>,
    #[serde(borrow)]
    feature_used: Option<&'a RawValue>,
}

/// Only the booleans of `feature_used`, in key order; anything else in it is dropped (a
/// missing key stays unknown rather than false).
fn features(raw: Option<&RawValue>) -> String {
    let map: serde_json::Map<String, serde_json::Value> = raw
        .and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or_default();
    let kept: std::collections::BTreeMap<String, bool> = map
        .into_iter()
        .filter_map(|(k, v)| v.as_bool().map(|b| (k, b)))
        .collect();
    serde_json::to_string(&kept).unwrap_or_else(|_| "{}".into())
}

/// A history row as a meeting (for `meetings`, so it stands in for the per-user reports) and
/// its own facts.
pub(crate) fn history(raw: &str, via: &str) -> Result<(Meeting, HistoryMeeting), String> {
    let r: HistoryRow = parse(raw)?;
    let uuid = text_req("meeting_uuid", &r.meeting_uuid)?;
    let flags = features(r.feature_used);
    let on = |k: &str| -> Option<bool> {
        serde_json::from_str::<serde_json::Value>(&flags)
            .ok()
            .and_then(|v| v.get(k).and_then(|b| b.as_bool()))
    };
    let meeting = Meeting {
        uuid: uuid.clone(),
        meeting_id: r.meeting_id.0,
        topic: r.topic.own(),
        host_email: r.host_email.own(),
        host_name: r.host_display_name.own(),
        // The report says 'Meeting' or 'Webinar'; elsewhere type is Zoom's number.
        meeting_type: None,
        start_time: time_opt("start_time", &r.start_time)?,
        end_time: time_opt("end_time", &r.end_time)?,
        duration: r.duration.0,
        participants_count: r.participants.0,
        has_screen_share: on("screen_sharing"),
        has_recording: match (on("record_to_cloud"), on("record_to_computer")) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(false) || b.unwrap_or(false)),
        },
        has_chat: on("in_meeting_chat"),
        via: via.to_string(),
        ..Default::default()
    };
    let h = HistoryMeeting {
        meeting_uuid: uuid,
        meeting_id: r.meeting_id.0,
        kind: r.kind.own(),
        start_time: meeting.start_time.clone(),
        host_email: r.host_email.own(),
        host_name: r.host_display_name.own(),
        department: r.department.own(),
        groups: r.group.map(|g| g.get().to_string()),
        source: r.source.own(),
        participants: r.participants.0,
        features: flags,
    };
    Ok((meeting, h))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AccessRow<'a> {
    #[serde(borrow)]
    date_time: S<'a>,
    #[serde(borrow)]
    name: S<'a>,
    #[serde(borrow)]
    email: S<'a>,
    duration: N,
}

/// An `analytics_details` row. The request's `type` says view or download; a bare body has no
/// request, so a row with a viewing `duration` reads as a view and one without as a download
/// (Zoom documents `duration` for views only).
pub(crate) fn access(raw: &str, ctx: &PageCtx) -> Result<RecordingAccess, String> {
    let r: AccessRow = parse(raw)?;
    let uuid = ctx.meeting_uuid.clone().ok_or(
        "recording analytics without its meeting (import the bare body with --meeting UUID)",
    )?;
    let kind = match ctx.access_kind.as_deref() {
        Some(k) => k.to_string(),
        None if r.duration.0.is_some() => "view".into(),
        None => "download".into(),
    };
    Ok(RecordingAccess {
        meeting_uuid: uuid,
        kind,
        time: time_req("date_time", &r.date_time)?,
        email: r.email.get().unwrap_or("").trim().to_lowercase(),
        name: r.name.get().unwrap_or("").trim().to_string(),
        duration: r.duration.0,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DisclaimerRow<'a> {
    #[serde(borrow)]
    client_type: S<'a>,
    #[serde(borrow)]
    disclaimer_status: S<'a>,
    #[serde(borrow)]
    disclaimer_type: S<'a>,
    #[serde(borrow)]
    display_name: S<'a>,
    is_guest: B,
    #[serde(borrow)]
    meeting_id: S<'a>,
    meeting_number: N,
    #[serde(borrow)]
    time: S<'a>,
    #[serde(borrow)]
    user_email: S<'a>,
}

pub(crate) fn disclaimer(raw: &str) -> Result<Disclaimer, String> {
    let r: DisclaimerRow = parse(raw)?;
    Ok(Disclaimer {
        time: time_req("time", &r.time)?,
        meeting_uuid: r.meeting_id.get().unwrap_or("").to_string(),
        email: r.user_email.get().unwrap_or("").trim().to_lowercase(),
        display_name: r.display_name.get().unwrap_or("").to_string(),
        disclaimer_type: r.disclaimer_type.get().unwrap_or("").to_string(),
        status: text_req("disclaimer_status", &r.disclaimer_status)?,
        meeting_number: r.meeting_number.0,
        client_type: r.client_type.own(),
        is_guest: r.is_guest.0,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RemoteRow<'a> {
    #[serde(borrow)]
    meeting_uuid: S<'a>,
    meeting_number: N,
    #[serde(borrow)]
    topic: S<'a>,
    #[serde(borrow)]
    meeting_host_id: S<'a>,
    #[serde(borrow)]
    supporter_name: S<'a>,
    #[serde(borrow)]
    supporter_email: S<'a>,
    #[serde(borrow)]
    supportee_name: S<'a>,
    #[serde(borrow)]
    supportee_email: S<'a>,
    #[serde(borrow)]
    request_time: S<'a>,
    #[serde(borrow)]
    wait_time: S<'a>,
    #[serde(borrow)]
    start_time: S<'a>,
    #[serde(borrow)]
    end_time: S<'a>,
    #[serde(borrow)]
    duration: S<'a>,
}

/// `hh:mm:ss` (hours may exceed 24) as seconds; plain seconds are accepted too.
pub fn hms(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut total = 0i64;
    for part in s.split(':') {
        total = total * 60 + part.trim().parse::<i64>().ok()?;
    }
    Some(total)
}

pub(crate) fn remote(raw: &str) -> Result<RemoteSupport, String> {
    let r: RemoteRow = parse(raw)?;
    let dur = |f: &str, v: &S| -> Result<Option<i64>, String> {
        match v.nonblank() {
            None => Ok(None),
            Some(t) => hms(t)
                .map(Some)
                .ok_or_else(|| format!("{f} {t:?} is not hh:mm:ss")),
        }
    };
    Ok(RemoteSupport {
        meeting_uuid: text_req("meeting_uuid", &r.meeting_uuid)?,
        start_time: time_req("start_time", &r.start_time)?,
        supporter_email: r.supporter_email.get().unwrap_or("").trim().to_lowercase(),
        supportee_email: r.supportee_email.get().unwrap_or("").trim().to_lowercase(),
        meeting_number: r.meeting_number.0,
        topic: r.topic.own(),
        host_id: r.meeting_host_id.own(),
        supporter_name: r.supporter_name.own(),
        supportee_name: r.supportee_name.own(),
        request_time: time_opt("request_time", &r.request_time)?,
        end_time: time_opt("end_time", &r.end_time)?,
        wait_s: dur("wait_time", &r.wait_time)?,
        duration_s: dur("duration", &r.duration)?,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Armn<'a> {
    #[serde(borrow)]
    post_platform: S<'a>,
    #[serde(borrow)]
    social_link: S<'a>,
    #[serde(borrow)]
    post_time: S<'a>,
    #[serde(borrow)]
    post_user: S<'a>,
    #[serde(borrow)]
    meeting_url: S<'a>,
    recommended_enable_settings: Vec<String>,
    recommended_disable_settings: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RiskObject<'a> {
    id: N,
    #[serde(borrow)]
    uuid: S<'a>,
    #[serde(borrow)]
    host_email: S<'a>,
    #[serde(borrow)]
    topic: S<'a>,
    #[serde(borrow)]
    armn_details: Armn<'a>,
}

/// Store a `meeting.risk_alert` object (the delivery itself is in `webhook_events`).
pub(crate) fn store_risk_alert(
    w: &mut impl Sink,
    object: &str,
    time: &str,
    ev: &Evidence,
) -> Result<std::result::Result<(), String>> {
    let o: RiskObject = match parse(object) {
        Ok(o) => o,
        Err(e) => return Ok(Err(e)),
    };
    let a = &o.armn_details;
    let post_time = match time_opt("armn_details.post_time", &a.post_time) {
        Ok(t) => t.unwrap_or_default(),
        Err(e) => return Ok(Err(e)),
    };
    let recommended = serde_json::json!({
        "enable": a.recommended_enable_settings,
        "disable": a.recommended_disable_settings,
    });
    w.risk_alert(
        RiskAlert {
            meeting_id: o.id.0,
            meeting_uuid: o.uuid.get().unwrap_or("").to_string(),
            post_time,
            social_link: a.social_link.get().unwrap_or("").to_string(),
            alert_time: time.to_string(),
            host_email: o.host_email.own(),
            topic: o.topic.own(),
            post_platform: a.post_platform.own(),
            post_user: a.post_user.own(),
            meeting_url: a.meeting_url.own(),
            recommended: Some(recommended.to_string()),
        },
        ev.clone(),
    )?;
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::hms;

    #[test]
    fn support_durations_read_as_seconds() {
        assert_eq!(hms("00:17:30"), Some(1050));
        assert_eq!(hms("25:00:01"), Some(90001));
        assert_eq!(hms("42"), Some(42));
        assert_eq!(hms("1:x:3"), None);
        assert_eq!(hms(""), None);
    }
}
