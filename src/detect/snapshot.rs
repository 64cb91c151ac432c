//! The sessions of a case as compact rows in memory, built once per detection run.
//!
//! SQLite answers most rules well from the narrow session copy (`temp.zl_sess`), but it sorts
//! slowly: an index on email, or a `GROUP BY` per person and meeting, costs 10–20 s on five
//! million sessions. The rules that key on a person (their sessions in time order, the first
//! time they used an IP) or group every session read this snapshot instead: one scan of the
//! copy, strings interned to numbers, then sorts of plain integers in Rust.
//!
//! Text keeps SQLite's meaning: emails compare as `lower()` / `COLLATE NOCASE` do (ASCII
//! folding only), names as `lower(trim(name))`, times as their Unix seconds (the case stores
//! every time as fixed-width UTC text, so this orders them exactly as text does).

use anyhow::{Result, bail};
use rusqlite::Connection;
use rusqlite::types::ValueRef;
use rustc_hash::FxHashMap as HashMap;
use std::collections::HashSet;

/// An interned string; [`Snapshot::NONE`] is the empty string (and NULL).
pub type Sym = u32;

/// A missing meeting id.
pub const NO_ID: i64 = i64::MIN;

/// Unix seconds of a missing time (a session still open, or no leave time recorded).
pub const NO_TIME: i64 = i64::MIN;

/// One participant session: the fields rules select and group by. Everything else is read
/// from `temp.zl_sess` by `id` for the few sessions a finding names.
#[derive(Debug, Clone, Copy)]
pub struct Sess {
    pub id: i64,
    /// The session's own meeting id, [`NO_ID`] when not recorded.
    pub meeting_id: i64,
    pub join: i64,
    /// [`NO_TIME`] when not known.
    pub leave: i64,
    pub meeting: Sym,
    /// Lower-cased email.
    pub email: Sym,
    /// Lower-cased, space-trimmed display name.
    pub name: Sym,
    pub ip: Sym,
    flags: u8,
}

const IN_METRICS: u8 = 1;
const SHARED: u8 = 2;
const HAS_VERSION: u8 = 4;
const INTERNAL: u8 = 8;

impl Sess {
    /// Seen in the dashboard (metrics) API, which is where sharing is known.
    pub fn in_metrics(&self) -> bool {
        self.flags & IN_METRICS != 0
    }
    /// Shared a desktop, an application or a whiteboard.
    pub fn shared(&self) -> bool {
        self.flags & SHARED != 0
    }
    /// Carries a client version.
    pub fn has_version(&self) -> bool {
        self.flags & HAS_VERSION != 0
    }
    /// The email's domain is internal (as `zl_internal(email)`).
    pub fn internal(&self) -> bool {
        self.flags & INTERNAL != 0
    }
}

pub struct Snapshot {
    /// In `zl_sess` (row id) order.
    pub rows: Vec<Sess>,
    /// Positions in `rows` of sessions with an email, by (email, join, id).
    by_email: Vec<u32>,
    /// Per email symbol: its `start..end` in `by_email`.
    email_range: Vec<(u32, u32)>,
    /// Positions in `rows` of all sessions, by (join, id).
    by_join: Vec<u32>,
    /// Earliest join per (email, IP), both non-empty.
    first_on_ip: HashMap<(Sym, Sym), i64>,
    strings: Vec<Box<str>>,
    lookup: HashMap<Box<str>, Sym>,
}

impl Snapshot {
    pub const NONE: Sym = 0;

