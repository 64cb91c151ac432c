//! Scoring detection against the generator's ground truth: per rule, how many planted
//! incidents were found (recall), how many near-misses were flagged, and how many findings are
//! not planted incidents, by severity (precision). Used by `tests/detect_planted.rs`,
//! `tests/detect_precision.rs` and `cargo bench --bench precision`.
//!
//! A finding matches a truth item when every entity the item names (user, meeting, IP, time)
//! appears in the finding's entities, summary or evidence fields.

use crate::detect::{self, Severity, StoredFinding, finding};
use crate::ingest::{ImportOptions, import_paths};
use crate::sim::generator::{self, Truth, TruthItem, output::CaptureWriter};
use crate::store::Store;
use anyhow::{Result, bail};
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Generate a tenant into a scratch directory beside `case` and import every capture (webhooks
/// too) into a new case at `case`. Returns the truth. No rule is run.
pub fn build_case(cfg: &generator::Config, case: &Path) -> Result<Truth> {
    build_case_in(cfg, case, &case.with_extension("gen"))
}

/// [`build_case`] with the scratch directory named (it is the captures' provenance in the
/// case); the directory is removed whatever happens. The demo builds its case this way too.
pub fn build_case_in(cfg: &generator::Config, case: &Path, work: &Path) -> Result<Truth> {
    let _ = std::fs::remove_dir_all(work);
    let result = generate_and_import(cfg, case, work);
    let _ = std::fs::remove_dir_all(work);
    result
}

fn generate_and_import(cfg: &generator::Config, case: &Path, work: &Path) -> Result<Truth> {
    let mut w = CaptureWriter::create(work)?;
    let truth = generator::generate(cfg, &mut w)?.truth;
    drop(w);
    let mut store = Store::open(case)?;
    let files: Vec<PathBuf> = [
        "captures.ndjson",
        "webhooks.ndjson",
        "departures.csv",
        "assets.csv",
        "vips.csv",
    ]
    .iter()
    .chain(generator::beyond::IMPORTED)
    .map(|f| work.join(f))
    .collect();
    let summary = import_paths(&mut store, &files, &ImportOptions::default())?;
    // The analyst's geolocation database stays beside the case (the scratch folder goes).
    let mut truth = truth;
    let geo = geo_path(case);
    std::fs::copy(work.join(generator::beyond::GEO), &geo)?;
    truth
        .assumptions
        .insert("geoip_db".into(), geo.display().to_string());
    if summary.counts.total_rejected() > 0 {
        bail!(
            "{} generated records were rejected (first: {:?})",
            summary.counts.total_rejected(),
            summary.first_rejects.first()
        );
    }
    Ok(truth)
}

/// Where a built case's geolocation database is kept: `<case>.geoip.csv`.
pub fn geo_path(case: &Path) -> PathBuf {
    let mut s = case.as_os_str().to_owned();
    s.push(".geoip.csv");
    PathBuf::from(s)
}

/// The analyst's configuration for the generated organisation, as the generator states its
/// policy in `truth.assumptions`: internal and partner domains, sensitive keywords, the
/// minimum client version, the offices' and VPN's address ranges, mobile carriers' ranges.
pub fn detect_config(truth: &Truth) -> detect::Config {
    let mut c = detect::Config::default();
    let a = &truth.assumptions;
    let list = |k: &str| -> Option<Vec<String>> {
        a.get(k).map(|v| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
    };
    if let Some(d) = list("internal_domains") {
        c.internal_domains = d;
    }
    if let Some(k) = list("sensitive_keywords") {
        c.sensitive_topics = k.iter().map(|s| s.to_lowercase()).collect();
    }
    if let Some(v) = a.get("min_client_version") {
        c.min_client_version = v.clone();
    }
    if let Some(d) = list("known_partner_domains") {
        c.known_partner_domains = d;
    }
    if let Some(r) = list("known_ip_ranges") {
        c.known_ip_ranges = r;
    }
    if let Some(r) = list("mobile_ip_ranges") {
        c.mobile_ip_ranges = r;
    }
    if let Some(g) = a.get("geoip_db") {
        c.geoip_db = Some(g.into());
    }
    for (k, v) in a {
        if let Some(alias) = k.strip_prefix("alias:") {
            c.user_aliases.insert(alias.to_string(), v.clone());
        }
        if let Some(name) = k.strip_prefix("office:") {
            c.offices.insert(
                name.to_string(),
                v.split(',').map(|s| s.trim().to_string()).collect(),
            );
        }
    }
    c
}

/// Everything a finding says, lowercased: its entities, summary and evidence fields.
pub fn haystack(f: &StoredFinding) -> String {
    let mut s = format!(
        "{} {} {} {} {} {} {}",
        f.summary,
        f.user.clone().unwrap_or_default(),
        f.actor.clone().unwrap_or_default(),
        f.target.clone().unwrap_or_default(),
        f.meeting_id.map(|m| m.to_string()).unwrap_or_default(),
        f.meeting_uuid.clone().unwrap_or_default(),
        f.ip.clone().unwrap_or_default()
    );
    for e in &f.evidence {
        for v in e.fields.values() {
            match v {
                serde_json::Value::String(t) => {
                    s.push(' ');
                    s.push_str(t);
                }
                serde_json::Value::Number(n) => {
                    s.push(' ');
                    s.push_str(&n.to_string());
                }
                _ => {}
            }
        }
    }
    s.to_lowercase()
}

/// A finding matches a truth item when every entity the item names appears in it.
pub fn matches(it: &TruthItem, hay: &str) -> bool {
    let mut keys: Vec<String> = Vec::new();
    keys.extend(it.user.clone());
    keys.extend(it.meeting_uuid.clone());
    keys.extend(it.ip.clone());
    if it.meeting_uuid.is_none() {
        keys.extend(it.meeting_id.map(|m| m.to_string()));
    }
    // The time pins which of a person's actions is meant (an admin's weakening vs. their
    // later restore). Source gaps are named by their day.
    match (&it.time, it.rule.as_str()) {
        (Some(t), "source-silent") => keys.push(t[..10].to_string()),
        (Some(t), _) => keys.push(t.clone()),
        _ => {}
    }
    keys.iter().all(|k| hay.contains(&k.to_lowercase()))
}

/// One rule's score.
#[derive(Debug, Clone, Default)]
pub struct RuleScore {
    pub incidents: usize,
    pub found: usize,
    pub near: usize,
    pub flagged: usize,
    /// Findings by severity rank (info, low, medium, high, critical).
    pub findings: [usize; 5],
    /// Of those, the findings that match a planted incident.
    pub tp: [usize; 5],
    /// Whether the rule could run.
    pub skipped: Option<String>,
}

impl RuleScore {
    pub fn total(&self) -> usize {
        self.findings.iter().sum()
    }
    pub fn total_tp(&self) -> usize {
        self.tp.iter().sum()
    }
    /// Findings and true positives at `min` severity or above.
    pub fn at_least(&self, min: Severity) -> (usize, usize) {
        let r = min.rank() as usize;
        (
            self.findings[r..].iter().sum(),
            self.tp[r..].iter().sum::<usize>(),
        )
    }
}

/// Every rule's score, with what was missed and flagged.
#[derive(Debug, Clone, Default)]
pub struct Scorecard {
    pub rules: BTreeMap<String, RuleScore>,
    pub missed: Vec<String>,
    pub flagged: Vec<String>,
    /// Up to three example false positives per rule (summaries).
    pub examples: BTreeMap<String, Vec<String>>,
}

impl Scorecard {
    /// (findings, not-planted findings) at `min` severity or above, over all rules.
    pub fn at_least(&self, min: Severity) -> (usize, usize) {
        self.rules.values().fold((0, 0), |(n, fp), r| {
            let (a, tp) = r.at_least(min);
            (n + a, fp + a - tp)
        })
    }
    /// Findings that are not planted incidents, as a share of those at `min` or above.
    pub fn fp_share(&self, min: Severity) -> f64 {
        let (n, fp) = self.at_least(min);
        if n == 0 { 0.0 } else { fp as f64 / n as f64 }
    }
    pub fn info_findings(&self) -> usize {
        self.rules.values().map(|r| r.findings[0]).sum()
    }
    pub fn recall(&self) -> f64 {
        let (i, f) = self
            .rules
            .values()
            .fold((0, 0), |(i, f), r| (i + r.incidents, f + r.found));
        if i == 0 { 1.0 } else { f as f64 / i as f64 }
    }

    /// The per-rule table (Markdown), then the totals against the targets.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "| rule | incidents | found | near-misses flagged | findings | TP | FP | precision | recall | info/low/med/high/crit (FP) |"
        );
        let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for (rule, r) in &self.rules {
            let n = r.total();
            let tp = r.total_tp();
            let prec = if n == 0 {
                "-".to_string()
            } else {
                format!("{:.2}", tp as f64 / n as f64)
            };
            let rec = if r.incidents == 0 {
                "-".to_string()
            } else {
                format!("{:.2}", r.found as f64 / r.incidents as f64)
            };
            let sev: Vec<String> = (0..5)
                .map(|i| {
                    if r.findings[i] == 0 {
                        "0".into()
                    } else {
                        format!("{} ({})", r.findings[i], r.findings[i] - r.tp[i])
                    }
                })
                .collect();
            let skipped = r
                .skipped
                .as_ref()
                .map(|w| format!(" — could not run: {w}"))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "| {rule}{skipped} | {} | {} | {}/{} | {n} | {tp} | {} | {prec} | {rec} | {} |",
                r.incidents,
                r.found,
                r.flagged,
                r.near,
                n - tp,
                sev.join(" / ")
            );
        }
        let (nm, fpm) = self.at_least(Severity::Medium);
        let (nl, fpl) = self.at_least(Severity::Low);
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "recall {:.2}; near-misses flagged {}; medium+: {nm} findings, {fpm} not planted ({:.1}%, target ≤ 10%); \
             low+: {nl} findings, {fpl} not planted ({:.1}%, target ≤ 25%); info: {}",
            self.recall(),
            self.flagged.len(),
            100.0 * self.fp_share(Severity::Medium),
            100.0 * self.fp_share(Severity::Low),
            self.info_findings()
        );
        for m in &self.missed {
            let _ = writeln!(s, "MISSED  {m}");
        }
        for f in &self.flagged {
            let _ = writeln!(s, "FLAGGED {f}");
        }
        for (rule, ex) in &self.examples {
            for e in ex {
                let _ = writeln!(s, "FP      {rule}: {e}");
            }
        }
        s
    }
}

