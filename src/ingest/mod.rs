//! Importers: format sniffing and one parser per input format; rejects are kept.
//!
//! The same normalisers serve every door: `import` replays files, `sync` stores the pages it
//! fetches through [`capture::store_page`], `listen` stores deliveries through
//! [`webhook::store_event`].
//!
//! Files are read a line (or an array element, or a CSV record) at a time and committed in
//! batches of [`BATCH`] records, so memory stays flat and an import killed half-way leaves a
//! consistent case; running it again completes it (what is already there is "present").

pub mod bodies;
pub mod capture;
pub mod csv;
mod lax;
pub mod panther;
pub mod sniff;
pub mod webhook;

use crate::model::Origin;
use crate::store::{Counts, Store, Writer};
use anyhow::{Context, Result};
use bodies::{At, PageCtx, store_body, top_level};
use sniff::{ArraySplitter, Format, Kind, classify, sniff};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// Records per transaction: large enough to amortise the commit, small enough that memory
/// stays flat and an interrupted import loses little work.
pub const BATCH: usize = 20_000;

/// Options of an import run.
#[derive(Debug, Default, Clone)]
pub struct ImportOptions {
    /// Meeting UUID that bare participant pages belong to.
    pub meeting: Option<String>,
}

/// What an import did, per table, plus the first rejects for the summary.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct ImportSummary {
    pub counts: Counts,
    /// (file, line, reason) of the first rejects.
    pub first_rejects: Vec<(String, Option<i64>, String)>,
    /// Each file with the format it was read as.
    pub files: Vec<FileSummary>,
}

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct FileSummary {
    pub path: String,
    pub format: String,
    /// Records read (rows of pages, events, CSV records), including rejected ones.
    pub records: u64,
}

const MAX_FIRST_REJECTS: usize = 10;

/// Import files into an open case (the library entry used by `import`, `demo` and tests).
///
/// Every file's format is detected before anything is stored: a file in no known format is
/// an error naming it, and nothing is imported.
pub fn import_paths(
    store: &mut Store,
    paths: &[PathBuf],
    opts: &ImportOptions,
) -> Result<ImportSummary> {
    let formats = sniff_all(paths, opts)?;
    let mut summary = ImportSummary::default();
    for (path, format) in paths.iter().zip(formats) {
        let records = import_file(store, path, format, opts, &mut summary)
            .with_context(|| format!("importing {}", path.display()))?;
        summary.files.push(FileSummary {
            path: path.display().to_string(),
            format: format.name().to_string(),
            records,
        });
    }
    Ok(summary)
}

/// Detect every file's format; the first unknown one is a one-line error naming it.
pub fn sniff_all(paths: &[PathBuf], opts: &ImportOptions) -> Result<Vec<Format>> {
    let mut out = Vec::with_capacity(paths.len());
    for p in paths {
        let f = sniff(p).map_err(|e| {
            if e.root_cause().downcast_ref::<std::io::Error>().is_some() {
                anyhow::anyhow!("{}: {e:#} — nothing was imported", p.display())
            } else {
                anyhow::anyhow!(
                    "{}: {e:#} — nothing was imported (zoomlens reads captures, API bodies, \
                     webhook events, Panther rows and CSV lists; see `zoomlens import --help`)",
                    p.display()
                )
            }
        })?;
        if f == Format::JsonObject && opts.meeting.is_none() {
            let text = std::fs::read_to_string(p)?;
            if let Ok(top) = top_level(text.trim_start_matches('\u{feff}'))
                && let Ok(Kind::Body(ep)) = classify(&top)
                && ep.list_key() == "participants"
            {
                anyhow::bail!(
                    "{}: a bare participants page does not say which meeting it belongs to; \
                     import it with --meeting UUID — nothing was imported",
                    p.display()
                );
            }
        }
        out.push(f);
    }
    Ok(out)
}

/// The batch in progress: a writer that is committed and replaced every [`BATCH`] records.
struct Batches<'s> {
    store: &'s mut Store,
}

fn finish(w: Writer, summary: &mut ImportSummary) -> Result<()> {
    let mut w = w;
    let rejects = std::mem::take(&mut w.first_rejects);
    let room = MAX_FIRST_REJECTS.saturating_sub(summary.first_rejects.len());
    summary.first_rejects.extend(rejects.into_iter().take(room));
    summary.counts.add(&w.commit()?);
    Ok(())
}

