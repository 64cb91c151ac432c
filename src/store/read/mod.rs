//! The console's query layer: one file per pane's needs.
//!
//! Every list is read as a *window* with keyset pagination (a [`Cursor`] names the row to
//! continue from, never an OFFSET), so the cost of a page does not grow with the case. Rows come
//! back as generic [`Row`]s: the record's identity (table + id, what annotations and finding
//! evidence are keyed by), its sort key, display cells (raw, untrusted: the console sanitises
//! them when it draws) and the entities it links to (what Enter can pivot on).
//!
//! Nothing here knows about the terminal; all functions take a `&Connection` (the console's
//! worker owns a read-only one).

pub mod annotations;
pub mod exposure;
pub mod findings;
pub mod graph;
pub mod incidents;
pub mod landscape;
pub mod ledger;
pub mod meeting;
pub mod record;
pub mod recordings;
pub mod search;
pub mod timeline;

use anyhow::Result;
use rusqlite::Connection;
use rusqlite::types::Value;
use std::collections::HashSet;

/// Rows per page requested by the console.
pub const PAGE: usize = 200;

/// A row's position in its list's sort order: primary text (usually a time), a secondary
/// number (source rank, severity rank) and the record id as tie-breaker.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Key {
    pub t: String,
    pub s: i64,
    pub id: i64,
}

/// Where a page starts, in display order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cursor {
    First,
    Last,
    /// Rows strictly after this key.
    After(Key),
    /// Rows strictly before this key.
    Before(Key),
}

impl Cursor {
    fn forward(&self) -> bool {
        matches!(self, Cursor::First | Cursor::After(_))
    }
    fn key(&self) -> Option<&Key> {
        match self {
            Cursor::After(k) | Cursor::Before(k) => Some(k),
            _ => None,
        }
    }
}

/// A window of rows plus whether it touches either end of the list.
#[derive(Clone, Debug, Default)]
pub struct Page {
    pub rows: Vec<Row>,
    pub at_start: bool,
    pub at_end: bool,
}

/// The filter chips, applied by each query where they make sense.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub external_only: bool,
    pub domain: Option<String>,
    pub suspicious_only: bool,
    /// Findings and incidents still open: new or under investigation.
    pub open_only: bool,
    /// Minimum severity rank (0 info .. 4 critical).
    pub min_severity: Option<i64>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub text: Option<String>,
    /// Rows the analyst tagged so (exactly, ignoring case; `f #BEC` or `:filter tag BEC`).
    pub tag: Option<String>,
    /// Ledger only: exact operator, category and action.
    pub operator: Option<String>,
    pub category: Option<String>,
    pub action: Option<String>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }
    fn text_pattern(&self) -> Option<String> {
        self.text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| format!("%{}%", like_escape(t)))
    }
}

/// A where-clause's first conditions: rows whose time (or span from `first` to `last`, the
/// same column for a single time) meets the filter's `[from, to)`; "1" keeps it valid alone.
pub(crate) fn span_sql(q: &mut Q, f: &Filter, first: &str, last: &str) -> Vec<String> {
    let mut w = vec!["1".to_string()];
    if let Some(from) = &f.from {
        w.push(format!("{last} >= {}", q.p(from.clone())));
    }
    if let Some(to) = &f.to {
        w.push(format!("{first} < {}", q.p(to.clone())));
    }
    w
}

/// SQL condition: the filter's search text is in any of `cols`, taken literally (TRUE
/// without a search).
pub(crate) fn text_sql(q: &mut Q, f: &Filter, cols: &[&str]) -> String {
    match f.text_pattern() {
        Some(pat) => {
            let p = q.p(pat);
            let any: Vec<String> = cols
                .iter()
                .map(|c| format!("{c} LIKE {p} ESCAPE '\\'"))
                .collect();
            format!("({})", any.join(" OR "))
        }
        None => "1".into(),
    }
}

