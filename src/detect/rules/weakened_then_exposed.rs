//! `weakened-then-exposed`: a security setting was weakened (as `security-setting-disabled`
//! decides) and then an external or guest joined within the
//! window (default 24 h, the design's sequence window: long enough to span a working day after
//! an evening change, short enough that the join plausibly used the opening). The window closes
//! early when the same setting is turned back on. When the change targets one user, only
//! meetings that user hosts count. One finding per weakening operation. `meeting_settings_only` = 1
//! limits it to meeting protections (passcode, waiting room, secure-all-meetings,
//! authenticated-only join, join before host, E2EE; see
//! [`crate::detect::rules::exposes_meetings`]); by default account sign-in weakenings (2FA,
//! sign-out) count too, since an outsider in a meeting right after them is just as worth a look.

use crate::detect::{Ctx, Finding, RuleOutcome};
use crate::model::time::parse_time;
use anyhow::Result;
use std::collections::HashMap;

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    if !ctx.any("SELECT 1 FROM operations")? {
        return Ok(RuleOutcome::CouldNotRun(super::NO_OPS.into()));
    }
    if !ctx.any("SELECT 1 FROM participants")? {
        return Ok(RuleOutcome::CouldNotRun(
            "no participant sessions (import participant reports)".into(),
        ));
    }
    if let Some(why) = ctx.need_internal() {
        return Ok(RuleOutcome::CouldNotRun(why));
    }
    let window = (ctx.num("window_hours") * 3600.0) as i64;
    // The weakening changes, each with when it stopped (restored or window end).
    let mut st = ctx.conn.prepare(
        "SELECT o.id, o.time, o.operator, c.id, c.kind, c.target,
                zl_weakening(c.section, c.setting, c.from_value, c.to_value),
                strftime('%Y-%m-%dT%H:%M:%SZ', unixepoch(o.time) + ?1, 'unixepoch'),
                (SELECT min(o2.time) FROM op_changes c2 JOIN operations o2 ON o2.id = c2.operation_id
                  WHERE o2.time > o.time AND c2.setting = c.setting
                    AND coalesce(c2.section, '') = coalesce(c.section, '')
                    AND coalesce(c2.target, '') = coalesce(c.target, '')
                    AND zl_weakening(c2.section, c2.setting, c2.from_value, c2.to_value) IS NULL)
         FROM op_changes c JOIN operations o ON o.id = c.operation_id
         WHERE c.kind NOT IN ('role', 'add_user', 'delete_user', 'recording')
           AND (?2 = 0 OR zl_exposes(c.section, c.setting))
           AND zl_weakening(c.section, c.setting, c.from_value, c.to_value) IS NOT NULL
         ORDER BY o.time, c.id",
    )?;
    type W = (
        i64,
        String,
        String,
        i64,
        String,
        Option<String>,
        String,
        String,
        Option<String>,
    );
    let weak: Vec<W> = st
        .query_map([window, ctx.int("meeting_settings_only")], |r| {
            W::try_from(r)
        })?
        .collect::<rusqlite::Result<_>>()?;
    // Outsiders' joins in time order come from the snapshot; a meeting's host from here.
    let snap = ctx.snapshot()?;
    // Each meeting's host as a number (0: none), so that the walk compares integers.
    let mut host_ids: HashMap<String, u32> = HashMap::new();
    let mut host_of = vec![0u32; snap.syms()];
    {
        let mut st = ctx
            .conn
            .prepare("SELECT uuid, lower(host_email) FROM meetings WHERE host_email <> ''")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            if let Some(m) = snap.sym(&r.get::<_, String>(0)?) {
                let next = host_ids.len() as u32 + 1;
                host_of[m as usize] = *host_ids.entry(r.get(1)?).or_insert(next);
            }
        }
    }
    let mut detail = ctx.conn.prepare(
        "SELECT p.id, p.join_time, coalesce(nullif(p.email, ''), p.name, '?'), p.meeting_uuid,
                coalesce(p.meeting_id, m.meeting_id), m.topic, p.ip_address
         FROM participants p LEFT JOIN meetings m ON m.uuid = p.meeting_uuid
         WHERE p.id = ?1",
    )?;
    let unix = |t: &str| parse_time(t).map(|t| t.timestamp());
    let mut out: Vec<Finding> = Vec::new();
    for (oid, time, operator, cid, kind, target, why, wend, restored) in weak {
        let end = match &restored {
            Some(r) if *r < wend => r.clone(),
            _ => wend.clone(),
        };
        let host = if kind == "update_user" {
            target.clone()
        } else {
            None
        };
        let (Some(from), Some(to)) = (unix(&time), unix(&end)) else {
            continue;
        };
        type J = (
            i64,
            String,
            String,
            String,
            Option<i64>,
            Option<String>,
            Option<String>,
        );
        // None: any meeting; Some(None): a host who hosts nothing here.
        let want_host = host
            .as_ref()
            .map(|h| host_ids.get(&h.to_ascii_lowercase()).copied());
        let mut joins: Vec<J> = Vec::new();
        let outsiders = snap
            .joined_after(from)
            .take_while(|p| p.join <= to)
            .filter(|p| !p.internal())
            .filter(|p| match want_host {
                None => true,
                Some(id) => id.is_some_and(|id| host_of[p.meeting as usize] == id),
            })
            .take(20);
        for p in outsiders {
            joins.push(detail.query_row([p.id], |r| J::try_from(r))?);
        }
        let Some(first) = joins.first().cloned() else {
            continue;
        };
        if let Some(f) = out.iter_mut().find(|f| f.key == format!("op:{oid}")) {
            f.ev("op_changes", cid);
            continue;
        }
        let n = joins.len();
        let mut f = Finding::new(
            format!("op:{oid}"),
            first.1.clone(),
            format!(
                "{operator} weakened {why} at {time}; then {}{} outsider join(s), first {} in '{}'",
                n,
                if n == 20 { "+" } else { "" },
                first.2,
                first.5.clone().unwrap_or_default()
            ),
        );
        let mins = unix(&first.1).map(|j| (j - from) / 60).unwrap_or(0);
        f.fact(format!("{operator} weakened {why} at {time}"));
        f.fact(match &restored {
            Some(r) if *r < wend => format!("restored at {r}: joins after that do not count"),
            _ => format!(
                "not restored within the {} h window",
                ctx.num("window_hours")
            ),
        });
        if let Some(h) = &host {
            f.fact(format!(
                "the change applies to {h}: only meetings they host count"
            ));
        }
        f.fact(format!(
            "{}{} outsider join(s) (external or guest) in the window; the first {} min after the change: {} in '{}'",
            n,
            if n == 20 { "+" } else { "" },
            crate::output::thousands(mins),
            first.2,
            first.5.clone().unwrap_or_default()
        ));
        f.actor = Some(operator.clone());
        f.target = Some(format!("'{}'", first.5.clone().unwrap_or_default()));
        f.user = Some(operator.clone());
        f.meeting_uuid = Some(first.3.clone());
        f.meeting_id = first.4;
        f.ip = first.6.clone();
        f.ev("operations", oid);
        f.ev("op_changes", cid);
        for j in &joins {
            f.ev("participants", j.0);
        }
        out.push(f);
    }
    Ok(RuleOutcome::Findings(out))
}
