//! `silent-presence`: an identity present in more than `min_meetings` meeting instances
//! (default 20) within `window_days` (default 30) where nothing explains its presence, and
//! which never shared anything — a standing silent listener (a compromised account or a bot
//! taking notes).
//!
//! Most people attend twenty meetings a month and never share, so silence alone says nothing.
//! A presence is unexplained when the meeting is small (at most `max_audience` people, default
//! 15: all-hands, trainings and webinars are audiences) and the identity shared at most
//! `max_with_host` small meetings (default 2) with its host in the window: standups, team
//! meetings and a partner's weekly sync are with people one meets all the time; an observer
//! drops into the small meetings of people it has no other tie to. When no meeting list names
//! an instance's host (Dashboard participant pages alone), the tie is to at least half of the
//! others in it: silence beside colleagues one meets all the time is not unexplained.
//! Identities are emails, and for guests a display name *on one network* (an IPv6 /64, else
//! the IPv4 address): different people called "iPhone" or "Alex" are not one guest. Only
//! instances with dashboard data count, since sharing is only known there.

use crate::detect::net::Places;
use crate::detect::snapshot::Sym;
use crate::detect::{Ctx, Finding, RuleOutcome, Snapshot};
use anyhow::Result;
use rustc_hash::FxHashMap as HashMap;

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    ctx.sessions(&[])?;
    if !ctx.any("SELECT 1 FROM temp.zl_sess WHERE in_metrics = 1")? {
        return Ok(RuleOutcome::CouldNotRun(
            "no dashboard participants: sharing flags come from /metrics (Business plan)".into(),
        ));
    }
    if ctx.int("include_internal") == 0
        && let Some(why) = ctx.need_internal()
    {
        return Ok(RuleOutcome::CouldNotRun(why));
    }
    let snap = ctx.snapshot()?;
    let places = Places::new(ctx.cfg);
    let include_internal = ctx.int("include_internal") != 0;
    let min = ctx.int("min_meetings").max(0) as usize;
    let win = (ctx.num("window_days") * 86400.0) as i64;
    let max_audience = ctx.int("max_audience").max(1) as usize;
    let max_with_host = ctx.int("max_with_host").max(0) as usize;
    // Identities: an email, else a guest's name on its network (tagged apart).
    #[allow(clippy::type_complexity)]
    let mut guest_ids: HashMap<(Sym, Option<crate::detect::net::Place>, Sym), u64> =
        HashMap::default();
    let mut ident_of = |p: &crate::detect::snapshot::Sess| -> Option<u64> {
        match (p.email, p.name) {
            (Snapshot::NONE, Snapshot::NONE) => None,
            (Snapshot::NONE, name) => {
                // The exact IPv4 address (a /24 holds many households), an IPv6 /64.
                let key = match places.place(snap.str(p.ip)) {
                    Some(pl) if pl.is_v6() => (name, Some(pl), Snapshot::NONE),
                    _ => (name, None, p.ip),
                };
                let n = guest_ids.len() as u64;
                Some((1u64 << 40) | *guest_ids.entry(key).or_insert(n))
            }
            (email, _) => Some(email as u64),
        }
    };
    // One entry per (identity, instance): first join, first session, shared at all.
    let mut inst: Vec<(u64, Sym, i64, i64, bool)> = snap
        .rows
        .iter()
        .filter(|p| p.in_metrics())
        .filter_map(|p| Some((ident_of(p)?, p.meeting, p.join, p.id, p.shared())))
        .collect();
    inst.sort_unstable();
    inst.dedup_by(|b, a| {
        let same = a.0 == b.0 && a.1 == b.1;
        if same {
            a.2 = a.2.min(b.2);
            a.3 = a.3.min(b.3);
            a.4 |= b.4;
        }
        same
    });
    let mut size: HashMap<Sym, u32> = HashMap::default();
    for i in &inst {
        *size.entry(i.1).or_default() += 1;
    }
    let small = |m: Sym| size.get(&m).is_some_and(|&n| n as usize <= max_audience);
    // Small instances per email (for the host side of the tie), and the emails in each small
    // instance (the tie when its host is not known).
    let mut small_of: HashMap<u64, Vec<Sym>> = HashMap::default();
    let mut attendees: HashMap<Sym, Vec<u64>> = HashMap::default();
    for i in inst.iter().filter(|i| i.0 >> 40 == 0 && small(i.1)) {
        small_of.entry(i.0).or_default().push(i.1);
        attendees.entry(i.1).or_default().push(i.0);
    }
    // How many small instances two identities attended together (both lists are in symbol
    // order: `inst` is sorted).
    let together = |a: Option<&Vec<Sym>>, b: Option<&Vec<Sym>>| match (a, b) {
        (Some(a), Some(b)) => a.iter().filter(|x| b.binary_search(x).is_ok()).count(),
        _ => 0,
    };
    let mut host_of = ctx
        .conn
        .prepare_cached("SELECT lower(host_email) FROM meetings WHERE uuid = ?1")?;
    // Per instance: `None` when the case does not say who hosted it, else the host's identity
    // if it attended anything.
    let mut hosts: HashMap<Sym, Option<Option<u64>>> = HashMap::default();
    let mut found: Vec<Found> = Vec::new();
    for group in inst.chunk_by(|a, b| a.0 == b.0) {
        let ident = group[0].0;
        if group.len() <= min || group.iter().any(|i| i.4) {
            continue;
        }
        if ident >> 40 == 0
            && !include_internal
            && snap
                .rows
                .iter()
                .any(|r| r.email as u64 == ident && r.internal())
        {
            continue;
        }
        let mine = small_of.get(&ident);
        // Unexplained presences: small instances with a host this identity rarely meets.
        let mut times: Vec<(i64, i64)> = Vec::new();
        // How many of those were judged by the others in them (no host known).
        let mut unhosted = 0;
        for i in group.iter().filter(|i| small(i.1)) {
            // Candidates share many instances: each host is looked up once.
            let host = match hosts.get(&i.1) {
                Some(h) => *h,
                None => {
                    let h: Option<String> = host_of
                        .query_row([snap.str(i.1)], |r| r.get(0))
                        .unwrap_or(None);
                    let h = h
                        .filter(|h| !h.is_empty())
                        .map(|h| snap.email(&h).map(|h| h as u64));
                    hosts.insert(i.1, h);
                    h
                }
            };
            let unexplained = match host {
                Some(Some(h)) if h == ident => false,
                Some(host) => together(host.and_then(|h| small_of.get(&h)), mine) <= max_with_host,
                // No meeting list says who hosted it (Dashboard participant pages alone): ties
                // to at least half of the others in it explain the presence, or the standing
                // 1:1s and team calls of every quiet colleague would be "unrelated". (Half, not
                // any one: two observers sitting in meetings of strangers do not explain each
                // other. More than half made 14 quiet colleagues findings among 2,000 people.)
                None => {
                    let others = attendees.get(&i.1).map_or(&[][..], |p| &p[..]);
                    let others = others.iter().filter(|&&p| p != ident);
                    let (mut tied, mut all) = (0, 0);
                    for &p in others {
                        all += 1;
                        tied += usize::from(together(small_of.get(&p), mine) > max_with_host);
                    }
                    2 * tied < all || all == 0
                }
            };
            if unexplained {
                times.push((i.2, i.3));
                unhosted += usize::from(host.is_none());
            }
        }
        if times.len() <= min {
            continue;
        }
        times.sort_unstable();
        // Most unexplained instances whose first join falls within any window_days span.
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
            let smalls = group.iter().filter(|i| small(i.1)).count();
            found.push(Found {
                ident,
                n: best,
                total: group.len(),
                smalls,
                first: times[0].0,
                ids,
                unhosted,
                unexplained: times.len(),
            });
        }
    }
    found.sort_by_key(|f| f.first);
    let guest_names: HashMap<u64, Sym> = guest_ids
        .iter()
        .map(|((name, _, _), id)| ((1u64 << 40) | id, *name))
        .collect();
    let mut out = Vec::new();
    for Found {
        ident,
        n,
        total,
        smalls,
        first: t,
        ids,
        unhosted,
        unexplained,
    } in found
    {
        let (key, who, user) = if ident >> 40 == 1 {
            let s = snap.str(guest_names[&ident]);
            (
                format!("guest:{s}:{}", ident & 0xff_ffff_ffff),
                format!("guest '{s}'"),
                None,
            )
        } else {
            let s = snap.str(ident as Sym);
            (s.to_string(), s.to_string(), Some(s.to_string()))
        };
        // Whom they had no tie to: the host, or where no host is known the others present.
        let whom = match unhosted {
            0 => "whose host they",
            u if u == unexplained => "with people most of whom they",
            _ => "whose host, or where none is known most of the others present, they",
        };
        let mut f = Finding::new(
            format!("id:{key}"),
            crate::model::time::fmt_utc(chrono::DateTime::from_timestamp(t, 0).unwrap_or_default()),
            format!(
                "{who} sat silently in {n} small meetings within {} days {whom} met in at \
                 most {max_with_host} small meetings (threshold: more than {min}); {total} \
                 meetings in all, {smalls} of at most {max_audience} people, never shared",
                ctx.num("window_days")
            ),
        );
        f.fact(format!(
            "{} small meetings (at most {max_audience} people) within {} days {whom} met in at most {max_with_host} small meetings; threshold: more than {min}",
            crate::output::thousands(n as i64),
            ctx.num("window_days")
        ));
        if unhosted > 0 {
            f.fact(format!(
                "{} of those meetings have no meeting list naming the host: judged by the others present",
                crate::output::thousands(unhosted as i64)
            ));
        }
        f.fact(format!(
            "{} meetings in all, {} of them small; never shared a screen or an application",
            crate::output::thousands(total as i64),
            crate::output::thousands(smalls as i64)
        ));
        if user.is_none() {
            f.fact("a guest: one display name on one network (IPv6 /64, else the IPv4 address)");
        }
        f.actor = Some(who.clone());
        f.user = user;
        for id in ids {
            f.ev("participants", id);
        }
        out.push(f);
    }
    Ok(RuleOutcome::Findings(out))
}

/// An identity the rule reports.
struct Found {
    ident: u64,
    /// Unexplained small instances within one window.
    n: usize,
    total: usize,
    smalls: usize,
    /// Time of the first unexplained instance.
    first: i64,
    ids: Vec<i64>,
    /// Unexplained instances whose host no meeting list names, of `unexplained` in all.
    unhosted: usize,
    unexplained: usize,
}
