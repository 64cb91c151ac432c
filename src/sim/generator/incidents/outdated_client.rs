//! The outdated persona's every session runs an old client (set up in the organisation);
//! the near-miss is older than most but above the minimum.

use super::Gen;
use super::build::It;
use anyhow::Result;

pub(super) const RULE: &str = "outdated-client";

pub(super) fn truth(g: &mut Gen) -> Result<()> {
    let p = g.org.persona("outdated");
    let note = "every sign-in and meeting from client 5.11.3.3882 (below 5.17.0)";
    g.incident(RULE, It::new(note).user(g.email(p)));
    let q = g.org.persona("oldish");
    let note = "client 6.0.11.39959: older than most, still above the minimum";
    g.near_miss(RULE, It::new(note).user(g.email(q)));
    Ok(())
}
