//! CSV lists and exports: HR departures, asset inventory, VIP list, and the Zoom web portal's
//! operation-log and sign-in/sign-out exports. Headers are matched case- and
//! space-insensitively ("Date & Time" = "date_time" = "datetime"). Each record's evidence is
//! its verbatim CSV text; records are read one at a time (a quoted field may span lines).

use super::bodies::{At, activity_kind};
use super::input::{MAX_RECORD, read_line_capped};
use super::sink::Sink;
use crate::model::*;
use anyhow::Result;
use std::io::BufRead;

/// What a CSV file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvKind {
    Departures,
    Assets,
    Vips,
    OperationLogs,
    SignIns,
    /// The generic data-access CSV (issue 19): `time,user,action,resource,sensitivity,ip,source`.
    DataAccess,
    /// Microsoft Purview's audit search export: the record is the `AuditData` column's JSON.
    PurviewAudit,
}

impl CsvKind {
    pub fn table(self) -> &'static str {
        match self {
            CsvKind::Departures => "departures",
            CsvKind::Assets => "assets",
            CsvKind::Vips => "vips",
            CsvKind::OperationLogs => "operations",
            CsvKind::SignIns => "signins",
            CsvKind::DataAccess | CsvKind::PurviewAudit => "data_access_log",
        }
    }
}

/// A header name reduced to lowercase letters and digits.
pub fn norm_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Column positions by normalised header name.
#[derive(Debug, Clone)]
pub struct Header {
    names: Vec<String>,
}

impl Header {
    pub fn parse(line: &str) -> Option<Header> {
        let rec = parse_record(line)?;
        Some(Header {
            names: rec.iter().map(|h| norm_header(h)).collect(),
        })
    }
    fn find(&self, aliases: &[&str]) -> Option<usize> {
        aliases
            .iter()
            .find_map(|a| self.names.iter().position(|n| n == a))
    }
    fn has(&self, aliases: &[&str]) -> bool {
        self.find(aliases).is_some()
    }
}

const TIME: &[&str] = &["datetime", "time", "date", "timestamp"];
const EMAIL: &[&str] = &["email", "emailaddress", "useremail", "mail"];
const DEPARTED: &[&str] = &[
    "departedat",
    "departed",
    "departuredate",
    "departure",
    "terminationdate",
    "leftat",
    "lastday",
    "enddate",
];
const PC: &[&str] = &["pcname", "hostname", "computername", "devicename"];
const MAC: &[&str] = &["macaddr", "macaddress", "mac"];
const OWNER: &[&str] = &["owneremail", "owner", "email", "useremail"];
const SIGN_TYPE: &[&str] = &["signinout", "type", "activity", "activitytype"];

/// Recognise a CSV file by its header.
pub fn kind_of(h: &Header) -> Option<CsvKind> {
    if h.has(&["auditdata"]) {
        return Some(CsvKind::PurviewAudit);
    }
    if h.has(&["user"]) && h.has(&["action"]) && h.has(&["resource"]) && h.has(TIME) {
        return Some(CsvKind::DataAccess);
    }
    if h.has(&["operator"]) && h.has(&["operationdetail", "categorytype", "action"]) {
        return Some(CsvKind::OperationLogs);
    }
    if h.has(EMAIL) && h.has(SIGN_TYPE) && h.has(TIME) {
        return Some(CsvKind::SignIns);
    }
    if h.has(EMAIL) && h.has(DEPARTED) {
        return Some(CsvKind::Departures);
    }
    if (h.has(PC) || h.has(MAC)) && h.has(OWNER) {
        return Some(CsvKind::Assets);
    }
    if h.has(EMAIL) && h.has(&["title", "name", "fullname", "jobtitle"]) {
        return Some(CsvKind::Vips);
    }
    None
}

/// Parse one CSV record's text.
fn parse_record(text: &str) -> Option<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let rec = r.records().next()?.ok()?;
    Some(rec.iter().map(str::to_string).collect())
}

/// What [`read_record`] read.
#[derive(Debug, Default)]
pub struct RecordRead {
    /// Physical lines read (0 at end of file).
    pub lines: usize,
    /// Why the record cannot be used as it is (not UTF-8, over the size cap); `buf` then holds
    /// what can be kept of it.
    pub problem: Option<String>,
}

