//! Detection configuration: TOML from `--config FILE`, else `<config dir>/zoomlens/detect.toml`,
//! else built-in defaults. `assets/detect.toml` is the documented default file.
//!
//! Unknown keys, unknown rule ids and unknown rule parameters are errors: a typo in a threshold
//! must not silently fall back to the default.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// The built-in default configuration file, documented.
pub const DEFAULT_TOML: &str = include_str!("../../assets/detect.toml");

/// Serialize: `zoomlens demo` writes its tenant's configuration beside the case it builds.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Extra internal email domains, added to the domains of the account's own users.
    #[serde(default)]
    pub internal_domains: Vec<String>,
    /// Extra VIP emails, added to the `vips` table.
    #[serde(default)]
    pub vip_emails: Vec<String>,
    /// Case-insensitive keywords that make a meeting topic sensitive.
    #[serde(default = "default_topics")]
    pub sensitive_topics: Vec<String>,
    /// Known IP ranges (CIDR or single addresses): offices, VPN egress. Never "new" or "unexpected".
    #[serde(default)]
    pub known_ip_ranges: Vec<String>,
    /// Named offices and their address ranges (IPv4 NAT and IPv6 prefixes of one site): two
    /// addresses of one office are the same place (dual-stack), and both count as known.
    #[serde(default)]
    pub offices: BTreeMap<String, Vec<String>>,
    /// Mobile carriers' and carrier-grade NAT ranges: a phone's address. A sign-in from one
    /// while its user sits in a meeting elsewhere is a phone beside the laptop.
    #[serde(default = "default_mobile")]
    pub mobile_ip_ranges: Vec<String>,
    /// Email domains of long-standing partners: their people in recurring or sensitive
    /// meetings are expected (still external; never internal).
    #[serde(default)]
    pub known_partner_domains: Vec<String>,
    /// Lowest acceptable Zoom client version.
    #[serde(default = "default_min_version")]
    pub min_client_version: String,
    /// Findings that share a person, meeting or recording this close in time are one incident.
    #[serde(default = "default_incident_window")]
    pub incident_window_hours: f64,
    /// Per-rule tables: `enabled` and the rule's thresholds.
    #[serde(default)]
    pub rules: BTreeMap<String, toml::Table>,
    // issue 19: sources beyond Zoom and geolocation.
    /// Offline geolocation database: a MaxMind `.mmdb` or a DB-IP / IP2Location CSV of ranges
    /// (`--geoip` overrides it).
    #[serde(default)]
    pub geoip_db: Option<PathBuf>,
    /// Other names of a Zoom user in identity-provider and file-access logs (a UPN, a login):
    /// `"jdoe@corp.onmicrosoft.com" = "jane.doe@acme.example"`.
    #[serde(default)]
    pub user_aliases: BTreeMap<String, String>,
    /// Countries a sign-in from is reported (`rogue-country`; Panther's default).
    #[serde(default = "default_rogue")]
    pub rogue_countries: Vec<String>,
    /// Sensitivity labels (case-insensitive, whole label or a word of it) that make a file
    /// sensitive; a file whose name matches `sensitive_topics` is sensitive too.
    #[serde(default = "default_labels")]
    pub sensitive_labels: Vec<String>,
}

fn default_rogue() -> Vec<String> {
    vec!["CN".into(), "IR".into(), "RU".into()]
}

fn default_labels() -> Vec<String> {
    [
        "confidential",
        "highly confidential",
        "restricted",
        "secret",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn default_topics() -> Vec<String> {
    [
        "board",
        "confidential",
        "merger",
        "acquisition",
        "m&a",
        "legal",
        "earnings",
        "layoff",
        "restructuring",
        "investor",
        "executive",
        "exec",
        "finance",
        "wire",
        "engineering",
        "security incident",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn default_incident_window() -> f64 {
    super::incidents::DEFAULT_WINDOW_HOURS
}

/// Carrier-grade NAT's shared address space (RFC 6598) and the NAT64 prefix phones on
/// IPv6-only carrier networks reach IPv4 services through.
fn default_mobile() -> Vec<String> {
    vec!["100.64.0.0/10".into(), "64:ff9b::/96".into()]
}

fn default_min_version() -> String {
    "5.17.0".into()
}

impl Default for Config {
    fn default() -> Self {
        Config {
            internal_domains: Vec::new(),
            vip_emails: Vec::new(),
            sensitive_topics: default_topics(),
            known_ip_ranges: Vec::new(),
            offices: BTreeMap::new(),
            mobile_ip_ranges: default_mobile(),
            known_partner_domains: Vec::new(),
            min_client_version: default_min_version(),
            incident_window_hours: default_incident_window(),
            rules: BTreeMap::new(),
            geoip_db: None,
            user_aliases: BTreeMap::new(),
            rogue_countries: default_rogue(),
            sensitive_labels: default_labels(),
        }
    }
}

/// An IP range in CIDR form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn parse(s: &str) -> Option<Cidr> {
        let s = s.trim();
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let net: IpAddr = a.trim().parse().ok()?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            Some(p) => p.trim().parse::<u8>().ok().filter(|p| *p <= max)?,
            None => max,
        };
        Some(Cidr { net, prefix })
    }

    pub fn contains(&self, ip: &IpAddr) -> bool {
        match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(i)) => {
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u32::MAX << (32 - self.prefix)
                };
                (u32::from(n) & mask) == (u32::from(*i) & mask)
            }
            (IpAddr::V6(n), IpAddr::V6(i)) => {
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u128::MAX << (128 - self.prefix)
                };
                (u128::from(n) & mask) == (u128::from(*i) & mask)
            }
            _ => false,
        }
    }
}