/// SQL condition: `idcol` is a row of `tbl` carrying the filter's tag (TRUE without one).
pub(crate) fn tag_sql(q: &mut Q, f: &Filter, tbl: &str, idcol: &str) -> String {
    match f.tag.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => {
            let tb = q.p(tbl.to_string());
            let tg = q.p(t.to_string());
            format!(
                "{idcol} IN (SELECT row_id FROM annotations WHERE tbl = {tb} AND kind = 'tag' AND text = {tg} COLLATE NOCASE)"
            )
        }
        None => "1".into(),
    }
}

/// Escape `s` for a LIKE pattern written with `ESCAPE '\'`, so user text (a domain, a search)
/// matches literally: `%`, `_` and the escape character itself lose their meaning.
pub fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// LIKE pattern (with `ESCAPE '\'`) for addresses at domain `d`: `%@d`, `d` taken literally.
pub fn domain_pattern(d: &str) -> String {
    format!("%@{}", like_escape(&d.to_lowercase()))
}

/// Entities a row points at: what the console can pivot to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Links {
    pub user: Option<String>,
    pub name: Option<String>,
    pub meeting_uuid: Option<String>,
    pub meeting_id: Option<i64>,
    pub recording: Option<String>,
    pub ip: Option<String>,
    pub device: Option<String>,
    pub operator: Option<String>,
}

impl Links {
    /// Links of a recording or one of its parts: the recording, named by its meeting
    /// instance's uuid, and that instance.
    pub fn recording(uuid: &str) -> Links {
        Links {
            recording: Some(uuid.to_string()),
            meeting_uuid: Some(uuid.to_string()),
            ..Default::default()
        }
    }
}

/// One displayable record. `cells` are raw case strings: sanitise before drawing.
#[derive(Clone, Debug, Default)]
pub struct Row {
    pub tbl: &'static str,
    pub id: i64,
    pub key: Key,
    /// What kind of event or record (signin, join, host, op, chat, webhook, file, action...).
    pub kind: String,
    pub time: String,
    pub cells: Vec<String>,
    pub link: Links,
    /// internal / external / guest, or a severity name.
    pub badge: String,
    /// Severity rank of the worst finding behind this row (-1 when none).
    pub rank: i64,
    /// Analyst annotations on this record: "★", "#tag", "note: ...".
    pub notes: Vec<String>,
    /// Detail lines shown for the selected row (parsed diffs, evidence...).
    pub extra: Vec<String>,
}

impl Row {
    /// A row of `tbl` at time `t`, sorted by (t, id), with nothing yet known behind it (`rank`
    /// -1): what every (time, id) ordered row starts from; the caller fills the rest.
    pub(crate) fn at(tbl: &'static str, id: i64, kind: impl Into<String>, t: String) -> Row {
        Row {
            tbl,
            id,
            key: Key {
                t: t.clone(),
                s: 0,
                id,
            },
            kind: kind.into(),
            time: t,
            rank: -1,
            ..Default::default()
        }
    }
}

/// Named, typed access to the cells of a kind of row (`FindingRow(&row).summary()` rather
/// than `row.cells[4]`): one definition next to the query that fills the cells.
macro_rules! row_view {
    ($(#[$m:meta])* $name:ident { $($field:ident = $i:expr),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug)]
        pub struct $name<'a>(pub &'a $crate::store::read::Row);
        impl<'a> $name<'a> {
            $(
                pub fn $field(&self) -> &'a str {
                    self.0.cells.get($i).map(String::as_str).unwrap_or("")
                }
            )*
        }
    };
}
pub(crate) use row_view;

/// Facts about the case the console needs once: which domains are internal, whether findings
/// exist, the case's time span.
#[derive(Clone, Debug, Default)]
pub struct CaseInfo {
    pub internal_domains: Vec<String>,
    pub has_findings: bool,
    /// Whether `zoomlens detect` has run on this case (rule_runs or findings present).
    pub detect_ran: bool,
    /// Columns of `findings` (the detection engine's table), empty when absent.
    pub finding_cols: Vec<String>,
    pub span_from: Option<String>,
    pub span_to: Option<String>,
    pub participants: i64,
    /// Whether the case has the `incidents` table (schema 6).
    pub has_incidents: bool,
}

