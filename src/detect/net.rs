//! Network sameness: which addresses are the same place. An office's addresses (its IPv4 NAT
//! and its IPv6 prefix, from the config's `offices`) are one place; otherwise an IPv6 address is
//! its /64 (privacy addresses change daily inside a stable prefix) and an IPv4 address is its
//! /24 (an ISP renumbering a home stays inside its provider block; an attacker rarely shares
//! it). Mobile carriers' and CGNAT ranges (`mobile_ip_ranges`) are a phone's network.

use super::config::{Cidr, Config};
use std::net::IpAddr;

/// Where an address is, as far as sameness goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Place {
    /// A configured office (index in the config's `offices`, in name order).
    Office(usize),
    /// An IPv6 /64.
    V6(u64),
    /// An IPv4 /24.
    V4(u32),
}

impl Place {
    pub fn is_v6(self) -> bool {
        matches!(self, Place::V6(_))
    }
    pub fn is_office(self) -> bool {
        matches!(self, Place::Office(_))
    }
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Place::Office(i) => write!(f, "office #{}", i + 1),
            Place::V6(p) => {
                let g = |k: u32| (p >> (48 - 16 * k)) & 0xffff;
                write!(f, "{:x}:{:x}:{:x}:{:x}::/64", g(0), g(1), g(2), g(3))
            }
            Place::V4(n) => write!(f, "{}.{}.{}.0/24", n >> 16, (n >> 8) & 255, n & 255),
        }
    }
}

/// The configuration's view of networks.
#[derive(Debug, Clone, Default)]
pub struct Places {
    offices: Vec<(usize, Cidr)>,
    names: Vec<String>,
    mobile: Vec<Cidr>,
}

impl Places {
    pub fn new(cfg: &Config) -> Places {
        Places {
            offices: cfg.office_ranges(),
            names: cfg.offices.keys().cloned().collect(),
            mobile: cfg.mobile_ranges(),
        }
    }

    /// The place of an address; `None` when it is not an address.
    pub fn place(&self, ip: &str) -> Option<Place> {
        let a: IpAddr = ip.trim().parse().ok()?;
        if let Some((i, _)) = self.offices.iter().find(|(_, c)| c.contains(&a)) {
            return Some(Place::Office(*i));
        }
        Some(match a {
            IpAddr::V6(v) => Place::V6((u128::from(v) >> 64) as u64),
            IpAddr::V4(v) => Place::V4(u32::from(v) >> 8),
        })
    }

    /// Whether two addresses are one place (the same address, /64, /24 or office).
    pub fn same(&self, a: &str, b: &str) -> bool {
        a == b || matches!((self.place(a), self.place(b)), (Some(x), Some(y)) if x == y)
    }

    /// Whether an address is on a mobile carrier's or carrier-grade NAT network.
    pub fn mobile(&self, ip: &str) -> bool {
        ip.trim()
            .parse::<IpAddr>()
            .is_ok_and(|a| self.mobile.iter().any(|c| c.contains(&a)))
    }

    /// A place for people to read: the office's name, else the network.
    pub fn describe(&self, p: Place) -> String {
        match p {
            Place::Office(i) => format!("office {}", self.names.get(i).map_or("?", |s| s)),
            other => other.to_string(),
        }
    }
}

/// Whether a sign-in's client type is a phone or tablet.
pub fn phone_client(client_type: &str) -> bool {
    let c = client_type.to_ascii_lowercase();
    ["ios", "android", "iphone", "ipad", "phone"]
        .iter()
        .any(|k| c.contains(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places() -> Places {
        let cfg = Config::from_toml(
            "[offices]\nNYC = [\"198.51.100.10/32\", \"2001:db8:f:1::/64\"]\nLON = [\"198.51.100.20\"]\n",
        )
        .unwrap();
        Places::new(&cfg)
    }

    #[test]
    fn sameness() {
        let p = places();
        // Dual-stack office: the NAT and any address of its /64.
        assert!(p.same("198.51.100.10", "2001:db8:f:1:abcd:1:2:3"));
        assert!(!p.same("198.51.100.10", "198.51.100.20"), "two offices");
        // IPv6 privacy addresses of one home.
        assert!(p.same("2001:db8:100:5:1::1", "2001:db8:100:5:ffff::9"));
        assert!(!p.same("2001:db8:100:5::1", "2001:db8:100:6::1"));
        // A renumbered IPv4 home inside its provider's /24; another /24 is elsewhere.
        assert!(p.same("198.18.1.4", "198.18.1.6"));
        assert!(!p.same("192.0.2.18", "203.0.113.201"));
        assert!(p.mobile("100.71.2.123") && !p.mobile("192.0.2.1"));
        assert_eq!(p.describe(p.place("198.51.100.10").unwrap()), "office NYC");
        assert_eq!(
            p.place("2001:db8:100:5::1").unwrap().to_string(),
            "2001:db8:100:5::/64"
        );
        assert!(phone_client("iOS") && phone_client("android") && !phone_client("Mac"));
    }
}
