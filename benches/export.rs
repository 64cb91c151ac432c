//! Export benchmark: a large case to OCSF Parquet (every source OCSF maps), rows per second
//! and peak memory of the export alone.
//!
//!     cargo bench --bench export                 # builds a 30,000-user x 30-day case first
//!     ZOOMLENS_BENCH_CASE=/tmp/big.zl cargo bench --bench export   # build once, then reuse
//!     ZOOMLENS_BENCH_USERS=5000 ZOOMLENS_BENCH_DAYS=14 ...          # a smaller case
//!
//! The case is generated and imported through the same doors real data takes
//! (`sim::score::build_case`). The export runs in a child process so that its peak RSS
//! (VmHWM) is the export's, not the case build's.

use std::path::PathBuf;
use std::time::Instant;
use zoomlens::report::export::{self, ExportOptions, Format, Target};
use zoomlens::store::Store;

fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).map(|n| n.parse().unwrap_or(0)))
        })
        .unwrap_or(0)
}

fn env_num(k: &str, d: usize) -> usize {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

fn main() {
    let case: PathBuf = std::env::var_os("ZOOMLENS_BENCH_CASE")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("zoomlens-export-bench.zl"));
    if std::env::var_os("ZOOMLENS_EXPORT_CHILD").is_none() {
        if !case.exists() {
            let users = env_num("ZOOMLENS_BENCH_USERS", 30_000);
            let days = env_num("ZOOMLENS_BENCH_DAYS", 30) as u32;
            println!(
                "building {} ({users} users x {days} days)...",
                case.display()
            );
            let t = Instant::now();
            let cfg = zoomlens::sim::generator::Config::small(42, users, days);
            zoomlens::sim::score::build_case(&cfg, &case).expect("build the case");
            println!("built in {:.1} s", t.elapsed().as_secs_f64());
        }
        // Measure in a fresh process: its VmHWM is the export's own.
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .env("ZOOMLENS_EXPORT_CHILD", "1")
            .env("ZOOMLENS_BENCH_CASE", &case)
            .status()
            .unwrap();
        assert!(status.success());
        return;
    }
    let store = Store::open_readonly(&case).expect("open the case");
    let sessions: i64 = store
        .conn
        .query_row("SELECT count(*) FROM participants", [], |r| r.get(0))
        .unwrap();
    let case_mb = std::fs::metadata(&case).unwrap().len() as f64 / 1e6;
    let out = std::env::temp_dir().join(format!("zoomlens-export-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let opts = ExportOptions {
        target: Target::Ocsf,
        format: Format::Parquet,
        out: out.clone(),
        from: None,
        to: None,
        sources: vec![],
        force: false,
    };
    let before = vm_hwm_kb();
    let t = Instant::now();
    let summary = export::export(&store, &opts).expect("export");
    let secs = t.elapsed().as_secs_f64();
    let rows: u64 = summary.files.iter().map(|f| f.rows).sum();
    let bytes: u64 = summary
        .files
        .iter()
        .map(|f| {
            std::fs::metadata(out.join(&f.path))
                .map(|m| m.len())
                .unwrap_or(0)
        })
        .sum();
    println!("case: {} participant sessions, {:.0} MB", sessions, case_mb);
    for (class, (files, n)) in summary.per_class() {
        println!("  {class:<24} {files:>4} files {n:>10} rows");
    }
    println!(
        "OCSF Parquet export: {rows} events in {secs:.1} s = {:.0} rows/s; {} files, {:.0} MB written",
        rows as f64 / secs,
        summary.files.len(),
        bytes as f64 / 1e6
    );
    println!(
        "peak RSS (VmHWM): {:.0} MB (before the export: {:.0} MB)",
        vm_hwm_kb() as f64 / 1024.0,
        before as f64 / 1024.0
    );
    let _ = std::fs::remove_dir_all(&out);
}
