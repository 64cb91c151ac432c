//! Small helpers used across modules.

use sha2::{Digest, Sha256};

/// A hidden file beside `dest` for work in progress, `.NAME.WHAT-PID` in `dest`'s folder (the
/// same file system, so it can be renamed into place); the folder is created if missing.
pub fn beside(dest: &std::path::Path, what: &str) -> anyhow::Result<std::path::PathBuf> {
    use anyhow::Context;
    let dir = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name = dest
        .file_name()
        .with_context(|| format!("{} names no file", dest.display()))?
        .to_string_lossy();
    Ok(dir.join(format!(".{name}.{what}-{}", std::process::id())))
}

/// The files SQLite keeps beside a database while it is open or was not closed cleanly.
const SIDE_FILES: [&str; 3] = ["-wal", "-shm", "-journal"];

/// `path` resolved against the current folder with its parent canonicalised, so two spellings
/// of one file compare equal even when the file does not exist yet.
pub fn resolve(path: &std::path::Path) -> anyhow::Result<std::path::PathBuf> {
    use anyhow::Context;
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file name", path.display()))?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let parent = parent
        .canonicalize()
        .with_context(|| format!("no folder {}: create it first", parent.display()))?;
    Ok(parent.join(name))
}

/// Whether `path` is the case file `case` or one of SQLite's files beside it (both as
/// [`resolve`] gives them): writing there would destroy evidence.
pub fn is_case_file(path: &std::path::Path, case: &std::path::Path) -> bool {
    std::iter::once("").chain(SIDE_FILES).any(|suffix| {
        let mut own = case.as_os_str().to_owned();
        own.push(suffix);
        path == std::path::Path::new(&own)
    })
}

/// Remove a database and SQLite's files beside it (a scratch copy that is not wanted).
pub fn remove_case_files(path: &std::path::Path) {
    for suffix in std::iter::once("").chain(SIDE_FILES) {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(std::path::Path::new(&p));
    }
}

/// Cores this process may use (1 when the system will not say).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A SHA-256 as the case stores it: 32 bytes (a BLOB), half the size of its hex text in every
/// row and unique index that holds one. Shown and compared by people as lowercase hex.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Sha256Sum(pub [u8; 32]);

impl Sha256Sum {
    pub fn of(bytes: &[u8]) -> Sha256Sum {
        Sha256Sum(Sha256::digest(bytes).into())
    }
}

impl std::fmt::Display for Sha256Sum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl std::fmt::Debug for Sha256Sum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl rusqlite::ToSql for Sha256Sum {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::Borrowed(
            rusqlite::types::ValueRef::Blob(&self.0),
        ))
    }
}

/// Reads the stored 32 bytes, or the 64-character hex text cases wrote before schema 13 (and
/// that hand-made test rows still use); any other value is not a SHA-256.
impl rusqlite::types::FromSql for Sha256Sum {
    fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        use rusqlite::types::{FromSqlError, ValueRef};
        let bytes: Option<[u8; 32]> = match v {
            ValueRef::Blob(b) => b.try_into().ok(),
            ValueRef::Text(t) => {
                let mut out = [0u8; 32];
                hex::decode_to_slice(t, &mut out).ok().map(|()| out)
            }
            _ => None,
        };
        bytes.map(Sha256Sum).ok_or(FromSqlError::InvalidType)
    }
}

/// A BLOB value as output shows it: a short one (a stored SHA-256 is 32 bytes) as lowercase
/// hex, to compare with `sha256sum`; a longer one by its size (compressed evidence reads as
/// text through `zl_raw(raw)`).
pub fn blob_shown(b: &[u8]) -> String {
    if b.len() <= 32 {
        hex::encode(b)
    } else {
        format!("<{} bytes>", b.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_sum_shows_as_the_hex_people_compare() {
        let s = Sha256Sum::of(b"abc");
        assert_eq!(s.to_string(), sha256_hex(b"abc"));
        let c = rusqlite::Connection::open_in_memory().unwrap();
        let (kind, back): (String, Sha256Sum) = c
            .query_row("SELECT typeof(?1), ?1", [s], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!((kind.as_str(), back), ("blob", s));
        let old: Sha256Sum = c
            .query_row("SELECT ?1", [sha256_hex(b"abc")], |r| r.get(0))
            .unwrap();
        assert_eq!(old, s);
    }

    #[test]
    fn sha256_matches_known_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
