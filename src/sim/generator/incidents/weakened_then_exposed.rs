//! The waiting room turned off, then a guest joins: the exposure is found as meetings
//! stream (`Plan::note_exposure`) and becomes truth at the end (`Plan::resolve_exposures`).
//! The near-miss is a weakening reverted before anyone joined.

use super::build::{guest, mins, sec, secs};
use super::{Gen, Plan};
use crate::model::time::fmt_utc;
use crate::sim::generator::{Truth, TruthItem};
use anyhow::Result;
use chrono::{DateTime, Duration, Utc};

pub(super) const RULE: &str = "weakened-then-exposed";

const WAITING_OFF: &str = "Security  - Waiting room: from On to Off";
const WAITING_ON: &str = "Security  - Waiting room: from Off to On";
const WAITING_ROOM: (&str, &str) = ("security", "waiting_room");

/// A weakened setting, tracked to find the first outsider join within 24 h (unless reverted).
#[derive(Debug, Clone)]
pub struct Weak {
    pub time: DateTime<Utc>,
    pub operator: String,
    pub detail: String,
    pub revert: Option<DateTime<Utc>>,
    pub exposure: Option<(DateTime<Utc>, String)>,
    pub deliberate: bool,
}

impl Weak {
    /// A weakening that stays and that no plant sets out to expose.
    pub(super) fn new(time: DateTime<Utc>, operator: String, detail: &str) -> Weak {
        Weak {
            time,
            operator,
            detail: detail.into(),
            revert: None,
            exposure: None,
            deliberate: false,
        }
    }
}

pub(super) fn prepare(g: &mut Gen) {
    let last = g.plan.last;
    let admin = g.email(g.org.admins[0]);
    let reverted = Weak {
        revert: Some(g.at_day(last, sec(4, 10))),
        ..Weak::new(g.at_day(last, sec(4, 0)), admin.clone(), WAITING_OFF)
    };
    let exposed = Weak {
        deliberate: true,
        ..Weak::new(g.at_day(last, sec(5, 0)), admin, WAITING_OFF)
    };
    g.plan.weak.extend([reverted, exposed]);
}

/// Off, back on 10 minutes later, off again; then the guest who is exposed to it.
pub(super) fn last(g: &mut Gen) -> Result<()> {
    let admin = g.org.admins[0];
    let setting_rule = super::security_setting_disabled::RULE;
    for (at, detail, on, note) in [
        (
            sec(4, 0),
            WAITING_OFF,
            false,
            "waiting room off (reverted 10 minutes later)",
        ),
        (sec(4, 10), WAITING_ON, true, "waiting room turned back on"),
        (
            sec(5, 0),
            WAITING_OFF,
            false,
            "waiting room off again (then a guest joins)",
        ),
    ] {
        let it = g
            .setting(g.at(at), admin, detail, WAITING_ROOM, on)?
            .note(note);
        if on {
            g.near_miss(setting_rule, it);
        } else {
            g.incident(setting_rule, it);
        }
    }
    let host = g.regular("Sales-EMEA", 0);
    let mut m = g.meeting("Partner Preview", host, sec(7, 0), 40, &[]);
    m.join(
        guest("Preview Guest", "203.0.113.205", "Rotterdam (NL)"),
        secs(300),
        mins(30),
    );
    g.held(m)?;
    Ok(())
}

impl Plan {
    /// An outsider joined `uuid` at `t`: the first such join after each unreverted weakening.
    pub fn note_exposure(&mut self, t: DateTime<Utc>, uuid: &str) {
        for w in &mut self.weak {
            if t > w.time
                && t <= w.time + Duration::hours(24)
                && w.revert.is_none_or(|r| t < r)
                && w.exposure.as_ref().is_none_or(|(e, _)| t < *e)
            {
                w.exposure = Some((t, uuid.to_string()));
            }
        }
    }

    /// Every weakening followed by an outsider's join within 24 h is a weakened-then-exposed
    /// incident (the deliberate plant, and the consequences of the other weakenings).
    pub fn resolve_exposures(&self, truth: &mut Truth) {
        for w in &self.weak {
            match &w.exposure {
                Some((t, uuid)) => truth.incidents.push(TruthItem {
                    rule: RULE.into(),
                    planted: w.deliberate,
                    user: Some(w.operator.clone()),
                    meeting_uuid: Some(uuid.clone()),
                    time: Some(fmt_utc(w.time)),
                    note: format!("{:?} then an outsider joined at {}", w.detail, fmt_utc(*t)),
                    ..Default::default()
                }),
                None if w.revert.is_some() => truth.near_misses.push(TruthItem {
                    rule: RULE.into(),
                    planted: false,
                    user: Some(w.operator.clone()),
                    time: Some(fmt_utc(w.time)),
                    note: format!(
                        "{:?} reverted at {} before any outsider joined",
                        w.detail,
                        fmt_utc(w.revert.unwrap())
                    ),
                    ..Default::default()
                }),
                None => {}
            }
        }
    }
}
