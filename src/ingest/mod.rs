//! Importers: format sniffing and one parser per input format; rejects are kept.
//!
//! The same normalisers serve every door: `import` replays files, `sync` stores the pages it
//! fetches through [`capture::store_page`], `listen` stores deliveries through
//! [`webhook::store_event`].
//!
//! Files are read a line (or an array element, or a CSV record) at a time and committed in
//! batches of [`BATCH`] records, so memory stays flat and an import killed half-way leaves a
//! consistent case; running it again completes it (what is already there is "present").
//! Reading, parsing, hashing and compressing happen on one thread and SQLite's writes on
//! another ([`sink::pipeline`]).

pub mod beyond;
pub mod bodies;
pub mod capture;
pub mod credentials;
pub mod csv;
pub mod input;
mod lax;
pub mod newer;
pub mod panther;
pub mod settings;
pub mod sink;
pub mod sniff;
pub mod webhook;

use crate::model::Origin;
use crate::store::{Counts, Store, Writer};
use anyhow::{Context, Result};
use bodies::top_level;
use bodies::{At, PageCtx, store_body};
use sink::{Deferred, Sink};
use sniff::{ArraySplitter, Format, Kind, classify};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Records per transaction: large enough to amortise the commit, small enough that memory
/// stays flat and an interrupted import loses little work.
pub const BATCH: usize = 20_000;

/// Options of an import run.
#[derive(Debug, Default, Clone)]
pub struct ImportOptions {
    /// Meeting UUID that bare participant pages belong to.
    pub meeting: Option<String>,
    /// Channel id / contact that bare chat pages are about (a capture's query says it itself).
    pub channel: Option<String>,
    pub contact: Option<String>,
}

/// What an import did, per table, plus the first rejects for the summary.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct ImportSummary {
    pub counts: Counts,
    /// (file, line, reason) of the first rejects.
    pub first_rejects: Vec<(String, Option<i64>, String)>,
    /// Each file with the format it was read as.
    pub files: Vec<FileSummary>,
    /// Records stored with something unknown: what, and how many.
    pub notes: std::collections::BTreeMap<String, u64>,
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
    let prepared = prepare(paths, opts)?;
    import_prepared(store, prepared, opts)
}

/// An input whose format is known, ready to be imported.
pub struct Prepared {
    path: PathBuf,
    source: String,
    format: Format,
    /// The format with its compression and encoding, for summaries.
    label: String,
    /// A stream (stdin, a pipe, a FIFO) kept open after sniffing, starting with the bytes
    /// sniffing read; `None` for a regular file, opened again when its turn comes (so a
    /// thousand files do not hold a thousand descriptors).
    stream: Option<Box<dyn BufRead + Send>>,
}

impl Prepared {
    pub fn format(&self) -> Format {
        self.format
    }
}

/// Detect every input's format, reading each once; the first unknown one is a one-line error
/// naming it. Streams stay open, positioned so that the import reads on from the start.
pub fn prepare(paths: &[PathBuf], opts: &ImportOptions) -> Result<Vec<Prepared>> {
    let mut out = Vec::with_capacity(paths.len());
    let mut stdin_seen = false;
    for p in paths {
        if p.as_os_str() == input::STDIN_NAME {
            if stdin_seen {
                anyhow::bail!("-: standard input is named twice — nothing was imported");
            }
            stdin_seen = true;
        }
        out.push(prepare_one(p, opts).map_err(|e| {
            let name = p.display();
            // I/O errors, and errors that already say what to do, need no list of formats.
            if e.root_cause().downcast_ref::<std::io::Error>().is_some()
                || e.to_string().contains("what to do:")
            {
                anyhow::anyhow!("{name}: {e:#} — nothing was imported")
            } else {
                anyhow::anyhow!(
                    "{name}: {e:#} — nothing was imported (zoomlens reads captures, API bodies, \
                     webhook events, Panther rows and CSV lists; see `zoomlens import --help`)"
                )
            }
        })?);
    }
    Ok(out)
}

/// Detect the format of every input (see [`prepare`]).
pub fn sniff_all(paths: &[PathBuf], opts: &ImportOptions) -> Result<Vec<Format>> {
    Ok(prepare(paths, opts)?.iter().map(|p| p.format).collect())
}

fn prepare_one(p: &Path, opts: &ImportOptions) -> Result<Prepared> {
    let mut input = input::open(p)?;
    let mut prefix = Vec::new();
    let sniffed = sniff::sniff_stream(&mut input.reader, &mut prefix)?;
    if sniffed.format == Format::JsonObject
        && opts.meeting.is_none()
        && let Some(Kind::Body(ep)) = sniffed.first
        && ep.list_key() == "participants"
    {
        anyhow::bail!(
            "a bare participants page does not say which meeting it belongs to; \
             import it with --meeting UUID"
        );
    }
    let label = input.describe(sniffed.format.name());
    let stream: Option<Box<dyn BufRead + Send>> = if input.reopenable {
        None
    } else {
        let rest = input.reader;
        Some(Box::new(BufReader::with_capacity(
            1 << 20,
            std::io::Cursor::new(prefix).chain(rest),
        )))
    };
    Ok(Prepared {
        path: p.to_path_buf(),
        source: input.source,
        format: sniffed.format,
        label,
        stream,
    })
}

