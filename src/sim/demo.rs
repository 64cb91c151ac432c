//! `zoomlens demo`: build the demo case (a synthetic tenant with every incident planted)
//! and open the console on it.
//!
//! The case is built beside its destination under a temporary name and renamed over the old
//! demo only when complete, so an interrupted build never leaves a half-made demo behind.

use crate::sim::generator::Config;
use crate::store::Store;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// The demo case's default location: `<data dir>/zoomlens/demo.zl`.
pub fn default_case_path() -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "zoomlens")
        .context("cannot find a data directory for this user; pass --case PATH")?;
    Ok(dirs.data_dir().join("demo.zl"))
}

/// Build the demo case at `case` from `cfg`; returns what was planted.
pub fn build_demo(cfg: &Config, case: &Path) -> Result<crate::sim::generator::Truth> {
    ensure_replaceable(case)?;
    let work = crate::util::beside(case, "gen")?;
    let tmp_case = crate::util::beside(case, "tmp")?;
    let result = (|| -> Result<crate::sim::generator::Truth> {
        let truth = crate::sim::score::build_case_in(cfg, &tmp_case, &work)?;
        let mut store = Store::open(&tmp_case)?;
        // Marks the file as a demo, so a later demo build may replace it (and nothing else).
        store.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('demo', '1')",
            [],
        )?;
        // The demo opens on its incidents, so the rules run as part of the build, configured as
        // the organisation's analyst would (its offices, carriers, partners).
        crate::detect::run(&mut store, &crate::sim::score::detect_config(&truth), &[])
            .context("running the detection rules on the demo case")?;
        store
            .conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        drop(store);
        Ok(truth)
    })();
    let truth = match result {
        Ok(t) => t,
        Err(e) => {
            crate::util::remove_case_files(&tmp_case);
            let _ = std::fs::remove_file(crate::sim::score::geo_path(&tmp_case));
            return Err(e);
        }
    };
    let mut truth = truth;
    // An old demo's journal files must not be replayed onto the new database.
    for ext in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", case.display()));
    }
    std::fs::rename(&tmp_case, case)
        .with_context(|| format!("cannot move the new demo case to {}", case.display()))?;
    // The analyst's geolocation database of the tenant travels with its case.
    let geo = crate::sim::score::geo_path(case);
    std::fs::rename(crate::sim::score::geo_path(&tmp_case), &geo).with_context(|| {
        format!(
            "cannot move the demo's geolocation database to {}",
            geo.display()
        )
    })?;
    truth
        .assumptions
        .insert("geoip_db".into(), geo.display().to_string());
    crate::util::remove_case_files(&tmp_case);
    Ok(truth)
}

/// A demo build replaces its destination, so it must only ever replace an earlier demo: a real
/// case given by mistake as `--case` is refused, never overwritten.
fn ensure_replaceable(case: &Path) -> Result<()> {
    if !case.exists() {
        return Ok(());
    }
    let is_demo = rusqlite::Connection::open_with_flags(
        case,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .and_then(|c| {
        c.query_row("SELECT value FROM meta WHERE key = 'demo'", [], |r| {
            r.get::<_, String>(0)
        })
    })
    .is_ok_and(|v| v == "1");
    if !is_demo {
        anyhow::bail!(
            "{} exists and is not a zoomlens demo case; the demo never replaces other files: \
             choose another --case path (or remove that file yourself)",
            case.display()
        );
    }
    Ok(())
}
