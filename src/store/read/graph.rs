//! Collaboration graph: who meets whom, how often, around a person or a meeting series, and
//! the organisation's graph (departments and outside domains, joined by shared meetings and
//! chat channels).

use super::*;

row_view! {
    /// A person around the centre: their email (`(guest)` without one), display name, how
    /// many meetings they share with it, and internal / external / guest.
    PersonRow { who = 0, name = 1, shared = 2, class = 3, chats = 4 }
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
    /// The organisation's graph: edges between nodes (indexes into `nodes`); empty around a
    /// person or a series, whose edges all run to the centre.
    pub edges: Vec<Edge>,
    /// Drawn at department level.
    pub org: bool,
}

/// Two nodes of the organisation's graph and what joins them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Edge {
    pub a: usize,
    pub b: usize,
    /// Meeting instances both attended.
    pub meetings: i64,
    /// Chat channels both posted in, plus direct conversations between them.
    pub chats: i64,
}

impl Graph {
    /// The neighbours of node `i`, strongest tie first: (node, meetings, chats).
    pub fn neighbours(&self, i: usize) -> Vec<(usize, i64, i64)> {
        let mut v: Vec<(usize, i64, i64)> = self
            .edges
            .iter()
            .filter_map(|e| match (e.a == i, e.b == i) {
                (true, _) => Some((e.b, e.meetings, e.chats)),
                (_, true) => Some((e.a, e.meetings, e.chats)),
                _ => None,
            })
            .collect();
        v.sort_by(|x, y| (y.1, y.2).cmp(&(x.1, x.2)).then(x.0.cmp(&y.0)));
        v
    }
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
    let (mut nodes, meetings) = nodes(&mut st, rusqlite::params![email, MAX], info)?;
    add_chats(conn, info, email, &mut nodes, true)?;
    Ok(Graph {
        center: email.to_string(),
        nodes,
        meetings,
        ..Default::default()
    })
}

