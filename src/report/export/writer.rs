//! Where exported rows land: NDJSON files, CSV files, and Hive-partitioned Parquet
//! (`class=<name>/eventDay=YYYYMMDD/part-NNNN.parquet`, as Amazon Security Lake lays its data
//! out), each file written under a dot-prefixed temporary name and renamed when complete, so an
//! interrupted export never leaves half a file under its final name (and Hive-style readers skip
//! dot files).

use anyhow::{Context, Result, bail};
use parquet::basic::{Compression, LogicalType, Repetition, TimeUnit, Type as Physical};
use parquet::column::writer::ColumnWriter;
use parquet::data_type::ByteArray;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use serde_json::Value;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file being written under a temporary name beside its final one.
pub struct AtomicFile {
    tmp: PathBuf,
    dest: PathBuf,
    out: Option<BufWriter<File>>,
}

impl AtomicFile {
    pub fn create(dest: &Path) -> Result<AtomicFile> {
        let tmp = crate::util::beside(dest, "tmp")?;
        let f = File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
        Ok(AtomicFile {
            tmp,
            dest: dest.to_path_buf(),
            out: Some(BufWriter::with_capacity(1 << 16, f)),
        })
    }

    pub fn writer(&mut self) -> &mut BufWriter<File> {
        self.out.as_mut().expect("open until finished")
    }

    /// Flush, sync and rename into place.
    pub fn finish(mut self) -> Result<()> {
        let out = self.out.take().expect("finished once");
        let f = out
            .into_inner()
            .map_err(|e| anyhow::anyhow!("cannot write {}: {}", self.tmp.display(), e.error()))?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&self.tmp, &self.dest)
            .with_context(|| format!("cannot write {}", self.dest.display()))
    }
}

impl Drop for AtomicFile {
    /// An unfinished file (an error part-way) is removed, never renamed.
    fn drop(&mut self) {
        if self.out.is_some() {
            self.out = None;
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// A column's type in Parquet. Every column is OPTIONAL (absent values are nulls), every group
/// too, so a row is shredded with definition levels only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int32,
    Int64,
    Bool,
    Double,
    Str,
    /// Epoch milliseconds or an RFC 3339 string in the JSON; TIMESTAMP(MILLIS, UTC) in Parquet.
    TimestampMs,
    /// Any JSON value (arrays, free-form objects) as a string column with Parquet's JSON
    /// logical type.
    Json,
}

/// The columns of one Parquet class, as dotted paths into the JSON event (`metadata.product.name`).
pub type Columns = &'static [(&'static str, Kind)];

