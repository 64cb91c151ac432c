//! Format detection from content (never from the file name), and the record shapes zoomlens
//! recognises inside JSON files.

use super::bodies::{Endpoint, TopLevel, endpoint_of_body, top_level};
use super::csv::{CsvKind, Header, kind_of};
use super::panther::{RowKind, row_kind};
use anyhow::{Result, bail};
use std::io::{BufRead, Read};
use std::path::Path;

/// How a file is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line: capture pages, webhook events, Panther rows, bare bodies.
    JsonLines,
    /// A single JSON object spanning the file (a pretty-printed body, event or page).
    JsonObject,
    /// A JSON array of records, streamed element by element.
    JsonArray,
    Csv(CsvKind),
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::JsonLines => "NDJSON",
            Format::JsonObject => "JSON",
            Format::JsonArray => "JSON array",
            Format::Csv(CsvKind::Departures) => "CSV departures",
            Format::Csv(CsvKind::Assets) => "CSV assets",
            Format::Csv(CsvKind::Vips) => "CSV VIPs",
            Format::Csv(CsvKind::OperationLogs) => "CSV operation logs",
            Format::Csv(CsvKind::SignIns) => "CSV sign-ins",
            Format::Csv(CsvKind::DataAccess) => "CSV data access",
            Format::Csv(CsvKind::PurviewAudit) => "CSV Microsoft 365 audit export",
        }
    }
}

/// What one JSON object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A capture line: `{"path", "query", "fetched_at", "body"}`.
    Capture,
    /// A webhook delivery `{"event", "event_ts", "payload"}`.
    Webhook,
    /// An annotated sample wrapping a webhook delivery in `"body"` (keys starting with `_` are
    /// annotations).
    WrappedWebhook,
    /// A bare response body of an endpoint.
    Body(Endpoint),
    /// A single sign-in or operation record; `true` when it carries Panther's `p_*` fields.
    Row(RowKind, bool),
    /// An identity-provider or file-access record, or a page of them (issue 19).
    Beyond(super::beyond::Shape),
}

/// Recognise a JSON object, or say in words what it is instead.
pub fn classify(top: &TopLevel) -> std::result::Result<Kind, String> {
    let is_string = |k: &str| top.get(k).is_some_and(|v| v.get().starts_with('"'));
    // Before the wrappers: a Google activity's `events` list is its own, not a wrapper's.
    if let Some(shape) = super::beyond::shape_of(top) {
        return Ok(Kind::Beyond(shape));
    }
    if let Some(what) = wrapper(top) {
        return Err(what);
    }
    if is_string("path") && top.contains_key("body") {
        return Ok(Kind::Capture);
    }
    if is_string("event") && (top.contains_key("payload") || top.contains_key("event_ts")) {
        return Ok(Kind::Webhook);
    }
    if let Some(body) = top.get("body")
        && top.keys().all(|k| k == "body" || k.starts_with('_'))
        && let Ok(inner) = top_level(body.get())
        && inner.get("event").is_some_and(|v| v.get().starts_with('"'))
    {
        return Ok(Kind::WrappedWebhook);
    }
    if let Some(ep) = endpoint_of_body(top) {
        return Ok(Kind::Body(ep));
    }
    if let Some(k) = row_kind(top) {
        return Ok(Kind::Row(k, top.keys().any(|k| k.starts_with("p_"))));
    }
    if top.contains_key("access_token") {
        return Err("an OAuth token response (it holds credentials), not telemetry".into());
    }
    if top.contains_key("plainToken") {
        return Err("a webhook URL-validation reply, not telemetry".into());
    }
    if top.contains_key("secret_token") || top.contains_key("expected_signature") {
        return Err("a webhook signature test vector, not telemetry".into());
    }
    if top.contains_key("code") && top.contains_key("message") {
        return Err("a Zoom API error response, which holds no records".into());
    }
    let mut keys: Vec<&str> = top.keys().map(|k| k.as_ref()).collect();
    keys.sort_unstable();
    keys.truncate(8);
    Err(format!(
        "no Zoom record shape recognised (keys: {})",
        keys.join(", ")
    ))
}