/// Attendance around a meeting series: who came to its instances (up to 50 most recent), and
/// to how many of them.
pub fn around_meeting(conn: &Connection, info: &CaseInfo, uuid: &str) -> Result<Graph> {
    let (mid, topic, host): (Option<i64>, Option<String>, Option<String>) = conn
        .query_row(
            "SELECT meeting_id, topic, host_email FROM meetings WHERE uuid = ?1",
            [uuid],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap_or((None, None, None));
    let mut st = conn.prepare_cached(
        "WITH inst AS (SELECT uuid FROM (SELECT uuid FROM meetings WHERE meeting_id = ?1
                                        ORDER BY start_time DESC LIMIT 50)
                       UNION SELECT ?2)
         SELECT COALESCE(NULLIF(p.email, ''), '') AS who, max(COALESCE(p.name, '')), count(DISTINCT p.meeting_uuid) AS n,
                (SELECT count(*) FROM inst)
         FROM participants p WHERE p.meeting_uuid IN (SELECT uuid FROM inst)
         GROUP BY who, CASE WHEN who = '' THEN p.name ELSE '' END ORDER BY n DESC, who LIMIT 40",
    )?;
    let (mut nodes, meetings) = nodes(&mut st, rusqlite::params![mid, uuid], info)?;
    // Chat ties: the channels each attendee shares with the series' host.
    if let Some(h) = host.filter(|h| !h.is_empty()) {
        add_chats(conn, info, &h, &mut nodes, false)?;
    }
    Ok(Graph {
        center: topic.unwrap_or_else(|| uuid.to_string()),
        nodes,
        meetings,
        ..Default::default()
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
        .query_map(params, two_texts_two_counts)?
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
            "0".into(),
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

/// Chat ties of a person: the channels they share with each other poster and their direct
/// conversations, counted on the people already drawn (and, with `add`, added for those met
/// only in chat).
fn add_chats(
    conn: &Connection,
    info: &CaseInfo,
    email: &str,
    nodes: &mut Vec<Row>,
    add: bool,
) -> Result<()> {
    let mut st = conn.prepare_cached(
        "WITH ch AS (SELECT DISTINCT to_channel FROM chat_messages
                     WHERE sender = ?1 AND COALESCE(to_channel, '') <> '')
         SELECT who, sum(n) FROM (
           SELECT lower(sender) AS who, count(DISTINCT to_channel) AS n FROM chat_messages
           WHERE to_channel IN (SELECT to_channel FROM ch) AND COALESCE(sender, '') <> ''
             AND sender <> ?1 GROUP BY 1
           UNION ALL
           SELECT lower(to_contact), 1 FROM chat_messages
           WHERE sender = ?1 AND COALESCE(to_contact, '') <> '' GROUP BY 1)
         GROUP BY who ORDER BY 2 DESC, who LIMIT 40",
    )?;
    let ties = st
        .query_map([email], |r| Ok((text(r, 0)?, r.get::<_, i64>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (who, n) in ties {
        if let Some(row) = nodes
            .iter_mut()
            .find(|r| r.cells[0].eq_ignore_ascii_case(&who))
        {
            row.cells[4] = n.to_string();
        } else if add && nodes.len() < 50 {
            let mut row = node(info, nodes.len() as i64, who, String::new(), 0);
            row.cells[4] = n.to_string();
            nodes.push(row);
        }
    }
    Ok(())
}

row_view! {
    /// A node of the organisation's graph: its key letter(s), name, kind (department or
    /// domain), meetings attended, the share of those with an outsider present (percent), chat
    /// channels and conversations.
    OrgNodeRow { key = 0, name = 1, kind = 2, meetings = 3, external = 4, chats = 5 }
}

/// Nodes the organisation's graph draws at most: the busiest departments and domains.
pub const ORG_NODES: usize = 24;

/// The organisation's graph: departments (the account's people by `dept`) and outside email
/// domains (guests without an email as one node) as nodes, joined by the meeting instances
/// they shared and the chat channels they both posted in. Needs the rules' SQL helpers
/// (`zl_internal`, `zl_domain`) on the connection.
pub fn organisation(conn: &Connection) -> Result<Graph> {
    let node = |email: &str| {
        format!(
            "CASE WHEN COALESCE({email}, '') = '' THEN '(guests)'
                  WHEN zl_internal({email}) THEN COALESCE((SELECT NULLIF(trim(u.dept), '')
                       FROM users u WHERE u.email = {email} LIMIT 1), '(no department)')
                  ELSE zl_domain({email}) END"
        )
    };
    let pn = node("p.email");
    // Per node: meetings attended and how many of them had an outsider (or a guest).
    let sql = format!(
        "WITH att AS (SELECT DISTINCT p.meeting_uuid AS m, {pn} AS n,
                             COALESCE(p.email, '') = '' OR NOT zl_internal(p.email) AS outside
                      FROM participants p),
              mo AS (SELECT m, max(outside) AS outside FROM att GROUP BY m)
         SELECT att.n, max(att.outside), count(DISTINCT att.m),
                count(DISTINCT CASE WHEN mo.outside THEN att.m END)
         FROM att JOIN mo ON mo.m = att.m GROUP BY att.n
         ORDER BY max(att.outside), 3 DESC, att.n"
    );
    let all = conn
        .prepare_cached(&sql)?
        .query_map([], |r| {
            Ok((
                text(r, 0)?,
                r.get::<_, bool>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // The departments first (most meetings first), then the busiest outside domains.
    let (inside, outside): (Vec<_>, Vec<_>) = all.into_iter().partition(|x| !x.1);
    let mut outside = outside;
    outside.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let keep_in = inside.len().min(ORG_NODES * 2 / 3);
    let keep_out = (ORG_NODES - keep_in).min(outside.len());
    let chosen: Vec<_> = inside
        .into_iter()
        .take(keep_in)
        .chain(outside.into_iter().take(keep_out))
        .collect();
    let names: Vec<String> = chosen.iter().map(|c| c.0.clone()).collect();
    let json = serde_json::to_string(&names)?;
    let idx = |n: &str| names.iter().position(|x| x == n);
    let mut edges: std::collections::BTreeMap<(usize, usize), (i64, i64)> = Default::default();
    let sql = format!(
        "WITH att AS (SELECT DISTINCT p.meeting_uuid AS m, {pn} AS n FROM participants p),
              k AS (SELECT m, n FROM att WHERE n IN (SELECT value FROM json_each(?1)))
         SELECT a.n, b.n, count(*) FROM k a JOIN k b ON a.m = b.m AND a.n < b.n GROUP BY a.n, b.n"
    );
    for r in conn.prepare_cached(&sql)?.query_map([&json], |r| {
        Ok((text(r, 0)?, text(r, 1)?, r.get::<_, i64>(2)?))
    })? {
        let (a, b, n) = r?;
        if let (Some(a), Some(b)) = (idx(&a), idx(&b)) {
            edges.entry((a.min(b), a.max(b))).or_default().0 += n;
        }
    }
    let sn = node("c.sender");
    let cn = node("c.to_contact");
    let sql = format!(
        "WITH ch AS (SELECT DISTINCT c.to_channel AS conv, {sn} AS n FROM chat_messages c
                     WHERE COALESCE(c.to_channel, '') <> '' AND COALESCE(c.sender, '') <> ''
                     UNION
                     SELECT DISTINCT min(lower(c.sender), lower(c.to_contact)) || '|' ||
                            max(lower(c.sender), lower(c.to_contact)), {sn} FROM chat_messages c
                     WHERE COALESCE(c.to_contact, '') <> '' AND COALESCE(c.sender, '') <> ''
                     UNION
                     SELECT DISTINCT min(lower(c.sender), lower(c.to_contact)) || '|' ||
                            max(lower(c.sender), lower(c.to_contact)), {cn} FROM chat_messages c
                     WHERE COALESCE(c.to_contact, '') <> '' AND COALESCE(c.sender, '') <> ''),
              k AS (SELECT conv, n FROM ch WHERE n IN (SELECT value FROM json_each(?1)))
         SELECT a.n, b.n, count(*) FROM k a JOIN k b ON a.conv = b.conv AND a.n < b.n
         GROUP BY a.n, b.n"
    );
    for r in conn.prepare_cached(&sql)?.query_map([&json], |r| {
        Ok((text(r, 0)?, text(r, 1)?, r.get::<_, i64>(2)?))
    })? {
        let (a, b, n) = r?;
        if let (Some(a), Some(b)) = (idx(&a), idx(&b)) {
            edges.entry((a.min(b), a.max(b))).or_default().1 += n;
        }
    }
    // Per node: the conversations (channels and direct chats) its people took part in.
    let i = sql
        .find("SELECT a.n, b.n")
        .expect("the edge query's last SELECT");
    let sql = format!(
        "{} SELECT n, count(DISTINCT conv) FROM k GROUP BY n",
        &sql[..i]
    );
    let mut chats = vec![0i64; names.len()];
    for r in conn
        .prepare_cached(&sql)?
        .query_map([&json], |r| Ok((text(r, 0)?, r.get::<_, i64>(1)?)))?
    {
        let (a, n) = r?;
        if let Some(a) = idx(&a) {
            chats[a] = n;
        }
    }
    let nodes = chosen
        .into_iter()
        .enumerate()
        .map(|(i, (name, outside, meetings, with_out))| {
            let class = if outside { "external" } else { "internal" };
            let pct = if meetings > 0 {
                (with_out * 100 + meetings / 2) / meetings
            } else {
                0
            };
            Row {
                tbl: "org",
                id: i as i64,
                key: Key {
                    t: name.clone(),
                    s: meetings,
                    id: i as i64,
                },
                kind: if outside { "domain" } else { "department" }.into(),
                cells: vec![
                    node_key(i),
                    name.clone(),
                    if outside { "domain" } else { "department" }.into(),
                    meetings.to_string(),
                    pct.to_string(),
                    chats[i].to_string(),
                ],
                link: Links {
                    // An outside domain pivots to its people's timeline (`@`).
                    user: None,
                    ..Default::default()
                },
                badge: class.into(),
                rank: -1,
                ..Default::default()
            }
        })
        .collect();
    Ok(Graph {
        center: "the organisation".into(),
        nodes,
        meetings: 0,
        edges: edges
            .into_iter()
            .map(|((a, b), (meetings, chats))| Edge {
                a,
                b,
                meetings,
                chats,
            })
            .collect(),
        org: true,
    })
}

/// A node's short key on the drawing: A..Z, then AA, AB...
pub fn node_key(i: usize) -> String {
    let letter = |k: usize| char::from(b'A' + (k % 26) as u8);
    if i < 26 {
        letter(i).to_string()
    } else {
        format!("{}{}", letter(i / 26 - 1), letter(i))
    }
}
