//! External exposure by team: per department (the host's) or per host, how many meetings had
//! people from outside the account or unauthenticated guests, which outside domains came and
//! how often, how many of those meetings were sensitive (topic, a VIP present, recorded), who
//! hosts guests most, and the trend over the case span.
//!
//! "External", "sensitive" and "VIP" are the rules' own definitions: the queries call the SQL
//! helpers `detect::sql_functions` registers (`zl_internal`, `zl_sensitive`, `zl_vip`,
//! `zl_domain`). Zoom logs no invitations, so the host of a meeting stands for who invited.

use super::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// Whose exposure: the host's department, or the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExposureBy {
    Department,
    Host,
}

impl ExposureBy {
    pub fn name(self) -> &'static str {
        match self {
            ExposureBy::Department => "department",
            ExposureBy::Host => "host",
        }
    }
}

/// One department's (or host's) exposure.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct ExposureRow {
    pub group: String,
    pub meetings: i64,
    /// Meetings with an external or a guest.
    pub exposed: i64,
    pub with_externals: i64,
    pub with_guests: i64,
    /// Exposed meetings that were sensitive for any reason, and for each reason.
    pub sensitive: i64,
    pub sensitive_topic: i64,
    pub vip_present: i64,
    pub recorded: i64,
    /// Outside domains, most meetings first: (domain, meetings, of which sensitive).
    pub domains: Vec<DomainCount>,
    /// The hosts of the most exposed meetings with guests or externals: (host, meetings).
    pub top_hosts: Vec<(String, i64)>,
    /// Exposed meetings per bucket of the case span (see [`Exposure::bucket_days`]).
    pub trend: Vec<i64>,
}

#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct DomainCount {
    pub domain: String,
    pub meetings: i64,
    pub sensitive: i64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Exposure {
    pub by: Option<ExposureBy>,
    pub rows: Vec<ExposureRow>,
    /// First day of the trend and the length of each bucket.
    pub from: String,
    pub bucket_days: i64,
}

/// The per-meeting facts every exposure query starts from (a CTE named `mm`): group, host,
/// externals, guests, sensitive reasons, trend bucket. One pass over the sessions, grouped
/// by meeting.
fn meetings_cte(by: ExposureBy) -> String {
    let grp = match by {
        ExposureBy::Department => {
            "COALESCE((SELECT COALESCE(NULLIF(trim(u.dept), ''), '(none)') FROM users u
                       WHERE u.email = m.host_email LIMIT 1), '(unknown host)')"
        }
        ExposureBy::Host => "COALESCE(lower(NULLIF(m.host_email, '')), '(unknown host)')",
    };
    format!(
        "per AS MATERIALIZED (SELECT p.meeting_uuid AS uuid,
                        max(COALESCE(p.email, '') <> '' AND NOT zl_internal(p.email)) AS ext,
                        max(COALESCE(p.email, '') = '' AND COALESCE(p.zoom_user_id, '') = '') AS guest,
                        max(zl_vip(p.email)) AS vip
                 FROM participants p GROUP BY p.meeting_uuid),
         mm AS MATERIALIZED (SELECT m.uuid, m.meeting_id, m.topic, m.start_time,
                       lower(COALESCE(m.host_email, '')) AS host, {grp} AS grp,
                       COALESCE(per.ext, 0) AS ext, COALESCE(per.guest, 0) AS guest,
                       COALESCE(per.vip, 0) AS vip, zl_sensitive(m.topic) AS stopic,
                       (COALESCE(m.has_recording, 0) = 1
                        OR EXISTS (SELECT 1 FROM recordings r WHERE r.meeting_uuid = m.uuid)) AS rec
                FROM meetings m LEFT JOIN per ON per.uuid = m.uuid)"
    )
}

fn check_helpers(conn: &Connection) -> Result<()> {
    for f in ["zl_internal", "zl_sensitive", "zl_vip", "zl_domain"] {
        if !super::landscape::has_function(conn, f) {
            anyhow::bail!(
                "the rules' SQL helper {f} is not registered on this connection (detect::sql_functions)"
            );
        }
    }
    Ok(())
}

