//! `data-access-after-external-meeting`: the seed's detection 2. The host of a meeting with
//! people from outside the organisation (or, with `include_participants = 1`, any internal
//! participant) accesses, downloads, syncs or shares sensitive data within `window_minutes`
//! (default 30) after the meeting ends.
//!
//! Outsiders are participants whose email is not internal; people of `known_partner_domains`
//! count only with `include_partners = 1` (a weekly sync with a long-standing partner is not
//! news). Sensitive data: a label in `sensitive_labels`, or a file name matching
//! `sensitive_topics`. Sharing with a colleague (an internal address) is routine and not
//! counted; sharing outside, with a link, or with no recipient named is. People are matched by
//! email (any case) and `user_aliases`.
//!
//! A file the person works with routinely is not news: a salesperson opens the pricing model
//! after most customer calls. An access counts only when the person touched that file on fewer
//! than `routine_days` other days within `baseline_days` either side of the meeting (the case
//! is read as a whole, so the first days of an import are judged like the rest); a share
//! outside always counts. An access after two such meetings belongs to the later one.
//!
//! Severity: a share outside is high; a download or sync is high unless the file is common
//! in the person's department (`peer_people` colleagues of theirs touched it in the case: a
//! team's shared file), then low; a plain open is low.

use crate::detect::{Ctx, Finding, RuleOutcome, Severity};
use anyhow::Result;
use std::collections::HashMap;

