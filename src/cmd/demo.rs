//! `zoomlens demo`: build the demo case, print what was planted, open the console.

use super::args::DemoArgs;
use crate::sim::demo::{build_demo, default_case_path};
use crate::sim::generator::Config;
use crate::store::Store;
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::process::ExitCode;

/// `zoomlens demo`.
pub fn run(a: &DemoArgs) -> Result<ExitCode> {
    let cfg = Config::from_knobs(&super::knobs(&a.tenant))?;
    let case = match &a.case {
        Some(p) => p.clone(),
        None => default_case_path()?,
    };
    let t0 = std::time::Instant::now();
    let truth = build_demo(&cfg, &case)?;
    println!(
        "demo case {} built in {:.1} s: {} users, {} days from {}, seed {}",
        case.display(),
        t0.elapsed().as_secs_f64(),
        cfg.users,
        cfg.days,
        cfg.start,
        cfg.seed
    );
    let store = Store::open_readonly(&case)?;
    let st = crate::store::status::case_status(&store)?;
    let mut out = std::io::stdout().lock();
    crate::store::status::write_status(&mut out, &case.display().to_string(), &st)?;
    drop(store);
    let mut by_rule: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for i in truth.incidents.iter() {
        by_rule.entry(&i.rule).or_default().0 += 1;
    }
    for i in truth.near_misses.iter() {
        by_rule.entry(&i.rule).or_default().1 += 1;
    }
    println!("\nplanted (incidents / near-misses that must not be flagged):");
    for (rule, (n, m)) in &by_rule {
        println!("  {rule:<40} {n:>2} / {m}");
    }
    // The console sees the tenant as the demo's detection saw it (its offices, its people's
    // other names, its geolocation database), and so does whoever the case is handed to.
    let mut cfg = crate::sim::score::detect_config(&truth);
    cfg.geoip_db = Some(crate::sim::score::geo_path(&case));
    let mut conf = case.as_os_str().to_owned();
    conf.push(".toml");
    let conf = std::path::PathBuf::from(conf);
    let text = toml::to_string(&cfg).context("writing the demo's detection config")?;
    super::write_atomically(&conf, text.as_bytes())?;
    if a.no_open {
        println!(
            "\nopen it with: zoomlens open {} --config {}",
            case.display(),
            conf.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    super::console(&case, &cfg)
}
