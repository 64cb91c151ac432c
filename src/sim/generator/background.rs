//! Benign background that looks like trouble to a naive rule, as real organisations have it:
//!
//! - people who never share their screen (listeners), and trainings with big silent audiences;
//! - dual-stack networks: offices and most homes have an IPv4 address (NAT) and an IPv6 /64;
//!   meeting media goes over IPv4 while sign-ins go over IPv6 privacy addresses, which change
//!   daily inside the stable /64; some homes are renumbered by their ISP (a new IPv4 address in
//!   the same provider block) once during the window;
//!   phones on mobile carriers' carrier-grade NAT, whose address rotates every few hours,
//!   signing in while the laptop sits in a meeting;
//! - guests called "iPhone", "iPad" or by a first name only: many different people sharing a
//!   display name, each from their own network;
//! - long-standing partners in a weekly engineering sync (a sensitive topic), whose domains the
//!   analyst lists as known partners.
//!
//! Habits are drawn from their own random stream (seeded from `--seed`), so the main stream,
//! and with it every planted incident and near-miss, is unchanged by them.

use super::Gen;
use super::meetings::{Series, When, series_number};
use super::org::{Org, Outsider, PARTNERS, SITES};
use anyhow::Result;
use chrono::{Duration, Weekday};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Per-person network and meeting habits.
#[derive(Debug, Clone, Default)]
pub struct Habits {
    /// Never shares a screen (most people in big organisations).
    pub listener: bool,
    /// The home's IPv4 address when the home is dual-stack (meeting media goes over it, sign-ins
    /// over the IPv6 /64 of `home_ip`).
    pub home_v4: Option<String>,
    /// Day from which the ISP gave the home a new IPv4 address, and that address.
    pub renumbered: Option<(u32, String)>,
    /// Has a phone on a mobile carrier that signs in during the working day.
    pub carrier: bool,
}

/// The offices' IPv6 prefixes (one /64 per site, in `SITES` order).
pub fn office_v6_prefix(site: usize) -> String {
    format!("2001:db8:f:{:x}", site + 1)
}

/// Mobile carriers' carrier-grade NAT (RFC 6598 shared space).
pub const CARRIER_RANGE: &str = "100.64.0.0/10";

/// Long-standing partners (known to the analyst): the last three of `PARTNERS`.
pub fn known_partners() -> Vec<&'static str> {
    PARTNERS[3..].iter().map(|p| p.1).collect()
}

/// Guests' display names that many unrelated people share.
const GENERIC_GUESTS: &[&str] = &[
    "iPhone",
    "iPad",
    "Galaxy S23",
    "Zoom User",
    "Alex",
    "Sam",
    "Chris",
    "Jo",
];

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Draw habits and add generic-named guests to the outsider pool.
pub fn decorate(org: &mut Org, seed: u64, days: u32) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0bac_6e0d);
    for p in org.people.iter_mut() {
        let i = p.idx;
        p.habits.listener = !p.vip && rng.random_bool(0.35);
        // Homes of the first 250 people are IPv4-only (192.0.2.0/24); the rest are IPv6 homes,
        // two in three of them dual-stack with an IPv4 address from 198.18.0.0/15.
        if i >= 250 && rng.random_bool(0.67) {
            let n = (i as u32 * 4) % 131_072;
            let v4 = |k: u32| {
                format!(
                    "198.{}.{}.{}",
                    18 + ((n + k) >> 16),
                    ((n + k) >> 8) & 255,
                    ((n + k) & 255).max(1)
                )
            };
            p.habits.home_v4 = Some(v4(0));
            if days > 4 && rng.random_bool(0.1) {
                p.habits.renumbered = Some((rng.random_range(2..days), v4(2)));
            }
        }
        p.habits.carrier = p.devices.len() > 1 && rng.random_bool(0.5);
    }
    let n = org.outsiders.len();
    for k in 0..(n / 10).max(8) {
        let name = GENERIC_GUESTS[k % GENERIC_GUESTS.len()];
        org.outsiders.push(Outsider {
            name: name.to_string(),
            email: String::new(),
            email_visible: false,
            guest: true,
            ip: format!("2001:db8:{:x}:{:x}::1", 0x9000 + k / 65536, k % 65536),
            location: ["Chicago (US)", "Paris (FR)", "Tokyo (JP)", "Austin (US)"]
                [rng.random_range(0..4)],
            company: "",
        });
    }
}

