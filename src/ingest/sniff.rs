//! Format detection from content (never from the file name), and the record shapes zoomlens
//! recognises inside JSON files.

use super::bodies::{Endpoint, TopLevel, endpoint_of_body, top_level};
use super::csv::{CsvKind, Header, kind_of};
use super::panther::{RowKind, row_kind};
use anyhow::{Context, Result, bail};
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
}

/// Recognise a JSON object, or say in words what it is instead.
pub fn classify(top: &TopLevel) -> std::result::Result<Kind, String> {
    let is_string = |k: &str| top.get(k).is_some_and(|v| v.get().starts_with('"'));
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

const HEAD: u64 = 256 * 1024;
/// Largest single JSON document read whole (pretty-printed bodies are pages of ≤300 records).
const MAX_DOCUMENT: u64 = 1 << 30;

fn strip_bom(s: &str) -> &str {
    s.strip_prefix('\u{feff}').unwrap_or(s)
}

/// Detect a file's format from its first bytes. The error is one line naming what the file
/// is not, so the caller can prefix the file name.
pub fn sniff(path: &Path) -> Result<Format> {
    let mut f =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    let mut head = Vec::new();
    (&mut f).take(HEAD).read_to_end(&mut head)?;
    let whole = (head.len() as u64) < HEAD;
    let text = String::from_utf8_lossy(&head);
    let text = strip_bom(&text);
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        bail!("the file is empty");
    }
    match trimmed.as_bytes()[0] {
        b'[' => {
            let mut split = ArraySplitter::new(std::io::Cursor::new(trimmed.as_bytes()));
            let mut buf = Vec::new();
            match split.next_element(&mut buf) {
                Ok(Some(_)) => {
                    let el = String::from_utf8_lossy(&buf);
                    let top = top_level(&el).map_err(|e| {
                        anyhow::anyhow!("a JSON array whose first element is not an object: {e}")
                    })?;
                    classify(&top).map_err(|e| anyhow::anyhow!("a JSON array of {e}"))?;
                    Ok(Format::JsonArray)
                }
                // Empty array, or a first element longer than the head: decide per element.
                Ok(None) | Err(_) => Ok(Format::JsonArray),
            }
        }
        b'{' => {
            // NDJSON when one of the first lines is a complete, recognised record.
            let mut lines: Vec<&str> = trimmed.lines().collect();
            if !whole && !trimmed.ends_with('\n') {
                lines.pop(); // the last line may be cut
            }
            for l in lines.iter().filter(|l| !l.trim().is_empty()).take(50) {
                if let Ok(top) = top_level(l.trim())
                    && classify(&top).is_ok()
                {
                    return Ok(Format::JsonLines);
                }
            }
            if size > MAX_DOCUMENT {
                bail!("not NDJSON, and too large to read as one JSON document");
            }
            let all = std::fs::read(path)?;
            let all = String::from_utf8_lossy(&all);
            let top = top_level(strip_bom(&all)).map_err(|e| {
                anyhow::anyhow!("neither NDJSON nor one JSON object (parse error: {e})")
            })?;
            classify(&top).map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(Format::JsonObject)
        }
        _ => {
            let first = trimmed.lines().next().unwrap_or("");
            let kind = Header::parse(first)
                .and_then(|h| kind_of(&h))
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "not JSON, and not a CSV with a header zoomlens knows \
                     (departures: email,departed_at; assets: pc_name,mac_addr,owner_email; \
                     VIPs: email,name,title; portal exports of operation logs or sign-ins)"
                    )
                })?;
            Ok(Format::Csv(kind))
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
}

impl<R: BufRead> ArraySplitter<R> {
    pub fn new(r: R) -> Self {
        ArraySplitter {
            r,
            line: 1,
            started: false,
            done: false,
        }
    }

    fn peek(&mut self) -> std::io::Result<Option<u8>> {
        Ok(self.r.fill_buf()?.first().copied())
    }

    fn bump(&mut self) {
        self.r.consume(1);
    }

    /// The next element's text into `buf`; returns its first line, or `None` after `]`.
    pub fn next_element(&mut self, buf: &mut Vec<u8>) -> std::io::Result<Option<i64>> {
        buf.clear();
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
            buf.push(b);
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
