//! The board meeting's recording downloaded by someone who was not in it; the near-miss is
//! a participant downloading it.

use super::Gen;
use super::build::sec;
use anyhow::Result;

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
    g.near_miss(RULE, it.of((id, uuid)).note("downloaded by a participant"));
    Ok(())
}
