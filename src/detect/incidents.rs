//! Incidents: findings that tell one story, grouped so an analyst reads 1 row instead of 12.
//!
//! Two findings belong together when they share a person (the actor, the target, or the user
//! the console pivots to; email addresses only), a meeting or a recording and happened
//! within the grouping window of each other (chains count: A–B and B–C make one incident).
//! IP addresses are not a link (offices and carriers put thousands behind one). Info-level
//! findings (routine context such as a SCIM user creation) join an incident they touch but never
//! make one of their own. Each `detect` regroups every stored finding; an incident keeps its id
//! when it still holds the findings it held, so triage state keyed by that id survives.

use super::{Severity, rules};
use anyhow::Result;
use rusqlite::{Connection, params};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Default grouping window.
pub const DEFAULT_WINDOW_HOURS: f64 = 24.0;

/// One finding as grouping sees it.
#[derive(Debug, Clone)]
struct Item {
    id: i64,
    rule: String,
    rank: i64,
    time: i64,
    time_text: String,
    user: Option<String>,
    /// Who did it (an email, or a guest's label).
    actor: Option<String>,
    target: Option<String>,
    meeting: Option<String>,
    recording: Option<i64>,
}

impl Item {
    /// The people this finding links by: user, actor and target, when they are emails
    /// (a guest's display name or "account settings" links nothing).
    fn people(&self) -> impl Iterator<Item = String> + '_ {
        let mut v: Vec<String> = [&self.user, &self.actor, &self.target]
            .into_iter()
            .flatten()
            .filter(|s| s.contains('@'))
            .map(|s| s.to_ascii_lowercase())
            .collect();
        v.sort();
        v.dedup();
        v.into_iter()
    }
}

/// A stored incident, as `zoomlens incidents` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct Incident {
    pub id: i64,
    pub title: String,
    pub score: f64,
    pub severity: String,
    pub first_time: String,
    pub last_time: String,
    pub actors: Vec<String>,
    pub rules: Vec<String>,
    pub findings: i64,
    /// Triage state (`new` when never triaged) with its reason, analyst and time.
    pub state: String,
    pub reason: String,
    pub analyst: Option<String>,
    pub triaged_at: Option<String>,
    /// Its findings in time order, each with who did what to whom and why.
    pub story: Vec<StoryLine>,
}

/// One finding of an incident's story.
#[derive(Debug, Clone, Serialize)]
pub struct StoryLine {
    pub id: i64,
    pub rule: String,
    pub severity: String,
    pub time: String,
    pub actor: Option<String>,
    pub target: Option<String>,
    pub summary: String,
    pub question: String,
    pub why: Vec<String>,
}

/// What a regrouping did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Regrouped {
    pub incidents: usize,
    /// Incidents that kept the id of an earlier run.
    pub kept: usize,
    /// Findings in no incident (lone info-level context).
    pub ungrouped: usize,
}

fn epoch(t: &str) -> i64 {
    crate::model::time::parse_time(t)
        .map(|d| d.timestamp())
        .unwrap_or(0)
}

struct Dsu(Vec<usize>);

impl Dsu {
    fn find(&mut self, i: usize) -> usize {
        let mut r = i;
        while self.0[r] != r {
            r = self.0[r];
        }
        let mut i = i;
        while self.0[i] != r {
            let next = self.0[i];
            self.0[i] = r;
            i = next;
        }
        r
    }
    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.0[a.max(b)] = a.min(b);
        }
    }
}

