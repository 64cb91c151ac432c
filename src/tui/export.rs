//! Export of a view or of the bookmarks as CSV, JSON or Markdown. Cells are written as the
//! case holds them (CSV/JSON are data; a CSV cell a spreadsheet would run as a formula is
//! neutralised); Markdown is for reading, so every cell goes through `output::md_text`.
//!
//! Rows are streamed page by page into a temporary file beside the destination, which is then
//! renamed into place, so a failed export never leaves half a file and memory stays flat. An
//! existing file is kept unless the caller asks to overwrite (`:export! ...`), and the open
//! case itself (with its -wal/-shm/-journal) can never be a destination.

use anyhow::{Context, Result, bail};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

enum Sink {
    Csv(Box<crate::output::CsvOut<BufWriter<File>>>),
    Json { out: BufWriter<File>, first: bool },
    Md(BufWriter<File>),
}

/// An export in progress: `row` for each record, then `finish` to put the file in place.
pub struct Export {
    sink: Option<Sink>,
    headers: Vec<String>,
    tmp: PathBuf,
    dest: PathBuf,
    overwrite: bool,
    rows: usize,
}

impl Export {
    /// Check the destination and open a temporary file beside it.
    pub fn begin(
        dest: &Path,
        case: &Path,
        format: &str,
        headers: &[String],
        overwrite: bool,
    ) -> Result<Export> {
        if !matches!(format, "csv" | "json" | "md" | "markdown") {
            bail!("unknown export format {format:?}: use csv, json or md");
        }
        let d = crate::util::resolve(dest)?;
        let c = crate::util::resolve(case)?;
        if crate::util::is_case_file(&d, &c) {
            bail!(
                "{} is the open case file: export to another path",
                dest.display()
            );
        }
        if d.is_dir() {
            bail!("{} is a folder: give a file name", dest.display());
        }
        if !overwrite && d.exists() {
            bail!(
                "{} already exists: choose another path, or use export! to replace it",
                dest.display()
            );
        }
        let name = d.file_name().unwrap_or_default().to_string_lossy();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|t| t.subsec_nanos())
            .unwrap_or(0);
        let tmp = d.with_file_name(format!(".{name}.{}-{nanos}.part", std::process::id()));
        let file = File::options()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .with_context(|| format!("cannot write in the folder of {}", dest.display()))?;
        let mut e = Export {
            sink: None,
            headers: headers.to_vec(),
            tmp,
            dest: d,
            overwrite,
            rows: 0,
        };
        let out = BufWriter::new(file);
        let started = (|| -> Result<Sink> {
            Ok(match format {
                "csv" => {
                    // A file for spreadsheets: faithful values, formula cells neutralised.
                    let mut w = crate::output::CsvOut::new(out, crate::output::Safety::Faithful);
                    w.row(headers)?;
                    Sink::Csv(Box::new(w))
                }
                "json" => {
                    let mut out = out;
                    write!(out, "[")?;
                    Sink::Json { out, first: true }
                }
                _ => {
                    let mut out = out;
                    let h: Vec<String> = headers.iter().map(|h| md_cell(h)).collect();
                    writeln!(out, "| {} |", h.join(" | "))?;
                    writeln!(out, "|{}", "---|".repeat(headers.len()))?;
                    Sink::Md(out)
                }
            })
        })();
        match started {
            Ok(s) => {
                e.sink = Some(s);
                Ok(e)
            }
            Err(err) => Err(err), // Drop removes the temporary file.
        }
    }

    pub fn row(&mut self, cells: &[String]) -> Result<()> {
        match self.sink.as_mut().expect("export already finished") {
            Sink::Csv(w) => w.row(cells)?,
            Sink::Json { out, first } => {
                let obj: serde_json::Map<String, serde_json::Value> = self
                    .headers
                    .iter()
                    .cloned()
                    .zip(cells.iter().map(|c| serde_json::Value::String(c.clone())))
                    .collect();
                write!(out, "{}\n  ", if *first { "" } else { "," })?;
                serde_json::to_writer(&mut *out, &obj)?;
                *first = false;
            }
            Sink::Md(out) => {
                let r: Vec<String> = cells.iter().map(|c| md_cell(c)).collect();
                writeln!(out, "| {} |", r.join(" | "))?;
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Flush, sync and move the file into place; returns the number of rows written.
    pub fn finish(mut self) -> Result<usize> {
        let file = match self.sink.take().expect("export already finished") {
            Sink::Csv(w) => w.finish()?.into_inner()?,
            Sink::Json { mut out, .. } => {
                writeln!(out, "\n]")?;
                out.into_inner()?
            }
            Sink::Md(out) => out.into_inner()?,
        };
        file.sync_all()?;
        drop(file);
        if self.overwrite {
            std::fs::rename(&self.tmp, &self.dest)
                .with_context(|| format!("cannot replace {}", self.dest.display()))?;
        } else {
            // A hard link fails if the name was taken meanwhile: never clobbers.
            match std::fs::hard_link(&self.tmp, &self.dest) {
                Ok(()) => {
                    let _ = std::fs::remove_file(&self.tmp);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => bail!(
                    "{} already exists: choose another path, or use export! to replace it",
                    self.dest.display()
                ),
                Err(_) if !self.dest.exists() => std::fs::rename(&self.tmp, &self.dest)
                    .with_context(|| format!("cannot write {}", self.dest.display()))?,
                Err(e) => return Err(e).context(format!("cannot write {}", self.dest.display())),
            }
        }
        Ok(self.rows)
    }
}

impl Drop for Export {
    fn drop(&mut self) {
        // Whatever happened, no temporary file is left behind.
        let _ = std::fs::remove_file(&self.tmp);
    }
}

/// A Markdown table cell: inert text (no formatting, link, HTML or cell break), one line.
fn md_cell(s: &str) -> String {
    crate::output::md_text(s)
}

/// Write a whole list at once (used for small lists and tests).
pub fn write(
    path: &Path,
    case: &Path,
    format: &str,
    headers: &[String],
    rows: &[Vec<String>],
    overwrite: bool,
) -> Result<usize> {
    let mut e = Export::begin(path, case, format, headers, overwrite)?;
    for r in rows {
        e.row(r)?;
    }
    e.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h() -> Vec<String> {
        vec!["a".into(), "b".into()]
    }
    fn rows() -> Vec<Vec<String>> {
        vec![vec!["1".into(), "x|y".into()], vec!["2".into(), "z".into()]]
    }

    #[test]
    fn json_streams_a_valid_array() {
        let d = tempfile::tempdir().unwrap();
        let case = d.path().join("c.case");
        let p = d.path().join("o.json");
        assert_eq!(write(&p, &case, "json", &h(), &rows(), false).unwrap(), 2);
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        assert_eq!(v[1]["b"], "z");
        assert_eq!(v.as_array().unwrap().len(), 2);
        let p0 = d.path().join("empty.json");
        write(&p0, &case, "json", &h(), &[], false).unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&p0).unwrap()).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 0);
    }

    #[test]
    fn refuses_existing_files_and_the_case_unless_forced() {
        let d = tempfile::tempdir().unwrap();
        let case = d.path().join("c.case");
        std::fs::write(&case, "CASE").unwrap();
        let p = d.path().join("o.csv");
        std::fs::write(&p, "keep me").unwrap();
        let e = write(&p, &case, "csv", &h(), &rows(), false).unwrap_err();
        assert!(format!("{e:#}").contains("export!"), "{e:#}");
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "keep me");
        // forced: replaced
        write(&p, &case, "csv", &h(), &rows(), true).unwrap();
        assert!(std::fs::read_to_string(&p).unwrap().starts_with("a,b\n1,"));
        // the case and its sidecars: never, even forced, even spelled differently
        let other = d.path().join(".").join("c.case");
        for dest in [
            case.clone(),
            other,
            d.path().join("c.case-wal"),
            d.path().join("c.case-shm"),
        ] {
            let e = write(&dest, &case, "csv", &h(), &rows(), true).unwrap_err();
            assert!(format!("{e:#}").contains("open case"), "{e:#}");
        }
        assert_eq!(std::fs::read_to_string(&case).unwrap(), "CASE");
        assert!(!d.path().join("c.case-wal").exists());
        // no temporary files left behind
        let left: Vec<_> = std::fs::read_dir(d.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
            .collect();
        assert!(left.is_empty());
    }
}
