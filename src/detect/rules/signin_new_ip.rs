//! `signin-new-ip`: a sign-in from an IP address the user had not signed in from before.
//!
//! Baseline: at least `baseline` (default 3) earlier sign-ins with an IP, so a person's first
//! sign-ins in a case are never "new" (the design's default: fewer than three earlier sign-ins
//! say nothing about someone's usual places). Only the first use of a new IP is reported. Not
//! new: an IP inside `known_ip_ranges` (offices, VPN), or one the dashboard already showed the
//! same user in a meeting from.
//!
//! Panther's Standard.SignInFromRogueState needs IPinfo country enrichment, which zoomlens
//! does not have; this rule is its closest honest equivalent (see tests/detect_panther.rs).

use crate::detect::{Ctx, Finding, Param, Rule, RuleOutcome, Severity, Source};
use anyhow::Result;

pub struct SigninNewIp;

impl Rule for SigninNewIp {
    fn id(&self) -> &'static str {
        "signin-new-ip"
    }
    fn title(&self) -> &'static str {
        "Sign-in from a new IP address"
    }
    fn severity(&self) -> Severity {
        Severity::Medium
    }
    fn technique(&self) -> Option<&'static str> {
        Some("T1078")
    }
    fn needs(&self) -> &'static [Source] {
        &[Source::SignIns]
    }
    fn uses_snapshot(&self) -> bool {
        true
    }
    fn params(&self) -> &'static [Param] {
        &[Param {
            name: "baseline",
            default: 3.0,
            help: "earlier sign-ins (with an IP) a user needs before an IP can be new",
        }]
    }
    fn run(&self, ctx: &Ctx) -> Result<RuleOutcome> {
        if !ctx.any("SELECT 1 FROM signins WHERE ip_address <> ''")? {
            return Ok(RuleOutcome::CouldNotRun(
                "no sign-ins with IP addresses (import /report/activities or user.signed_in webhooks)"
                    .into(),
            ));
        }
        let snap = ctx.snapshot()?;
        let mut st = ctx.conn.prepare(
            "WITH s AS (
               SELECT id, email, time, ip_address ip,
                      row_number() OVER (PARTITION BY lower(email) ORDER BY time, id) AS n,
                      row_number() OVER (PARTITION BY lower(email), ip_address ORDER BY time, id) AS k
               FROM signins WHERE lower(activity) = 'sign in' AND ip_address <> '')
             SELECT s.id, s.email, s.time, s.ip, s.n - 1, unixepoch(s.time) FROM s
             WHERE s.k = 1 AND s.n > ?1 AND NOT zl_known_ip(s.ip)
             ORDER BY s.time",
        )?;
        let rows = st.query_map([ctx.int("baseline")], |r| {
            <(i64, String, String, String, i64, Option<i64>)>::try_from(r)
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, email, time, ip, before, t) = row?;
            // Not new if a meeting session already came from this IP for them.
            if t.is_some_and(|t| snap.on_ip_before(&email, &ip, t)) {
                continue;
            }
            let mut f = Finding::new(
                format!("signin:{id}"),
                time,
                format!(
                    "{email} signed in from new IP {ip} (after {before} sign-ins from other IPs)"
                ),
            );
            f.user = Some(email);
            f.ip = Some(ip);
            f.ev("signins", id);
            out.push(f);
        }
        Ok(RuleOutcome::Findings(out))
    }
}