    /// Read the sessions of `table` (`main.participants` or its copy `temp.zl_sess`) in one
    /// pass. `internal` holds the internal email domains, lower-cased.
    pub fn build(conn: &Connection, table: &str, internal: &HashSet<String>) -> Result<Snapshot> {
        let t0 = std::time::Instant::now();
        let mut snap = Snapshot {
            rows: Vec::new(),
            by_email: Vec::new(),
            email_range: Vec::new(),
            by_join: Vec::new(),
            first_on_ip: HashMap::default(),
            strings: vec!["".into()],
            lookup: HashMap::default(),
        };
        let mut st = conn.prepare(&format!(
            "SELECT id, join_time, leave_time, meeting_uuid, email, name,
                    ip_address, in_metrics,
                    coalesce(share_desktop, 0) + coalesce(share_application, 0)
                      + coalesce(share_whiteboard, 0) > 0,
                    coalesce(version, '') <> '', meeting_id
             FROM {table} ORDER BY id"
        ))?;
        let mut rows = st.query([])?;
        let mut buf = String::new();
        // Sessions come grouped by meeting: most rows repeat the previous one's. A person
        // mostly keeps one name and a few IPs: each email remembers its last ones, which
        // spares most hash lookups.
        let mut last_meeting = (String::new(), Self::NONE);
        let mut last_of_email: Vec<(Sym, Sym)> = Vec::new();
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let Some(join) = unix(text(r.get_ref(1)?)) else {
                bail!("session {id} has an unreadable join time");
            };
            let leave = unix(text(r.get_ref(2)?)).unwrap_or(NO_TIME);
            let uuid = text(r.get_ref(3)?);
            if uuid != last_meeting.0 {
                last_meeting = (uuid.to_string(), snap.intern(uuid));
            }
            let meeting = last_meeting.1;
            buf.clear();
            buf.push_str(text(r.get_ref(4)?));
            buf.make_ascii_lowercase();
            let email = snap.intern(&buf);
            if last_of_email.len() <= email as usize {
                last_of_email.resize(email as usize + 1, (Self::NONE, Self::NONE));
            }
            let (last_name, last_ip) = last_of_email[email as usize];
            buf.clear();
            buf.push_str(text(r.get_ref(5)?).trim_matches(' '));
            buf.make_ascii_lowercase();
            let name = if last_name != Self::NONE && *snap.str(last_name) == *buf {
                last_name
            } else {
                snap.intern(&buf)
            };
            let ip_text = text(r.get_ref(6)?);
            let ip = if last_ip != Self::NONE && snap.str(last_ip) == ip_text {
                last_ip
            } else {
                snap.intern(ip_text)
            };
            if email != Self::NONE {
                last_of_email[email as usize] = (name, ip);
            }
            let mut flags = 0;
            if r.get::<_, i64>(7)? != 0 {
                flags |= IN_METRICS;
            }
            if r.get::<_, bool>(8)? {
                flags |= SHARED;
            }
            if r.get::<_, bool>(9)? {
                flags |= HAS_VERSION;
            }
            snap.rows.push(Sess {
                id,
                meeting_id: r.get::<_, Option<i64>>(10)?.unwrap_or(NO_ID),
                join,
                leave,
                meeting,
                email,
                name,
                ip,
                flags,
            });
        }
        drop(rows);
        // Internal-ness is a property of the email: decided once per distinct string.
        let internal_sym: Vec<bool> = (snap.strings.iter())
            .map(|s| super::domain_of(s).is_some_and(|d| internal.contains(&d)))
            .collect();
        for p in &mut snap.rows {
            if internal_sym[p.email as usize] {
                p.flags |= INTERNAL;
            }
        }
        // Sort keys next to their positions: sorting through an index into `rows` would
        // chase a cache miss per comparison.
        let mut keys: Vec<(u32, i64, i64, u32)> = (snap.rows.iter().enumerate())
            .filter(|(_, s)| s.email != Self::NONE)
            .map(|(i, s)| (s.email, s.join, s.id, i as u32))
            .collect();
        keys.sort_unstable();
        snap.by_email = keys.iter().map(|k| k.3).collect();
        drop(keys);
        // Each person's range in `by_email`, and their first session on each IP.
        snap.email_range = vec![(0, 0); snap.strings.len()];
        let mut ips: Vec<(Sym, i64)> = Vec::new();
        let mut start = 0;
        while start < snap.by_email.len() {
            let email = snap.rows[snap.by_email[start] as usize].email;
            let mut end = start;
            ips.clear();
            while end < snap.by_email.len() && snap.rows[snap.by_email[end] as usize].email == email
            {
                let p = &snap.rows[snap.by_email[end] as usize];
                // In join order, so the first sighting of an IP is its earliest.
                if p.ip != Self::NONE && !ips.iter().any(|(ip, _)| *ip == p.ip) {
                    ips.push((p.ip, p.join));
                }
                end += 1;
            }
            snap.email_range[email as usize] = (start as u32, end as u32);
            for &(ip, t) in &ips {
                snap.first_on_ip.insert((email, ip), t);
            }
            start = end;
        }
        let mut keys: Vec<(i64, i64, u32)> = (snap.rows.iter().enumerate())
            .map(|(i, s)| (s.join, s.id, i as u32))
            .collect();
        keys.sort_unstable();
        snap.by_join = keys.iter().map(|k| k.2).collect();
        tracing::info!(
            ms = t0.elapsed().as_millis() as u64,
            sessions = snap.rows.len(),
            "session snapshot built"
        );
        Ok(snap)
    }

    fn intern(&mut self, s: &str) -> Sym {
        if s.is_empty() {
            return Self::NONE;
        }
        if let Some(&k) = self.lookup.get(s) {
            return k;
        }
        let k = self.strings.len() as Sym;
        self.strings.push(s.into());
        self.lookup.insert(s.into(), k);
        k
    }

    /// The symbol of an email (any case), if any session has it.
    pub fn email(&self, email: &str) -> Option<Sym> {
        let e = email.to_ascii_lowercase();
        self.lookup.get(e.as_str()).copied()
    }
    /// The symbol of an exact string (an IP, a meeting UUID), if any session has it.
    pub fn sym(&self, s: &str) -> Option<Sym> {
        self.lookup.get(s).copied()
    }
    /// One more than the largest symbol: the size of a table indexed by symbol.
    pub fn syms(&self) -> usize {
        self.strings.len()
    }
    pub fn str(&self, s: Sym) -> &str {
        &self.strings[s as usize]
    }

    /// Sessions with an email, in (email, join, id) order.
    pub fn by_email(&self) -> impl Iterator<Item = &Sess> {
        self.by_email.iter().map(|&i| &self.rows[i as usize])
    }

    /// A person's sessions that joined in `from..=to`, in (join, id) order.
    pub fn of_email_joined(&self, email: Sym, from: i64, to: i64) -> impl Iterator<Item = &Sess> {
        let (start, end) = self
            .email_range
            .get(email as usize)
            .copied()
            .unwrap_or((0, 0));
        let mine = &self.by_email[start as usize..end as usize];
        let lo = mine.partition_point(|&i| self.rows[i as usize].join < from);
        let hi = mine.partition_point(|&i| self.rows[i as usize].join <= to);
        // An empty range when `from` > `to`.
        mine[lo..hi.max(lo)].iter().map(|&i| &self.rows[i as usize])
    }

    /// A person's sessions under way at `t` (joined at most `max` seconds before it, not yet
    /// left) that came from a known address: where they sat in a meeting at that moment.
    pub fn in_meeting_at(&self, email: Sym, t: i64, max: i64) -> impl Iterator<Item = &Sess> {
        self.of_email_joined(email, t - max, t)
            .filter(move |p| p.leave != NO_TIME && p.leave >= t && p.ip != Snapshot::NONE)
    }

    /// All sessions that joined after `after` (exclusive), in (join, id) order.
    pub fn joined_after(&self, after: i64) -> impl Iterator<Item = &Sess> {
        let lo = self
            .by_join
            .partition_point(|&i| self.rows[i as usize].join <= after);
        self.by_join[lo..].iter().map(|&i| &self.rows[i as usize])
    }

    /// When a person was first in a session from an IP.
    pub fn first_on_ip(&self, email: Sym, ip: Sym) -> Option<i64> {
        self.first_on_ip.get(&(email, ip)).copied()
    }

    /// Whether a person was in a session from `ip` that joined before `t`.
    pub fn on_ip_before(&self, email: &str, ip: &str, t: i64) -> bool {
        match (self.email(email), self.sym(ip)) {
            (Some(e), Some(i)) => self.first_on_ip(e, i).is_some_and(|f| f < t),
            _ => false,
        }
    }

    /// Every (email, IP) with its first join time.
    pub fn first_sightings(&self) -> impl Iterator<Item = ((Sym, Sym), i64)> + '_ {
        self.first_on_ip.iter().map(|(k, v)| (*k, *v))
    }
}