/// Score the findings stored in `conn` (every rule's latest run) against `truth`.
pub fn score(
    conn: &Connection,
    truth: &Truth,
    report: Option<&detect::Report>,
) -> Result<Scorecard> {
    let mut all = finding::load_findings(conn, Severity::Info, &[])?;
    finding::load_evidence(conn, &mut all)?;
    let hay: Vec<(&StoredFinding, String)> = all.iter().map(|f| (f, haystack(f))).collect();
    let mut card = Scorecard::default();
    for r in detect::rules::registry() {
        let mut s = RuleScore::default();
        if let Some(detect::RunStatus::Skipped(w)) = report
            .and_then(|rep| rep.run_of(r.id))
            .map(|x| x.status.clone())
        {
            s.skipped = Some(w);
        }
        card.rules.insert(r.id.to_string(), s);
    }
    for it in &truth.incidents {
        let e = card.rules.entry(it.rule.clone()).or_default();
        e.incidents += 1;
        if hay.iter().any(|(f, h)| f.rule == it.rule && matches(it, h)) {
            e.found += 1;
        } else {
            card.missed.push(format!(
                "{}: {:?} {:?} {:?} — {}",
                it.rule, it.user, it.meeting_uuid, it.ip, it.note
            ));
        }
    }
    for it in &truth.near_misses {
        let e = card.rules.entry(it.rule.clone()).or_default();
        e.near += 1;
        if let Some((f, _)) = hay
            .iter()
            .find(|(f, h)| f.rule == it.rule && matches(it, h))
        {
            e.flagged += 1;
            card.flagged.push(format!(
                "{}: {:?} — {} ⇐ {}",
                it.rule, it.user, it.note, f.summary
            ));
        }
    }
    for (f, h) in &hay {
        let sev = match f.severity.as_str() {
            "info" => 0,
            "low" => 1,
            "medium" => 2,
            "high" => 3,
            _ => 4,
        };
        let e = card.rules.entry(f.rule.clone()).or_default();
        e.findings[sev] += 1;
        if truth
            .incidents
            .iter()
            .any(|it| it.rule == f.rule && matches(it, h))
        {
            e.tp[sev] += 1;
        } else if sev > 0 {
            let ex = card.examples.entry(f.rule.clone()).or_default();
            if ex.len() < 3 {
                ex.push(format!("[{}] {}", f.severity, f.summary));
            }
        }
    }
    Ok(card)
}