/// Read one logical CSV record (quoted fields may hold newlines) into `buf`, without the line
/// ending. A record that is not UTF-8 or is larger than [`MAX_RECORD`] is read through and
/// reported in [`RecordRead::problem`] (with its lossy text, or its start) instead of failing
/// the file.
pub fn read_record(r: &mut dyn BufRead, buf: &mut String) -> std::io::Result<RecordRead> {
    buf.clear();
    let mut out = RecordRead::default();
    let mut bytes = Vec::new();
    let mut line = Vec::new();
    let (mut quotes, mut total) = (0usize, 0usize);
    loop {
        let n = read_line_capped(r, &mut line, MAX_RECORD)?;
        if n == 0 {
            break;
        }
        out.lines += 1;
        total += n;
        quotes += line.iter().filter(|&&b| b == b'"').count();
        let room = MAX_RECORD.saturating_sub(bytes.len());
        bytes.extend_from_slice(&line[..line.len().min(room)]);
        if quotes.is_multiple_of(2) || total > MAX_RECORD {
            // An over-long record ends at the end of its line: an unclosed quote must not
            // swallow the rest of the file.
            break;
        }
    }
    while bytes.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
        bytes.pop();
    }
    if total > MAX_RECORD {
        out.problem = Some(format!(
            "record of {total} bytes is over the {} MiB limit: not stored (its first 4 KiB are kept here)",
            MAX_RECORD >> 20
        ));
        buf.push_str(&super::input::oversize_excerpt(&bytes));
        return Ok(out);
    }
    match String::from_utf8(bytes) {
        Ok(s) => *buf = s,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bad = e.as_bytes().get(at).copied().unwrap_or(0);
            out.problem = Some(format!(
                "not UTF-8 text: byte 0x{bad:02x} at offset {at} (kept with the bad bytes as U+FFFD)"
            ));
            buf.push_str(&String::from_utf8_lossy(e.as_bytes()));
        }
    }
    Ok(out)
}

