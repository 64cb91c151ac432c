//! The analyst's verdicts and the case's own allow-list.
//!
//! A finding's verdict is keyed by its rule and key (not its row id), an incident's by its id,
//! so a re-run of `detect` never loses or resets one. A finding without a verdict of its own
//! takes its incident's. Every verdict is also appended to `triage_log` for the hand-off.

use super::config::Cidr;
use anyhow::{Context, Result, bail};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// Where a finding or incident stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    New,
    Investigating,
    /// The rule was wrong: not what it claims.
    FalsePositive,
    /// True but expected (a sanctioned change, a known partner).
    Benign,
    Resolved,
}

impl State {
    pub const ALL: [State; 5] = [
        State::New,
        State::Investigating,
        State::FalsePositive,
        State::Benign,
        State::Resolved,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            State::New => "new",
            State::Investigating => "investigating",
            State::FalsePositive => "false-positive",
            State::Benign => "benign",
            State::Resolved => "resolved",
        }
    }
    pub fn parse(s: &str) -> Option<State> {
        let s = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        State::ALL
            .into_iter()
            .find(|st| st.as_str() == s || (s == "fp" && *st == State::FalsePositive))
    }
    /// Still needs the analyst: new or under investigation.
    pub fn is_open(self) -> bool {
        matches!(self, State::New | State::Investigating)
    }
}

/// What a triage command names: a finding (`42`, `F42`, `#42`) or an incident (`I7`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Finding(i64),
    Incident(i64),
}

impl Target {
    pub fn parse(s: &str) -> Result<Target> {
        let t = s.trim();
        let (inc, num) = match t.chars().next() {
            Some('I' | 'i') => (true, &t[1..]),
            Some('F' | 'f' | '#') => (false, &t[1..]),
            _ => (false, t),
        };
        let n: i64 = num.trim_start_matches('#').parse().map_err(|_| {
            anyhow::anyhow!(
                "{s:?} is not a finding or incident id: give a finding number (42 or F42) or an \
                 incident (I7), as `zoomlens detect` and `zoomlens incidents` print them"
            )
        })?;
        Ok(if inc {
            Target::Incident(n)
        } else {
            Target::Finding(n)
        })
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Finding(n) => write!(f, "F{n}"),
            Target::Incident(n) => write!(f, "I{n}"),
        }
    }
}

/// A verdict as given.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub state: State,
    pub reason: String,
    pub analyst: String,
    /// UTC time, RFC 3339.
    pub at: String,
}

/// Who is triaging: `ZOOMLENS_ANALYST`, else the login name, else "analyst".
pub fn default_analyst() -> String {
    ["ZOOMLENS_ANALYST", "USER", "USERNAME"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .map(|v| v.trim().to_string())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "analyst".into())
}

