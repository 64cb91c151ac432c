//! A sign-in method switched on; the near-miss switches one off.

use super::Gen;
use super::build::sec;
use anyhow::Result;

pub(super) const RULE: &str = "sign-in-method-enabled";

pub(super) fn early(g: &mut Gen) -> Result<()> {
    let detail = "Sign-in Methods  - Allow users to sign in with Google: from Off to On";
    let key = ("security", "sign_in_with_google");
    let it = g.setting(g.at(sec(10, 30)), g.org.owner, detail, key, true)?;
    g.incident(RULE, it.note("Google sign-in enabled"));
    Ok(())
}

pub(super) fn mid(g: &mut Gen) -> Result<()> {
    let detail = "Sign-in Methods  - Allow users to sign in with Apple ID: from On to Off";
    let key = ("security", "sign_in_with_apple");
    let it = g.setting(g.at(sec(10, 30)), g.org.admins[0], detail, key, false)?;
    g.near_miss(RULE, it.note("a sign-in method disabled, not enabled"));
    Ok(())
}
