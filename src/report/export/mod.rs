//! Exports for the organisation's SIEM or data lake: a case's records as OCSF or ECS events
//! (NDJSON, or Hive-partitioned Parquet), as Panther's `Zoom.Activity` / `Zoom.Operation` rows,
//! or as CSV files for spreadsheets.
//!
//! The case is read, never written (the caller opens it with `Store::open_readonly`), one
//! streaming query per source in time order ([`rows`]), so memory stays flat however large the
//! case. Each target maps the rows ([`ocsf`], [`ecs`], [`panther`], [`csv`]); [`writer`] writes
//! every file under a temporary name and renames it when complete.

pub mod csv;
pub mod ecs;
pub mod ocsf;
pub mod panther;
pub mod rows;
pub mod writer;

use crate::store::Store;
use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use writer::{Columns, NdjsonFile, ParquetClass};

/// What an export produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// OCSF 1.3.0 events, one class per file (or partition).
    Ocsf,
    /// ECS documents with the field names of Elastic's Zoom integration.
    Ecs,
    /// Panther's `Zoom.Activity` and `Zoom.Operation` rows.
    Panther,
    /// One CSV file per view.
    Csv,
}

/// How events are stored (OCSF and ECS; Panther is always NDJSON, CSV always CSV).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Ndjson,
    Parquet,
}

/// The case's record kinds an export can include.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    Signins,
    Operations,
    Meetings,
    Participants,
    Recordings,
    Chat,
    Findings,
}

impl Source {
    pub const ALL: [Source; 7] = [
        Source::Signins,
        Source::Operations,
        Source::Meetings,
        Source::Participants,
        Source::Recordings,
        Source::Chat,
        Source::Findings,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Source::Signins => "sign-ins",
            Source::Operations => "operations",
            Source::Meetings => "meetings",
            Source::Participants => "participants",
            Source::Recordings => "recordings",
            Source::Chat => "chat",
            Source::Findings => "findings",
        }
    }
}

impl Target {
    pub fn name(self) -> &'static str {
        match self {
            Target::Ocsf => "ocsf",
            Target::Ecs => "ecs",
            Target::Panther => "panther",
            Target::Csv => "csv",
        }
    }
    /// The sources this target has a mapping for.
    pub fn sources(self) -> &'static [Source] {
        match self {
            // OCSF has no class for a meeting instance or a chat message.
            Target::Ocsf => &[
                Source::Signins,
                Source::Operations,
                Source::Participants,
                Source::Recordings,
                Source::Findings,
            ],
            Target::Panther => &[Source::Signins, Source::Operations],
            Target::Ecs | Target::Csv => &Source::ALL,
        }
    }
}

/// What to export and where.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub target: Target,
    pub format: Format,
    /// The output folder (created if missing).
    pub out: PathBuf,
    /// Only records at or after this UTC time (`YYYY-MM-DDTHH:MM:SSZ`).
    pub from: Option<String>,
    /// Only records before this UTC time (exclusive).
    pub to: Option<String>,
    /// Only these sources; empty for every source the target maps.
    pub sources: Vec<Source>,
    /// Write into a folder that is not empty, replacing what an earlier export wrote there.
    pub force: bool,
}

/// One file written: its class (or view), path relative to the output folder, and rows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileCount {
    pub class: String,
    pub path: String,
    pub rows: u64,
}

/// What an export wrote, and what it left out and why.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ExportSummary {
    pub files: Vec<FileCount>,
    /// (why, how many records) for records the target cannot carry.
    pub skipped: Vec<(String, u64)>,
}

impl ExportSummary {
    /// Rows per class, over all of its files.
    pub fn per_class(&self) -> BTreeMap<String, (usize, u64)> {
        let mut m: BTreeMap<String, (usize, u64)> = BTreeMap::new();
        for f in &self.files {
            let e = m.entry(f.class.clone()).or_default();
            e.0 += 1;
            e.1 += f.rows;
        }
        m
    }
}

/// A time window over the stored UTC text times (fixed width, so text order is time order).
#[derive(Debug, Clone)]
pub struct Range {
    pub from: String,
    pub to: String,
}

/// The file an export leaves in its folder listing what it wrote, so `--force` replaces exactly
/// that and nothing else (Hive-style readers skip names starting with `_`).
pub const MANIFEST: &str = "_zoomlens_export.json";

