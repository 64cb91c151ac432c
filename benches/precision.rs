//! Precision benchmark: generate a realistic tenant with every incident planted, import it,
//! run every rule, and print per rule the planted incidents found, near-misses flagged and
//! findings that are not planted incidents, by severity (the README's detection table).
//!
//!     cargo bench --bench precision                               # 2,000 users x 30 days
//!     ZOOMLENS_PREC_USERS=20000 cargo bench --bench precision     # the realistic organisation
//!     ZOOMLENS_PREC_CASE=/tmp/t20k.zl ZOOMLENS_PREC_TRUTH=/tmp/t20k/truth.json \
//!         cargo bench --bench precision                           # score an imported case
//!
//! `ZOOMLENS_PREC_KEEP=DIR` keeps the generated case (`DIR/prec.zl`) and its `DIR/truth.json`
//! for a look at what was flagged (the last form scores it again).
//!
//! The case of the last form is one made by `zoomlens gen --out DIR` and `zoomlens import
//! CASE DIR/*.ndjson DIR/*.csv`; its rules are run again here with the tenant's policy.

use std::time::Instant;
use zoomlens::detect;
use zoomlens::sim::generator::{Config, Truth};
use zoomlens::sim::score;
use zoomlens::store::Store;

fn env_num(k: &str, d: u64) -> u64 {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` runs this with no flag: skip then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let t0 = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let (case, truth): (std::path::PathBuf, Truth) = match std::env::var("ZOOMLENS_PREC_CASE") {
        Ok(c) => {
            let tp = std::env::var("ZOOMLENS_PREC_TRUTH")
                .expect("ZOOMLENS_PREC_TRUTH: the truth.json of the generated tenant");
            let truth = serde_json::from_slice(&std::fs::read(tp).unwrap()).unwrap();
            (c.into(), truth)
        }
        Err(_) => {
            let users = env_num("ZOOMLENS_PREC_USERS", 2000) as usize;
            let days = env_num("ZOOMLENS_PREC_DAYS", 30) as u32;
            let mut cfg = Config::small(env_num("ZOOMLENS_PREC_SEED", 42), users, days);
            cfg.external_share = 0.08;
            cfg.guest_share = 0.04;
            let dir = std::env::var("ZOOMLENS_PREC_KEEP")
                .map(std::path::PathBuf::from)
                .unwrap_or_else(|_| tmp.path().to_path_buf());
            std::fs::create_dir_all(&dir).unwrap();
            let case = dir.join("prec.zl");
            let truth = score::build_case(&cfg, &case).unwrap();
            std::fs::write(
                dir.join("truth.json"),
                serde_json::to_vec_pretty(&truth).unwrap(),
            )
            .unwrap();
            eprintln!(
                "generated and imported {users} users x {days} days in {:.0} s",
                t0.elapsed().as_secs_f64()
            );
            (case, truth)
        }
    };
    let mut store = Store::open(&case).unwrap();
    let dcfg = score::detect_config(&truth);
    let t1 = Instant::now();
    let report = detect::run(&mut store, &dcfg, &[]).unwrap();
    eprintln!("detect: {:.1} s", t1.elapsed().as_secs_f64());
    let card = score::score(&store.conn, &truth, Some(&report)).unwrap();
    println!("{}", card.table());
}