/// Store one data record of a CSV file of `kind`; an unusable record becomes a reject.
pub fn store_record(
    w: &mut impl Sink,
    at: &At,
    kind: CsvKind,
    h: &Header,
    raw: &str,
) -> Result<()> {
    let table = kind.table();
    let Some(rec) = parse_record(raw) else {
        w.reject(table, at.source, at.line, "not a CSV record", raw)?;
        return Ok(());
    };
    if matches!(kind, CsvKind::DataAccess | CsvKind::PurviewAudit) {
        return store_beyond(w, at, kind, h, &rec, raw);
    }
    let get = |aliases: &[&str]| -> Option<String> {
        h.find(aliases)
            .and_then(|i| rec.get(i))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let req = |aliases: &[&str], what: &str| -> Result<String, String> {
        get(aliases).ok_or_else(|| format!("missing {what}"))
    };
    let time = |aliases: &[&str], what: &str| -> Result<String, String> {
        let t = req(aliases, what)?;
        crate::model::time::norm_time(&t).ok_or_else(|| format!("{what}: unparsable time {t:?}"))
    };
    let ev = || Evidence::new(at.origin_id, at.line, raw);
    enum Rec {
        D(Departure),
        A(Asset),
        V(Vip),
        O(Operation),
        S(SignIn),
    }
    let rec: Result<Rec, String> = (|| {
        Ok(match kind {
            CsvKind::Departures => Rec::D(Departure {
                email: req(EMAIL, "email")?,
                departed_at: time(DEPARTED, "departed_at")?,
            }),
            CsvKind::Assets => {
                let a = Asset {
                    pc_name: get(PC),
                    mac_addr: get(MAC),
                    owner_email: req(OWNER, "owner email")?,
                };
                if a.pc_name.is_none() && a.mac_addr.is_none() {
                    return Err("missing pc_name and mac_addr".into());
                }
                Rec::A(a)
            }
            CsvKind::Vips => Rec::V(Vip {
                email: req(EMAIL, "email")?,
                name: get(&["name", "fullname"]),
                title: get(&["title", "jobtitle"]),
            }),
            CsvKind::OperationLogs => Rec::O(Operation {
                time: time(TIME, "time")?,
                operator: get(&["operator"]).unwrap_or_default(),
                category_type: get(&["categorytype", "category"]).unwrap_or_default(),
                action: get(&["action"]).unwrap_or_default(),
                operation_detail: get(&["operationdetail", "detail"]).unwrap_or_default(),
                via: "csv".into(),
            }),
            CsvKind::SignIns => {
                let t = req(SIGN_TYPE, "type")?;
                let activity = activity_kind(&t)
                    .ok_or_else(|| format!("type {t:?} is neither Sign in nor Sign out"))?;
                Rec::S(SignIn {
                    time: time(TIME, "time")?,
                    email: req(EMAIL, "email")?,
                    activity: activity.into(),
                    ip_address: get(&["ipaddress", "ip"]),
                    client_type: get(&["clienttype", "client"]),
                    version: get(&["version", "clientversion"]),
                    login_type: None,
                    via: "csv".into(),
                })
            }
            CsvKind::DataAccess | CsvKind::PurviewAudit => {
                unreachable!("stored by store_beyond")
            }
        })
    })();
    match rec {
        Ok(Rec::D(d)) => {
            w.departure(d, ev())?;
        }
        Ok(Rec::A(a)) => {
            w.asset(a, ev())?;
        }
        Ok(Rec::V(v)) => {
            w.vip(v, ev())?;
        }
        Ok(Rec::O(o)) => {
            w.operation(o, ev())?;
        }
        Ok(Rec::S(s)) => {
            w.signin(s, ev())?;
        }
        Err(reason) => w.reject(table, at.source, at.line, &reason, raw)?,
    }
    Ok(())
}

/// A row of the generic data-access CSV or of a Purview audit export (issue 19).
fn store_beyond(
    w: &mut impl Sink,
    at: &At,
    kind: CsvKind,
    h: &Header,
    rec: &[String],
    raw: &str,
) -> Result<()> {
    let get = |aliases: &[&str]| -> String {
        h.find(aliases)
            .and_then(|i| rec.get(i))
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    if kind == CsvKind::PurviewAudit {
        return super::beyond::purview_row(w, at, &get(&["auditdata"]), raw);
    }
    match super::beyond::generic_row(
        &get(TIME),
        &get(&["user", "useremail", "email"]),
        &get(&["action"]),
        &get(&["resource"]),
        &get(&["sensitivity", "label", "classification"]),
        &get(&["ip", "ipaddress", "clientip"]),
        &get(&["source"]),
    ) {
        Ok(d) => {
            w.data_access(d, Evidence::new(at.origin_id, at.line, raw))?;
        }
        Err(reason) => w.reject(kind.table(), at.source, at.line, &reason, raw)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portal_headers_match_whatever_their_spelling() {
        let h =
            Header::parse("Date & Time,Operator,Category Type,Action,Operation Detail").unwrap();
        assert_eq!(kind_of(&h), Some(CsvKind::OperationLogs));
        let h = Header::parse("Email,Time,Sign In/Out,IP Address,Client Type,Version").unwrap();
        assert_eq!(kind_of(&h), Some(CsvKind::SignIns));
        let h = Header::parse("EMAIL, Departed_At").unwrap();
        assert_eq!(kind_of(&h), Some(CsvKind::Departures));
        let h = Header::parse("pc_name,mac_addr,Owner Email").unwrap();
        assert_eq!(kind_of(&h), Some(CsvKind::Assets));
        let h = Header::parse("email,name,title").unwrap();
        assert_eq!(kind_of(&h), Some(CsvKind::Vips));
        let h = Header::parse("foo,bar").unwrap();
        assert_eq!(kind_of(&h), None);
    }

    #[test]
    fn quoted_newlines_stay_in_one_record() {
        let mut r = std::io::Cursor::new("a,\"b\nc\",d\r\nnext,1\n");
        let mut buf = String::new();
        assert_eq!(read_record(&mut r, &mut buf).unwrap().lines, 2);
        assert_eq!(buf, "a,\"b\nc\",d");
        assert_eq!(read_record(&mut r, &mut buf).unwrap().lines, 1);
        assert_eq!(buf, "next,1");
        assert_eq!(read_record(&mut r, &mut buf).unwrap().lines, 0);
    }
}
