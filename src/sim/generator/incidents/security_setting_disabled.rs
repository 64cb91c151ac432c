//! A security setting turned off, also inside a batched detail and for a user group; the
//! near-miss turns one back on.

use super::build::sec;
use super::{Gen, Weak};
use anyhow::Result;

pub(super) const RULE: &str = "security-setting-disabled";

const BATCH_2FA: &str = "Security  - Automatically sign users out after a specified time: from On to Off - Sign in with Two-Factor Authentication: from On to Off";
const GROUP_PMI: &str =
    "Edit Group Sales-EMEA  - Personal Meeting ID (PMI) Passcode: from On to Off";
const PASSCODE_SECOND: &str = "Schedule Meeting  - Host video: from Off to On - Require a passcode when scheduling new meetings: from On to Off";
const SECURE_ALL_ON: &str =
    "Security  - Require that all meetings are secured with one security option: from Off to On";

/// Each weakening is known up front, so that an outsider joining within 24 h can be matched
/// as the meetings stream (weakened-then-exposed truth follows from them).
pub(super) fn prepare(g: &mut Gen) {
    let (early, mid) = (g.plan.early, g.plan.mid);
    let [owner, admin, admin2] =
        [g.org.owner, g.org.admins[0], g.org.admins[1]].map(|p| g.email(p));
    g.plan.weak.extend([
        Weak::new(g.at_day(early, sec(10, 5)), owner, BATCH_2FA),
        Weak::new(g.at_day(early, sec(11, 20)), admin, GROUP_PMI),
        Weak::new(g.at_day(mid, sec(9, 40)), admin2, PASSCODE_SECOND),
    ]);
}

pub(super) fn early(g: &mut Gen) -> Result<()> {
    let key = ("security", "sign_in_with_two_factor_auth");
    let it = g.setting(g.at(sec(10, 5)), g.org.owner, BATCH_2FA, key, false)?;
    g.incident(
        RULE,
        it.note("batched detail: auto sign-out and 2FA turned off in one entry"),
    );
    let group = ("User Group", "Update");
    let it = g.op(g.at(sec(11, 20)), g.org.admins[0], group, GROUP_PMI, None)?;
    g.incident(
        RULE,
        it.note("PMI passcode off for the hyphenated group Sales-EMEA"),
    );
    Ok(())
}

pub(super) fn mid(g: &mut Gen) -> Result<()> {
    let admin2 = g.org.admins[1];
    let key = (
        "schedule_meeting",
        "require_password_for_scheduling_new_meetings",
    );
    let it = g.setting(g.at(sec(9, 40)), admin2, PASSCODE_SECOND, key, false)?;
    let note = "passcode requirement turned off, listed second in a batched detail";
    g.incident(RULE, it.note(note));
    let key = ("security", "require_secure_all_meetings");
    let it = g.setting(g.at(sec(9, 50)), admin2, SECURE_ALL_ON, key, true)?;
    g.near_miss(RULE, it.note("a security setting turned back on"));
    Ok(())
}
