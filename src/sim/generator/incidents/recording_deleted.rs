//! Recordings removed by their host (to the trash) and by an admin (for good) on the mid
//! day; the near-miss deletes a scheduled meeting, not a recording.

use super::Gen;
use super::build::{It, Meeting, sec};
use crate::sim::generator::ids;
use crate::sim::generator::meetings::Fate;
use anyhow::Result;
use chrono::{DateTime, Utc};

pub(super) const RULE: &str = "recording-deleted";

/// Holds `m` recorded, to be removed as `fate` says by `by` at `t` (a later day), with
/// the operation that records it logged on that day. The truth item names `by` and `t`.
fn removed(
    g: &mut Gen,
    mut m: Meeting,
    fate: fn(DateTime<Utc>, usize) -> Fate,
    by: usize,
    t: DateTime<Utc>,
) -> Result<It> {
    m.inst.recorded = true;
    m.inst.fate = fate(t, by);
    let (id, uuid) = g.held(m)?;
    let detail = format!("Delete Recording meeting_id:{id}");
    g.later(t, by, ("Recording", "Delete"), detail);
    Ok(It::default().user(g.email(by)).of((id, uuid)).at(t))
}

pub(super) fn early(g: &mut Gen) -> Result<()> {
    let (mid, admin) = (g.plan.mid, g.org.admins[0]);
    let host = g.regular("Engineering", 1);
    let insiders = [g.regular("Engineering", 2)];
    let m = g.meeting("Incident Postmortem", host, sec(15, 0), 40, &insiders);
    let it = removed(g, m, Fate::Trash, host, g.at_day(mid, sec(18, 0)))?;
    let note = "moved to the trash by its host (operation log, recording.trashed, trash listing)";
    g.incident(RULE, it.note(note));
    let host2 = g.regular("Legal", 0);
    let insiders = [g.regular("Legal", 1)];
    let topic = "Vendor Contract Negotiation";
    let m = g.meeting(topic, host2, sec(16, 0), 30, &insiders);
    let it = removed(g, m, Fate::Delete, admin, g.at_day(mid, sec(18, 30)))?;
    let note = "deleted for good by an admin (operation log, recording.deleted)";
    g.incident(RULE, it.note(note));
    let t = g.at_day(mid, sec(18, 45));
    let detail = format!("Delete Meeting {}", ids::meeting_number(7_777_777));
    g.later(t, host, ("Meeting", "Delete"), detail);
    let note = "a scheduled meeting deleted, not a recording";
    g.near_miss(RULE, It::new(note).user(g.email(host)).at(t));
    Ok(())
}