impl Config {
    /// Parse TOML text, validating rule ids and parameters against the registry.
    pub fn from_toml(text: &str) -> Result<Config> {
        let cfg: Config = toml::from_str(text).context("the detection config is not valid")?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// `--config FILE`, else the user's config directory, else defaults. Returns where it came from.
    pub fn load(path: Option<&Path>) -> Result<(Config, String)> {
        if let Some(p) = path {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read the detection config {}", p.display()))?;
            let cfg = Config::from_toml(&text)
                .with_context(|| format!("in detection config {}", p.display()))?;
            return Ok((cfg, p.display().to_string()));
        }
        if let Some(p) = user_config_path()
            && p.exists()
        {
            let text = std::fs::read_to_string(&p)
                .with_context(|| format!("cannot read the detection config {}", p.display()))?;
            let cfg = Config::from_toml(&text)
                .with_context(|| format!("in detection config {}", p.display()))?;
            return Ok((cfg, p.display().to_string()));
        }
        Ok((Config::default(), "built-in defaults".into()))
    }

    /// Parsed known ranges, offices' included (validated at load, so unparsable entries never
    /// reach here).
    pub fn known_ranges(&self) -> Vec<Cidr> {
        (self.known_ip_ranges.iter())
            .chain(self.offices.values().flatten())
            .filter_map(|s| Cidr::parse(s))
            .collect()
    }

    /// Parsed office ranges: (office index, range).
    pub fn office_ranges(&self) -> Vec<(usize, Cidr)> {
        (self.offices.values().enumerate())
            .flat_map(|(i, rs)| {
                rs.iter()
                    .filter_map(move |s| Cidr::parse(s).map(|c| (i, c)))
            })
            .collect()
    }

    /// Parsed mobile ranges.
    pub fn mobile_ranges(&self) -> Vec<Cidr> {
        (self.mobile_ip_ranges.iter())
            .filter_map(|s| Cidr::parse(s))
            .collect()
    }

    /// Partner domains, trimmed and lower-cased.
    pub fn partner_domains(&self) -> std::collections::HashSet<String> {
        (self.known_partner_domains.iter())
            .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
            .filter(|d| !d.is_empty())
            .collect()
    }

    /// Lower-cased alias → lower-cased Zoom email.
    pub fn alias_map(&self) -> std::collections::HashMap<String, String> {
        (self.user_aliases.iter())
            .map(|(a, e)| (a.trim().to_lowercase(), e.trim().to_lowercase()))
            .collect()
    }

    /// Whether a file is sensitive: its label is one of `sensitive_labels` (or holds one as
    /// words), or its name matches `sensitive_topics`.
    pub fn sensitive_data(&self, resource: &str, label: &str) -> bool {
        let l = label.trim().to_lowercase();
        if !l.is_empty()
            && self.sensitive_labels.iter().any(|s| {
                let s = s.trim().to_lowercase();
                !s.is_empty()
                    && (l == s || super::rules::topic_matches(&l, std::slice::from_ref(&s)))
            })
        {
            return true;
        }
        let topics: Vec<String> = self
            .sensitive_topics
            .iter()
            .map(|t| t.to_lowercase())
            .collect();
        // A path's separators and extension are not words of its name.
        let name = resource.replace(['/', '\\', '_', '.'], " ");
        super::rules::topic_matches(&name, &topics)
    }

    /// Whether a rule is enabled (default: yes).
    pub fn enabled(&self, rule: &str) -> bool {
        self.rules
            .get(rule)
            .and_then(|t| t.get("enabled"))
            .and_then(|v| v.as_bool())
            .unwrap_or(true)
    }

    /// A numeric parameter of a rule, if configured.
    pub fn param(&self, rule: &str, name: &str) -> Option<f64> {
        let v = self.rules.get(rule)?.get(name)?;
        v.as_float().or_else(|| v.as_integer().map(|i| i as f64))
    }

    fn validate(&self) -> Result<()> {
        let lists = [
            ("known_ip_ranges".to_string(), &self.known_ip_ranges),
            ("mobile_ip_ranges".to_string(), &self.mobile_ip_ranges),
        ];
        let offices = self
            .offices
            .iter()
            .map(|(k, v)| (format!("offices.{k}"), v));
        for (key, list) in lists.into_iter().chain(offices) {
            for r in list {
                if Cidr::parse(r).is_none() {
                    bail!("{key}: {r:?} is not an IP address or CIDR range (e.g. 203.0.113.0/24)");
                }
            }
        }
        if super::rules::version_key(&self.min_client_version).is_empty() {
            bail!(
                "min_client_version: {:?} is not a version like 5.17.0",
                self.min_client_version
            );
        }
        for c in &self.rogue_countries {
            if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_alphabetic()) {
                bail!("rogue_countries: {c:?} is not a two-letter country code (e.g. RU)");
            }
        }
        let registry = super::rules::registry();
        for (id, table) in &self.rules {
            let Some(rule) = registry.iter().find(|r| r.id == id) else {
                let ids: Vec<&str> = registry.iter().map(|r| r.id).collect();
                bail!(
                    "[rules.{id}]: no such rule; rule ids are: {}",
                    ids.join(", ")
                );
            };
            for (k, v) in table {
                if k == "enabled" {
                    if !v.is_bool() {
                        bail!("[rules.{id}] enabled must be true or false");
                    }
                    continue;
                }
                if !rule.params.iter().any(|p| p.name == k) {
                    let names: Vec<&str> = rule.params.iter().map(|p| p.name).collect();
                    bail!(
                        "[rules.{id}] has no parameter {k:?}; it has: enabled{}{}",
                        if names.is_empty() { "" } else { ", " },
                        names.join(", ")
                    );
                }
                if !(v.is_integer() || v.is_float()) {
                    bail!("[rules.{id}] {k} must be a number");
                }
            }
        }
        Ok(())
    }
}