impl CaseInfo {
    pub fn load(conn: &Connection) -> Result<CaseInfo> {
        let mut internal: Vec<String> = conn
            .prepare(
                "SELECT DISTINCT lower(substr(email, instr(email, '@') + 1)) FROM users
                 WHERE instr(email, '@') > 0",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        internal.sort();
        let finding_cols = table_columns(conn, "findings")?;
        let has_findings =
            !finding_cols.is_empty() && !table_columns(conn, "finding_evidence")?.is_empty();
        let detect_ran = has_findings
            && (conn.query_row("SELECT EXISTS (SELECT 1 FROM findings)", [], |r| {
                r.get::<_, bool>(0)
            })? || (!table_columns(conn, "rule_runs")?.is_empty()
                && conn.query_row("SELECT EXISTS (SELECT 1 FROM rule_runs)", [], |r| {
                    r.get::<_, bool>(0)
                })?));
        // min/max over indexed time columns: each is a single index probe.
        let mut lo: Option<String> = None;
        let mut hi: Option<String> = None;
        for (t, c) in [
            ("participants", "join_time"),
            ("signins", "time"),
            ("operations", "time"),
            ("meetings", "start_time"),
            ("webhook_events", "time"),
            // Identity-provider and file events may run past Zoom's (issue 19).
            ("idp_log", "time"),
            ("data_access_log", "time"),
        ] {
            if table_columns(conn, t)?.is_empty() {
                continue;
            }
            let (a, b): (Option<String>, Option<String>) = conn.query_row(
                &format!(
                    "SELECT (SELECT min({c}) FROM {t} WHERE {c} > ''), (SELECT max({c}) FROM {t})"
                ),
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if let Some(a) = a
                && lo.as_ref().is_none_or(|l| a < *l)
            {
                lo = Some(a);
            }
            if let Some(b) = b
                && hi.as_ref().is_none_or(|h| b > *h)
            {
                hi = Some(b);
            }
        }
        let participants = conn.query_row("SELECT max(id) FROM participants", [], |r| {
            r.get::<_, Option<i64>>(0)
        })?;
        Ok(CaseInfo {
            internal_domains: internal,
            has_findings,
            detect_ran,
            finding_cols,
            span_from: lo,
            span_to: hi,
            participants: participants.unwrap_or(0),
            has_incidents: !table_columns(conn, "incidents")?.is_empty()
                && !table_columns(conn, "triage")?.is_empty(),
        })
    }

    pub(crate) fn has_finding_col(&self, c: &str) -> bool {
        self.finding_cols.iter().any(|x| x == c)
    }

    /// The findings column naming the user (`user_email` in schema 2, `user` before).
    pub fn finding_user_col(&self) -> Option<&'static str> {
        ["user_email", "user"]
            .into_iter()
            .find(|c| self.has_finding_col(c))
    }

    /// SQL for a finding's severity rank (the indexed `sev_rank` when the table has it).
    pub fn finding_rank(&self) -> String {
        if self.has_finding_col("sev_rank") {
            "f.sev_rank".into()
        } else {
            rank_sql("f.severity")
        }
    }

    /// SQL for the finding's recording, as the recording's meeting uuid.
    pub fn finding_recording(&self) -> String {
        if self.has_finding_col("recording_id") {
            "(SELECT r.meeting_uuid FROM recordings r WHERE r.id = f.recording_id)".into()
        } else if self.has_finding_col("recording") {
            "f.\"recording\"".into()
        } else {
            "NULL".into()
        }
    }

    /// internal / external / guest for an email (blank email: a guest).
    pub fn class_of(&self, email: Option<&str>) -> &'static str {
        match email.map(str::trim).filter(|e| !e.is_empty()) {
            None => "guest",
            Some(e) => {
                let d = domain_of(e);
                if self.internal_domains.contains(&d) {
                    "internal"
                } else {
                    "external"
                }
            }
        }
    }