/// A parsed column layout: the Parquet schema and, per leaf in schema order, its path.
struct Layout {
    schema: Arc<Type>,
    leaves: Vec<(Vec<&'static str>, Kind)>,
    /// Every path and path prefix that has a column; a prefix maps to None.
    known: HashMap<String, Option<Kind>>,
}

/// One node of the group tree being built from dotted paths (insertion order is schema order).
enum Node {
    Leaf(Kind),
    Group(Vec<(&'static str, Node)>),
}

impl Layout {
    fn new(cols: Columns) -> Result<Layout> {
        let mut root: Vec<(&'static str, Node)> = Vec::new();
        let mut known = HashMap::new();
        for (path, kind) in cols {
            let parts: Vec<&'static str> = path.split('.').collect();
            let mut level = &mut root;
            for (i, part) in parts.iter().enumerate() {
                let last = i + 1 == parts.len();
                let prefix = parts[..=i].join(".");
                let pos = level.iter().position(|(n, _)| n == part);
                if last {
                    if pos.is_some() {
                        bail!("column {path} is defined twice");
                    }
                    level.push((part, Node::Leaf(*kind)));
                    known.insert(prefix, Some(*kind));
                } else {
                    let pos = match pos {
                        Some(p) => p,
                        None => {
                            level.push((part, Node::Group(Vec::new())));
                            known.insert(prefix, None);
                            level.len() - 1
                        }
                    };
                    level = match &mut level[pos].1 {
                        Node::Group(g) => g,
                        Node::Leaf(_) => bail!("{path} lies under a leaf column"),
                    };
                }
            }
        }
        let mut leaves = Vec::new();
        let fields = build(&root, &mut Vec::new(), &mut leaves)?;
        let schema = Type::group_type_builder("schema")
            .with_fields(fields)
            .build()?;
        Ok(Layout {
            schema: Arc::new(schema),
            leaves,
            known,
        })
    }
}

fn build(
    nodes: &[(&'static str, Node)],
    path: &mut Vec<&'static str>,
    leaves: &mut Vec<(Vec<&'static str>, Kind)>,
) -> Result<Vec<Arc<Type>>> {
    let mut out = Vec::new();
    for (name, node) in nodes {
        path.push(name);
        let t = match node {
            Node::Leaf(kind) => {
                leaves.push((path.clone(), *kind));
                let (phys, logical) = match kind {
                    Kind::Int32 => (Physical::INT32, None),
                    Kind::Int64 => (Physical::INT64, None),
                    Kind::Bool => (Physical::BOOLEAN, None),
                    Kind::Double => (Physical::DOUBLE, None),
                    Kind::Str => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
                    Kind::Json => (Physical::BYTE_ARRAY, Some(LogicalType::Json)),
                    Kind::TimestampMs => (
                        Physical::INT64,
                        Some(LogicalType::timestamp(true, TimeUnit::MILLIS)),
                    ),
                };
                Type::primitive_type_builder(name, phys)
                    .with_repetition(Repetition::OPTIONAL)
                    .with_logical_type(logical)
                    .build()?
            }
            Node::Group(children) => Type::group_type_builder(name)
                .with_repetition(Repetition::OPTIONAL)
                .with_fields(build(children, path, leaves)?)
                .build()?,
        };
        path.pop();
        out.push(Arc::new(t));
    }
    Ok(out)
}

/// Buffered values of one column for the row group being built.
enum Buf {
    I32(Vec<i32>),
    I64(Vec<i64>),
    Bool(Vec<bool>),
    F64(Vec<f64>),
    Bytes(Vec<ByteArray>),
}

/// One Parquet file of a partition, filled a row group at a time.
struct PartFile {
    file: AtomicFile,
    writer: Option<SerializedFileWriter<BufWriter<File>>>,
    bufs: Vec<(Buf, Vec<i16>)>,
    rows_in_group: usize,
    bytes_in_group: usize,
    rows: u64,
    path: PathBuf,
}

/// Rows per row group at most, and bytes of buffered values at most: memory per open file is
/// bounded whatever the case holds.
const GROUP_ROWS: usize = 64 * 1024;
const GROUP_BYTES: usize = 16 << 20;
/// Open files per class at most; a partition closed early and written to again gets the next
/// part number, so any row order gives a correct (if more fragmented) layout.
const MAX_OPEN: usize = 4;

impl PartFile {
    fn create(path: PathBuf, layout: &Layout) -> Result<PartFile> {
        let mut file = AtomicFile::create(&path)?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("zoomlens {}", env!("CARGO_PKG_VERSION")))
            .build();
        // The writer owns a second handle on the temporary file; the AtomicFile keeps the name.
        let handle = file.writer().get_ref().try_clone()?;
        let writer = SerializedFileWriter::new(
            BufWriter::with_capacity(1 << 16, handle),
            layout.schema.clone(),
            Arc::new(props),
        )?;
        let bufs = layout
            .leaves
            .iter()
            .map(|(_, k)| {
                let b = match k {
                    Kind::Int32 => Buf::I32(Vec::new()),
                    Kind::Int64 | Kind::TimestampMs => Buf::I64(Vec::new()),
                    Kind::Bool => Buf::Bool(Vec::new()),
                    Kind::Double => Buf::F64(Vec::new()),
                    Kind::Str | Kind::Json => Buf::Bytes(Vec::new()),
                };
                (b, Vec::new())
            })
            .collect();
        Ok(PartFile {
            file,
            writer: Some(writer),
            bufs,
            rows_in_group: 0,
            bytes_in_group: 0,
            rows: 0,
            path,
        })
    }

    fn push(&mut self, layout: &Layout, event: &Value) -> Result<()> {
        for (i, (path, kind)) in layout.leaves.iter().enumerate() {
            let mut v = event;
            let mut def: i16 = 0;
            let mut present = true;
            for p in path {
                match v.get(p) {
                    Some(x) if !x.is_null() => {
                        v = x;
                        def += 1;
                    }
                    _ => {
                        present = false;
                        break;
                    }
                }
            }
            let (buf, defs) = &mut self.bufs[i];
            defs.push(def);
            if !present {
                continue;
            }
            let bad = || anyhow::anyhow!("{} is not a {kind:?}: {v}", path.join("."));
            match (buf, kind) {
                (Buf::I32(b), _) => b.push(
                    v.as_i64()
                        .and_then(|n| i32::try_from(n).ok())
                        .ok_or_else(bad)?,
                ),
                (Buf::I64(b), Kind::TimestampMs) => b.push(
                    v.as_i64()
                        .or_else(|| {
                            v.as_str()
                                .and_then(crate::model::time::parse_time)
                                .map(|t| t.timestamp_millis())
                        })
                        .ok_or_else(bad)?,
                ),
                (Buf::I64(b), _) => b.push(v.as_i64().ok_or_else(bad)?),
                (Buf::Bool(b), _) => b.push(v.as_bool().ok_or_else(bad)?),
                (Buf::F64(b), _) => b.push(v.as_f64().ok_or_else(bad)?),
                (Buf::Bytes(b), Kind::Json) => {
                    let s = serde_json::to_string(v)?;
                    self.bytes_in_group += s.len();
                    b.push(ByteArray::from(s.into_bytes()));
                }
                (Buf::Bytes(b), _) => {
                    let s = v.as_str().ok_or_else(bad)?;
                    self.bytes_in_group += s.len();
                    b.push(ByteArray::from(s.as_bytes().to_vec()));
                }
            }
            self.bytes_in_group += 8;
        }
        self.rows_in_group += 1;
        self.rows += 1;
        if self.rows_in_group >= GROUP_ROWS || self.bytes_in_group >= GROUP_BYTES {
            self.flush_group()?;
        }
        Ok(())
    }

    fn flush_group(&mut self) -> Result<()> {
        if self.rows_in_group == 0 {
            return Ok(());
        }
        let w = self.writer.as_mut().expect("open");
        let mut rg = w.next_row_group()?;
        let mut i = 0;
        while let Some(mut col) = rg.next_column()? {
            let (buf, defs) = &mut self.bufs[i];
            match (col.untyped(), buf) {
                (ColumnWriter::Int32ColumnWriter(c), Buf::I32(b)) => {
                    c.write_batch(b, Some(defs), None)?;
                    b.clear();
                }
                (ColumnWriter::Int64ColumnWriter(c), Buf::I64(b)) => {
                    c.write_batch(b, Some(defs), None)?;
                    b.clear();
                }
                (ColumnWriter::BoolColumnWriter(c), Buf::Bool(b)) => {
                    c.write_batch(b, Some(defs), None)?;
                    b.clear();
                }
                (ColumnWriter::DoubleColumnWriter(c), Buf::F64(b)) => {
                    c.write_batch(b, Some(defs), None)?;
                    b.clear();
                }
                (ColumnWriter::ByteArrayColumnWriter(c), Buf::Bytes(b)) => {
                    c.write_batch(b, Some(defs), None)?;
                    b.clear();
                }
                _ => bail!("column {i}: buffer and Parquet type disagree"),
            }
            defs.clear();
            col.close()?;
            i += 1;
        }
        rg.close()?;
        self.rows_in_group = 0;
        self.bytes_in_group = 0;
        Ok(())
    }

    fn finish(mut self) -> Result<(PathBuf, u64)> {
        self.flush_group()?;
        let w = self.writer.take().expect("open");
        let mut inner = w.into_inner()?;
        inner.flush()?;
        drop(inner);
        self.file.finish()?;
        Ok((self.path, self.rows))
    }
}

/// The Parquet files of one class, partitioned by event day.
pub struct ParquetClass {
    root: PathBuf,
    class: &'static str,
    layout: Layout,
    /// Open partitions, most recently used last.
    open: Vec<(String, PartFile)>,
    next_part: HashMap<String, u32>,
    done: Vec<(PathBuf, u64)>,
}

impl ParquetClass {
    pub fn new(root: &Path, class: &'static str, cols: Columns) -> Result<ParquetClass> {
        Ok(ParquetClass {
            root: root.to_path_buf(),
            class,
            layout: Layout::new(cols)?,
            open: Vec::new(),
            next_part: HashMap::new(),
            done: Vec::new(),
        })
    }

    /// Add one event to the partition of its day (`YYYYMMDD`). Every field of the event must
    /// have a column (or lie under a JSON column): a field without one is a mapping bug, and
    /// failing here keeps the Parquet export from silently dropping data.
    pub fn push(&mut self, day: &str, event: &Value) -> Result<()> {
        check_covered(&self.layout, event, "")?;
        let pos = match self.open.iter().position(|(d, _)| d == day) {
            Some(p) => p,
            None => {
                if self.open.len() >= MAX_OPEN {
                    let (_, f) = self.open.remove(0);
                    self.done.push(f.finish()?);
                }
                let n = self.next_part.entry(day.to_string()).or_insert(0);
                let path = self
                    .root
                    .join(format!("class={}", self.class))
                    .join(format!("eventDay={day}"))
                    .join(format!("part-{n:04}.parquet"));
                *n += 1;
                self.open
                    .push((day.to_string(), PartFile::create(path, &self.layout)?));
                self.open.len() - 1
            }
        };
        if pos + 1 != self.open.len() {
            let e = self.open.remove(pos);
            self.open.push(e);
        }
        let last = self.open.len() - 1;
        self.open[last].1.push(&self.layout, event)
    }

    /// Close the open files (their buffered rows are written); a partition written to again
    /// gets the next part number.
    pub fn close_open(&mut self) -> Result<()> {
        for (_, f) in self.open.drain(..) {
            self.done.push(f.finish()?);
        }
        Ok(())
    }

    /// Close every file; returns each file written and its row count.
    pub fn finish(mut self) -> Result<Vec<(PathBuf, u64)>> {
        self.close_open()?;
        self.done.sort();
        Ok(self.done)
    }
}

fn check_covered(layout: &Layout, v: &Value, prefix: &str) -> Result<()> {
    let Value::Object(m) = v else { return Ok(()) };
    for (k, x) in m {
        if x.is_null() {
            continue;
        }
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match layout.known.get(&path) {
            Some(Some(_)) => {}
            Some(None) => check_covered(layout, x, &path)?,
            None => bail!("internal: the Parquet layout has no column for {path}"),
        }
    }
    Ok(())
}

/// A file of one JSON object per line.
pub struct NdjsonFile {
    file: AtomicFile,
    pub path: PathBuf,
    pub rows: u64,
}

impl NdjsonFile {
    pub fn create(path: PathBuf) -> Result<NdjsonFile> {
        Ok(NdjsonFile {
            file: AtomicFile::create(&path)?,
            path,
            rows: 0,
        })
    }

    /// Serde escapes what JSON needs; hostile characters stay faithful (a file, not a terminal).
    pub fn push(&mut self, v: &impl serde::Serialize) -> Result<()> {
        let w = self.file.writer();
        serde_json::to_writer(&mut *w, v)?;
        w.write_all(b"\n")?;
        self.rows += 1;
        Ok(())
    }

    pub fn finish(self) -> Result<(PathBuf, u64)> {
        self.file.finish()?;
        Ok((self.path, self.rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::RowAccessor;
    use serde_json::json;

    const COLS: Columns = &[
        ("time", Kind::TimestampMs),
        ("id", Kind::Int64),
        ("a.b.name", Kind::Str),
        ("a.n", Kind::Int32),
        ("list", Kind::Json),
        ("ok", Kind::Bool),
    ];

    #[test]
    fn partitions_days_and_reads_back_nested_and_null_values() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = ParquetClass::new(dir.path(), "demo", COLS).unwrap();
        c.push(
            "20260301",
            &json!({"time": 1772323200123i64, "id": 1, "a": {"b": {"name": "x"}, "n": 3}, "list": [1, 2], "ok": true}),
        )
        .unwrap();
        c.push("20260302", &json!({"time": 1772409600000i64, "id": 2}))
            .unwrap();
        c.push(
            "20260301",
            &json!({"time": 1772323201000i64, "id": 3, "a": {"n": 4}}),
        )
        .unwrap();
        let err = c
            .push("20260301", &json!({"time": 1, "stray": 1}))
            .unwrap_err();
        assert!(err.to_string().contains("stray"), "{err}");
        let files = c.finish().unwrap();
        assert_eq!(files.len(), 2);
        assert!(
            files[0]
                .0
                .ends_with("class=demo/eventDay=20260301/part-0000.parquet")
        );
        assert_eq!(files[0].1, 2);
        let r = SerializedFileReader::new(File::open(&files[0].0).unwrap()).unwrap();
        let rows: Vec<_> = r.get_row_iter(None).unwrap().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].get_timestamp_millis(0).unwrap(), 1772323200123);
        let s = rows[0].to_string();
        assert!(s.contains("name: \"x\""), "{s}");
        assert!(s.contains("[1,2]"), "{s}");
        let s1 = rows[1].to_string();
        assert!(s1.contains("b: null") && s1.contains("n: 4"), "{s1}");
        // Nothing is left under a temporary name.
        let stray: Vec<_> = walk(dir.path())
            .into_iter()
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with('.'))
            .collect();
        assert!(stray.is_empty(), "{stray:?}");
    }

    #[test]
    fn an_unfinished_file_never_gets_its_final_name() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("x.ndjson");
        {
            let mut f = NdjsonFile::create(dest.clone()).unwrap();
            f.push(&json!({"a": 1})).unwrap();
            // Dropped without finish: an error part-way.
        }
        assert!(!dest.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    pub(crate) fn walk(p: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(p).unwrap() {
            let e = e.unwrap().path();
            if e.is_dir() {
                out.extend(walk(&e));
            } else {
                out.push(e);
            }
        }
        out
    }
}