/// `<config dir>/zoomlens/detect.toml` (e.g. ~/.config/zoomlens/detect.toml on Linux).
pub fn user_config_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "zoomlens").map(|d| d.config_dir().join("detect.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_default_file_parses_and_matches_builtin_defaults() {
        let cfg = Config::from_toml(DEFAULT_TOML).unwrap();
        let d = Config::default();
        assert_eq!(cfg.sensitive_topics, d.sensitive_topics);
        assert_eq!(cfg.min_client_version, d.min_client_version);
        // Every parameter written in the shipped file equals the rule's built-in default.
        for rule in crate::detect::rules::registry() {
            for p in rule.params {
                if let Some(v) = cfg.param(rule.id, p.name) {
                    assert_eq!(v, p.default, "{} {}", rule.id, p.name);
                }
            }
        }
    }

    #[test]
    fn typos_are_errors_that_name_the_fix() {
        let ok = Config::from_toml("[rules.brief-join]\nmax_minutes = 3\n").unwrap();
        assert_eq!(ok.param("brief-join", "max_minutes"), Some(3.0));
        let e = format!(
            "{:#}",
            Config::from_toml("[rules.brief-join]\nmax_minute = 3\n").unwrap_err()
        );
        assert!(
            e.contains("has no parameter") && e.contains("max_minutes"),
            "{e}"
        );
        let e = format!(
            "{:#}",
            Config::from_toml("[rules.no-such-rule]\nenabled = false\n").unwrap_err()
        );
        assert!(e.contains("no such rule"), "{e}");
        let e = format!(
            "{:#}",
            Config::from_toml("known_ip_ranges = [\"10.0.0.0/33\"]\n").unwrap_err()
        );
        assert!(e.contains("CIDR"), "{e}");
        let e = format!(
            "{:#}",
            Config::from_toml("internl_domains = []\n").unwrap_err()
        );
        assert!(e.contains("internl_domains"), "{e}");
    }

    #[test]
    fn cidr_contains() {
        let c = Cidr::parse("203.0.113.0/24").unwrap();
        assert!(c.contains(&"203.0.113.77".parse().unwrap()));
        assert!(!c.contains(&"203.0.114.1".parse().unwrap()));
        assert!(!c.contains(&"2001:db8::1".parse().unwrap()));
        let one = Cidr::parse("198.51.100.7").unwrap();
        assert!(one.contains(&"198.51.100.7".parse().unwrap()));
        assert!(!one.contains(&"198.51.100.8".parse().unwrap()));
        let v6 = Cidr::parse("2001:db8::/32").unwrap();
        assert!(v6.contains(&"2001:db8:1::5".parse().unwrap()));
        assert!(
            Cidr::parse("0.0.0.0/0")
                .unwrap()
                .contains(&"8.8.8.8".parse().unwrap())
        );
        assert_eq!(Cidr::parse("nonsense"), None);
    }
}