/// Wrappers users export by mistake instead of the Zoom records inside them: a one-line
/// explanation with what to do (the caller prints it as the file's error).
fn wrapper(top: &TopLevel) -> Option<String> {
    let event_is_ecs = top.get("event").is_some_and(|e| {
        top_level(e.get()).is_ok_and(|o| {
            o.contains_key("module") || o.contains_key("dataset") || o.contains_key("original")
        })
    });
    if top.contains_key("@timestamp") || top.contains_key("ecs") || event_is_ecs {
        return Some(
            "an Elastic (ECS) document (@timestamp, ecs, event.module), not a Zoom record — \
             what to do: import the Zoom JSON it was made from; Elastic keeps it in \
             event.original when the integration preserves it: \
             jq -c '.event.original | fromjson' FILE | zoomlens import CASE -"
                .into(),
        );
    }
    if top
        .get("events")
        .is_some_and(|v| v.get().trim_start().starts_with('['))
        && !top.contains_key("event")
    {
        return Some(
            "an {\"events\": [...]} wrapper around records, not a Zoom record — what to do: \
             import the events themselves: jq -c '.events[]' FILE | zoomlens import CASE -"
                .into(),
        );
    }
    None
}

fn strip_bom(s: &str) -> &str {
    s.strip_prefix('\u{feff}').unwrap_or(s)
}

/// How much of an input is looked at beyond its first record.
const HEAD: usize = 256 * 1024;
/// Largest single JSON document read whole (pretty-printed bodies are pages of ≤300 records).
const MAX_DOCUMENT: usize = super::input::MAX_RECORD;

/// What sniffing found: the layout, and what the first record (or the whole document) is.
#[derive(Debug, Clone, Copy)]
pub struct Sniffed {
    pub format: Format,
    pub first: Option<Kind>,
}

/// Detect a file's format from its content. The error is one line naming what the file is
/// not, so the caller can prefix the file name.
pub fn sniff(path: &Path) -> Result<Format> {
    let mut input = super::input::open(path)?;
    let mut prefix = Vec::new();
    Ok(sniff_stream(&mut input.reader, &mut prefix)?.format)
}