    fn domains_json(&self) -> String {
        serde_json::to_string(&self.internal_domains).unwrap_or_else(|_| "[]".into())
    }
}

/// Lowercased domain part of an email ("" when there is none).
pub fn domain_of(email: &str) -> String {
    email
        .rsplit_once('@')
        .map(|(_, d)| d.trim().to_lowercase())
        .unwrap_or_default()
}

/// Column names of a table, empty when the table does not exist.
pub fn table_columns(conn: &Connection, table: &str) -> Result<Vec<String>> {
    let mut st = conn.prepare("SELECT name FROM pragma_table_info(?1)")?;
    let cols = st
        .query_map([table], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(cols)
}

/// SQL text with positional parameters collected as it is built.
#[derive(Default)]
pub(crate) struct Q {
    pub sql: String,
    pub params: Vec<Value>,
}

impl Q {
    /// Run the built query (cached statement, bound parameters) and map every row.
    pub fn rows<T>(
        &self,
        conn: &Connection,
        map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<Vec<T>> {
        conn.prepare_cached(&self.sql)?
            .query_map(rusqlite::params_from_iter(self.params.iter()), map)?
            .collect()
    }

    /// Run the built `SELECT count(*) ...`.
    pub fn count(&self, conn: &Connection) -> Result<u64> {
        Ok(conn.query_row(
            &self.sql,
            rusqlite::params_from_iter(self.params.iter()),
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// Bind a value, returning its placeholder.
    pub fn p(&mut self, v: impl Into<Value>) -> String {
        self.params.push(v.into());
        format!("?{}", self.params.len())
    }
}

/// Keyset condition and order for a (time, id) ordered list; `desc` is the display order.
/// Returns (condition, order-by) with the condition "1" for First/Last.
pub(crate) fn keyset2(
    q: &mut Q,
    tcol: &str,
    idcol: &str,
    cur: &Cursor,
    desc: bool,
) -> (String, String) {
    let fwd = cur.forward();
    let ascending = fwd != desc;
    let (op, dir) = if ascending {
        (">", "ASC")
    } else {
        ("<", "DESC")
    };
    let cond = match cur.key() {
        Some(k) => {
            let t = q.p(k.t.clone());
            let t2 = q.p(k.t.clone());
            let id = q.p(k.id);
            format!("({tcol} {op} {t} OR ({tcol} = {t2} AND {idcol} {op} {id}))")
        }
        None => "1".into(),
    };
    (cond, format!("{tcol} {dir}, {idcol} {dir}"))
}

/// Fetch up to `limit` rows with a query built for `cur` (limit + 1 asked to learn whether more
/// exist), and put them in display order.
pub(crate) fn finish_page(mut rows: Vec<Row>, cur: &Cursor, limit: usize) -> Page {
    let more = rows.len() > limit;
    rows.truncate(limit);
    let fwd = cur.forward();
    if !fwd {
        rows.reverse();
    }
    let (at_start, at_end) = match cur {
        Cursor::First => (true, !more),
        Cursor::Last => (!more, true),
        Cursor::After(_) => (false, !more),
        Cursor::Before(_) => (!more, false),
    };
    Page {
        rows,
        at_start,
        at_end,
    }
}

pub(crate) fn opt(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<String>> {
    use rusqlite::types::ValueRef;
    Ok(match r.get_ref(i)? {
        ValueRef::Null => None,
        ValueRef::Integer(v) => Some(v.to_string()),
        ValueRef::Real(v) => Some(v.to_string()),
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Some(crate::util::blob_shown(b)),
    })
}

pub(crate) fn text(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<String> {
    Ok(opt(r, i)?.unwrap_or_default())
}

/// A row of two texts then two integers (a name, its label, two counts), as several
/// aggregate queries answer.
pub(crate) fn two_texts_two_counts(
    r: &rusqlite::Row<'_>,
) -> rusqlite::Result<(String, String, i64, i64)> {
    Ok((text(r, 0)?, text(r, 1)?, r.get(2)?, r.get(3)?))
}

pub(crate) fn nonblank(s: Option<String>) -> Option<String> {
    s.filter(|v| !v.trim().is_empty())
}

/// Severity name → rank (critical 4 .. info 0); numbers pass through.
pub fn severity_rank(s: &str) -> i64 {
    match s.trim().to_ascii_lowercase().as_str() {
        "critical" => 4,
        "high" => 3,
        "medium" => 2,
        "low" => 1,
        "info" => 0,
        other => other.parse().unwrap_or(0),
    }
}

pub fn severity_name(rank: i64) -> &'static str {
    match rank {
        r if r >= 4 => "critical",
        3 => "high",
        2 => "medium",
        1 => "low",
        _ => "info",
    }
}

/// SQL expression ranking a severity column.
pub(crate) fn rank_sql(col: &str) -> String {
    format!(
        "(CASE lower(CAST({col} AS TEXT)) WHEN 'critical' THEN 4 WHEN 'high' THEN 3 \
         WHEN 'medium' THEN 2 WHEN 'low' THEN 1 WHEN 'info' THEN 0 ELSE CAST({col} AS INTEGER) END)"
    )
}

/// Attach each row's worst finding (via `finding_evidence`) as `rank`, for rows of one table.
pub fn mark_findings(conn: &Connection, info: &CaseInfo, rows: &mut [Row]) -> Result<()> {
    if !info.has_findings || rows.is_empty() {
        return Ok(());
    }
    let mut by_tbl: std::collections::HashMap<&'static str, Vec<i64>> = Default::default();
    for r in rows.iter() {
        by_tbl.entry(r.tbl).or_default().push(r.id);
    }
    let rank = info.finding_rank();
    let mut hits: std::collections::HashMap<(String, i64), i64> = Default::default();
    for (tbl, ids) in by_tbl {
        let json = serde_json::to_string(&ids)?;
        let mut st = conn.prepare_cached(&format!(
            "SELECT e.row_id, max({rank}) FROM finding_evidence e JOIN findings f ON f.id = e.finding_id
             WHERE e.tbl = ?1 AND e.row_id IN (SELECT value FROM json_each(?2)) GROUP BY e.row_id"
        ))?;
        let mut q = st.query(rusqlite::params![tbl, json])?;
        while let Some(r) = q.next()? {
            hits.insert((tbl.to_string(), r.get(0)?), r.get(1)?);
        }
    }
    for r in rows.iter_mut() {
        if let Some(k) = hits.get(&(r.tbl.to_string(), r.id)) {
            r.rank = r.rank.max(*k);
        }
    }
    Ok(())
}

/// A table name as the `&'static str` rows carry ("unknown" for a table the console does not
/// open).
pub fn static_table(t: &str) -> &'static str {
    record::inspected_table(t).unwrap_or("unknown")
}

/// The set of (table, id) a finding points at.
pub type EvidenceSet = HashSet<(String, i64)>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_ranks_round_trip() {
        for r in 0..=4 {
            assert_eq!(severity_rank(severity_name(r)), r);
        }
        assert_eq!(severity_rank("HIGH"), 3);
    }

    #[test]
    fn text_filter_escapes_like_wildcards() {
        let f = Filter {
            text: Some("50%_off".into()),
            ..Default::default()
        };
        assert_eq!(f.text_pattern().unwrap(), "%50\\%\\_off%");
    }
}

#[cfg(test)]
mod like_tests {
    use super::*;

    #[test]
    fn like_escape_makes_wildcards_and_the_escape_literal() {
        assert_eq!(like_escape(r"a%b_c\d"), r"a\%b\_c\\d");
        assert_eq!(domain_pattern("Acme_Com"), r"%@acme\_com");
    }
}