impl<'s> Batches<'s> {
    /// Run `f` over the file's records with a fresh writer per batch. `f` returns how many
    /// records it handled, or `None` at the end of the input.
    fn run(
        &mut self,
        summary: &mut ImportSummary,
        mut f: impl FnMut(&mut Writer) -> Result<Option<usize>>,
    ) -> Result<u64> {
        let mut total = 0u64;
        loop {
            let mut w = self.store.writer()?;
            // Records in this batch, and input units (lines, pages) that may hold none.
            let (mut records, mut units) = (0usize, 0usize);
            let mut more = true;
            while records < BATCH && units < BATCH {
                match f(&mut w)? {
                    Some(n) => {
                        records += n;
                        units += 1;
                    }
                    None => {
                        more = false;
                        break;
                    }
                }
            }
            total += records as u64;
            finish(w, summary)?;
            if !more {
                return Ok(total);
            }
        }
    }
}

fn file_origin(w: &mut Writer, kind: &str, source: &str) -> Result<i64> {
    w.origin(&Origin {
        kind: kind.to_string(),
        source: source.to_string(),
        ..Default::default()
    })
}

fn import_file(
    store: &mut Store,
    path: &Path,
    format: Format,
    opts: &ImportOptions,
    summary: &mut ImportSummary,
) -> Result<u64> {
    // Provenance names the file unambiguously (absolute), in origins and rejects alike.
    let source = std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string();
    let origin_id = {
        let mut w = store.writer()?;
        let kind = if matches!(format, Format::Csv(_)) {
            "csv"
        } else {
            "file"
        };
        let id = file_origin(&mut w, kind, &source)?;
        w.commit()?;
        id
    };
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {source}"))?;
    let mut r = BufReader::with_capacity(1 << 20, file);
    let mut batches = Batches { store };
    let meeting = opts.meeting.as_deref().map(capture::decode_segment);
    let rec = RecordCtx {
        origin_id,
        source: &source,
        meeting: meeting.as_deref(),
    };
    match format {
        Format::JsonLines => {
            let mut line_no = 0i64;
            let mut buf = String::new();
            batches.run(summary, |w| {
                loop {
                    buf.clear();
                    let mut bytes = Vec::new();
                    if r.read_until(b'\n', &mut bytes)? == 0 {
                        return Ok(None);
                    }
                    line_no += 1;
                    match String::from_utf8(bytes) {
                        Ok(s) => buf = s,
                        Err(e) => {
                            let raw = String::from_utf8_lossy(e.as_bytes()).into_owned();
                            w.reject("unknown", &source, Some(line_no), "not UTF-8 text", &raw)?;
                            return Ok(Some(1));
                        }
                    }
                    let text = buf.trim();
                    let text = if line_no == 1 {
                        text.trim_start_matches('\u{feff}')
                    } else {
                        text
                    };
                    if text.is_empty() {
                        continue;
                    }
                    return store_json_record(w, &rec, line_no, text, false).map(Some);
                }
            })
        }
        Format::JsonArray => {
            let mut split = ArraySplitter::new(r);
            let mut buf = Vec::new();
            batches.run(summary, |w| {
                let Some(line) = split.next_element(&mut buf)? else {
                    return Ok(None);
                };
                let text = String::from_utf8_lossy(&buf);
                store_json_record(w, &rec, line, &text, false).map(Some)
            })
        }
        Format::JsonObject => {
            let mut text = String::new();
            r.read_to_string(&mut text)
                .with_context(|| format!("{source} is not UTF-8 text"))?;
            let mut done = false;
            batches.run(summary, |w| {
                if done {
                    return Ok(None);
                }
                done = true;
                let t = text.trim_start_matches('\u{feff}');
                store_json_record(w, &rec, 1, t, true).map(Some)
            })
        }
        Format::Csv(kind) => {
            let mut buf = String::new();
            let mut line_no = 0i64;
            let n = csv::read_record(&mut r, &mut buf)?;
            line_no += n as i64;
            let header = csv::Header::parse(&buf).context("unreadable CSV header")?;
            batches.run(summary, |w| {
                loop {
                    let n = csv::read_record(&mut r, &mut buf)?;
                    if n == 0 {
                        return Ok(None);
                    }
                    let line = line_no + 1;
                    line_no += n as i64;
                    if buf.trim().is_empty() {
                        continue;
                    }
                    let at = At {
                        origin_id,
                        source: &source,
                        line: Some(line),
                        rows_own_lines: false,
                    };
                    csv::store_record(w, &at, kind, &header, &buf)?;
                    return Ok(Some(1));
                }
            })
        }
    }
}