impl Gen<'_> {
    fn hash(&self, p: usize, slot: u64) -> u64 {
        mix(self.cfg.seed ^ mix((p as u64) << 20 ^ (self.day as u64) << 8 ^ slot))
    }

    /// The IPv4 address a dual-stack home's meeting media comes from today (after the ISP's
    /// renumbering, the new one).
    pub fn home_media_ip(&self, p: usize) -> Option<String> {
        let h = &self.org.people[p].habits;
        match &h.renumbered {
            Some((d, ip)) if self.day >= *d => Some(ip.clone()),
            _ => h.home_v4.clone(),
        }
    }

    /// The address a sign-in from `p`'s office or home comes from: an IPv6 privacy address
    /// (new every day, inside the site's or home's stable /64) where the network has IPv6, else
    /// its IPv4 address.
    pub fn signin_ip(&self, p: usize, at_office: bool) -> String {
        let pe = &self.org.people[p];
        let h = self.hash(p, 1);
        let iid = format!(
            "{:x}:{:x}:{:x}:{:x}",
            (h >> 48) & 0xffff | 0x200,
            (h >> 32) & 0xffff,
            (h >> 16) & 0xffff,
            h & 0xffff
        );
        if at_office {
            // Two in three sign-ins from the office go over IPv6.
            if !h.is_multiple_of(3) {
                return format!("{}:{iid}", office_v6_prefix(pe.site));
            }
            return pe.office_ip().to_string();
        }
        if pe.home_ip.contains(':') && pe.habits.home_v4.is_some() {
            let prefix: Vec<&str> = pe.home_ip.split(':').take(4).collect();
            return format!("{}:{iid}", prefix.join(":"));
        }
        pe.home_ip.clone()
    }

    /// A phone's carrier-grade NAT address at `secs` into the day (rotates every four hours).
    pub fn carrier_ip(&self, p: usize, secs: i64) -> String {
        let h = self.hash(p, 100 + (secs / (4 * 3600)) as u64);
        format!(
            "100.{}.{}.{}",
            64 + (h >> 16) % 64,
            (h >> 8) % 256,
            1 + h % 254
        )
    }

    /// A phone sign-in on the carrier network during the working day, for people whose phone
    /// is on one: it often lands while their laptop is in a meeting.
    pub(super) fn phone_signin(&mut self, p: usize) -> Result<()> {
        if !self.org.people[p].habits.carrier || !self.rng.random_bool(0.3) {
            return Ok(());
        }
        let off = self.org.people[p].tz_off() * 3600;
        let secs = (9 * 3600 + self.rng.random_range(0..8 * 3600) - off).clamp(60, 86_000);
        let ip = self.carrier_ip(p, secs);
        let phone = self.org.people[p].devices.len() - 1;
        let t = self.at(secs);
        self.signin(p, t, "Sign in", &ip, phone)
    }

    /// Trainings and orientations: one or two a work day, hosted by HR or IT, with a big,
    /// silent audience from across the company (recorded).
    pub(super) fn trainings_day(&mut self) -> Result<()> {
        if !self.is_workday() {
            return Ok(());
        }
        let n = self.org.people.len();
        let hosts: Vec<usize> = (26..n)
            .filter(|&i| {
                let p = &self.org.people[i];
                p.background && matches!(p.dept, "HR" | "IT")
            })
            .take(12)
            .collect();
        if hosts.is_empty() || n < 100 {
            return Ok(());
        }
        for k in 0..self.rng.random_range(1..3) {
            let host = *hosts.choose(&mut self.rng).unwrap();
            let topic = *[
                "Security Awareness Training",
                "New Hire Orientation",
                "Benefits Q&A",
                "Expense Tool Walkthrough",
                "Manager Essentials",
            ]
            .choose(&mut self.rng)
            .unwrap();
            let jitter = self.rng.random_range(-300..300);
            let start = self.at((14 + 2 * k) * 3600 + jitter);
            if !self.present(host, start) {
                continue;
            }
            let mut inst = self.instance(topic, host, start, 60, 2, None);
            inst.recorded = true;
            let size = self.rng.random_range(40..(n / 20).clamp(41, 160));
            for _ in 0..size {
                let p = self.rng.random_range(26..n);
                if p != host
                    && self.present(p, start)
                    && !inst
                        .seats
                        .iter()
                        .any(|s| matches!(s.who, super::meetings::Who::In(q) if q == p))
                {
                    self.seat_in(&mut inst, p);
                }
            }
            // The trainer presents.
            inst.seats[0].shares = true;
            self.emit_instance(inst)?;
        }
        Ok(())
    }

    /// Weekly engineering syncs with each long-standing partner: the same two partner engineers
    /// (emails shown) every week, with the team that works with them.
    pub(super) fn partner_series(&mut self, k0: u64) -> Vec<Series> {
        let mut out = Vec::new();
        let eng: Vec<usize> = (self.org.teams.iter())
            .filter(|t| t.dept == "Engineering")
            .map(|t| t.lead)
            .take(known_partners().len())
            .collect();
        for (k, (&dom, &lead)) in known_partners().iter().zip(&eng).enumerate() {
            let company = PARTNERS.iter().find(|p| p.1 == dom).map(|p| p.0).unwrap();
            let members = self.org.teams[self.org.people[lead].team].members.clone();
            out.push(Series {
                id: series_number(k0 + k as u64),
                topic: format!("Engineering Partner Sync - {company}"),
                host: lead,
                members,
                when: When::Weekly([Weekday::Tue, Weekday::Wed, Weekday::Thu][k % 3], 11, 0),
                minutes: 45,
                recorded: false,
            });
        }
        out
    }

    /// The partner engineers of a partner series (made-up outsiders with visible emails).
    pub fn partner_guests(&self, topic: &str) -> Vec<Outsider> {
        let Some(company) = topic.strip_prefix("Engineering Partner Sync - ") else {
            return Vec::new();
        };
        let Some(&(_, dom)) = PARTNERS.iter().find(|p| p.0 == company) else {
            return Vec::new();
        };
        let k = PARTNERS.iter().position(|p| p.1 == dom).unwrap_or(0);
        [("Marguerite", "Northcott"), ("Barnaby", "Ellsworth")]
            .iter()
            .enumerate()
            .map(|(j, (f, l))| Outsider {
                name: format!("{f} {l}"),
                email: format!("{}.{}@{dom}", f.to_lowercase(), l.to_lowercase()),
                email_visible: true,
                guest: false,
                ip: format!("2001:db8:7:{k:x}::{:x}", j + 1),
                location: SITES[k % SITES.len()].1,
                company: "",
            })
            .collect()
    }

    /// Minutes into the meeting a partner joins.
    pub fn partner_join(&mut self) -> Duration {
        Duration::seconds(self.rng.random_range(30..200))
    }
}
