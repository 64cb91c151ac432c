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
//!   analyst lists as known partners;
//! - public webinars with a hundred or more registered outsiders, most joining in the first
//!   minutes, a few leaving after one or two;
//! - outsiders who share a common full name with an employee (a customer "Maria Garcia" from
//!   gmail while maria.garcia works here);
//! - employees joining their own team's meeting from their personal phone without signing in
//!   (a guest with their own name, on a carrier address);
//! - hosts moving their own recordings to the trash or deleting them weeks later;
//! - admins strengthening settings (waiting room, passcodes, 2FA on; embedded passcodes off);
//! - SCIM onboarding of new hires (user.created, info level);
//! - travellers signing in and meeting through the corporate VPN, whose egress is abroad.
//!
//! Habits are drawn from their own random stream (seeded from `--seed`), so the main stream,
//! and with it every planted incident and near-miss, is unchanged by them.

use super::Gen;
use super::meetings::{Series, When, series_number};
use super::org::{Org, Outsider, PARTNERS, SITES};
use anyhow::Result;
use chrono::{Datelike, Duration, Weekday};
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
    /// Days (first, last) of a business trip, spent behind the corporate VPN.
    pub trip: Option<(u32, u32)>,
}

/// The corporate VPN's egress (abroad): travellers' sign-ins and meetings come from it.
pub const VPN_RANGE: &str = "192.88.99.0/24";

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
    // Later habits draw from their own stream, so the ones above stay as they were.
    let mut rng2 = ChaCha8Rng::seed_from_u64(seed ^ 0x7a4e_11e7);
    for p in org.people.iter_mut() {
        // About one in forty travels once during the window, for two to four days.
        if p.idx >= 100 && p.background && days > 8 && rng2.random_bool(0.025) {
            let first = rng2.random_range(3..days - 4);
            p.habits.trip = Some((first, first + rng2.random_range(1..4)));
        }
    }
    // Namesakes: outsiders (customers, webinar guests) who share an employee's full name.
    let n = org.people.len();
    let k = (n / 400).max(3);
    for j in 0..k {
        let i = 100 + (j * 7919) % n.saturating_sub(100).max(1);
        let Some(p) = org.people.get(i) else { continue };
        if p.vip || !p.background {
            continue;
        }
        let (first, last) = (p.first.clone(), p.last.clone());
        org.outsiders.push(Outsider {
            name: format!("{first} {last}"),
            email: format!(
                "{}.{}{}@{}",
                first.to_lowercase(),
                last.to_lowercase(),
                rng2.random_range(10..99),
                ["gmail.com", "outlook.com"][j % 2]
            ),
            email_visible: true,
            guest: false,
            ip: format!("2001:db8:{:x}:{:x}::1", 0xb800 + j / 65536, j % 65536),
            location: ["Chicago (US)", "Madrid (ES)", "Toronto (CA)"][j % 3],
            company: "",
        });
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
        if let Some(ip) = self.vpn_ip(p) {
            return Some(ip);
        }
        match &h.renumbered {
            Some((d, ip)) if self.day >= *d => Some(ip.clone()),
            _ => h.home_v4.clone(),
        }
    }

    /// The address a sign-in from `p`'s office or home comes from: an IPv6 privacy address
    /// (new every day, inside the site's or home's stable /64) where the network has IPv6, else
    /// its IPv4 address.
    pub fn signin_ip(&self, p: usize, at_office: bool) -> String {
        if let Some(ip) = self.vpn_ip(p) {
            return ip;
        }
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
            self.housekeeping(&mut inst);
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

/// Names of the public's webinar attendees (not the staff's).
const WEBINAR_TOPICS: &[&str] = &[
    "Customer Webinar: What's New in Acme Cloud",
    "Webinar: Getting Started with Acme Analytics",
    "Live Demo: Acme Cloud for Retail",
];

impl Gen<'_> {
    /// The VPN egress address `p` uses today, when on a trip.
    pub fn vpn_ip(&self, p: usize) -> Option<String> {
        let (a, b) = self.org.people[p].habits.trip?;
        (self.day >= a && self.day <= b).then(|| format!("192.88.99.{}", 1 + p % 250))
    }

    /// Run `f` on the later background's own random stream and meeting numbers.
    fn aside(&mut self, f: impl FnOnce(&mut Self) -> Result<()>) -> Result<()> {
        std::mem::swap(&mut self.rng, &mut self.bg);
        std::mem::swap(&mut self.n_meeting, &mut self.bg_meetings);
        let r = f(self);
        std::mem::swap(&mut self.rng, &mut self.bg);
        std::mem::swap(&mut self.n_meeting, &mut self.bg_meetings);
        r
    }

    /// The day's later background: webinars, settings made stricter, SCIM onboarding.
    pub(super) fn realism_day(&mut self) -> Result<()> {
        if !self.is_workday() {
            return Ok(());
        }
        self.aside(|g| {
            g.public_webinar()?;
            g.strengthen_settings()?;
            g.scim_onboarding()
        })
    }

    /// A public webinar on Thursdays: a marketing host and two colleagues as panelists, and a
    /// hundred or more registered outsiders (each their own network), most joining in the
    /// first five minutes, a few leaving after a minute or two; namesakes of employees among
    /// them.
    fn public_webinar(&mut self) -> Result<()> {
        if self.date.weekday() != Weekday::Thu {
            return Ok(());
        }
        let n = self.org.people.len();
        let marketing: Vec<usize> = (100.min(n)..n)
            .filter(|&i| self.org.people[i].dept == "Marketing" && self.org.people[i].background)
            .take(3)
            .collect();
        let Some(&host) = marketing.first() else {
            return Ok(());
        };
        let start = self.at(16 * 3600);
        if !self.present(host, start) {
            return Ok(());
        }
        let topic = WEBINAR_TOPICS[(self.day as usize / 7) % WEBINAR_TOPICS.len()];
        let mut inst = self.instance(topic, host, start, 60, 5, None);
        inst.recorded = true;
        inst.seats[0].shares = true;
        for &m in &marketing[1..] {
            if self.present(m, start) {
                self.seat_in(&mut inst, m);
            }
        }
        let end = Self::end_of(&inst);
        let size = self.rng.random_range(100..(n / 20).clamp(101, 300));
        for _ in 0..size {
            self.bg_people += 1;
            let k = self.bg_people as usize;
            let first = *super::org::EXT_FIRST.choose(&mut self.rng).unwrap();
            let last = *super::org::EXT_LAST.choose(&mut self.rng).unwrap();
            let dom = [
                "gmail.com",
                "outlook.com",
                "yahoo.com",
                "retail-co.example",
                "shopworks.example",
            ][self.rng.random_range(0..5)];
            let o = Outsider {
                name: format!("{first} {last}"),
                email: format!("{}.{}{k}@{dom}", first.to_lowercase(), last.to_lowercase()),
                email_visible: true,
                guest: false,
                ip: format!("2001:db8:{:x}:{:x}::1", 0xb000 + k / 65536, k % 65536),
                location: ["Chicago (US)", "Toronto (CA)", "Dublin (IE)", "Austin (US)"]
                    [self.rng.random_range(0..4)],
                company: "",
            };
            inst.seats
                .push(self.webinar_seat(super::meetings::Who::Made(Box::new(o)), start, end));
        }
        // Some of the public share a name with an employee.
        let namesakes: Vec<usize> = (0..self.org.outsiders.len())
            .filter(|&o| {
                let x = &self.org.outsiders[o];
                x.email_visible && x.ip.starts_with("2001:db8:b8")
            })
            .collect();
        for o in namesakes {
            if self.rng.random_bool(0.5) {
                self.out_meetings[o] += 1;
                inst.seats
                    .push(self.webinar_seat(super::meetings::Who::Out(o), start, end));
            }
        }
        self.emit_instance(inst)
    }

    /// A registered attendee's seat: most join in the first five minutes, one in twenty leaves
    /// after a minute or two.
    fn webinar_seat(
        &mut self,
        who: super::meetings::Who,
        start: chrono::DateTime<chrono::Utc>,
        end: chrono::DateTime<chrono::Utc>,
    ) -> super::meetings::Seat {
        let j = start
            + Duration::seconds(if self.rng.random_bool(0.85) {
                self.rng.random_range(0..300)
            } else {
                self.rng.random_range(300..1500)
            });
        let l = if self.rng.random_bool(0.05) {
            j + Duration::seconds(self.rng.random_range(40..180))
        } else {
            end - Duration::seconds(self.rng.random_range(0..600))
        };
        let mut seat = super::meetings::Seat::new(who, j, l.max(j + Duration::seconds(30)));
        seat.registrant_id = super::ids::token(&mut self.rng, 22);
        seat
    }

    /// Admins making settings stricter: a waiting room, passcodes or 2FA turned on, an
    /// embedded passcode or rejoining after removal turned off. Never within a day and a half
    /// of a planted weakening (the same setting turned back on ends its exposure).
    fn strengthen_settings(&mut self) -> Result<()> {
        if !self.rng.random_bool(0.4) {
            return Ok(());
        }
        let secs = 15 * 3600 + self.rng.random_range(0..3 * 3600);
        let t = self.at(secs);
        if self.plan.in_op_quiet(t)
            || self
                .plan
                .weak
                .iter()
                .any(|w| (w.time - t).num_hours().abs() < 36)
        {
            return Ok(());
        }
        let admin = *self.org.admins.choose(&mut self.rng).unwrap();
        let detail = *[
            "Security  - Waiting room: from Off to On",
            "Schedule Meeting  - Require a passcode when scheduling new meetings: from Off to On",
            "Security  - Sign in with Two-Factor Authentication: from Off to On",
            "Schedule Meeting  - Embed passcode in invite link for one-click join: from On to Off",
            "In Meeting (Basic)  - Allow removed participants to rejoin: from On to Off",
        ]
        .choose(&mut self.rng)
        .unwrap();
        self.operation(t, admin, "Account", "Update", detail, None)
    }

    /// SCIM provisioning of a new hire (who starts after the window): the operation and its
    /// user.created webhook, by the identity provider's admin.
    fn scim_onboarding(&mut self) -> Result<()> {
        if !self.rng.random_bool(0.3) {
            return Ok(());
        }
        let secs = 6 * 3600 + self.rng.random_range(0..3600);
        let t = self.at(secs);
        if self.plan.in_op_quiet(t) {
            return Ok(());
        }
        self.bg_people += 1;
        let k = self.bg_people;
        let first = *super::org::EXT_FIRST.choose(&mut self.rng).unwrap();
        let last = *super::org::EXT_LAST.choose(&mut self.rng).unwrap();
        let email = format!(
            "{}.{}.{k}@{}",
            first.to_lowercase(),
            last.to_lowercase(),
            super::org::DOMAIN
        );
        let admin = self.org.admins[0];
        let id = super::ids::user_id(&mut self.rng, 1_000_000 + k);
        let detail = format!("Add User {email}  - User Type: Licensed - Role: Member");
        let wh = serde_json::json!({"event": "user.created", "event_ts": t.timestamp_millis() + 500,
            "payload": {"account_id": super::org::ACCOUNT_ID, "operator": self.org.people[admin].email,
              "operator_id": self.org.people[admin].id, "creation_type": "ssoCreate",
              "object": {"id": id, "first_name": first, "last_name": last,
                "display_name": format!("{first} {last}"), "email": email, "type": 2}}});
        // The webhook brings the new account into the case's users.
        self.count("zoom_users", 1);
        self.operation(t, admin, "User", "SCIM API - Add", &detail, Some(wh))
    }

    /// Now and then someone on the road joins their own team's meeting from their personal
    /// phone without signing in: a guest with their own name on a carrier address. (Drawn from
    /// the background's own stream; the seat keeps its times.)
    pub(super) fn phone_guests(&mut self, inst: &mut super::meetings::Instance) {
        for k in 1..inst.seats.len() {
            let super::meetings::Who::In(p) = inst.seats[k].who else {
                continue;
            };
            let pe = &self.org.people[p];
            if !pe.habits.carrier || pe.vip || !self.bg.random_bool(0.02) {
                continue;
            }
            let secs = (inst.seats[k].sessions[0].0 - self.at(0)).num_seconds();
            let o = Outsider {
                name: pe.name(),
                email: String::new(),
                email_visible: false,
                guest: true,
                ip: self.carrier_ip(p, secs),
                location: SITES[pe.site].1,
                company: "",
            };
            inst.seats[k].who = super::meetings::Who::Made(Box::new(o));
        }
    }

    /// Hosts clearing out their own recordings: one in eight recorded meetings is moved to
    /// the trash (or deleted for good) by its host three to five weeks later, when that falls
    /// inside the window, with the operation that logs it.
    pub(super) fn housekeeping(&mut self, inst: &mut super::meetings::Instance) {
        use super::meetings::Fate;
        if !inst.recorded || inst.fate != Fate::Keep || !self.bg.random_bool(0.125) {
            return;
        }
        let age = self.bg.random_range(22..36);
        if self.day + age >= self.cfg.days {
            return;
        }
        let host = inst.host;
        let secs =
            17 * 3600 + self.bg.random_range(0..3 * 3600) - self.org.people[host].tz_off() * 3600;
        let t = self.at_day(self.day + age, secs.clamp(60, 86_000));
        if self.plan.in_op_quiet(t) {
            return;
        }
        inst.fate = if self.bg.random_bool(0.7) {
            Fate::Trash(t, host)
        } else {
            Fate::Delete(t, host)
        };
        let detail = format!("Delete Recording meeting_id:{}", inst.id);
        self.plan.later_op(t, host, "Recording", "Delete", detail);
    }
}