use std::io::Read;

/// Where the JSON records of one file go.
struct RecordCtx<'a> {
    origin_id: i64,
    source: &'a str,
    /// `--meeting` (decoded) for bare participant pages.
    meeting: Option<&'a str>,
}

/// Store one JSON record (a line, an array element or a whole document) of any recognised
/// kind. Returns how many records it held (a page holds many).
fn store_json_record(
    w: &mut Writer,
    rc: &RecordCtx,
    line: i64,
    text: &str,
    whole_document: bool,
) -> Result<usize> {
    let at = At {
        origin_id: rc.origin_id,
        source: rc.source,
        line: Some(line),
        rows_own_lines: whole_document,
    };
    let top = match top_level(text) {
        Ok(t) => t,
        Err(e) => {
            w.reject(
                "unknown",
                rc.source,
                Some(line),
                &format!("malformed JSON: {e}"),
                text,
            )?;
            return Ok(1);
        }
    };
    match classify(&top) {
        Ok(Kind::Capture) => {
            let page = match capture_page(&top) {
                Ok(p) => p,
                Err(reason) => {
                    w.reject("unknown", rc.source, Some(line), &reason, text)?;
                    return Ok(1);
                }
            };
            capture::store_page_at(w, &page, rc.source, Some(line), Some(text))
        }
        Ok(Kind::Webhook) => {
            webhook::store_event_at(w, rc.origin_id, rc.source, Some(line), text)?;
            Ok(1)
        }
        Ok(Kind::WrappedWebhook) => {
            let inner = top.get("body").map(|b| b.get()).unwrap_or("null");
            webhook::store_event_at(w, rc.origin_id, rc.source, Some(line), inner)?;
            Ok(1)
        }
        Ok(Kind::Body(ep)) => {
            let mut ctx = PageCtx::new(ep);
            if ep.list_key() == "participants" {
                match rc.meeting {
                    Some(m) => {
                        ctx.meeting_uuid = Some(m.to_string());
                        if m.bytes().all(|b| b.is_ascii_digit()) {
                            ctx.meeting_id = m.parse().ok();
                        }
                    }
                    None => {
                        let reason = "bare participants page without its meeting: \
                                      import it with --meeting UUID";
                        w.reject("participants", rc.source, Some(line), reason, text)?;
                        return Ok(1);
                    }
                }
            }
            store_body(w, &ctx, text, &at)
        }
        Ok(Kind::Row(kind, panther)) => {
            panther::store_row(w, &at, kind, text, panther)?;
            Ok(1)
        }
        Err(reason) => {
            w.reject("unknown", rc.source, Some(line), &reason, text)?;
            Ok(1)
        }
    }
}

/// A capture page from an already-split line (the body is kept as its raw text).
fn capture_page(top: &bodies::TopLevel) -> std::result::Result<capture::CapturePage, String> {
    let path: String = top
        .get("path")
        .and_then(|p| serde_json::from_str(p.get()).ok())
        .ok_or("capture line without a \"path\" string")?;
    let query = match top.get("query") {
        None => serde_json::Map::new(),
        Some(q) if q.get() == "null" => serde_json::Map::new(),
        Some(q) => serde_json::from_str(q.get())
            .map_err(|e| format!("capture \"query\" is not an object: {e}"))?,
    };
    let fetched_at = match top.get("fetched_at") {
        None => String::new(),
        Some(f) => serde_json::from_str::<Option<String>>(f.get())
            .map_err(|e| format!("capture \"fetched_at\" is not a string: {e}"))?
            .unwrap_or_default(),
    };
    let body = top
        .get("body")
        .map(|b| (*b).to_owned())
        .ok_or("capture line without a \"body\"")?;
    Ok(capture::CapturePage {
        path,
        query,
        fetched_at,
        body,
    })
}