/// Import inputs that [`prepare`] has recognised.
pub fn import_prepared(
    store: &mut Store,
    prepared: Vec<Prepared>,
    opts: &ImportOptions,
) -> Result<ImportSummary> {
    let mut summary = ImportSummary::default();
    let bulk = bulk_load(store, &prepared) && crate::store::bulk::begin(&mut store.conn)?;
    let batch = if bulk {
        crate::store::bulk::load_cache(&store.conn, true)?;
        crate::store::bulk::BATCH
    } else {
        BATCH
    };
    let run = || -> Result<()> {
        for p in prepared {
            let (path, label) = (p.path.display().to_string(), p.label.clone());
            let records = import_file(store, p, opts, batch, &mut summary)
                .with_context(|| format!("importing {path}"))?;
            summary.files.push(FileSummary {
                path,
                format: label,
                records,
            });
        }
        Ok(())
    };
    let done = run();
    if bulk {
        crate::store::bulk::load_cache(&store.conn, false)?;
        crate::store::bulk::restore(&mut store.conn)?;
    }
    done.map(|()| summary)
}

/// Whether to load in bulk (see [`crate::store::bulk`]): the files to import are large and
/// several times the case they go into, so building the read-side indexes once at the end is
/// cheaper than keeping them up to date row by row. Streams count as small (their size is
/// unknown).
fn bulk_load(store: &Store, prepared: &[Prepared]) -> bool {
    const MIN_INPUT: u64 = 64 << 20;
    let input: u64 = prepared
        .iter()
        .filter(|p| p.stream.is_none())
        .filter_map(|p| std::fs::metadata(&p.path).ok())
        .map(|m| m.len())
        .sum();
    input >= MIN_INPUT && input >= 2 * store.file_bytes()
}

/// Fold a committed batch's tallies and first rejects into the summary.
fn finish(w: Writer, summary: &mut ImportSummary) -> Result<()> {
    let mut w = w;
    let rejects = std::mem::take(&mut w.first_rejects);
    let room = MAX_FIRST_REJECTS.saturating_sub(summary.first_rejects.len());
    summary.first_rejects.extend(rejects.into_iter().take(room));
    for (note, n) in std::mem::take(&mut w.notes) {
        *summary.notes.entry(note.to_string()).or_default() += n;
    }
    summary.counts.add(&w.commit()?);
    Ok(())
}

fn file_origin(w: &mut impl Sink, kind: &str, source: &str) -> Result<i64> {
    w.origin(Origin::new(kind.to_string(), source.to_string()))
}