/// Group findings into incidents: returns groups of indexes into `items`, each in time order.
fn group(items: &[Item], window_secs: i64) -> Vec<Vec<usize>> {
    let mut dsu = Dsu((0..items.len()).collect());
    let mut by_entity: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, it) in items.iter().enumerate() {
        for u in it.people() {
            by_entity.entry(format!("u:{u}")).or_default().push(i);
        }
        if let Some(m) = &it.meeting {
            by_entity.entry(format!("m:{m}")).or_default().push(i);
        }
        if let Some(r) = it.recording {
            by_entity.entry(format!("r:{r}")).or_default().push(i);
        }
    }
    for members in by_entity.values_mut() {
        members.sort_by_key(|&i| (items[i].time, items[i].id));
        for w in members.windows(2) {
            if items[w[1]].time - items[w[0]].time <= window_secs {
                dsu.union(w[0], w[1]);
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..items.len() {
        let root = dsu.find(i);
        groups.entry(root).or_default().push(i);
    }
    groups
        .into_values()
        .filter(|g| g.iter().any(|&i| items[i].rank > Severity::Info.rank()))
        .map(|mut g| {
            g.sort_by_key(|&i| (items[i].time, items[i].id));
            g
        })
        .collect()
}

/// Weight of one finding in an incident's score.
fn weight(rank: i64) -> f64 {
    match Severity::from_rank(rank) {
        Severity::Info => 0.2,
        Severity::Low => 1.0,
        Severity::Medium => 3.0,
        Severity::High => 8.0,
        Severity::Critical => 20.0,
    }
}

/// Severity weights summed, raised by 25% for each further rule and each further kind of
/// evidence (sign-ins, operations, meetings, recordings...) that corroborates the story.
fn score(items: &[&Item]) -> f64 {
    let base: f64 = items.iter().map(|i| weight(i.rank)).sum();
    let rules: BTreeSet<&str> = items.iter().map(|i| i.rule.as_str()).collect();
    let mut sources = BTreeSet::new();
    for r in &rules {
        if let Some(rule) = rules::registry().iter().find(|x| x.id == *r) {
            for s in rule.needs {
                sources.insert(format!("{s:?}"));
            }
        }
    }
    let factor =
        1.0 + 0.25 * (rules.len().saturating_sub(1) + sources.len().saturating_sub(1)) as f64;
    (base * factor * 10.0).round() / 10.0
}

fn span_text(secs: i64) -> String {
    if secs < 60 {
        String::new()
    } else if secs < 3600 {
        format!(" in {} min", secs / 60)
    } else if secs < 2 * 86400 {
        format!(" in {} h", (secs + 1800) / 3600)
    } else {
        format!(" in {} days", (secs + 43200) / 86400)
    }
}

fn rule_title(id: &str) -> String {
    let t = rules::registry()
        .iter()
        .find(|r| r.id == id)
        .map(|r| r.title)
        .unwrap_or(id);
    // "Security setting…" reads "security setting…" mid-sentence; "SSO…" stays "SSO…".
    let mut c = t.chars();
    match (c.next(), c.next()) {
        (Some(f), Some(s)) if s.is_lowercase() => {
            f.to_lowercase().collect::<String>() + &t[f.len_utf8()..]
        }
        _ => t.to_string(),
    }
}

/// "ezra.green@x: privileged role granted, security setting turned off in 3 h".
fn title(items: &[&Item], actors: &[String]) -> String {
    let mut seen = Vec::new();
    // Info-level context (a routine user creation) is not what the story is about.
    let alerts = items.iter().any(|i| i.rank > Severity::Info.rank());
    for i in items
        .iter()
        .filter(|i| !alerts || i.rank > Severity::Info.rank())
    {
        if !seen.contains(&i.rule) {
            seen.push(i.rule.clone());
        }
    }
    let mut what: Vec<String> = seen.iter().take(4).map(|r| rule_title(r)).collect();
    if seen.len() > 4 {
        what.push(format!("{} more", seen.len() - 4));
    }
    let told: Vec<&&Item> = items
        .iter()
        .filter(|i| !alerts || i.rank > Severity::Info.rank())
        .collect();
    let span = told.last().map(|l| l.time).unwrap_or(0) - told.first().map(|f| f.time).unwrap_or(0);
    let who = match actors.first() {
        Some(a) if actors.len() > 1 => format!("{a} +{}: ", actors.len() - 1),
        Some(a) => format!("{a}: "),
        None => String::new(),
    };
    format!("{who}{}{}", what.join(", "), span_text(span))
}

/// The actors, most findings first (a finding without an actor counts its user); a meeting
/// stands in when no one is named.
fn actors(items: &[&Item]) -> Vec<String> {
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    let alerts = items.iter().any(|i| i.rank > Severity::Info.rank());
    for i in items
        .iter()
        .filter(|i| !alerts || i.rank > Severity::Info.rank())
    {
        if let Some(u) = i.actor.as_ref().or(i.user.as_ref()) {
            let u = if u.contains('@') {
                u.to_ascii_lowercase()
            } else {
                u.clone()
            };
            *count.entry(u).or_default() += 1;
        }
    }
    if count.is_empty() {
        for i in items {
            if let Some(m) = &i.meeting {
                *count.entry(format!("meeting {m}")).or_default() += 1;
            }
        }
    }
    let mut v: Vec<(String, usize)> = count.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.into_iter().map(|(a, _)| a).collect()
}

/// Regroup every stored finding into incidents, inside one transaction.
pub fn regroup(conn: &mut Connection, window_hours: f64, now: &str) -> Result<Regrouped> {
    let items: Vec<Item> = {
        let mut st = conn.prepare(
            "SELECT id, rule, sev_rank, time, user_email, meeting_uuid, recording_id, actor, target
             FROM findings ORDER BY time, id",
        )?;
        let rows = st.query_map([], |r| {
            let time_text: String = r.get(3)?;
            Ok(Item {
                id: r.get(0)?,
                rule: r.get(1)?,
                rank: r.get(2)?,
                time: epoch(&time_text),
                time_text,
                user: r.get::<_, Option<String>>(4)?.filter(|s| !s.is_empty()),
                meeting: r.get::<_, Option<String>>(5)?.filter(|s| !s.is_empty()),
                recording: r.get(6)?,
                actor: r.get::<_, Option<String>>(7)?.filter(|s| !s.is_empty()),
                target: r.get::<_, Option<String>>(8)?.filter(|s| !s.is_empty()),
            })
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let previous: HashMap<i64, i64> = {
        let mut st =
            conn.prepare("SELECT id, incident_id FROM findings WHERE incident_id IS NOT NULL")?;
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    let window = (window_hours * 3600.0).round() as i64;
    let groups = group(&items, window);

    // Each group keeps the earlier incident id most of its findings had, biggest groups first,
    // so a split leaves the id with the larger part and a merge with the larger predecessor.
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by_key(|&g| std::cmp::Reverse(groups[g].len()));
    let mut ids: Vec<Option<i64>> = vec![None; groups.len()];
    let mut taken = BTreeSet::new();
    for &g in &order {
        let mut votes: BTreeMap<i64, usize> = BTreeMap::new();
        for &i in &groups[g] {
            if let Some(&inc) = previous.get(&items[i].id) {
                *votes.entry(inc).or_default() += 1;
            }
        }
        let mut v: Vec<(i64, usize)> = votes.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        if let Some((inc, _)) = v.into_iter().find(|(inc, _)| !taken.contains(inc)) {
            taken.insert(inc);
            ids[g] = Some(inc);
        }
    }

    let tx = conn.transaction()?;
    tx.execute("UPDATE findings SET incident_id = NULL", [])?;
    let keep: Vec<i64> = ids.iter().flatten().copied().collect();
    tx.execute(
        "DELETE FROM incidents WHERE id NOT IN (SELECT value FROM json_each(?1))",
        [serde_json::to_string(&keep)?],
    )?;
    let mut out = Regrouped {
        incidents: groups.len(),
        kept: keep.len(),
        ungrouped: items.len() - groups.iter().map(Vec::len).sum::<usize>(),
    };
    {
        let mut upsert = tx.prepare(
            "INSERT INTO incidents (id, title, score, severity, sev_rank, first_time, last_time,
               actors, rules, findings, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (id) DO UPDATE SET title = excluded.title, score = excluded.score,
               severity = excluded.severity, sev_rank = excluded.sev_rank,
               first_time = excluded.first_time, last_time = excluded.last_time,
               actors = excluded.actors, rules = excluded.rules, findings = excluded.findings,
               updated_at = excluded.updated_at
             RETURNING id",
        )?;
        let mut link = tx.prepare("UPDATE findings SET incident_id = ?1 WHERE id = ?2")?;
        for (g, members) in groups.iter().enumerate() {
            let its: Vec<&Item> = members.iter().map(|&i| &items[i]).collect();
            let rank = its.iter().map(|i| i.rank).max().unwrap_or(0);
            let people = actors(&its);
            let mut rule_ids: Vec<&str> = Vec::new();
            for i in &its {
                if !rule_ids.contains(&i.rule.as_str()) {
                    rule_ids.push(&i.rule);
                }
            }
            let id: i64 = upsert.query_row(
                params![
                    ids[g],
                    title(&its, &people),
                    score(&its),
                    Severity::from_rank(rank).as_str(),
                    rank,
                    its.first().map(|i| i.time_text.as_str()).unwrap_or(""),
                    its.last().map(|i| i.time_text.as_str()).unwrap_or(""),
                    serde_json::to_string(&people)?,
                    serde_json::to_string(&rule_ids)?,
                    its.len() as i64,
                    now
                ],
                |r| r.get(0),
            )?;
            for i in &its {
                link.execute(params![id, i.id])?;
            }
        }
    }
    tx.commit()?;
    out.kept = out.kept.min(out.incidents);
    Ok(out)
}

/// Stored incidents, highest score first, with their triage state.
pub fn load(conn: &Connection, only_open: bool) -> Result<Vec<Incident>> {
    let mut st = conn.prepare(
        "SELECT i.id, i.title, i.score, i.severity, i.first_time, i.last_time, i.actors, i.rules,
                i.findings, coalesce(t.state, 'new'), coalesce(t.reason, ''), t.analyst, t.at
         FROM incidents i
         LEFT JOIN triage t ON t.subject = 'incident' AND t.ref = CAST(i.id AS TEXT)
         ORDER BY i.score DESC, i.sev_rank DESC, i.first_time, i.id",
    )?;
    let rows = st.query_map([], |r| {
        let actors: String = r.get(6)?;
        let rules: String = r.get(7)?;
        Ok(Incident {
            id: r.get(0)?,
            title: r.get(1)?,
            score: r.get(2)?,
            severity: r.get(3)?,
            first_time: r.get(4)?,
            last_time: r.get(5)?,
            actors: serde_json::from_str(&actors).unwrap_or_default(),
            rules: serde_json::from_str(&rules).unwrap_or_default(),
            findings: r.get(8)?,
            state: r.get(9)?,
            reason: r.get(10)?,
            analyst: r.get(11)?,
            triaged_at: r.get(12)?,
            story: Vec::new(),
        })
    })?;
    let mut out = Vec::new();
    for i in rows {
        let i = i?;
        if !only_open || super::triage::State::parse(&i.state).is_some_and(|s| s.is_open()) {
            out.push(i);
        }
    }
    let mut stories: HashMap<i64, Vec<StoryLine>> = HashMap::new();
    let mut st = conn.prepare(
        "SELECT incident_id, id, rule, severity, time, actor, target, summary, question, why
         FROM findings WHERE incident_id IS NOT NULL ORDER BY time, id",
    )?;
    let rows = st.query_map([], |r| {
        let why: String = r.get(9)?;
        Ok((
            r.get::<_, i64>(0)?,
            StoryLine {
                id: r.get(1)?,
                rule: r.get(2)?,
                severity: r.get(3)?,
                time: r.get(4)?,
                actor: r.get(5)?,
                target: r.get(6)?,
                summary: r.get(7)?,
                question: r.get(8)?,
                why: serde_json::from_str(&why).unwrap_or_default(),
            },
        ))
    })?;
    for row in rows {
        let (inc, line) = row?;
        stories.entry(inc).or_default().push(line);
    }
    for i in &mut out {
        i.story = stories.remove(&i.id).unwrap_or_default();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: i64, rule: &str, rank: i64, h: i64, user: Option<&str>, m: Option<&str>) -> Item {
        Item {
            id,
            rule: rule.into(),
            rank,
            time: h * 3600,
            time_text: format!("t{h}"),
            user: user.map(String::from),
            actor: user.map(String::from),
            target: None,
            meeting: m.map(String::from),
            recording: None,
        }
    }

    #[test]
    fn shared_entities_within_the_window_chain_into_one_story() {
        let items = vec![
            item(1, "privileged-role-granted", 3, 0, Some("ezra@x"), None),
            item(2, "security-setting-disabled", 3, 2, Some("ezra@x"), None),
            // Same meeting as #4, which shares ezra: chained in.
            item(
                3,
                "external-in-sensitive-meeting",
                2,
                5,
                Some("out@y"),
                Some("M1"),
            ),
            item(4, "new-admin-activity", 3, 3, Some("ezra@x"), Some("M1")),
            // Ezra again, but 3 days later: a new story.
            item(5, "signin-new-ip", 1, 80, Some("ezra@x"), None),
            // Lone info-level context makes no incident.
            item(6, "user-created", 0, 1, Some("new@x"), None),
            // Info-level context joins the story it touches.
            item(7, "user-created", 0, 1, Some("ezra@x"), None),
        ];
        let g = group(&items, 24 * 3600);
        let ids: Vec<Vec<i64>> = g
            .iter()
            .map(|g| g.iter().map(|&i| items[i].id).collect())
            .collect();
        assert_eq!(ids, vec![vec![1, 7, 2, 4, 3], vec![5]]);
        let its: Vec<&Item> = g[0].iter().map(|&i| &items[i]).collect();
        let people = actors(&its);
        assert_eq!(people[0], "ezra@x");
        let t = title(&its, &people);
        assert!(t.starts_with("ezra@x +1: privileged role granted, "), "{t}");
        assert!(t.ends_with(" in 5 h"), "{t}");
        // Corroboration raises the score above the plain sum of weights.
        assert!(score(&its) > 8.0 * 3.0 + 3.0);
    }
}