/// Detect the format of a stream, reading as little as it can into `prefix` (the caller
/// reads the input on from `prefix` then the stream, so nothing is read twice). The first
/// record is always read whole (up to [`MAX_RECORD`](super::input::MAX_RECORD)), however long:
/// a 300 KB metrics page on one line is NDJSON like any other. A single JSON document is
/// read whole.
pub fn sniff_stream(r: &mut dyn BufRead, prefix: &mut Vec<u8>) -> Result<Sniffed> {
    use super::input::{MAX_RECORD, read_line_capped};
    prefix.clear();
    // Blank lines, then the first non-blank line whole, then up to HEAD more bytes.
    let mut line = Vec::new();
    loop {
        let n = read_line_capped(r, &mut line, MAX_RECORD)?;
        if n > MAX_RECORD {
            bail!(
                "its first record is over {} MiB, more than zoomlens reads as one record",
                MAX_RECORD >> 20
            );
        }
        prefix.extend_from_slice(&line);
        if n == 0 || !line.iter().all(|b| b.is_ascii_whitespace()) {
            break;
        }
    }
    let mut whole = false;
    while prefix.len() < HEAD + line.len() {
        let chunk = r.fill_buf()?;
        if chunk.is_empty() {
            whole = true;
            break;
        }
        let take = chunk.len().min(HEAD + line.len() - prefix.len());
        prefix.extend_from_slice(&chunk[..take]);
        r.consume(take);
    }
    if crate::store::pack::is_pack(prefix) {
        bail!(
            "a packed case (made by `zoomlens pack`), not logs to import: \
             `zoomlens unpack` it into a case of its own"
        );
    }
    let text = String::from_utf8_lossy(prefix);
    let text = strip_bom(&text);
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        // Nothing to import (a sync window with no pages, an empty export): not an error.
        return Ok(Sniffed {
            format: Format::JsonLines,
            first: None,
        });
    }
    match trimmed.as_bytes()[0] {
        b'[' => {
            let mut split = ArraySplitter::new(std::io::Cursor::new(trimmed.as_bytes()));
            let mut buf = Vec::new();
            match split.next_element(&mut buf) {
                Ok(Some(_)) => {
                    let el = String::from_utf8_lossy(&buf);
                    let top = match top_level(&el) {
                        Ok(t) => t,
                        // A first element longer than what was read: decide per element.
                        Err(_) if !whole && split.at_end() => {
                            return Ok(Sniffed {
                                format: Format::JsonArray,
                                first: None,
                            });
                        }
                        Err(e) => {
                            bail!("a JSON array whose first element is not an object: {e}")
                        }
                    };
                    let kind =
                        classify(&top).map_err(|e| anyhow::anyhow!("a JSON array of {e}"))?;
                    Ok(Sniffed {
                        format: Format::JsonArray,
                        first: Some(kind),
                    })
                }
                Ok(None) | Err(_) => Ok(Sniffed {
                    format: Format::JsonArray,
                    first: None,
                }),
            }
        }
        b'{' => {
            // NDJSON when the first line is a whole, recognised record (it always is read
            // whole), or when it is broken but later lines are records. A first line that
            // is not a whole JSON value starts one document spanning lines (a pretty-printed
            // body), even if some inner line happens to look like a record.
            let mut lines: Vec<String> = trimmed
                .lines()
                .filter(|l| !l.trim().is_empty())
                .take(51)
                .map(str::to_string)
                .collect();
            if !whole && !trimmed.ends_with('\n') && lines.len() > 1 {
                lines.pop(); // the last line may be cut
            }
            let records = || -> Option<Kind> {
                lines
                    .iter()
                    .filter(|l| !l.trim().is_empty())
                    .take(50)
                    .find_map(|l| top_level(l.trim()).ok().and_then(|t| classify(&t).ok()))
            };
            let ndjson = |kind| Sniffed {
                format: Format::JsonLines,
                first: Some(kind),
            };
            if let Ok(top) = top_level(lines[0].trim()) {
                return match classify(&top) {
                    Ok(kind) => Ok(ndjson(kind)),
                    // A wrapper is named whatever follows it.
                    Err(e) if e.contains("what to do:") => bail!("{e}"),
                    Err(e) => match records() {
                        Some(kind) => Ok(ndjson(kind)),
                        None => bail!("{e}"),
                    },
                };
            }
            // One document spanning lines: read it whole.
            if !whole {
                let mut rest = r.take((MAX_DOCUMENT + 1 - prefix.len().min(MAX_DOCUMENT)) as u64);
                rest.read_to_end(prefix)?;
                if prefix.len() > MAX_DOCUMENT {
                    bail!(
                        "not NDJSON, and over {} MiB, too large to read as one JSON document",
                        MAX_DOCUMENT >> 20
                    );
                }
            }
            let all = String::from_utf8_lossy(prefix);
            match top_level(strip_bom(&all)) {
                Ok(top) => {
                    let kind = classify(&top).map_err(|e| anyhow::anyhow!("{e}"))?;
                    Ok(Sniffed {
                        format: Format::JsonObject,
                        first: Some(kind),
                    })
                }
                // Not one document either: NDJSON whose first line is broken.
                Err(e) => match records() {
                    Some(kind) => Ok(ndjson(kind)),
                    None => bail!("neither NDJSON nor one JSON object (parse error: {e})"),
                },
            }
        }
        _ => {
            let first = trimmed.lines().next().unwrap_or("");
            let kind = Header::parse(first)
                .and_then(|h| kind_of(&h))
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "not JSON, and not a CSV with a header zoomlens knows \
                     (departures: email,departed_at; assets: pc_name,mac_addr,owner_email; \
                     VIPs: email,name,title; portal exports of operation logs or sign-ins; \
                     data access: time,user,action,resource,sensitivity,ip,source; \
                     Microsoft Purview audit exports with an AuditData column)"
                    )
                })?;
            Ok(Sniffed {
                format: Format::Csv(kind),
                first: None,
            })
        }
    }
}