/// The `(subject, ref)` a target's verdict is stored under.
fn key(conn: &Connection, t: Target) -> Result<(&'static str, String)> {
    match t {
        Target::Finding(id) => {
            let r: Option<(String, String)> = conn
                .query_row("SELECT rule, fkey FROM findings WHERE id = ?1", [id], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            let (rule, fkey) = r.with_context(|| {
                format!("no finding F{id} in this case (`zoomlens detect CASE` lists them)")
            })?;
            Ok(("finding", format!("{rule} {fkey}")))
        }
        Target::Incident(id) => {
            let n: i64 =
                conn.query_row("SELECT count(*) FROM incidents WHERE id = ?1", [id], |r| {
                    r.get(0)
                })?;
            if n == 0 {
                bail!("no incident I{id} in this case (`zoomlens incidents CASE` lists them)");
            }
            Ok(("incident", id.to_string()))
        }
    }
}

/// Record a verdict on each target, all or none (one transaction).
pub fn set(conn: &mut Connection, targets: &[Target], v: &Verdict) -> Result<()> {
    let tx = conn.transaction()?;
    for t in targets {
        let (subject, r) = key(&tx, *t)?;
        tx.execute(
            "INSERT INTO triage (subject, ref, state, reason, analyst, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (subject, ref) DO UPDATE SET state = excluded.state,
               reason = excluded.reason, analyst = excluded.analyst, at = excluded.at",
            params![subject, r, v.state.as_str(), v.reason, v.analyst, v.at],
        )?;
        tx.execute(
            "INSERT INTO triage_log (subject, ref, state, reason, analyst, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![subject, r, v.state.as_str(), v.reason, v.analyst, v.at],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// A finding's verdict: its own, else its incident's, else `new`.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Standing {
    pub state: String,
    pub reason: String,
    pub analyst: Option<String>,
    pub at: Option<String>,
}

/// SQL expression pieces that join a finding `f` to its verdict (own first, then incident's).
pub const STANDING_JOIN: &str = "LEFT JOIN triage tf ON tf.subject = 'finding'
       AND tf.ref = f.rule || ' ' || f.fkey
     LEFT JOIN triage ti ON ti.subject = 'incident' AND ti.ref = CAST(f.incident_id AS TEXT)";
pub const STANDING_COLUMNS: &str = "coalesce(tf.state, ti.state, 'new'),
       coalesce(tf.reason, ti.reason, ''), coalesce(tf.analyst, ti.analyst),
       coalesce(tf.at, ti.at)";

/// Kinds of allow-list entry.
pub const ALLOW_KINDS: [&str; 4] = ["partner-domain", "ip", "device", "name"];

/// One entry of the case's allow-list.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Allow {
    pub kind: String,
    pub value: String,
    pub reason: String,
    pub analyst: String,
    pub at: String,
}

/// Check and normalise an allow-list entry: a domain without `@`, an IP or CIDR range, a
/// device or display name as given.
pub fn normalise_allow(kind: &str, value: &str) -> Result<(String, String)> {
    let kind = kind.trim().to_ascii_lowercase();
    if !ALLOW_KINDS.contains(&kind.as_str()) {
        bail!(
            "unknown allow-list kind {kind:?}; use one of {}",
            ALLOW_KINDS.join(", ")
        );
    }
    let v = value.trim();
    if v.is_empty() {
        bail!("an allow-list {kind} needs a value");
    }
    let v = match kind.as_str() {
        "partner-domain" => {
            let d = v.trim_start_matches('@').to_ascii_lowercase();
            if !d.contains('.') || d.contains(char::is_whitespace) {
                bail!("{v:?} is not a domain (e.g. partner.example)");
            }
            d
        }
        "ip" => {
            if Cidr::parse(v).is_none() {
                bail!(
                    "{v:?} is not an IP address or CIDR range (e.g. 203.0.113.7 or 2001:db8::/48)"
                );
            }
            v.to_string()
        }
        _ => v.to_string(),
    };
    Ok((kind, v))
}

/// Add (or update) an allow-list entry.
pub fn allow(
    conn: &Connection,
    kind: &str,
    value: &str,
    reason: &str,
    analyst: &str,
    at: &str,
) -> Result<Allow> {
    let (kind, value) = normalise_allow(kind, value)?;
    conn.execute(
        "INSERT INTO allow_list (kind, value, reason, analyst, at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (kind, value) DO UPDATE SET reason = excluded.reason,
           analyst = excluded.analyst, at = excluded.at",
        params![kind, value, reason, analyst, at],
    )?;
    Ok(Allow {
        kind,
        value,
        reason: reason.into(),
        analyst: analyst.into(),
        at: at.into(),
    })
}

/// The case's allow-list, by kind then value.
pub fn allow_list(conn: &Connection) -> Result<Vec<Allow>> {
    let mut st = conn
        .prepare("SELECT kind, value, reason, analyst, at FROM allow_list ORDER BY kind, value")?;
    let rows = st.query_map([], |r| {
        Ok(Allow {
            kind: r.get(0)?,
            value: r.get(1)?,
            reason: r.get(2)?,
            analyst: r.get(3)?,
            at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The allow-list as the engine applies it to a rule's findings.
#[derive(Debug, Default, Clone)]
pub struct AllowSet {
    domains: Vec<String>,
    ips: Vec<Cidr>,
    devices: Vec<String>,
    names: Vec<String>,
}

impl AllowSet {
    pub fn from_entries(entries: &[Allow]) -> AllowSet {
        let mut s = AllowSet::default();
        for e in entries {
            match e.kind.as_str() {
                "partner-domain" => s.domains.push(e.value.to_ascii_lowercase()),
                "ip" => s.ips.extend(Cidr::parse(&e.value)),
                "device" => s.devices.push(e.value.to_lowercase()),
                "name" => s
                    .names
                    .push(crate::output::visible(&e.value).trim().to_lowercase()),
                _ => {}
            }
        }
        s
    }

    pub fn is_empty(&self) -> bool {
        self.domains.is_empty()
            && self.ips.is_empty()
            && self.devices.is_empty()
            && self.names.is_empty()
    }

    /// Known IP ranges the rules treat like configured offices.
    pub fn ip_ranges(&self) -> &[Cidr] {
        &self.ips
    }

    /// Whether a finding is about something the analyst declared expected: its own IP or its
    /// person's domain is allowed, or every participant session it cites has an allowed
    /// device or display name (so an entry never hides a finding about someone else).
    pub fn covers(&self, conn: &Connection, f: &super::Finding) -> Result<bool> {
        if let Some(ip) = f.ip.as_deref().and_then(|s| s.trim().parse().ok())
            && self.ips.iter().any(|c| c.contains(&ip))
        {
            return Ok(true);
        }
        if let Some(d) = f.user.as_deref().and_then(super::domain_of)
            && self
                .domains
                .iter()
                .any(|a| d == *a || d.ends_with(&format!(".{a}")))
        {
            return Ok(true);
        }
        if self.devices.is_empty() && self.names.is_empty() {
            return Ok(false);
        }
        let sessions: Vec<i64> = f
            .evidence
            .iter()
            .filter(|(t, _)| *t == "participants")
            .map(|(_, id)| *id)
            .collect();
        if sessions.is_empty() {
            return Ok(false);
        }
        let mut st = conn.prepare_cached("SELECT name, device FROM participants WHERE id = ?1")?;
        let mut all = true;
        for id in sessions {
            let (name, device): (Option<String>, Option<String>) =
                st.query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            let name = name.map(|n| crate::output::visible(&n).trim().to_lowercase());
            let device = device.map(|d| d.to_lowercase());
            let ok = name.is_some_and(|n| self.names.contains(&n))
                || device.is_some_and(|d| self.devices.contains(&d));
            all &= ok;
        }
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_states_parse_as_printed() {
        assert_eq!(Target::parse("42").unwrap(), Target::Finding(42));
        assert_eq!(Target::parse("F42").unwrap(), Target::Finding(42));
        assert_eq!(Target::parse("#42").unwrap(), Target::Finding(42));
        assert_eq!(Target::parse("I7").unwrap(), Target::Incident(7));
        assert!(Target::parse("x7").is_err());
        assert_eq!(State::parse("false positive"), Some(State::FalsePositive));
        assert_eq!(State::parse("FP"), Some(State::FalsePositive));
        assert_eq!(State::parse("Benign"), Some(State::Benign));
        assert_eq!(State::parse("closed"), None);
        assert!(
            normalise_allow("partner-domain", "@Partner.Example")
                .unwrap()
                .1
                == "partner.example"
        );
        assert!(normalise_allow("ip", "not-an-ip").is_err());
        assert!(normalise_allow("colour", "x").is_err());
    }
}
