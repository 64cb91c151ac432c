//! Collaboration graph: who meets whom, how often, around a person or a meeting series.

use super::*;

row_view! {
    /// A person around the centre: their email (`(guest)` without one), display name, how
    /// many meetings they share with it, and internal / external / guest.
    PersonRow { who = 0, name = 1, shared = 2, class = 3 }
}

impl PersonRow<'_> {
    /// Whether they came without an email (known by display name only).
    pub fn is_guest(&self) -> bool {
        self.who() == "(guest)"
    }
}

#[derive(Clone, Debug, Default)]
pub struct Graph {
    pub center: String,
    /// Neighbours, most shared meetings first: cells = [who, name, meetings, class].
    pub nodes: Vec<Row>,
    /// How many of the centre's meetings were looked at (the most recent ones).
    pub meetings: u64,
}

/// Co-attendance around a person: the people in the same meeting instances (the person's most
/// recent `MAX` instances), counted by distinct instances shared.
pub fn around_user(conn: &Connection, info: &CaseInfo, email: &str) -> Result<Graph> {
    const MAX: i64 = 500;
    let mut st = conn.prepare_cached(
        "WITH mine AS (SELECT meeting_uuid FROM participants WHERE email = ?1
                       GROUP BY meeting_uuid ORDER BY max(join_time) DESC LIMIT ?2)
         SELECT COALESCE(NULLIF(p.email, ''), '') AS who, max(COALESCE(p.name, '')), count(DISTINCT p.meeting_uuid) AS n,
                (SELECT count(*) FROM mine)
         FROM participants p WHERE p.meeting_uuid IN (SELECT meeting_uuid FROM mine)
           AND COALESCE(p.email, '') <> ?1
         GROUP BY who, CASE WHEN who = '' THEN p.name ELSE '' END ORDER BY n DESC, who LIMIT 40",
    )?;
    let (nodes, meetings) = nodes(&mut st, rusqlite::params![email, MAX], info)?;
    Ok(Graph {
        center: email.to_string(),
        nodes,
        meetings,
    })
}

/// Attendance around a meeting series: who came to its instances (up to 50 most recent), and
/// to how many of them.
pub fn around_meeting(conn: &Connection, info: &CaseInfo, uuid: &str) -> Result<Graph> {
    let (mid, topic): (Option<i64>, Option<String>) = conn
        .query_row(
            "SELECT meeting_id, topic FROM meetings WHERE uuid = ?1",
            [uuid],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap_or((None, None));
    let mut st = conn.prepare_cached(
        "WITH inst AS (SELECT uuid FROM (SELECT uuid FROM meetings WHERE meeting_id = ?1
                                        ORDER BY start_time DESC LIMIT 50)
                       UNION SELECT ?2)
         SELECT COALESCE(NULLIF(p.email, ''), '') AS who, max(COALESCE(p.name, '')), count(DISTINCT p.meeting_uuid) AS n,
                (SELECT count(*) FROM inst)
         FROM participants p WHERE p.meeting_uuid IN (SELECT uuid FROM inst)
         GROUP BY who, CASE WHEN who = '' THEN p.name ELSE '' END ORDER BY n DESC, who LIMIT 40",
    )?;
    let (nodes, meetings) = nodes(&mut st, rusqlite::params![mid, uuid], info)?;
    Ok(Graph {
        center: topic.unwrap_or_else(|| uuid.to_string()),
        nodes,
        meetings,
    })
}

/// Rows of (who, name, instances shared, instances considered) as graph nodes, with the number
/// of instances considered.
fn nodes(
    st: &mut rusqlite::CachedStatement<'_>,
    params: impl rusqlite::Params,
    info: &CaseInfo,
) -> Result<(Vec<Row>, u64)> {
    let mut meetings = 0;
    let nodes = st
        .query_map(params, |r| {
            Ok((
                text(r, 0)?,
                text(r, 1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .enumerate()
        .map(|(i, (who, name, n, m))| {
            meetings = m as u64;
            node(info, i as i64, who, name, n)
        })
        .collect();
    Ok((nodes, meetings))
}

fn node(info: &CaseInfo, i: i64, who: String, name: String, n: i64) -> Row {
    let class = info.class_of(Some(&who)).to_string();
    Row {
        tbl: "people",
        id: i,
        key: Key {
            t: who.clone(),
            s: n,
            id: i,
        },
        kind: "person".into(),
        cells: vec![
            if who.is_empty() {
                "(guest)".into()
            } else {
                who.clone()
            },
            name.clone(),
            n.to_string(),
            class.clone(),
        ],
        link: Links {
            user: Some(who).filter(|w| !w.is_empty()),
            name: Some(name).filter(|n| !n.is_empty()),
            ..Default::default()
        },
        badge: class,
        rank: -1,
        ..Default::default()
    }
}