/// Splits a top-level JSON array into its elements' verbatim text without holding the whole
/// array in memory; tracks the line each element starts on.
pub struct ArraySplitter<R> {
    r: R,
    line: i64,
    started: bool,
    done: bool,
    eof: bool,
    /// Bytes the element being read really has (it keeps at most MAX_RECORD of them).
    pub element_len: usize,
}

impl<R: BufRead> ArraySplitter<R> {
    pub fn new(r: R) -> Self {
        ArraySplitter {
            r,
            line: 1,
            started: false,
            done: false,
            eof: false,
            element_len: 0,
        }
    }

    /// The input ended (inside an element that was cut, when the array was not closed).
    pub fn at_end(&self) -> bool {
        self.eof
    }

    fn peek(&mut self) -> std::io::Result<Option<u8>> {
        let b = self.r.fill_buf()?.first().copied();
        self.eof |= b.is_none();
        Ok(b)
    }

    fn bump(&mut self) {
        self.r.consume(1);
    }

    /// The next element's text into `buf`; returns its first line, or `None` after `]`.
    /// An element over [`MAX_RECORD`](super::input::MAX_RECORD) is read through but only its
    /// start is kept; [`element_len`](Self::element_len) says how long it was.
    pub fn next_element(&mut self, buf: &mut Vec<u8>) -> std::io::Result<Option<i64>> {
        buf.clear();
        self.element_len = 0;
        if self.done {
            return Ok(None);
        }
        // Skip whitespace, a BOM, the opening bracket and separating commas.
        loop {
            match self.peek()? {
                None => {
                    self.done = true;
                    return Ok(None);
                }
                Some(b'\n') => {
                    self.line += 1;
                    self.bump();
                }
                Some(b' ' | b'\t' | b'\r' | b',' | 0xEF | 0xBB | 0xBF) => self.bump(),
                Some(b'[') if !self.started => {
                    self.started = true;
                    self.bump();
                }
                Some(b']') => {
                    self.done = true;
                    self.bump();
                    return Ok(None);
                }
                Some(_) => break,
            }
        }
        let start = self.line;
        let (mut depth, mut in_str, mut esc) = (0i32, false, false);
        while let Some(b) = self.peek()? {
            if in_str {
                if esc {
                    esc = false;
                } else if b == b'\\' {
                    esc = true;
                } else if b == b'"' {
                    in_str = false;
                }
            } else {
                match b {
                    b'"' => in_str = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        if depth == 0 {
                            break; // the array's closing bracket after a scalar
                        }
                        depth -= 1;
                    }
                    b',' if depth == 0 => break,
                    _ => {}
                }
            }
            if b == b'\n' {
                self.line += 1;
            }
            self.element_len += 1;
            if buf.len() < super::input::MAX_RECORD {
                buf.push(b);
            }
            self.bump();
            if depth == 0 && !in_str && matches!(b, b'}' | b']') {
                break;
            }
        }
        while buf.last().is_some_and(|b| b.is_ascii_whitespace()) {
            buf.pop();
        }
        Ok(Some(start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_elements_come_out_verbatim_with_their_lines() {
        let text = "[\n {\"a\": \"x,]}\"},\n {\"b\": [1, 2]}\n , 3 ]";
        let mut s = ArraySplitter::new(std::io::Cursor::new(text.as_bytes()));
        let mut buf = Vec::new();
        assert_eq!(s.next_element(&mut buf).unwrap(), Some(2));
        assert_eq!(buf, b"{\"a\": \"x,]}\"}");
        assert_eq!(s.next_element(&mut buf).unwrap(), Some(3));
        assert_eq!(buf, b"{\"b\": [1, 2]}");
        assert_eq!(s.next_element(&mut buf).unwrap(), Some(4));
        assert_eq!(buf, b"3");
        assert_eq!(s.next_element(&mut buf).unwrap(), None);
    }
}
