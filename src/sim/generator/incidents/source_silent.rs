//! Chat messages stop for 32 h around the mid day; the near-miss is the operation log's
//! quiet spell of about 20.5 h from day 0. The holes are cut out as the day is flushed.

use super::build::{It, sec};
use super::{Gen, Plan};
use crate::model::time::fmt_utc;
use anyhow::Result;
use chrono::{DateTime, Duration, Utc};

pub(super) const RULE: &str = "source-silent";

pub(super) fn prepare(g: &mut Gen) {
    let s = g.at_day(g.plan.mid - 1, sec(12, 0));
    g.plan.chat_hole = Some((
        s.timestamp_millis(),
        (s + Duration::hours(32)).timestamp_millis(),
    ));
    let q = g.at_day(0, sec(7, 30));
    g.plan.op_quiet = Some((q, q + Duration::hours(20)));
}

impl Plan {
    pub fn in_chat_hole(&self, ts_ms: i64) -> bool {
        self.chat_hole.is_some_and(|(a, b)| ts_ms >= a && ts_ms < b)
    }

    pub fn in_op_quiet(&self, t: DateTime<Utc>) -> bool {
        self.op_quiet.is_some_and(|(a, b)| t >= a && t < b)
    }
}

pub(super) fn truth(g: &mut Gen) -> Result<()> {
    let (a, b) = g.plan.op_quiet.unwrap();
    let note = format!(
        "zoom_operation_logs quiet for about 20.5 h ({} .. {}), under the 24 h threshold",
        fmt_utc(a - Duration::minutes(30)),
        fmt_utc(b)
    );
    g.near_miss(RULE, It::new(note).at(a));
    let (ca, cb) = g.plan.chat_hole.unwrap();
    let (ca, cb) = (
        DateTime::from_timestamp_millis(ca).unwrap(),
        DateTime::from_timestamp_millis(cb).unwrap(),
    );
    let note = format!(
        "zoom_chat_messages silent for at least 32 h ({} .. {})",
        fmt_utc(ca),
        fmt_utc(cb)
    );
    g.incident(RULE, It::new(note).at(ca));
    Ok(())
}

/// The operation log resumes right at the end of its quiet spell (the near-miss).
pub(super) fn resume(g: &mut Gen) -> Result<()> {
    let Some((_, b)) = g.plan.op_quiet else {
        return Ok(());
    };
    if b.date_naive() != g.date {
        return Ok(());
    }
    let target = g.regular("", 7);
    let detail = format!(
        "Update User {}  - Job Title: set to {}",
        g.email(target),
        g.org.people[target].title
    );
    g.operation(
        b,
        g.org.admins[1],
        "User",
        "SCIM API - Update",
        &detail,
        None,
    )
}