struct Access {
    t: i64,
    /// Day number (UTC), for counting the days a file was touched.
    day: i64,
    /// A share with a colleague: part of the baseline, never a finding.
    internal_share: bool,
    /// The file as every source names it: Microsoft 365 gives a SharePoint URL, a DLP agent
    /// the bare name; the name, in any case, is what the baseline compares.
    file: String,
    id: i64,
    time: String,
    action: String,
    resource: String,
    sensitivity: String,
    source: String,
}

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    if !ctx.any("SELECT 1 FROM data_access_log")? {
        return Ok(RuleOutcome::CouldNotRun(
            "no file-access events (import Google Drive or Microsoft 365 audit logs, or a \
             DLP/CASB export as the generic CSV)"
                .into(),
        ));
    }
    if let Some(why) = ctx.need_internal() {
        return Ok(RuleOutcome::CouldNotRun(why));
    }
    let window = (ctx.num("window_minutes") * 60.0) as i64;
    let participants = ctx.int("include_participants") != 0;
    let partners = if ctx.int("include_partners") != 0 {
        Default::default()
    } else {
        ctx.cfg.partner_domains()
    };
    let routine_days = ctx.int("routine_days").max(0) as usize;
    let baseline = (ctx.num("baseline_days") * 86_400.0) as i64;
    // Every sensitive access, by person, in time order.
    let mut by_person: HashMap<String, Vec<Access>> = HashMap::new();
    {
        let mut st = ctx.conn.prepare(
            "SELECT zl_person(user), unixepoch(time), id, time, action, resource, sensitivity, source,
                    action = 'share' AND zl_internal(shared_with)
             FROM data_access_log WHERE zl_sensitive_data(resource, sensitivity)
             ORDER BY time, id",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<i64>>(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get::<_, String>(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get::<_, Option<bool>>(8)?.unwrap_or(false),
            ))
        })?;
        for row in rows {
            let (who, t, id, time, action, resource, sensitivity, source, internal_share) = row?;
            let Some(t) = t else { continue };
            by_person.entry(who).or_default().push(Access {
                t,
                day: t.div_euclid(86_400),
                internal_share,
                file: file_name(&resource),
                id,
                time,
                action,
                resource,
                sensitivity,
                source,
            });
        }
    }
    if by_person.is_empty() {
        return Ok(RuleOutcome::Findings(Vec::new()));
    }
    // Meetings with outsiders: their end, host and internal participants.
    let mut st = ctx.conn.prepare(
        "SELECT m.uuid, m.meeting_id, COALESCE(m.topic, ''), lower(COALESCE(m.host_email, '')),
                unixepoch(COALESCE(m.end_time, (SELECT max(p.leave_time) FROM participants p
                                                WHERE p.meeting_uuid = m.uuid))),
                (SELECT group_concat(e, ' ') FROM (SELECT DISTINCT lower(p.email) AS e
                   FROM participants p WHERE p.meeting_uuid = m.uuid AND p.email <> ''
                     AND NOT zl_internal(p.email))),
                (SELECT group_concat(e, ' ') FROM (SELECT DISTINCT lower(p.email) AS e
                   FROM participants p WHERE p.meeting_uuid = m.uuid AND p.email <> ''
                     AND zl_internal(p.email)))
         FROM meetings m ORDER BY m.id",
    )?;
    let meetings = st.query_map([], |r| {
        <(
            String,
            Option<i64>,
            String,
            String,
            Option<i64>,
            Option<String>,
            Option<String>,
        )>::try_from(r)
    })?;
    // Every meeting with outsiders and who it concerns, then each person's meeting ends: an
    // access after two of them belongs to the later one.
    let mut external: Vec<External> = Vec::new();
    for m in meetings {
        let (uuid, mid, topic, host, end, ext, internal) = m?;
        let (Some(end), Some(ext)) = (end, ext) else {
            continue;
        };
        let outsiders: Vec<String> = ext
            .split(' ')
            .filter(|e| {
                crate::detect::domain_of(e).is_some_and(|d| {
                    !partners
                        .iter()
                        .any(|p| d == *p || d.ends_with(&format!(".{p}")))
                })
            })
            .map(str::to_string)
            .collect();
        if outsiders.is_empty() {
            continue;
        }
        let mut people: Vec<(String, bool)> = Vec::new();
        if !host.is_empty() && by_person.contains_key(&host) {
            people.push((host.clone(), true));
        }
        if participants {
            for p in internal.as_deref().unwrap_or("").split(' ') {
                if !p.is_empty() && p != host && by_person.contains_key(p) {
                    people.push((p.to_string(), false));
                }
            }
        }
        if !people.is_empty() {
            external.push(External {
                uuid,
                mid,
                topic,
                end,
                outsiders,
                people,
            });
        }
    }
    let mut ends: HashMap<&str, Vec<i64>> = HashMap::new();
    for m in &external {
        for (who, _) in &m.people {
            ends.entry(who.as_str()).or_default().push(m.end);
        }
    }
    for e in ends.values_mut() {
        e.sort_unstable();
    }
    let peers = Peers::new(ctx, &by_person)?;
    let mut out = Vec::new();
    for m in &external {
        let (uuid, mid, topic, end) = (&m.uuid, m.mid, &m.topic, m.end);
        let outsiders: Vec<&str> = m.outsiders.iter().map(String::as_str).collect();
        let meeting = mid.map(|m| m.to_string()).unwrap_or_else(|| uuid.clone());
        for (who, is_host) in &m.people {
            let (who, is_host) = (who.as_str(), *is_host);
            let list = &by_person[who];
            let mine = &ends[who];
            let latest = |t: i64| mine[mine.partition_point(|e| *e <= t).saturating_sub(1)];
            let lo = list.partition_point(|a| a.t < end);
            let (hits, routine): (Vec<&Access>, Vec<&Access>) = list[lo..]
                .iter()
                .take_while(|a| a.t <= end + window)
                .filter(|a| !a.internal_share && latest(a.t) == end)
                .partition(|a| {
                    a.action == "share" || other_days(list, a, end, baseline) < routine_days
                });
            // One finding per person and meeting: the same download seen by Microsoft 365 and
            // the DLP agent, or three files after one call, is one story; the strongest act
            // heads it.
            let Some(&head) = hits.iter().max_by_key(|a| (strength(&a.action), -a.t)) else {
                continue;
            };
            let label = |a: &Access| {
                if a.sensitivity.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", a.sensitivity)
                }
            };
            let mins = (head.t - end) / 60;
            let mut sources: Vec<&str> = hits.iter().map(|a| a.source.as_str()).collect();
            sources.sort_unstable();
            sources.dedup();
            let more = hits.len() - 1;
            let mut f = Finding::new(
                format!("meeting:{uuid}:{who}"),
                head.time.clone(),
                format!(
                    "{who} ({}) {} {}{} ({}) {mins} min after meeting {meeting} \
                     \"{topic}\" with {} outsider(s) ({}) ended{}",
                    if is_host { "host" } else { "participant" },
                    verb(&head.action),
                    shown(&head.resource),
                    label(head),
                    sources.join(", "),
                    outsiders.len(),
                    outsiders
                        .iter()
                        .take(3)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", "),
                    if more > 0 {
                        format!(" (+{more} more file event(s))")
                    } else {
                        String::new()
                    }
                ),
            );
            f.fact(format!(
                "meeting {meeting} \"{topic}\" ended {} with outsiders: {}",
                super::ts(end),
                outsiders.join(", ")
            ));
            for a in &hits {
                f.fact(format!(
                    "{} {} {}{} ({}) {} min later (window {} min)",
                    a.time,
                    verb(&a.action),
                    a.resource,
                    label(a),
                    a.source,
                    (a.t - end) / 60,
                    window / 60
                ));
                f.ev("data_access_log", a.id);
            }
            for a in &routine {
                f.fact(format!(
                    "not counted: {} {} at {} — touched on {} other days within {} days of the meeting (routine_days {routine_days})",
                    verb(&a.action),
                    a.resource,
                    a.time,
                    other_days(list, a, end, baseline),
                    baseline / 86_400
                ));
            }
            f.fact(if head.sensitivity.is_empty() {
                "sensitive: its name matches sensitive_topics".to_string()
            } else {
                format!(
                    "sensitive: label {:?} is in sensitive_labels, or its name matches sensitive_topics",
                    head.sensitivity
                )
            });
            let common = peers.common(who, &head.file);
            if let Some((dept, n)) = &common
                && head.action != "share"
            {
                f.fact(format!(
                    "low: {n} other people of {dept} touched this file in the case (a team's \
                     file; peer_people {})",
                    peers.min
                ));
            }
            f.severity = Some(match head.action.as_str() {
                "share" => Severity::High,
                "access" => Severity::Low,
                _ if common.is_some() => Severity::Low,
                _ => Severity::High,
            });
            f.actor = Some(who.to_string());
            f.user = Some(who.to_string());
            f.target = Some(head.resource.clone());
            f.meeting_uuid = Some(uuid.clone());
            f.meeting_id = mid;
            f.ev("meetings", meeting_row(ctx, uuid)?);
            out.push(f);
        }
    }
    Ok(RuleOutcome::Findings(out))
}

