//! The simulator's planted incidents: generate a small tenant with every incident and its
//! near-miss, import it through the real doors, run every rule, and check that each planted
//! incident is found and no near-miss is flagged. Prints precision and recall per rule.

use std::collections::BTreeMap;
use zoomlens::detect::{self, finding};
use zoomlens::sim::generator::Config;
use zoomlens::sim::score::{haystack, matches};
use zoomlens::store::Store;

#[test]
fn every_planted_incident_found_and_no_near_miss_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("planted.zl");
    let cfg = Config::small(11, 60, 14);
    let truth = zoomlens::sim::demo::build_demo(&cfg, &case).unwrap();
    let mut store = Store::open(&case).unwrap();
    // The tenant's policy, as the generator states it (the analyst's config for this org).
    let mut dcfg = detect::Config::default();
    let a = &truth.assumptions;
    if let Some(d) = a.get("internal_domains") {
        dcfg.internal_domains = d.split(',').map(str::to_string).collect();
    }
    if let Some(k) = a.get("sensitive_keywords") {
        dcfg.sensitive_topics = k.split(',').map(|s| s.to_lowercase()).collect();
    }
    if let Some(v) = a.get("min_client_version") {
        dcfg.min_client_version = v.clone();
    }
    // Beyond Zoom (issue 19): the analyst's geolocation database and Microsoft 365 UPNs,
    // and the networks the travel and session rules judge places by (offices, the VPN).
    let policy = zoomlens::sim::score::detect_config(&truth);
    dcfg.geoip_db = policy.geoip_db;
    dcfg.user_aliases = policy.user_aliases;
    dcfg.offices = policy.offices;
    dcfg.known_ip_ranges = policy.known_ip_ranges;
    dcfg.mobile_ip_ranges = policy.mobile_ip_ranges;
    println!("assumptions: {a:?}");
    let report = detect::run(&mut store, &dcfg, &[]).unwrap();
    let mut all = finding::load_findings(&store.conn, detect::Severity::Info, &[]).unwrap();
    finding::load_evidence(&store.conn, &mut all).unwrap();
    let hay: Vec<(String, String)> = all.iter().map(|f| (f.rule.clone(), haystack(f))).collect();

    let mut missed = Vec::new();
    let mut flagged = Vec::new();
    // rule -> (incidents, found, near-misses, flagged, findings, true-positive findings)
    let mut per: BTreeMap<String, [usize; 6]> = BTreeMap::new();
    for r in detect::rules::registry() {
        per.insert(r.id.to_string(), [0; 6]);
    }
    for it in &truth.incidents {
        let e = per.entry(it.rule.clone()).or_default();
        e[0] += 1;
        if hay.iter().any(|(r, h)| *r == it.rule && matches(it, h)) {
            e[1] += 1;
        } else {
            missed.push(format!(
                "{}: {:?} {:?} {:?} — {}",
                it.rule, it.user, it.meeting_uuid, it.ip, it.note
            ));
        }
    }
    for it in &truth.near_misses {
        let e = per.entry(it.rule.clone()).or_default();
        e[2] += 1;
        if let Some((_, h)) = hay.iter().find(|(r, h)| *r == it.rule && matches(it, h)) {
            e[3] += 1;
            flagged.push(format!(
                "{}: {:?} — {} ⇐ {}",
                it.rule,
                it.user,
                it.note,
                &h[..h.len().min(160)]
            ));
        }
    }
    for (rule, h) in &hay {
        let e = per.entry(rule.clone()).or_default();
        e[4] += 1;
        if truth
            .incidents
            .iter()
            .any(|it| it.rule == *rule && matches(it, h))
        {
            e[5] += 1;
        }
    }
    println!(
        "{:<40} {:>9} {:>6} {:>5} {:>7} {:>8} {:>9} {:>7}",
        "rule", "incidents", "found", "near", "flagged", "findings", "precision", "recall"
    );
    for (rule, [inc, found, near, fl, n, tp]) in &per {
        let prec = if *n == 0 {
            "-".to_string()
        } else {
            format!("{:.2}", *tp as f64 / *n as f64)
        };
        let rec = if *inc == 0 {
            "-".to_string()
        } else {
            format!("{:.2}", *found as f64 / *inc as f64)
        };
        let status = match &report.run_of(rule).map(|r| r.status.clone()) {
            Some(detect::RunStatus::Skipped(w)) => format!("  (could not run: {w})"),
            _ => String::new(),
        };
        println!(
            "{rule:<40} {inc:>9} {found:>6} {near:>5} {fl:>7} {n:>8} {prec:>9} {rec:>7}{status}"
        );
    }
    for m in &missed {
        println!("MISSED  {m}");
    }
    for f in &flagged {
        println!("FLAGGED {f}");
    }
    assert!(
        missed.is_empty(),
        "{} planted incident(s) missed",
        missed.len()
    );
    assert!(
        flagged.is_empty(),
        "{} near-miss(es) flagged",
        flagged.len()
    );
}
