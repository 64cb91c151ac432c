//! The board meeting's recording downloaded by someone who was not in it (seen in the
//! operation log and in the recording's analytics: one finding), and watched by another
//! outsider to the meeting (analytics only); the near-misses are a participant downloading it
//! and one watching it.

use super::Gen;
use super::build::{It, sec};
use crate::model::time::fmt_utc;
use anyhow::Result;
use serde_json::json;

pub(super) const RULE: &str = "recording-download-by-non-participant";

const DOWNLOAD: (&str, &str) = ("Recording", "Download");

pub(super) fn early(g: &mut Gen) -> Result<()> {
    let Some((id, uuid, present)) = g.plan.board.clone() else {
        return Ok(());
    };
    let detail = format!("Download Recording meeting_id:{id}");
    let snoop = g.org.persona("snoop");
    let it = g.op(g.at(sec(20, 0)), snoop, DOWNLOAD, &detail, None)?;
    let note = "board meeting recording downloaded by someone who was not in it";
    g.incident(RULE, it.of((id, uuid.clone())).note(note));
    let cfo = g.org.vip("CFO");
    let who = if present.contains(&cfo) {
        cfo
    } else {
        present[0]
    };
    let it = g.op(g.at(sec(20, 30)), who, DOWNLOAD, &detail, None)?;
    g.near_miss(
        RULE,
        it.of((id, uuid.clone()))
            .note("downloaded by a participant"),
    );
    // The recording's own analytics say the same of both downloads.
    for (p, t) in [(snoop, sec(20, 0)), (who, sec(20, 30))] {
        let pe = &g.org.people[p];
        let row = json!({"date_time": fmt_utc(g.at(t)), "name": pe.name(), "email": pe.email});
        g.newer.access(&uuid, true, row);
    }
    // Someone else who was not there watches it the next morning; a participant watches too.
    let viewer = g.regular("Sales", 7);
    if !present.contains(&viewer) {
        let t = g.at(sec(24 + 9, 15));
        let pe = &g.org.people[viewer];
        let row = json!({"date_time": fmt_utc(t), "name": pe.name(), "email": pe.email, "duration": 1520});
        let email = pe.email.clone();
        g.newer.access(&uuid, false, row);
        let note = "board meeting recording watched by someone who was not in it";
        g.incident(RULE, It::new(note).of((id, uuid.clone())).user(email).at(t));
    }
    let t = g.at(sec(24 + 10, 0));
    let pe = &g.org.people[who];
    let row =
        json!({"date_time": fmt_utc(t), "name": pe.name(), "email": pe.email, "duration": 2400});
    let email = pe.email.clone();
    g.newer.access(&uuid, false, row);
    g.near_miss(
        RULE,
        It::new("watched by a participant")
            .of((id, uuid))
            .user(email)
            .at(t),
    );
    Ok(())
}