/// A meeting with outsiders, and the people whose file events it explains.
struct External {
    uuid: String,
    mid: Option<i64>,
    topic: String,
    end: i64,
    outsiders: Vec<String>,
    /// (person, whether they hosted it)
    people: Vec<(String, bool)>,
}

/// Who in each department touches which sensitive file: a file several colleagues use is
/// the team's, not a secret one person reached for.
struct Peers {
    dept: HashMap<String, String>,
    /// (department, file) → people of it who touched the file.
    users: HashMap<(String, String), usize>,
    min: usize,
}

impl Peers {
    fn new(ctx: &Ctx, by_person: &HashMap<String, Vec<Access>>) -> Result<Peers> {
        let mut dept = HashMap::new();
        let mut st = ctx
            .conn
            .prepare("SELECT lower(email), dept FROM users WHERE COALESCE(dept, '') <> ''")?;
        for r in st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
            let (e, d) = r?;
            dept.insert(e, d);
        }
        let mut users: HashMap<(String, String), usize> = HashMap::new();
        for (who, list) in by_person {
            let Some(d) = dept.get(who) else { continue };
            let mut files: Vec<&str> = list.iter().map(|a| a.file.as_str()).collect();
            files.sort_unstable();
            files.dedup();
            for f in files {
                *users.entry((d.clone(), f.to_string())).or_default() += 1;
            }
        }
        Ok(Peers {
            dept,
            users,
            min: ctx.int("peer_people").max(1) as usize,
        })
    }

    /// The person's department and how many others of it touched `file`, when enough did.
    fn common(&self, who: &str, file: &str) -> Option<(String, usize)> {
        let d = self.dept.get(who)?;
        let n = self
            .users
            .get(&(d.clone(), file.to_string()))?
            .saturating_sub(1);
        (n >= self.min).then(|| (d.clone(), n))
    }
}

/// On how many days other than the access's own the person touched the same file within
/// `baseline` seconds either side of the meeting's end.
fn other_days(list: &[Access], a: &Access, end: i64, baseline: i64) -> usize {
    let lo = list.partition_point(|x| x.t < end - baseline);
    let mut days: Vec<i64> = list[lo..]
        .iter()
        .take_while(|x| x.t <= end + baseline)
        .filter(|x| x.day != a.day && x.file == a.file)
        .map(|x| x.day)
        .collect();
    days.dedup();
    days.len()
}

/// A resource as a summary names it: its file name (the facts keep the whole URL).
fn shown(resource: &str) -> &str {
    let r = resource.trim().trim_end_matches(['/', '\\']);
    r.rsplit(['/', '\\']).next().unwrap_or(r)
}

/// A resource's file name, lower case: what follows the last `/` or `\\` of a URL or path.
fn file_name(resource: &str) -> String {
    shown(resource).to_lowercase()
}

/// How much an act moves data out of reach: a share over a download over a sync over a look.
fn strength(action: &str) -> u8 {
    match action {
        "share" => 3,
        "download" => 2,
        "sync" => 1,
        _ => 0,
    }
}

fn verb(action: &str) -> &'static str {
    match action {
        "download" => "downloaded",
        "share" => "shared",
        "sync" => "synced",
        _ => "opened",
    }
}

fn meeting_row(ctx: &Ctx, uuid: &str) -> Result<i64> {
    Ok(ctx
        .conn
        .prepare_cached("SELECT id FROM meetings WHERE uuid = ?1")?
        .query_row([uuid], |r| r.get(0))?)
}
