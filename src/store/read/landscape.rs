//! The endpoint landscape ("stacks"): how many people and sessions each client version,
//! device, OS, location... accounts for, per department, domain or role; who is behind a
//! value; how a department adopts new versions over time.
//!
//! Everything is aggregated in SQL and capped, so the console never holds a table. The
//! queries use the rules' SQL helpers (`zl_version_lt`, `zl_domain`, registered by
//! `detect::sql_functions` as for `zoomlens sql`), so "outdated" means what the
//! `outdated-client` rule means by it.

use super::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// What a stack counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StackBy {
    Version,
    Device,
    Os,
    /// The client type people sign in with (sign-ins, not meetings: participant reports name
    /// the device, not the app).
    Client,
    Location,
    Country,
    Network,
    /// The computer's domain (the dashboard's `domain`), not the email's.
    Domain,
    PcName,
}

impl StackBy {
    pub const ALL: [StackBy; 9] = [
        StackBy::Version,
        StackBy::Device,
        StackBy::Os,
        StackBy::Client,
        StackBy::Location,
        StackBy::Country,
        StackBy::Network,
        StackBy::Domain,
        StackBy::PcName,
    ];

    pub fn name(self) -> &'static str {
        match self {
            StackBy::Version => "version",
            StackBy::Device => "device",
            StackBy::Os => "os",
            StackBy::Client => "client",
            StackBy::Location => "location",
            StackBy::Country => "country",
            StackBy::Network => "network",
            StackBy::Domain => "domain",
            StackBy::PcName => "pc-name",
        }
    }

    /// The next (or previous) dimension, round the list.
    pub fn step(self, forward: bool) -> StackBy {
        let i = StackBy::ALL.iter().position(|b| *b == self).unwrap_or(0);
        let n = StackBy::ALL.len();
        StackBy::ALL[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }
}

/// How a stack is split.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GroupBy {
    Department,
    /// The person's email domain.
    Domain,
    Role,
}

impl GroupBy {
    pub fn name(self) -> &'static str {
        match self {
            GroupBy::Department => "department",
            GroupBy::Domain => "domain",
            GroupBy::Role => "role",
        }
    }

    /// none → department → domain → role → none.
    pub fn cycle(g: Option<GroupBy>) -> Option<GroupBy> {
        match g {
            None => Some(GroupBy::Department),
            Some(GroupBy::Department) => Some(GroupBy::Domain),
            Some(GroupBy::Domain) => Some(GroupBy::Role),
            Some(GroupBy::Role) => None,
        }
    }
}

/// One stack to compute.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StackQuery {
    pub by: StackBy,
    pub group: Option<GroupBy>,
    /// Fewest people first: the long tail, where the odd device hides.
    pub rarest: bool,
}

/// One value (in one group): how many people and sessions, when first and last seen.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct StackRow {
    pub value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub people: i64,
    pub sessions: i64,
    pub first_seen: String,
    pub last_seen: String,
    /// A client version below `min_client_version`.
    pub outdated: bool,
    /// A computer name the asset inventory does not list (false when there is no inventory).
    pub unknown_pc: bool,
}

/// A stack's rows, with what the marks were judged against.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Stack {
    pub rows: Vec<StackRow>,
    /// Rows there would be without the cap.
    pub total: i64,
    /// Whether the case has an asset inventory (pc names can be judged).
    pub inventory: bool,
    /// Whether countries fall back to IP geolocation where Zoom gave no location.
    pub geolocated: bool,
    /// Versions grouped by department, domain or role: each group's adoption over time.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub adoption: Vec<Adoption>,
}

/// Where a stack's values come from: (source table alias clause, value, person, time,
/// email column).
struct Source {
    from: &'static str,
    value: String,
    person: &'static str,
    time: &'static str,
    email: &'static str,
}

const PERSON: &str = "COALESCE(NULLIF(p.zoom_user_id, ''), lower(NULLIF(p.email, '')), \
                      'guest:' || p.meeting_uuid || ':' || COALESCE(p.name, ''))";

/// The country in a Zoom location ("Madrid (ES)" → "ES", "Paris, France" → "France"), read
/// by the store's `zl_geo_country` ([`crate::store::country_of_location`]) as the timeline does.
const LOCATION_COUNTRY: &str = "COALESCE(zl_geo_country(NULL, p.location), '')";

