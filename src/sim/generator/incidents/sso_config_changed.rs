//! The SSO sign-in page URL changed; the near-miss edits the account profile.

use super::Gen;
use super::build::sec;
use anyhow::Result;

pub(super) const RULE: &str = "sso-config-changed";

const ACCOUNT: (&str, &str) = ("Account", "Update");

pub(super) fn mid(g: &mut Gen) -> Result<()> {
    let owner = g.org.owner;
    let detail = "Single Sign-On  - Sign-in page URL: from https://sso.acme-corp.example/saml to https://acme-corp-login.example/saml";
    let it = g.op(g.at(sec(16, 0)), owner, ACCOUNT, detail, None)?;
    g.incident(RULE, it.note("SSO sign-in page URL changed"));
    let detail = "Account Profile  - Account Name: from Acme Corp to ACME Corp";
    let it = g.op(g.at(sec(16, 10)), owner, ACCOUNT, detail, None)?;
    g.near_miss(RULE, it.note("account profile edit, not SSO"));
    Ok(())
}
