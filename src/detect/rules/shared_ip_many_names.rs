//! `shared-ip-many-names`: one IP address behind many different outsider identities — one
//! person (or bot farm) joining under several names. Identities are guest display names and
//! external email *domains* (a partner's office NAT with ten colleagues is one identity). IPs in
//! `known_ip_ranges` or used by any internal user (office, coworking) are ignored. Default: 4 or
//! more identities.

use crate::detect::{Ctx, Finding, RuleOutcome};
use anyhow::Result;

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    ctx.sessions(&[])?;
    if !ctx.any("SELECT 1 FROM temp.zl_sess WHERE ip_address <> ''")? {
        return Ok(RuleOutcome::CouldNotRun(
            "no participant IP addresses: needs dashboard participants (/metrics, Business plan)"
                .into(),
        ));
    }
    if let Some(why) = ctx.need_internal() {
        return Ok(RuleOutcome::CouldNotRun(why));
    }
    // The outsider-crowded IPs first (one grouped pass), then which of those few any
    // internal user also used (one more pass): no per-IP probe, so no IP index to build.
    ctx.conn.execute_batch(
        "DROP TABLE IF EXISTS temp.zl_sipm; DROP TABLE IF EXISTS temp.zl_sipm_int;",
    )?;
    ctx.conn.execute(
        "CREATE TEMP TABLE zl_sipm AS
         WITH o AS (
           SELECT p.id, p.ip_address ip, p.join_time,
                  CASE WHEN coalesce(p.email, '') = '' THEN 'n:' || lower(trim(coalesce(p.name, '')))
                       ELSE 'd:' || lower(substr(p.email, instr(p.email, '@') + 1)) END ident,
                  coalesce(nullif(p.email, ''), p.name) label
           FROM temp.zl_sess p
           WHERE p.ip_address <> '' AND NOT zl_internal(p.email)
             AND NOT (coalesce(p.email, '') = '' AND trim(coalesce(p.name, '')) = ''))
         SELECT ip, count(DISTINCT ident) n, min(join_time) first, group_concat(id) ids,
                group_concat(DISTINCT label) labels
         FROM o GROUP BY ip HAVING n >= ?1 AND NOT zl_known_ip(ip)",
        [ctx.int("min_names")],
    )?;
    ctx.conn.execute_batch(
        "CREATE TEMP TABLE zl_sipm_int AS
           SELECT DISTINCT ip_address ip FROM temp.zl_sess
           WHERE ip_address IN (SELECT ip FROM temp.zl_sipm) AND zl_internal(email);",
    )?;
    let mut st = ctx.conn.prepare(
        "SELECT ip, n, first, ids, labels FROM temp.zl_sipm
         WHERE ip NOT IN (SELECT ip FROM temp.zl_sipm_int) ORDER BY first",
    )?;
    let rows = st.query_map([], |r| {
        <(String, i64, String, Option<String>, Option<String>)>::try_from(r)
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (ip, n, first, ids, labels) = row?;
        let mut f = Finding::new(
            format!("ip:{ip}"),
            first,
            format!(
                "{n} outsider identities joined from {ip}: {}",
                labels.clone().unwrap_or_default()
            ),
        );
        f.fact(format!(
            "{} outsider identities on {ip} (guest names, external domains counted once each); threshold {}",
            crate::output::thousands(n),
            ctx.int("min_names")
        ));
        f.fact("no internal user joined from this IP and it is not in known_ip_ranges");
        f.actor = labels;
        f.ip = Some(ip);
        f.evidence_csv("participants", ids.as_deref());
        out.push(f);
    }
    Ok(RuleOutcome::Findings(out))
}