/// Whether the connection has a scalar SQL function (a helper a caller registers).
pub fn has_function(conn: &Connection, name: &str) -> bool {
    conn.prepare(&format!("SELECT {name}(NULL)")).is_ok()
}

fn source(conn: &Connection, by: StackBy) -> (Source, bool) {
    let parts = |col: &str| Source {
        from: "participants p",
        value: format!("trim(COALESCE(p.{col}, ''))"),
        person: PERSON,
        time: "p.join_time",
        email: "p.email",
    };
    match by {
        StackBy::Version => (parts("version"), false),
        StackBy::Device => (parts("device"), false),
        StackBy::Os => (parts("os"), false),
        StackBy::Location => (parts("location"), false),
        StackBy::Network => (parts("network_type"), false),
        StackBy::Domain => (parts("domain"), false),
        StackBy::PcName => (parts("pc_name"), false),
        StackBy::Client => (
            Source {
                from: "signins p",
                value: "trim(COALESCE(p.client_type, ''))".into(),
                person: "lower(p.email)",
                time: "p.time",
                email: "p.email",
            },
            false,
        ),
        StackBy::Country => {
            // Geolocation plugs in here: where a geolocation database gives the SQL helper
            // `zl_country(ip)`, an address stands in for a session Zoom gave no location.
            let geo = has_function(conn, "zl_country");
            let value = if geo {
                format!("COALESCE(NULLIF({LOCATION_COUNTRY}, ''), zl_country(p.ip_address), '')")
            } else {
                LOCATION_COUNTRY.to_string()
            };
            (
                Source {
                    from: "participants p",
                    value,
                    person: PERSON,
                    time: "p.join_time",
                    email: "p.email",
                },
                geo,
            )
        }
    }
}

/// SQL naming a row's group: the person's department, email domain or role; people who are
/// not the account's users read `(external)` (an email) or `(guest)` (none).
pub(crate) fn group_sql(g: GroupBy, email: &str) -> String {
    let other =
        format!("CASE WHEN COALESCE({email}, '') = '' THEN '(guest)' ELSE '(external)' END");
    let user = |col: &str| {
        format!(
            "COALESCE((SELECT COALESCE(NULLIF(trim(u.{col}), ''), '(none)') FROM users u
                       WHERE u.email = {email} LIMIT 1), {other})"
        )
    };
    match g {
        GroupBy::Department => user("dept"),
        GroupBy::Role => user("role_name"),
        GroupBy::Domain => format!("COALESCE(zl_domain({email}), '(guest)')"),
    }
}

fn check_helpers(conn: &Connection) -> Result<()> {
    if !has_function(conn, "zl_version_lt") || !has_function(conn, "zl_domain") {
        anyhow::bail!(
            "the rules' SQL helpers are not registered on this connection (detect::sql_functions)"
        );
    }
    Ok(())
}

