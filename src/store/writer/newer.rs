//! Issue 18's newer sources: recording analytics, the account-wide meeting history, disclaimer
//! responses, remote-support sessions and risk alerts. Each goes through [`Writer::put`], so
//! raw, sha256 and origin are kept exactly as for every other evidence table.

use super::{EvidenceKey, Merge, Outcome, Spec, Writer, evidence_in};
use crate::model::Evidence;
use anyhow::Result;

/// One view or download of a cloud recording (`analytics_details`).
#[derive(Debug, Clone, Default)]
pub struct RecordingAccess {
    pub meeting_uuid: String,
    /// `view` or `download`.
    pub kind: String,
    pub time: String,
    /// '' for an anonymous share-link viewer.
    pub email: String,
    pub name: String,
    pub duration: Option<i64>,
}

/// A `/report/history_meetings` row's own facts (the meeting itself goes to `meetings`).
#[derive(Debug, Clone, Default)]
pub struct HistoryMeeting {
    pub meeting_uuid: String,
    pub meeting_id: Option<i64>,
    pub kind: Option<String>,
    pub start_time: Option<String>,
    pub host_email: Option<String>,
    pub host_name: Option<String>,
    pub department: Option<String>,
    /// JSON array text.
    pub groups: Option<String>,
    pub source: Option<String>,
    pub participants: Option<i64>,
    /// JSON object text of the `feature_used` booleans.
    pub features: String,
}

#[derive(Debug, Clone, Default)]
pub struct Disclaimer {
    pub time: String,
    pub meeting_uuid: String,
    pub email: String,
    pub display_name: String,
    pub disclaimer_type: String,
    pub status: String,
    pub meeting_number: Option<i64>,
    pub client_type: Option<String>,
    pub is_guest: Option<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct RemoteSupport {
    pub meeting_uuid: String,
    pub start_time: String,
    pub supporter_email: String,
    pub supportee_email: String,
    pub meeting_number: Option<i64>,
    pub topic: Option<String>,
    pub host_id: Option<String>,
    pub supporter_name: Option<String>,
    pub supportee_name: Option<String>,
    pub request_time: Option<String>,
    pub end_time: Option<String>,
    pub wait_s: Option<i64>,
    pub duration_s: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct RiskAlert {
    pub meeting_id: Option<i64>,
    pub meeting_uuid: String,
    pub post_time: String,
    pub social_link: String,
    pub alert_time: String,
    pub host_email: Option<String>,
    pub topic: Option<String>,
    pub post_platform: Option<String>,
    pub post_user: Option<String>,
    pub meeting_url: Option<String>,
    pub recommended: Option<String>,
}

static ACCESS: Spec = Spec::new(
    "recording_access",
    &["meeting_uuid", "kind", "time", "email", "name", "duration"],
    5,
    Merge::Fill,
);
static HISTORY: Spec = Spec::new(
    "meeting_history",
    &[
        "meeting_uuid",
        "meeting_id",
        "type",
        "start_time",
        "host_email",
        "host_name",
        "department",
        "groups",
        "source",
        "participants",
        "features",
    ],
    1,
    Merge::Replace,
);
static DISCLAIMERS: Spec = Spec::new(
    "disclaimers",
    &[
        "time",
        "meeting_uuid",
        "email",
        "display_name",
        "disclaimer_type",
        "status",
        "meeting_number",
        "client_type",
        "is_guest",
    ],
    6,
    Merge::Fill,
);
static REMOTE: Spec = Spec::new(
    "remote_support",
    &[
        "meeting_uuid",
        "start_time",
        "supporter_email",
        "supportee_email",
        "meeting_number",
        "topic",
        "host_id",
        "supporter_name",
        "supportee_name",
        "request_time",
        "end_time",
        "wait_s",
        "duration_s",
    ],
    4,
    Merge::Fill,
);
static RISK: Spec = Spec::new(
    "risk_alerts",
    &[
        "meeting_uuid",
        "post_time",
        "social_link",
        "meeting_id",
        "alert_time",
        "host_email",
        "topic",
        "post_platform",
        "post_user",
        "meeting_url",
        "recommended",
    ],
    3,
    Merge::Fill,
);

impl Writer<'_> {
    pub fn recording_access(&mut self, a: &RecordingAccess, ev: &Evidence) -> Result<Outcome> {
        let (o, _) = self.put(
            &ACCESS,
            &[
                &a.meeting_uuid,
                &a.kind,
                &a.time,
                &a.email,
                &a.name,
                &a.duration,
            ],
            ev,
        )?;
        self.terms(&[("email", Some(&a.email)), ("name", Some(&a.name))])?;
        Ok(o)
    }

    pub fn history_meeting(&mut self, h: &HistoryMeeting, ev: &Evidence) -> Result<Outcome> {
        let (o, _) = self.put(
            &HISTORY,
            &[
                &h.meeting_uuid,
                &h.meeting_id,
                &h.kind,
                &h.start_time,
                &h.host_email,
                &h.host_name,
                &h.department,
                &h.groups,
                &h.source,
                &h.participants,
                &h.features,
            ],
            ev,
        )?;
        Ok(o)
    }

    pub fn disclaimer(&mut self, d: &Disclaimer, ev: &Evidence) -> Result<Outcome> {
        let guest = d.is_guest.map(i64::from);
        let (o, _) = self.put(
            &DISCLAIMERS,
            &[
                &d.time,
                &d.meeting_uuid,
                &d.email,
                &d.display_name,
                &d.disclaimer_type,
                &d.status,
                &d.meeting_number,
                &d.client_type,
                &guest,
            ],
            ev,
        )?;
        self.terms(&[("email", Some(&d.email)), ("name", Some(&d.display_name))])?;
        Ok(o)
    }

    pub fn remote_support(&mut self, r: &RemoteSupport, ev: &Evidence) -> Result<Outcome> {
        let (o, _) = self.put(
            &REMOTE,
            &[
                &r.meeting_uuid,
                &r.start_time,
                &r.supporter_email,
                &r.supportee_email,
                &r.meeting_number,
                &r.topic,
                &r.host_id,
                &r.supporter_name,
                &r.supportee_name,
                &r.request_time,
                &r.end_time,
                &r.wait_s,
                &r.duration_s,
            ],
            ev,
        )?;
        self.terms(&[
            ("email", Some(&r.supporter_email)),
            ("email", Some(&r.supportee_email)),
            ("name", r.supporter_name.as_deref()),
            ("name", r.supportee_name.as_deref()),
        ])?;
        Ok(o)
    }

    pub fn risk_alert(&mut self, r: &RiskAlert, ev: &Evidence) -> Result<Outcome> {
        let (o, _) = self.put(
            &RISK,
            &[
                &r.meeting_uuid,
                &r.post_time,
                &r.social_link,
                &r.meeting_id,
                &r.alert_time,
                &r.host_email,
                &r.topic,
                &r.post_platform,
                &r.post_user,
                &r.meeting_url,
                &r.recommended,
            ],
            ev,
        )?;
        Ok(o)
    }
}

evidence_in! {
    RecordingAccess => ACCESS; HistoryMeeting => HISTORY; Disclaimer => DISCLAIMERS;
    RemoteSupport => REMOTE; RiskAlert => RISK;
}