/// Exposure per department or host, most exposed first (at most `limit` rows).
pub fn exposure(conn: &Connection, by: ExposureBy, limit: usize) -> Result<Exposure> {
    check_helpers(conn)?;
    let (lo, hi): (Option<String>, Option<String>) = conn.query_row(
        "SELECT min(start_time), max(start_time) FROM meetings WHERE start_time > ''",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let (Some(lo), Some(hi)) = (lo, hi) else {
        return Ok(Exposure {
            by: Some(by),
            ..Default::default()
        });
    };
    let (from, days): (String, f64) = conn.query_row(
        "SELECT date(?1), julianday(?2) - julianday(date(?1))",
        [&lo, &hi],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let bucket_days: i64 = if days <= 21.0 { 1 } else { 7 };
    let nb = ((days / bucket_days as f64).floor() as i64 + 1).clamp(1, 400) as usize;
    // One statement, so the sessions are read once (the CTEs are materialised): exposure
    // counted per (group, host, trend bucket), and the outside domains per group; the
    // per-group figures are the sums of the first.
    let cte = meetings_cte(by);
    let sql = format!(
        "WITH {cte}
         SELECT 0, grp, host, CAST((julianday(start_time) - julianday(?1)) / ?2 AS INTEGER),
                count(*), sum(ext OR guest), sum(ext), sum(guest),
                sum((ext OR guest) AND (stopic OR vip OR rec)), sum((ext OR guest) AND stopic),
                sum((ext OR guest) AND vip), sum((ext OR guest) AND rec)
         FROM mm GROUP BY 2, 3, 4
         UNION ALL
         SELECT 1, mm.grp, zl_domain(p.email), NULL, count(DISTINCT mm.uuid),
                count(DISTINCT CASE WHEN mm.stopic OR mm.vip OR mm.rec THEN mm.uuid END),
                0, 0, 0, 0, 0, 0
         FROM mm JOIN participants p ON p.meeting_uuid = mm.uuid
         WHERE mm.ext AND COALESCE(p.email, '') <> '' AND NOT zl_internal(p.email)
         GROUP BY 2, 3"
    );
    type Facts = (i64, String, String, Option<i64>, [i64; 8]);
    let facts: Vec<Facts> = conn
        .prepare_cached(&sql)?
        .query_map(rusqlite::params![from, bucket_days], |r| {
            let mut n = [0i64; 8];
            for (k, v) in n.iter_mut().enumerate() {
                *v = r.get::<_, Option<i64>>(4 + k)?.unwrap_or(0);
            }
            Ok((r.get(0)?, text(r, 1)?, text(r, 2)?, r.get(3)?, n))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut by_group: BTreeMap<String, ExposureRow> = BTreeMap::new();
    let mut hosts: BTreeMap<(String, String), i64> = BTreeMap::new();
    for (kind, g, name, b, n) in facts {
        let row = by_group.entry(g.clone()).or_insert_with(|| ExposureRow {
            group: g.clone(),
            trend: vec![0; nb],
            ..Default::default()
        });
        if kind == 1 {
            row.domains.push(DomainCount {
                domain: name,
                meetings: n[0],
                sensitive: n[1],
            });
            continue;
        }
        row.meetings += n[0];
        row.exposed += n[1];
        row.with_externals += n[2];
        row.with_guests += n[3];
        row.sensitive += n[4];
        row.sensitive_topic += n[5];
        row.vip_present += n[6];
        row.recorded += n[7];
        if let Some(b) = b {
            row.trend[b.clamp(0, nb as i64 - 1) as usize] += n[1];
        }
        if n[1] > 0 && !name.is_empty() {
            *hosts.entry((g, name)).or_default() += n[1];
        }
    }
    for ((g, host), n) in hosts {
        if let Some(r) = by_group.get_mut(&g) {
            r.top_hosts.push((host, n));
        }
    }
    let mut rows: Vec<ExposureRow> = by_group.into_values().collect();
    for r in &mut rows {
        r.domains.sort_by(|a, b| {
            (b.meetings, b.sensitive)
                .cmp(&(a.meetings, a.sensitive))
                .then(a.domain.cmp(&b.domain))
        });
        r.domains.truncate(5);
        r.top_hosts
            .sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        r.top_hosts.truncate(3);
    }
    rows.sort_by(|a, b| {
        (b.exposed, b.sensitive)
            .cmp(&(a.exposed, a.sensitive))
            .then(a.group.cmp(&b.group))
    });
    rows.truncate(limit);
    Ok(Exposure {
        by: Some(by),
        rows,
        from,
        bucket_days,
    })
}

row_view! {
    /// A department's (or host's) exposure as a console row.
    ExposureCells {
        group = 0, meetings = 1, exposed = 2, sensitive = 3, domains = 4, hosts = 5, why = 6,
    }
}

/// The exposure as console rows (`tbl` "exposure": aggregates, not records).
pub fn exposure_rows(e: &Exposure) -> Vec<Row> {
    e.rows
        .iter()
        .enumerate()
        .map(|(i, r)| Row {
            tbl: "exposure",
            id: i as i64,
            key: Key {
                t: r.group.clone(),
                s: r.exposed,
                id: i as i64,
            },
            kind: "group".into(),
            cells: vec![
                r.group.clone(),
                r.meetings.to_string(),
                r.exposed.to_string(),
                r.sensitive.to_string(),
                domains_text(&r.domains),
                r.top_hosts
                    .iter()
                    .map(|(h, n)| format!("{h} {n}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                why_text(r),
            ],
            link: Links {
                user: r.top_hosts.first().map(|h| h.0.clone()),
                ..Default::default()
            },
            badge: if r.sensitive > 0 {
                "external".into()
            } else {
                String::new()
            },
            rank: -1,
            ..Default::default()
        })
        .collect()
}

/// "globex.example 5 (4 sensitive), initech.example 1".
pub fn domains_text(d: &[DomainCount]) -> String {
    d.iter()
        .map(|d| {
            if d.sensitive > 0 {
                format!("{} {} ({} sensitive)", d.domain, d.meetings, d.sensitive)
            } else {
                format!("{} {}", d.domain, d.meetings)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why the exposed meetings were sensitive: "topic 4, VIP 1, recorded 2".
pub fn why_text(r: &ExposureRow) -> String {
    [
        ("topic", r.sensitive_topic),
        ("VIP", r.vip_present),
        ("recorded", r.recorded),
    ]
    .iter()
    .filter(|(_, n)| *n > 0)
    .map(|(w, n)| format!("{w} {n}"))
    .collect::<Vec<_>>()
    .join(", ")
}

/// The exposed meetings of one department (or host), newest first: cells = [start, topic,
/// host, externals, guests, sensitive (why)], each linking to its meeting.
pub fn meetings(conn: &Connection, by: ExposureBy, group: &str, limit: usize) -> Result<Vec<Row>> {
    check_helpers(conn)?;
    let cte = meetings_cte(by);
    let sql = format!(
        "WITH {cte}
         SELECT mm.uuid, mm.meeting_id, mm.start_time, mm.topic, mm.host,
                (SELECT group_concat(DISTINCT zl_domain(p.email)) FROM participants p
                 WHERE p.meeting_uuid = mm.uuid AND COALESCE(p.email, '') <> ''
                   AND NOT zl_internal(p.email)),
                (SELECT count(*) FROM participants p WHERE p.meeting_uuid = mm.uuid
                   AND COALESCE(p.email, '') = '' AND COALESCE(p.zoom_user_id, '') = ''),
                mm.stopic, mm.vip, mm.rec, m.id
         FROM mm JOIN meetings m ON m.uuid = mm.uuid
         WHERE mm.grp = ?1 AND (mm.ext OR mm.guest)
         ORDER BY mm.start_time DESC, mm.uuid LIMIT ?2"
    );
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(rusqlite::params![group, limit as i64], |r| {
            Ok((
                text(r, 0)?,
                r.get::<_, Option<i64>>(1)?,
                text(r, 2)?,
                text(r, 3)?,
                text(r, 4)?,
                text(r, 5)?,
                r.get::<_, i64>(6)?,
                (
                    r.get::<_, bool>(7)?,
                    r.get::<_, bool>(8)?,
                    r.get::<_, bool>(9)?,
                ),
                r.get::<_, i64>(10)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .map(
            |(uuid, mid, start, topic, host, domains, guests, (t, v, rec), id)| {
                let why: Vec<&str> = [(t, "topic"), (v, "VIP"), (rec, "recorded")]
                    .iter()
                    .filter(|x| x.0)
                    .map(|x| x.1)
                    .collect();
                Row {
                    cells: vec![
                        start.clone(),
                        topic,
                        host.clone(),
                        domains,
                        guests.to_string(),
                        why.join(", "),
                    ],
                    link: Links {
                        user: Some(host).filter(|h| !h.is_empty()),
                        meeting_uuid: Some(uuid),
                        meeting_id: mid,
                        ..Default::default()
                    },
                    badge: if why.is_empty() {
                        String::new()
                    } else {
                        "external".into()
                    },
                    ..Row::at("meetings", id, "meeting", start)
                }
            },
        )
        .collect())
}

row_view! {
    /// An exposed meeting.
    ExposedMeetingCells { start = 0, topic = 1, host = 2, domains = 3, guests = 4, sensitive = 5 }
}
