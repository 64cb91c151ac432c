//! `silent-presence`: an identity (an email, or a guest's display name) present in more than
//! `min_meetings` meeting instances (default 20) within `window_days` (default 30) that never
//! shared anything — a standing silent listener (a compromised account or a bot taking notes).
//! The design's defaults: 20 meetings a month is daily attendance. `include_internal` = 0
//! limits it to outsiders where employees commonly attend daily stand-ups without sharing.
//! Only instances with dashboard data count, since sharing is only known there.

use crate::detect::snapshot::Sym;
use crate::detect::{Ctx, Finding, Param, Rule, RuleOutcome, Severity, Snapshot, Source};
use anyhow::Result;

pub struct SilentPresence;

impl Rule for SilentPresence {
    fn id(&self) -> &'static str {
        "silent-presence"
    }
    fn title(&self) -> &'static str {
        "Outsider in many meetings, never sharing"
    }
    fn severity(&self) -> Severity {
        Severity::Low
    }
    fn technique(&self) -> Option<&'static str> {
        Some("T1125")
    }
    fn needs(&self) -> &'static [Source] {
        &[Source::Dashboard, Source::Users]
    }
    fn uses_snapshot(&self) -> bool {
        true
    }
    fn params(&self) -> &'static [Param] {
        &[
            Param {
                name: "include_internal",
                default: 1.0,
                help: "1: judge account users too; 0: outsiders only",
            },
            Param {
                name: "min_meetings",
                default: 20.0,
                help: "instances attended (more than this) within the window",
            },
            Param {
                name: "window_days",
                default: 30.0,
                help: "sliding window length",
            },
        ]
    }
    fn run(&self, ctx: &Ctx) -> Result<RuleOutcome> {
        ctx.sessions(&[])?;
        if !ctx.any("SELECT 1 FROM temp.zl_sess WHERE in_metrics = 1")? {
            return Ok(RuleOutcome::CouldNotRun(
                "no dashboard participants: sharing flags come from /metrics (Business plan)"
                    .into(),
            ));
        }
        if ctx.int("include_internal") == 0
            && let Some(why) = ctx.need_internal()
        {
            return Ok(RuleOutcome::CouldNotRun(why));
        }
        let snap = ctx.snapshot()?;
        let include_internal = ctx.int("include_internal") != 0;
        let min = ctx.int("min_meetings").max(0) as usize;
        let win = (ctx.num("window_days") * 86400.0) as i64;
        // One entry per (identity, meeting instance): an email, else a guest's name (tagged so
        // that a guest called like someone's address stays apart).
        let mut inst: Vec<(u64, Sym, i64, i64, bool)> = snap
            .rows
            .iter()
            .filter(|p| p.in_metrics() && (include_internal || !p.internal()))
            .filter_map(|p| {
                let ident = match (p.email, p.name) {
                    (Snapshot::NONE, Snapshot::NONE) => return None,
                    (Snapshot::NONE, name) => (1u64 << 32) | name as u64,
                    (email, _) => email as u64,
                };
                Some((ident, p.meeting, p.join, p.id, p.shared()))
            })
            .collect();
        inst.sort_unstable();
        // Fold each instance's sessions: first join, first session, shared at all.
        inst.dedup_by(|b, a| {
            let same = a.0 == b.0 && a.1 == b.1;
            if same {
                a.2 = a.2.min(b.2);
                a.3 = a.3.min(b.3);
                a.4 |= b.4;
            }
            same
        });
        let mut found: Vec<(u64, usize, i64, Vec<i64>)> = Vec::new();
        for group in inst.chunk_by(|a, b| a.0 == b.0) {
            if group.len() <= min || group.iter().any(|i| i.4) {
                continue;
            }
            let mut times: Vec<(i64, i64)> = group.iter().map(|i| (i.2, i.3)).collect();
            times.sort_unstable();
            // Most instances whose first join falls within any window_days span (the window
            // ending at an instance, instances at the same second all counted).
            let mut best = 0;
            let mut lo = 0;
            let mut i = 0;
            while i < times.len() {
                let mut j = i;
                while j + 1 < times.len() && times[j + 1].0 == times[i].0 {
                    j += 1;
                }
                while times[lo].0 < times[i].0 - win {
                    lo += 1;
                }
                best = best.max(j + 1 - lo);
                i = j + 1;
            }
            if best > min {
                let ids = times.iter().take(100).map(|t| t.1).collect();
                found.push((group[0].0, best, times[0].0, ids));
            }
        }
        found.sort_by_key(|f| f.2);
        let mut out = Vec::new();
        for (ident, n, t, ids) in found {
            let s = snap.str((ident & 0xffff_ffff) as Sym);
            let (key, who, user) = if ident >> 32 == 1 {
                (format!("guest:{s}"), format!("guest '{s}'"), None)
            } else {
                (s.to_string(), s.to_string(), Some(s.to_string()))
            };
            let mut f = Finding::new(
                format!("id:{key}"),
                crate::model::time::fmt_utc(
                    chrono::DateTime::from_timestamp(t, 0).unwrap_or_default(),
                ),
                format!(
                    "{who} attended {n} meetings within {} days and never shared",
                    ctx.num("window_days")
                ),
            );
            f.user = user;
            for id in ids {
                f.ev("participants", id);
            }
            out.push(f);
        }
        Ok(RuleOutcome::Findings(out))
    }
}