fn import_file(
    store: &mut Store,
    p: Prepared,
    opts: &ImportOptions,
    batch: usize,
    summary: &mut ImportSummary,
) -> Result<u64> {
    let (format, source) = (p.format, p.source);
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
    let mut r: Box<dyn BufRead + Send> = match p.stream {
        Some(s) => s,
        None => input::open(&p.path)?.reader,
    };
    // Each batch's writer, committed on the writing thread, adds to the summary.
    let mut run = |produce: &mut dyn FnMut(&mut Deferred) -> Result<Option<usize>>| {
        sink::pipeline(store, batch, produce, |w| finish(w, summary))
    };
    let meeting = opts.meeting.as_deref().map(capture::decode_segment);
    let rec = RecordCtx {
        origin_id,
        source: &source,
        meeting: meeting.as_deref(),
        channel: opts.channel.as_deref(),
        contact: opts.contact.as_deref(),
    };
    match format {
        Format::JsonLines => {
            let mut line_no = 0i64;
            let mut bytes = Vec::new();
            run(&mut |w| {
                loop {
                    let n = input::read_line_capped(&mut r, &mut bytes, MAX_RECORD)?;
                    if n == 0 {
                        return Ok(None);
                    }
                    line_no += 1;
                    if n > MAX_RECORD {
                        reject_oversize(w, &source, line_no, n, &bytes)?;
                        return Ok(Some(1));
                    }
                    let Some(text) = utf8_or_reject(w, &source, line_no, &bytes)? else {
                        return Ok(Some(1));
                    };
                    let text = text.trim();
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
            run(&mut |w| {
                let Some(line) = split.next_element(&mut buf)? else {
                    return Ok(None);
                };
                if split.element_len > MAX_RECORD {
                    reject_oversize(w, &source, line, split.element_len, &buf)?;
                    return Ok(Some(1));
                }
                let Some(text) = utf8_or_reject(w, &source, line, &buf)? else {
                    return Ok(Some(1));
                };
                store_json_record(w, &rec, line, text, false).map(Some)
            })
        }
        Format::JsonObject => {
            let mut bytes = Vec::new();
            (&mut r)
                .take(MAX_RECORD as u64 + 1)
                .read_to_end(&mut bytes)?;
            let mut done = false;
            run(&mut |w| {
                if done {
                    return Ok(None);
                }
                done = true;
                if bytes.len() > MAX_RECORD {
                    reject_oversize(w, &source, 1, bytes.len(), &bytes)?;
                    return Ok(Some(1));
                }
                match std::str::from_utf8(&bytes) {
                    Ok(t) => {
                        let t = t.trim_start_matches('\u{feff}');
                        store_json_record(w, &rec, 1, t, true).map(Some)
                    }
                    Err(e) => {
                        let raw = String::from_utf8_lossy(&bytes);
                        let line = 1 + bytes[..e.valid_up_to()]
                            .iter()
                            .filter(|&&b| b == b'\n')
                            .count() as i64;
                        let reason = not_utf8(&bytes, &e);
                        w.reject("unknown", &source, Some(line), &reason, &raw)?;
                        Ok(Some(1))
                    }
                }
            })
        }
        Format::Csv(kind) => {
            let mut buf = String::new();
            let mut line_no = 0i64;
            let first = csv::read_record(&mut r, &mut buf)?;
            line_no += first.lines as i64;
            let header = csv::Header::parse(&buf).context("unreadable CSV header")?;
            run(&mut |w| {
                loop {
                    let got = csv::read_record(&mut r, &mut buf)?;
                    if got.lines == 0 {
                        return Ok(None);
                    }
                    let line = line_no + 1;
                    line_no += got.lines as i64;
                    if let Some(problem) = got.problem {
                        w.reject(kind.table(), &source, Some(line), &problem, &buf)?;
                        return Ok(Some(1));
                    }
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

/// A record over the size cap: its start is kept with the reason, the rest is not read in.
fn reject_oversize(
    w: &mut impl Sink,
    source: &str,
    line: i64,
    len: usize,
    bytes: &[u8],
) -> Result<()> {
    let reason = format!(
        "record of {len} bytes is over the {} MiB limit: not stored (its first 4 KiB are kept here)",
        MAX_RECORD >> 20
    );
    w.reject(
        "unknown",
        source,
        Some(line),
        &reason,
        &input::oversize_excerpt(bytes),
    )
}

/// Why a record is not UTF-8 text, naming the first bad byte.
/// A record's bytes as text; `None` once they are rejected (line `line`) for not being UTF-8.
fn utf8_or_reject<'a>(
    w: &mut impl Sink,
    source: &str,
    line: i64,
    bytes: &'a [u8],
) -> Result<Option<&'a str>> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Some(text)),
        Err(e) => {
            let raw = String::from_utf8_lossy(bytes);
            w.reject("unknown", source, Some(line), &not_utf8(bytes, &e), &raw)?;
            Ok(None)
        }
    }
}

fn not_utf8(bytes: &[u8], e: &std::str::Utf8Error) -> String {
    let at = e.valid_up_to();
    format!(
        "not UTF-8 text: byte 0x{:02x} at offset {at} (kept with the bad bytes as U+FFFD)",
        bytes.get(at).copied().unwrap_or(0)
    )
}

use input::MAX_RECORD;
/// Where the JSON records of one file go.
struct RecordCtx<'a> {
    origin_id: i64,
    source: &'a str,
    /// `--meeting` (decoded) for bare participant pages.
    meeting: Option<&'a str>,
    /// `--channel` / `--contact` for bare chat pages.
    channel: Option<&'a str>,
    contact: Option<&'a str>,
}

/// Store one JSON record (a line, an array element or a whole document) of any recognised
/// kind. Returns how many records it held (a page holds many).
fn store_json_record(
    w: &mut impl Sink,
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
            let (request, body) = match capture_page(&top) {
                Ok(p) => p,
                Err(reason) => {
                    w.reject("unknown", rc.source, Some(line), &reason, text)?;
                    return Ok(1);
                }
            };
            let whole = || Ok(text.to_string());
            capture::store_request(w, request, body, rc.source, Some(line), whole)
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
            if ep == bodies::Endpoint::Chat {
                ctx.to_channel = rc.channel.map(str::to_string);
                ctx.to_contact = rc.contact.map(str::to_string);
            }
            if ep.list_key() == "participants" || ep == bodies::Endpoint::RecordingAnalytics {
                match rc.meeting {
                    Some(m) => {
                        ctx.meeting_uuid = Some(m.to_string());
                        if m.bytes().all(|b| b.is_ascii_digit()) {
                            ctx.meeting_id = m.parse().ok();
                        }
                    }
                    None => {
                        let reason = format!(
                            "bare {} page without its meeting: import it with --meeting UUID",
                            ep.list_key()
                        );
                        w.reject(ep.table(), rc.source, Some(line), &reason, text)?;
                        return Ok(1);
                    }
                }
            }
            store_body(w, &ctx, text, &at)
        }
        Ok(Kind::Beyond(shape)) => beyond::store_json(w, &at, shape, text),
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

/// A capture line's request, and its body (borrowed from the line).
fn capture_page<'a>(
    top: &bodies::TopLevel<'a>,
) -> std::result::Result<(capture::Request, &'a str), String> {
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
    let body = top.get("body").ok_or("capture line without a \"body\"")?;
    let request = capture::Request {
        path,
        query,
        fetched_at,
    };
    Ok((request, body.get()))
}