/// The stack: up to `limit` rows, most people first (or fewest with `rarest`).
pub fn stack(conn: &Connection, q: &StackQuery, limit: usize) -> Result<Stack> {
    check_helpers(conn)?;
    let (src, geolocated) = source(conn, q.by);
    let inventory: bool =
        conn.query_row("SELECT EXISTS (SELECT 1 FROM assets)", [], |r| r.get(0))?;
    let grp = q
        .group
        .map(|g| group_sql(g, src.email))
        .unwrap_or_else(|| "NULL".into());
    let order = if q.rarest {
        "people ASC, sessions ASC, value"
    } else {
        "people DESC, sessions DESC, value"
    };
    let outdated = if q.by == StackBy::Version {
        "zl_version_lt(value)"
    } else {
        "0"
    };
    let unknown = if q.by == StackBy::PcName && inventory {
        "NOT EXISTS (SELECT 1 FROM assets a WHERE a.pc_name = value)"
    } else {
        "0"
    };
    let sql = format!(
        "WITH s AS (SELECT {value} AS value, {grp} AS grp, {person} AS person, {time} AS t
                    FROM {from} WHERE {value} <> ''),
              g AS (SELECT value, grp, count(DISTINCT person) AS people, count(*) AS sessions,
                           min(t) AS first, max(t) AS last FROM s GROUP BY value, grp)
         SELECT value, grp, people, sessions, first, last, {outdated}, {unknown},
                (SELECT count(*) FROM g)
         FROM g ORDER BY {order}, grp LIMIT ?1",
        value = src.value,
        person = src.person,
        time = src.time,
        from = src.from,
    );
    let mut total = 0;
    let rows = conn
        .prepare_cached(&sql)?
        .query_map([limit as i64], |r| {
            total = r.get(8)?;
            Ok(StackRow {
                value: text(r, 0)?,
                group: opt(r, 1)?,
                people: r.get(2)?,
                sessions: r.get(3)?,
                first_seen: text(r, 4)?,
                last_seen: text(r, 5)?,
                outdated: r.get(6)?,
                unknown_pc: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let adoption = match (q.by, q.group) {
        (StackBy::Version, Some(g)) => adoption(conn, g)?,
        _ => vec![],
    };
    Ok(Stack {
        rows,
        total,
        inventory,
        geolocated,
        adoption,
    })
}

row_view! {
    /// A stack value as a console row.
    StackCells { value = 0, group = 1, people = 2, sessions = 3, first = 4, last = 5, marks = 6 }
}

/// The stack as console rows (`tbl` "stack": aggregates, not records).
pub fn stack_rows(s: &Stack) -> Vec<Row> {
    s.rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut marks = vec![];
            if r.outdated {
                marks.push("outdated");
            }
            if r.unknown_pc {
                marks.push("not in inventory");
            }
            Row {
                tbl: "stack",
                id: i as i64,
                key: Key {
                    t: r.value.clone(),
                    s: r.people,
                    id: i as i64,
                },
                kind: "value".into(),
                time: r.last_seen.clone(),
                cells: vec![
                    r.value.clone(),
                    r.group.clone().unwrap_or_default(),
                    r.people.to_string(),
                    r.sessions.to_string(),
                    r.first_seen.clone(),
                    r.last_seen.clone(),
                    marks.join(", "),
                ],
                badge: if marks.is_empty() {
                    String::new()
                } else {
                    "external".into()
                },
                rank: -1,
                ..Default::default()
            }
        })
        .collect()
}

/// The people behind one value (in one group), most sessions first: cells = [who, name,
/// group, sessions, first, last]; each links to the person and a meeting of theirs with that
/// value.
pub fn people(
    conn: &Connection,
    q: &StackQuery,
    value: &str,
    group: Option<&str>,
    limit: usize,
) -> Result<Vec<Row>> {
    check_helpers(conn)?;
    let (src, _) = source(conn, q.by);
    let grp = q
        .group
        .map(|g| group_sql(g, src.email))
        .unwrap_or_else(|| "NULL".into());
    let (name, meeting) = if src.from.starts_with("participants") {
        ("p.name", "p.meeting_uuid")
    } else {
        ("NULL", "NULL")
    };
    let sql = format!(
        "WITH s AS (SELECT {person} AS person, lower(NULLIF({email}, '')) AS email,
                           {name} AS name, {grp} AS grp, {time} AS t, {meeting} AS m
                    FROM {from} WHERE {value} = ?1)
         SELECT person, email, max(name), grp, count(*) AS n, min(t), max(t), m
         FROM s WHERE ?2 IS NULL OR grp = ?2
         GROUP BY person ORDER BY n DESC, person LIMIT ?3",
        person = src.person,
        email = src.email,
        time = src.time,
        from = src.from,
        value = src.value,
    );
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(rusqlite::params![value, group, limit as i64], |r| {
            Ok((
                text(r, 0)?,
                opt(r, 1)?,
                opt(r, 2)?,
                text(r, 3)?,
                r.get::<_, i64>(4)?,
                text(r, 5)?,
                text(r, 6)?,
                opt(r, 7)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .enumerate()
        .map(|(i, (person, email, name, grp, n, first, last, m))| {
            let who = email.clone().unwrap_or_else(|| "(guest)".into());
            let class = match &email {
                None => "guest",
                Some(_) if grp == "(external)" => "external",
                Some(_) => "internal",
            };
            Row {
                tbl: "people",
                id: i as i64,
                key: Key {
                    t: person,
                    s: n,
                    id: i as i64,
                },
                kind: "person".into(),
                time: last.clone(),
                cells: vec![
                    who,
                    name.clone().unwrap_or_default(),
                    grp,
                    n.to_string(),
                    first,
                    last,
                ],
                link: Links {
                    user: email,
                    name,
                    meeting_uuid: nonblank(m),
                    device: (q.by == StackBy::Device).then(|| value.to_string()),
                    ..Default::default()
                },
                badge: class.into(),
                rank: -1,
                ..Default::default()
            }
        })
        .collect())
}

row_view! {
    /// A person behind a stack value.
    BehindCells { who = 0, name = 1, group = 2, sessions = 3, first = 4, last = 5 }
}

/// Upgrade adoption: per time bucket, the share of a group's people on each client version
/// (a person counts once per bucket, with the version of their latest session in it).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Adoption {
    pub group: String,
    /// Start of each bucket (UTC), and its length in days.
    pub buckets: Vec<String>,
    pub bucket_days: i64,
    /// (version, people per bucket), newest version first.
    pub versions: Vec<(String, Vec<i64>)>,
    /// People seen per bucket.
    pub people: Vec<i64>,
}

/// Adoption of client versions by the people of every group (`GroupBy`), over the case span
/// cut into days (spans up to 3 weeks) or weeks; groups in name order.
pub fn adoption(conn: &Connection, g: GroupBy) -> Result<Vec<Adoption>> {
    check_helpers(conn)?;
    let (lo, hi): (Option<String>, Option<String>) = conn.query_row(
        "SELECT min(join_time), max(join_time) FROM participants WHERE join_time > ''",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let (Some(lo), Some(hi)) = (lo, hi) else {
        return Ok(vec![]);
    };
    let (start, days): (String, f64) = conn.query_row(
        "SELECT date(?1), julianday(?2) - julianday(date(?1))",
        [&lo, &hi],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let bucket_days: i64 = if days <= 21.0 { 1 } else { 7 };
    let n = ((days / bucket_days as f64).floor() as i64 + 1).clamp(1, 400);
    let grp = group_sql(g, "p.email");
    let sql = format!(
        "WITH s AS (SELECT {PERSON} AS person, {grp} AS grp, trim(p.version) AS v, p.join_time AS t,
                           CAST((julianday(p.join_time) - julianday(?1)) / ?2 AS INTEGER) AS b
                    FROM participants p WHERE trim(COALESCE(p.version, '')) <> ''),
              last AS (SELECT person, grp, b, v, max(t) FROM s GROUP BY person, grp, b)
         SELECT grp, v, b, count(*) FROM last GROUP BY grp, v, b"
    );
    type PerGroup = BTreeMap<String, (BTreeMap<String, Vec<i64>>, Vec<i64>)>;
    let mut per: PerGroup = BTreeMap::new();
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(rusqlite::params![start, bucket_days], two_texts_two_counts)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (grp, v, b, c) in rows {
        let b = b.clamp(0, n - 1) as usize;
        let (vs, people) = per
            .entry(grp)
            .or_insert_with(|| (BTreeMap::new(), vec![0; n as usize]));
        vs.entry(v).or_insert_with(|| vec![0; n as usize])[b] += c;
        people[b] += c;
    }
    let buckets = (0..n)
        .map(|i| {
            conn.query_row(
                "SELECT date(?1, '+' || ?2 || ' days')",
                rusqlite::params![start, i * bucket_days],
                |r| r.get::<_, String>(0),
            )
        })
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(per
        .into_iter()
        .map(|(group, (vs, people))| {
            let mut versions: Vec<(String, Vec<i64>)> = vs.into_iter().collect();
            versions.sort_by_key(|v| std::cmp::Reverse(version_order(&v.0)));
            Adoption {
                group,
                buckets: buckets.clone(),
                bucket_days,
                versions,
                people,
            }
        })
        .collect())
}

/// A version as numbers for ordering ("5.10.0" after "5.9.3").
fn version_order(v: &str) -> Vec<u64> {
    v.split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_comes_from_zoom_locations() {
        for (loc, want) in [
            ("Madrid (ES)", "ES"),
            ("San Jose (US) ", "US"),
            ("Paris, Ile-de-France, France", "France"),
            ("Berlin", "Berlin"),
            ("", ""),
        ] {
            let got = crate::store::country_of_location(loc).unwrap_or_default();
            assert_eq!(got, want, "{loc:?}");
        }
    }

    #[test]
    fn dimensions_cycle_through_all() {
        let mut b = StackBy::Version;
        for _ in 0..StackBy::ALL.len() {
            b = b.step(true);
        }
        assert_eq!(b, StackBy::Version);
        assert_eq!(StackBy::Version.step(false), StackBy::PcName);
        assert_eq!(GroupBy::cycle(Some(GroupBy::Role)), None);
    }
}