/// Export a case (opened read-only by the caller).
pub fn export(store: &Store, opts: &ExportOptions) -> Result<ExportSummary> {
    let supported = opts.target.sources();
    let sources: Vec<Source> = if opts.sources.is_empty() {
        supported.to_vec()
    } else {
        for s in &opts.sources {
            if !supported.contains(s) {
                bail!(
                    "--to {} has no mapping for {} (it exports {}); use --to ecs or --to csv for \
                     those",
                    opts.target.name(),
                    s.name(),
                    supported
                        .iter()
                        .map(|s| s.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
        }
        let mut v = opts.sources.clone();
        v.sort();
        v.dedup();
        v
    };
    if opts.format == Format::Parquet && matches!(opts.target, Target::Panther | Target::Csv) {
        bail!(
            "--format parquet is for --to ocsf and --to ecs; {} is written as {}",
            opts.target.name(),
            if opts.target == Target::Csv {
                "CSV"
            } else {
                "NDJSON"
            }
        );
    }
    let range = Range {
        from: opts.from.clone().unwrap_or_default(),
        // Above every stored time ('9' sorts after any year's digits).
        to: opts.to.clone().unwrap_or_else(|| "9".into()),
    };
    if range.from >= range.to {
        bail!("--from must be before --to");
    }
    prepare_dir(&opts.out, opts.force, &store.path)?;
    let conn = &store.conn;
    // One read transaction: every source is read from the same snapshot of the case, even
    // while `listen` or `sync` writes to it.
    conn.execute_batch("BEGIN")?;
    let result = (|| -> Result<ExportSummary> {
        let mut summary = match opts.target {
            Target::Ocsf => {
                let mut ev = Events::new(&opts.out, opts.format);
                ocsf::export(conn, &range, &sources, &mut ev)?;
                ev.finish()?
            }
            Target::Ecs => {
                let mut ev = Events::new(&opts.out, opts.format);
                ecs::export(conn, &range, &sources, &mut ev)?;
                ev.finish()?
            }
            Target::Panther => panther::export(conn, &range, &sources, &opts.out)?,
            Target::Csv => csv::export(conn, &range, &sources, &opts.out)?,
        };
        summary.files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(summary)
    })();
    let _ = conn.execute_batch("COMMIT");
    let summary = result?;
    write_manifest(&opts.out, opts, &summary)?;
    Ok(summary)
}

/// Create the folder, or check that it may be written into: an existing folder must be empty,
/// unless `force`, which removes the files an earlier export listed in its manifest (and only
/// those). The case itself is never a target.
fn prepare_dir(out: &Path, force: bool, case: &Path) -> Result<()> {
    if out.exists() && !out.is_dir() {
        bail!(
            "--out {} is a file; give a folder (it is created if missing)",
            out.display()
        );
    }
    if let (Ok(o), Ok(c)) = (std::fs::canonicalize(out), std::fs::canonicalize(case))
        && o == c
    {
        bail!("--out is the case file itself; choose a folder");
    }
    if !out.exists() {
        return std::fs::create_dir_all(out)
            .with_context(|| format!("cannot create {}", out.display()));
    }
    let empty = std::fs::read_dir(out)
        .with_context(|| format!("cannot read {}", out.display()))?
        .next()
        .is_none();
    if empty {
        return Ok(());
    }
    if !force {
        bail!(
            "{} is not empty; export into a new or empty folder, or give --force to replace an \
             earlier export there (only the files it listed in {MANIFEST} are removed)",
            out.display()
        );
    }
    let manifest = out.join(MANIFEST);
    if let Ok(text) = std::fs::read_to_string(&manifest) {
        let v: Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not an export manifest", manifest.display()))?;
        for f in v["files"].as_array().into_iter().flatten() {
            let Some(rel) = f["path"].as_str() else {
                continue;
            };
            // Only plain relative paths inside the folder are ever removed.
            let rel = Path::new(rel);
            if rel.is_absolute()
                || rel
                    .components()
                    .any(|c| !matches!(c, std::path::Component::Normal(_)))
            {
                continue;
            }
            let p = out.join(rel);
            let _ = std::fs::remove_file(&p);
            // Partition folders left empty go too.
            let mut dir = p.parent();
            while let Some(d) = dir {
                if d == out || std::fs::remove_dir(d).is_err() {
                    break;
                }
                dir = d.parent();
            }
        }
        std::fs::remove_file(&manifest)?;
    }
    Ok(())
}

fn write_manifest(out: &Path, opts: &ExportOptions, s: &ExportSummary) -> Result<()> {
    let v = serde_json::json!({
        "exported_by": format!("zoomlens {}", env!("CARGO_PKG_VERSION")),
        "target": opts.target.name(),
        "format": match (opts.target, opts.format) {
            (Target::Csv, _) => "csv",
            (_, Format::Parquet) => "parquet",
            _ => "ndjson",
        },
        "ocsf_version": (opts.target == Target::Ocsf).then_some(ocsf::VERSION),
        "from": opts.from,
        "to": opts.to,
        "files": s.files,
        "skipped": s.skipped,
    });
    let mut f = writer::AtomicFile::create(&out.join(MANIFEST))?;
    serde_json::to_writer_pretty(f.writer(), &v)?;
    f.finish()
}

/// `YYYYMMDD` of a stored UTC time.
pub fn event_day(time: &str) -> String {
    let b = time.as_bytes();
    if b.len() >= 10 {
        format!("{}{}{}", &time[0..4], &time[5..7], &time[8..10])
    } else {
        "00000000".into()
    }
}

/// Epoch milliseconds of a stored UTC time.
pub fn epoch_ms(time: &str) -> Option<i64> {
    crate::model::time::parse_time(time).map(|t| t.timestamp_millis())
}

/// The event files of OCSF and ECS: one NDJSON file per class, or Parquet partitioned by class
/// and event day.
pub struct Events {
    root: PathBuf,
    format: Format,
    ndjson: BTreeMap<&'static str, NdjsonFile>,
    parquet: BTreeMap<&'static str, ParquetClass>,
    skipped: BTreeMap<String, u64>,
}

impl Events {
    pub fn new(root: &Path, format: Format) -> Events {
        Events {
            root: root.to_path_buf(),
            format,
            ndjson: BTreeMap::new(),
            parquet: BTreeMap::new(),
            skipped: BTreeMap::new(),
        }
    }

    /// Write one event of `class` that happened at the stored UTC time `time`.
    pub fn emit(
        &mut self,
        class: &'static str,
        cols: Columns,
        time: &str,
        event: &Value,
    ) -> Result<()> {
        match self.format {
            Format::Ndjson => {
                let f = match self.ndjson.entry(class) {
                    std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::btree_map::Entry::Vacant(e) => e.insert(NdjsonFile::create(
                        self.root.join(format!("{class}.ndjson")),
                    )?),
                };
                f.push(event)
            }
            Format::Parquet => {
                let p = match self.parquet.entry(class) {
                    std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::btree_map::Entry::Vacant(e) => {
                        e.insert(ParquetClass::new(&self.root, class, cols)?)
                    }
                };
                p.push(&event_day(time), event)
            }
        }
    }

    /// Write out and close what is buffered: called after each source, so memory holds at
    /// most one source's open files.
    pub fn close_open(&mut self) -> Result<()> {
        for c in self.parquet.values_mut() {
            c.close_open()?;
        }
        Ok(())
    }

    /// Count a record the target cannot carry, with why.
    pub fn skip(&mut self, why: &str, n: u64) {
        if n > 0 {
            *self.skipped.entry(why.to_string()).or_default() += n;
        }
    }

    fn finish(self) -> Result<ExportSummary> {
        let mut files = Vec::new();
        let rel = |p: &Path| {
            p.strip_prefix(&self.root)
                .unwrap_or(p)
                .to_string_lossy()
                .into_owned()
        };
        for (class, f) in self.ndjson {
            let (p, rows) = f.finish()?;
            files.push(FileCount {
                class: class.to_string(),
                path: rel(&p),
                rows,
            });
        }
        for (class, c) in self.parquet {
            for (p, rows) in c.finish()? {
                files.push(FileCount {
                    class: class.to_string(),
                    path: rel(&p),
                    rows,
                });
            }
        }
        Ok(ExportSummary {
            files,
            skipped: self.skipped.into_iter().collect(),
        })
    }
}

/// `Some(s)` for a non-blank string.
pub(crate) fn nb(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// Set `path` (dotted) in an event, creating objects on the way; `None` leaves it out.
pub(super) fn set(
    m: &mut serde_json::Map<String, serde_json::Value>,
    path: &str,
    v: impl Into<serde_json::Value>,
) {
    let v: serde_json::Value = v.into();
    if v.is_null() {
        return;
    }
    let mut cur = m;
    let parts: Vec<&str> = path.split('.').collect();
    for p in &parts[..parts.len() - 1] {
        cur = cur
            .entry(p.to_string())
            .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()))
            .as_object_mut()
            .expect("an object on the way");
    }
    cur.insert(parts[parts.len() - 1].to_string(), v);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_times() {
        assert_eq!(event_day("2026-11-21T10:05:00Z"), "20261121");
        assert_eq!(epoch_ms("2026-03-01T00:00:01Z"), Some(1772323201000));
        assert_eq!(epoch_ms(""), None);
    }
}