/// Unix seconds of a stored time (any form the store accepts).
pub fn unix_time(s: &str) -> Option<i64> {
    unix(s)
}

/// Unix seconds of a stored time: the canonical `YYYY-MM-DDTHH:MM:SSZ` read directly, anything
/// else through the general parser.
fn unix(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<i64> {
        b[r].iter().try_fold(0i64, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
        })
    };
    if b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z'
    {
        let (y, mo, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        let (h, mi, se) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
        let date = chrono::NaiveDate::from_ymd_opt(y as i32, mo as u32, d as u32)?;
        if h < 24 && mi < 60 && se < 60 {
            let days = date
                .signed_duration_since(chrono::NaiveDate::default())
                .num_days();
            return Some(days * 86_400 + h * 3600 + mi * 60 + se);
        }
    }
    if s.is_empty() {
        return None;
    }
    crate::model::time::parse_time(s).map(|t| t.timestamp())
}

fn text(v: ValueRef<'_>) -> &str {
    match v {
        ValueRef::Text(b) => std::str::from_utf8(b).unwrap_or(""),
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE participants (id INTEGER PRIMARY KEY, meeting_uuid TEXT, email TEXT,
               name TEXT, ip_address TEXT, join_time TEXT, leave_time TEXT, in_metrics INTEGER,
               share_desktop INTEGER, share_application INTEGER, share_whiteboard INTEGER,
               version TEXT, meeting_id INTEGER);
             INSERT INTO participants VALUES
               (1, 'm1', 'Ann@Acme.com', ' Ann Lee ', '10.0.0.1', '2024-06-01T09:00:00Z', '2024-06-01T10:00:00Z', 1, 0, NULL, 0, '6.1', 811),
               (2, 'm1', 'eve@partner.example', 'Eve', '', '2024-06-01T09:05:00Z', NULL, 1, 1, 0, 0, '', 811),
               (3, 'm2', 'ann@acme.com', 'Ann Lee', '10.0.0.2', '2024-06-02 08:00:00', '2024-06-02T09:00:00Z', 0, 0, 0, 0, NULL, NULL),
               (4, 'm2', '', 'Guest', '10.0.0.9', '2024-06-02T08:01:00Z', '2024-06-02T08:30:00Z', 1, 0, 0, 0, NULL, NULL),
               (5, 'm3', 'ann@acme.com', 'Ann Lee', '10.0.0.1', '2024-06-01T08:00:00Z', '2024-06-01T08:10:00Z', 1, 0, 0, 0, NULL, 812);",
        )
        .unwrap();
        conn
    }

    #[test]
    fn reads_sessions_as_sqlite_compares_them() {
        let internal: HashSet<String> = ["acme.com".to_string()].into();
        let snap = Snapshot::build(&case(), "main.participants", &internal).unwrap();
        assert_eq!(snap.rows.len(), 5);
        let ann = snap.email("ANN@acme.COM").expect("emails fold case");
        // In (join, id) order, whatever the row order and time spelling.
        let ids: Vec<i64> = snap
            .of_email_joined(ann, i64::MIN, i64::MAX)
            .map(|s| s.id)
            .collect();
        assert_eq!(ids, [5, 1, 3]);
        assert!(snap.rows[0].internal() && !snap.rows[1].internal() && !snap.rows[3].internal());
        assert!(snap.rows[1].shared() && !snap.rows[0].shared());
        assert!(snap.rows[0].has_version() && !snap.rows[2].has_version());
        assert!(!snap.rows[2].in_metrics());
        assert_eq!(snap.str(snap.rows[0].name), "ann lee");
        assert_eq!(snap.rows[1].leave, NO_TIME);
        assert_eq!(
            (snap.rows[0].meeting_id, snap.rows[2].meeting_id),
            (811, NO_ID)
        );
        assert_eq!(snap.rows[3].email, Snapshot::NONE);
        let t = |s: &str| unix(s).unwrap();
        // First sighting per (person, IP): the earlier of sessions 1 and 5, strictly before.
        assert!(snap.on_ip_before("ann@acme.com", "10.0.0.1", t("2024-06-01T08:00:01Z")));
        assert!(!snap.on_ip_before("ann@acme.com", "10.0.0.1", t("2024-06-01T08:00:00Z")));
        assert!(!snap.on_ip_before("ann@acme.com", "10.9.9.9", i64::MAX));
        // Joined within a range, bounds included.
        let got: Vec<i64> = snap
            .of_email_joined(ann, t("2024-06-01T08:00:00Z"), t("2024-06-01T09:00:00Z"))
            .map(|s| s.id)
            .collect();
        assert_eq!(got, [5, 1]);
        let after: Vec<i64> = snap
            .joined_after(t("2024-06-01T09:00:00Z"))
            .map(|s| s.id)
            .collect();
        assert_eq!(after, [2, 3, 4]);
    }

    #[test]
    fn unix_seconds_match_chrono() {
        for s in [
            "1970-01-01T00:00:00Z",
            "2024-02-29T23:59:59Z",
            "1969-12-31T23:59:59Z",
            "2100-03-01T12:30:00Z",
            "2024-06-02 08:00:00",
        ] {
            let want = crate::model::time::parse_time(s).unwrap().timestamp();
            assert_eq!(unix(s), Some(want), "{s}");
        }
        assert_eq!(unix(""), None);
        assert_eq!(unix("2024-13-01T00:00:00Z"), None);
        assert_eq!(unix("not a time"), None);
    }
}
