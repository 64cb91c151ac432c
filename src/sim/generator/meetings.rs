//! Meetings: recurring series (standups, weekly syncs, exec staff, all-hands, on-call
//! handovers), ad-hoc meetings, customer calls and registered webinars; their participants
//! (report and dashboard rows of every session, rejoins included), screen sharing,
//! recordings, and the webhooks that go with them.

use super::org::{ACCOUNT_ID, Device, Outsider};
use super::{Gen, fmt_mdy, ids};
use crate::model::time::fmt_utc;
use anyhow::Result;
use chrono::{DateTime, Datelike, Duration, Utc, Weekday};
use rand::Rng;
use rand::seq::IndexedRandom;
use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub enum Who {
    In(usize),
    Out(usize),
    /// An outsider made up for an incident.
    Made(Box<Outsider>),
}

#[derive(Debug, Clone)]
pub struct Seat {
    pub who: Who,
    pub sessions: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    pub shares: bool,
    pub registrant_id: String,
    pub ip: Option<String>,
    pub loc: Option<String>,
    pub device: Option<Device>,
    pub name: Option<String>,
    /// Email shown in reports for an insider using another identity (blank = hidden).
    pub email: Option<String>,
    pub host: bool,
}

impl Seat {
    pub fn new(who: Who, join: DateTime<Utc>, leave: DateTime<Utc>) -> Seat {
        Seat {
            who,
            sessions: vec![(join, leave)],
            shares: false,
            registrant_id: String::new(),
            ip: None,
            loc: None,
            device: None,
            name: None,
            email: None,
            host: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Fate {
    Keep,
    /// Moved to the trash by `by` at the time (listed with trash=true).
    Trash(DateTime<Utc>, usize),
    /// Deleted for good (only the webhook and the operation log remain).
    Delete(DateTime<Utc>, usize),
}

#[derive(Debug, Clone)]
pub struct Instance {
    pub id: i64,
    pub uuid: String,
    pub topic: String,
    pub host: usize,
    pub mtype: i64,
    pub scheduled: DateTime<Utc>,
    pub planned_min: i64,
    pub seats: Vec<Seat>,
    pub recorded: bool,
    pub has_chat: bool,
    pub fate: Fate,
}

#[derive(Debug, Clone)]
pub enum When {
    /// Work days at local hh:mm of the host.
    Daily(u32, u32),
    /// One weekday at local hh:mm.
    Weekly(Weekday, u32, u32),
    /// Every day at hh:mm UTC.
    EveryDayUtc(u32, u32),
}

/// A recurring series: many instances sharing one numeric meeting id.
#[derive(Debug, Clone)]
pub struct Series {
    pub id: i64,
    pub topic: String,
    pub host: usize,
    pub members: Vec<usize>,
    pub when: When,
    pub minutes: i64,
    pub recorded: bool,
}

pub fn series_number(k: u64) -> i64 {
    ids::meeting_number(1_000_000_000 + k)
}

impl Series {
    pub fn plan(g: &mut Gen) -> Vec<Series> {
        let mut out = Vec::new();
        let mut k = 0u64;
        let mut next = || {
            k += 1;
            series_number(k)
        };
        for t in &g.org.teams {
            out.push(Series {
                id: next(),
                topic: format!("{} Daily Standup", t.name),
                host: t.lead,
                members: t.members.clone(),
                when: When::Daily(9, 30),
                minutes: 15,
                recorded: false,
            });
        }
        // Weekly syncs per department and site, run by the first team's lead.
        let mut seen: Vec<(&str, usize)> = Vec::new();
        for t in &g.org.teams {
            if seen.contains(&(t.dept, t.site)) {
                continue;
            }
            seen.push((t.dept, t.site));
            let mut members: Vec<usize> = g
                .org
                .teams
                .iter()
                .filter(|u| u.dept == t.dept && u.site == t.site)
                .map(|u| u.lead)
                .collect();
            members.truncate(12);
            if members.len() < 3 {
                let extra: Vec<usize> = t
                    .members
                    .iter()
                    .copied()
                    .filter(|m| !members.contains(m))
                    .take(3)
                    .collect();
                members.extend(extra);
            }
            out.push(Series {
                id: next(),
                topic: format!("{} Weekly Sync", t.dept),
                host: t.lead,
                members,
                when: When::Weekly(Weekday::Tue, 14, 0),
                minutes: 45,
                recorded: false,
            });
        }
        let ceo = g.org.vip("CEO");
        let mut exec: Vec<usize> = g.org.vips.iter().map(|(_, i)| *i).collect();
        exec.extend(g.org.admins.iter().copied());
        out.push(Series {
            id: next(),
            topic: "Exec Staff".into(),
            host: ceo,
            members: exec,
            when: When::Weekly(Weekday::Mon, 10, 0),
            minutes: 60,
            recorded: false,
        });
        let n = g.org.people.len();
        let mut all: Vec<usize> = (0..n).filter(|&i| g.org.people[i].background).collect();
        if all.len() > 300 {
            let step = all.len() / 300;
            all = all.into_iter().step_by(step.max(1)).take(300).collect();
        }
        out.push(Series {
            id: next(),
            topic: "Company All-Hands".into(),
            host: ceo,
            members: all,
            when: When::Weekly(Weekday::Thu, 11, 0),
            minutes: 45,
            recorded: true,
        });
        let oncall: Vec<usize> = (0..n).filter(|&i| g.org.people[i].oncall).collect();
        if let Some(&h) = oncall.first() {
            for (hh, label) in [(6, "Morning"), (18, "Evening")] {
                out.push(Series {
                    id: next(),
                    topic: format!("On-call Handover ({label})"),
                    host: h,
                    members: oncall.clone(),
                    when: When::EveryDayUtc(hh, 0),
                    minutes: 20,
                    recorded: true,
                });
            }
        }
        out.extend(g.partner_series(k + 1));
        out
    }
}

const ADHOC: &[&str] = &[
    "Quick Sync",
    "1:1",
    "Planning",
    "Retro",
    "Brainstorm",
    "Hiring Debrief",
    "Budget Check-in",
    "Project Kickoff",
];
const ENG_ADHOC: &[&str] = &[
    "Engineering Design Review",
    "Sprint Planning",
    "Incident Review",
    "Architecture Deep Dive",
    "Code Walkthrough",
];
const CALLS: &[&str] = &[
    "Customer Call",
    "Partner Sync",
    "Vendor Demo",
    "Intro Call",
    "Quarterly Business Review",
    "Support Escalation",
];

impl Gen<'_> {
    /// A new instance hosted by `host` starting at `start`, the host seated for the span.
    pub fn instance(
        &mut self,
        topic: &str,
        host: usize,
        start: DateTime<Utc>,
        minutes: i64,
        mtype: i64,
        series: Option<i64>,
    ) -> Instance {
        self.n_meeting += 1;
        let n = self.n_meeting;
        let uuid = ids::meeting_uuid(&mut self.rng, n);
        let end = start + Duration::seconds(minutes * 60 + self.rng.random_range(-90..120));
        let mut h = Seat::new(Who::In(host), start, end);
        h.host = true;
        Instance {
            id: series.unwrap_or_else(|| ids::meeting_number(n)),
            uuid,
            topic: topic.to_string(),
            host,
            mtype,
            scheduled: start - Duration::seconds(start.timestamp() % 300),
            planned_min: minutes,
            seats: vec![h],
            recorded: false,
            has_chat: false,
            fate: Fate::Keep,
        }
    }

    pub fn end_of(inst: &Instance) -> DateTime<Utc> {
        inst.seats[0].sessions[0].1
    }

    /// Seat an insider from shortly after the start to shortly before the end, with an
    /// occasional rejoin (the same per-meeting user_id, a new join time).
    pub fn seat_in(&mut self, inst: &mut Instance, p: usize) {
        let seat = self.seat_with_rejoin(inst, Who::In(p), 5..240, 0..90, (20, 0.04));
        inst.seats.push(seat);
    }

    /// Seat a background outsider (partner, free-mail or guest) for most of the meeting.
    pub fn seat_out(&mut self, inst: &mut Instance, o: usize) {
        let seat = self.seat_with_rejoin(inst, Who::Out(o), 30..400, 0..120, (24, 0.05));
        self.out_meetings[o] += 1;
        inst.seats.push(seat);
    }

    /// A seat joining `join_after` seconds after the start and leaving `leave_before` seconds
    /// before the end (drawn); a stay of `rejoin.0` minutes or more is split by a rejoin with
    /// probability `rejoin.1`.
    fn seat_with_rejoin(
        &mut self,
        inst: &Instance,
        who: Who,
        join_after: std::ops::Range<i64>,
        leave_before: std::ops::Range<i64>,
        rejoin: (i64, f64),
    ) -> Seat {
        let (s, e) = inst.seats[0].sessions[0];
        let j = s + Duration::seconds(self.rng.random_range(join_after));
        let l = e - Duration::seconds(self.rng.random_range(leave_before));
        let mut seat = Seat::new(who, j, l);
        if (l - j).num_minutes() >= rejoin.0 && self.rng.random_bool(rejoin.1) {
            let mid = j + (l - j) / 2;
            seat.sessions = vec![
                (j, mid),
                (mid + Duration::seconds(self.rng.random_range(20..150)), l),
            ];
        }
        seat
    }

    /// Background screen sharing: the host often shares, and anyone who has not shared in
    /// eight meetings shares in the next small one, so nobody in the background is "silent".
    pub fn background_shares(&mut self, inst: &mut Instance) {
        let small = inst.seats.len() <= 12;
        for k in 0..inst.seats.len() {
            let Who::In(p) = inst.seats[k].who else {
                continue;
            };
            if inst.seats[k].shares {
                self.since_share[p] = 0;
                continue;
            }
            let share =
                (k == 0 && self.rng.random_bool(0.4)) || (small && self.since_share[p] >= 8);
            if share && !self.plan.no_share.contains(&p) && !self.org.people[p].habits.listener {
                inst.seats[k].shares = true;
                self.since_share[p] = 0;
            } else {
                self.since_share[p] = self.since_share[p].saturating_add(1);
            }
        }
    }

    /// Local hh:mm of person `p` today, in UTC.
    pub fn local(&self, p: usize, h: u32, m: u32) -> DateTime<Utc> {
        self.at((h * 3600 + m * 60) as i64 - self.org.people[p].tz_off() * 3600)
    }

    pub(super) fn meetings_day(&mut self) -> Result<()> {
        let workday = self.is_workday();
        let wd = self.date.weekday();
        let mut internal_seats = 0usize;
        let series = std::mem::take(&mut self.series);
        for s in &series {
            let start = match s.when {
                When::Daily(h, m) if workday => self.local(s.host, h, m),
                When::Weekly(w, h, m) if w == wd && workday => self.local(s.host, h, m),
                When::EveryDayUtc(h, m) => self.at((h * 3600 + m * 60) as i64),
                _ => continue,
            };
            let start = start + Duration::seconds(self.rng.random_range(-60..180));
            let host = if self.present(s.host, start) {
                s.host
            } else {
                match s.members.iter().copied().find(|&m| self.present(m, start)) {
                    Some(h) => h,
                    None => continue,
                }
            };
            let mut inst = self.instance(&s.topic, host, start, s.minutes, 8, Some(s.id));
            inst.recorded = s.recorded;
            for &m in &s.members {
                if m != host
                    && self.present(m, start)
                    && (s.members.len() < 20 || self.rng.random_bool(0.8))
                {
                    self.seat_in(&mut inst, m);
                }
            }
            for o in self.partner_guests(&s.topic) {
                let j = start + self.partner_join();
                let l = Self::end_of(&inst) - Duration::seconds(self.rng.random_range(0..90));
                inst.seats.push(Seat::new(Who::Made(Box::new(o)), j, l));
            }
            if inst.seats.len() < 2 {
                continue;
            }
            internal_seats += inst.seats.len();
            self.phone_guests(&mut inst);
            self.housekeeping(&mut inst);
            self.background_shares(&mut inst);
            self.emit_instance(inst)?;
        }
        self.series = series;
        if self.day == 1 {
            // The quarter's board meeting: executives only, recorded.
            let ceo = self.org.vip("CEO");
            let start = self.at(15 * 3600);
            let mut inst =
                self.instance("Board Meeting - Quarterly Review", ceo, start, 60, 2, None);
            inst.recorded = true;
            let vips: Vec<usize> = self
                .org
                .vips
                .iter()
                .map(|(_, i)| *i)
                .filter(|&i| i != ceo)
                .collect();
            for v in vips {
                self.seat_in(&mut inst, v);
            }
            self.background_shares(&mut inst);
            self.plan.board = Some((
                inst.id,
                inst.uuid.clone(),
                inst.seats
                    .iter()
                    .filter_map(|s| match s.who {
                        Who::In(p) => Some(p),
                        _ => None,
                    })
                    .collect(),
            ));
            self.emit_instance(inst)?;
        }
        if !workday {
            return Ok(());
        }
        // Ad-hoc internal meetings.
        let n = self.org.people.len();
        for p in 0..n {
            if !self.rng.random_bool(0.10) {
                continue;
            }
            let slot = self.rng.random_range(0..12) as u32;
            let start = self.local(p, 10 + slot / 2, (slot % 2) * 30)
                + Duration::seconds(self.rng.random_range(-120..120));
            if !self.present(p, start) {
                continue;
            }
            let pe = &self.org.people[p];
            let topic = if pe.dept == "Engineering" {
                ENG_ADHOC.choose(&mut self.rng).unwrap().to_string()
            } else {
                format!("{} {}", pe.dept, ADHOC.choose(&mut self.rng).unwrap())
            };
            let team = self.org.teams[pe.team].members.clone();
            let minutes = [25, 30, 45][self.rng.random_range(0..3)];
            let mtype = if self.rng.random_bool(0.3) { 1 } else { 2 };
            let mut inst = self.instance(&topic, p, start, minutes, mtype, None);
            inst.recorded = self.rng.random_bool(0.08);
            inst.has_chat = self.rng.random_bool(0.3);
            let k = self.rng.random_range(1..5);
            for &m in team.iter().filter(|&&m| m != p).take(k) {
                if self.present(m, start) {
                    self.seat_in(&mut inst, m);
                }
            }
            if inst.seats.len() < 2 {
                continue;
            }
            internal_seats += inst.seats.len();
            self.background_shares(&mut inst);
            self.emit_instance(inst)?;
        }
        // Customer and partner calls bring outsiders: enough seats for the requested shares.
        let share = self.cfg.external_share + self.cfg.guest_share;
        let target = (internal_seats as f64 * share / (1.0 - share)).round() as usize;
        let sellers: Vec<usize> = (0..n)
            .filter(|&i| {
                matches!(
                    self.org.people[i].dept,
                    "Sales" | "Sales-EMEA" | "Support" | "Marketing"
                ) && self.org.people[i].background
                    && !self.org.people[i].vip
            })
            .collect();
        let mut placed = 0usize;
        let mut tries = 0;
        while placed < target && !sellers.is_empty() && tries < target * 3 + 10 {
            tries += 1;
            let host = *sellers.choose(&mut self.rng).unwrap();
            let secs_ =
                13 * 3600 + self.rng.random_range(0..14) * 1800 + self.rng.random_range(-60..60);
            let start = self.at(secs_);
            if !self.present(host, start) {
                continue;
            }
            let k = self.rng.random_range(1..4usize).min(target - placed);
            let outs = self.pick_outsiders(k);
            if outs.is_empty() {
                break;
            }
            let company = match &self.org.outsiders[outs[0]] {
                o if !o.company.is_empty() => o.company.to_string(),
                _ => "Prospect".to_string(),
            };
            let topic = format!("{} - {}", CALLS.choose(&mut self.rng).unwrap(), company);
            let minutes = [30, 40, 50][self.rng.random_range(0..3)];
            let mut inst = self.instance(&topic, host, start, minutes, 2, None);
            inst.recorded = self.rng.random_bool(0.2);
            inst.has_chat = self.rng.random_bool(0.4);
            let team = self.org.teams[self.org.people[host].team].members.clone();
            if let Some(&c) = team.iter().find(|&&m| m != host && self.present(m, start)) {
                self.seat_in(&mut inst, c);
            }
            for o in outs {
                self.seat_out(&mut inst, o);
                placed += 1;
            }
            self.background_shares(&mut inst);
            self.emit_instance(inst)?;
        }
        // A registered product webinar on Wednesdays: every attendee has a registrant id.
        if wd == Weekday::Wed
            && let Some(&host) = sellers
                .iter()
                .find(|&&s| self.org.people[s].dept == "Marketing")
                .or(sellers.first())
        {
            let start = self.at(17 * 3600);
            if self.present(host, start) {
                let mut inst = self.instance(
                    "Product Webinar (Registration Required)",
                    host,
                    start,
                    45,
                    2,
                    None,
                );
                inst.recorded = true;
                let team = self.org.teams[self.org.people[host].team].members.clone();
                for &m in team.iter().filter(|&&m| m != host).take(3) {
                    if self.present(m, start) {
                        self.seat_in(&mut inst, m);
                    }
                }
                for o in self.pick_outsiders(4) {
                    if !self.org.outsiders[o].guest {
                        self.seat_out(&mut inst, o);
                    }
                }
                for s in inst.seats.iter_mut().skip(1) {
                    s.registrant_id = ids::token(&mut self.rng, 22);
                }
                self.background_shares(&mut inst);
                self.emit_instance(inst)?;
            }
        }
        Ok(())
    }

    /// Up to `k` distinct outsiders who have not become regulars; guests with the guest share.
    pub fn pick_outsiders(&mut self, k: usize) -> Vec<usize> {
        let n = self.org.outsiders.len();
        let gshare = if self.cfg.external_share + self.cfg.guest_share > 0.0 {
            self.cfg.guest_share / (self.cfg.external_share + self.cfg.guest_share)
        } else {
            0.0
        };
        let mut out = Vec::new();
        for _ in 0..k * 8 {
            if out.len() >= k {
                break;
            }
            let want_guest = self.rng.random_bool(gshare.clamp(0.0, 1.0));
            let o = self.rng.random_range(0..n);
            if self.org.outsiders[o].guest == want_guest
                && self.out_meetings[o] < 12
                && !out.contains(&o)
            {
                out.push(o);
            }
        }
        out
    }

    /// Emit an instance: the host's meeting-report record, report and dashboard participant
    /// rows, the recording, and the webhooks.
    pub fn emit_instance(&mut self, inst: Instance) -> Result<()> {
        let host = &self.org.people[inst.host];
        let host_id = host.id.clone();
        let host_name = host.name();
        let host_email = host.email.clone();
        let tz = host.tz();
        let sessions = || inst.seats.iter().flat_map(|s| s.sessions.iter());
        let start = sessions().map(|x| x.0).min().unwrap();
        let end = sessions().map(|x| x.1).max().unwrap();
        let obj = |extra: Value| {
            let mut o = json!({
                "id": inst.id.to_string(),
                "uuid": inst.uuid,
                "host_id": host_id,
                "topic": inst.topic,
                "type": inst.mtype,
                "start_time": fmt_utc(start),
                "timezone": tz,
                "duration": inst.planned_min,
            });
            if let (Some(o), Some(e)) = (o.as_object_mut(), extra.as_object()) {
                for (k, v) in e {
                    o.insert(k.clone(), v.clone());
                }
            }
            o
        };
        self.emit_webhook(json!({"event": "meeting.started", "event_ts": start.timestamp_millis() + 120, "payload": {"account_id": ACCOUNT_ID, "object": obj(json!({}))}}))?;
        let mut report = Vec::new();
        let mut metrics = Vec::new();
        let mut sessions = 0i64;
        let mut total_secs = 0i64;
        let mut mine = 0i64;
        let mut any_share = false;
        for (k, seat) in inst.seats.iter().enumerate() {
            let uid = (16_778_240 + 1024 * k as i64).to_string();
            let puuid = ids::uuid4(&mut self.rng, true);
            let (name, email, zid, ip, loc, dev, internal) = match &seat.who {
                Who::In(p) => {
                    let pe = &self.org.people[*p];
                    let (ip, loc, d) = self.whereabouts(*p);
                    let dev = seat.device.clone().unwrap_or_else(|| pe.devices[d].clone());
                    (
                        pe.name(),
                        pe.email.clone(),
                        pe.id.clone(),
                        ip,
                        loc,
                        Some(dev),
                        true,
                    )
                }
                Who::Out(_) | Who::Made(_) => {
                    let o = match &seat.who {
                        Who::Out(i) => &self.org.outsiders[*i],
                        Who::Made(o) => o,
                        Who::In(_) => unreachable!(),
                    };
                    (
                        o.name.clone(),
                        if o.email_visible {
                            o.email.clone()
                        } else {
                            String::new()
                        },
                        String::new(),
                        o.ip.clone(),
                        o.location.to_string(),
                        None,
                        false,
                    )
                }
            };
            let name = seat.name.clone().unwrap_or(name);
            let email = seat.email.clone().unwrap_or(email);
            let ip = seat.ip.clone().unwrap_or(ip);
            let loc = seat.loc.clone().unwrap_or(loc);
            let dev = seat.device.clone().or(dev);
            if internal {
                mine += 1;
            }
            any_share |= seat.shares;
            for (si, &(j, l)) in seat.sessions.iter().enumerate() {
                sessions += 1;
                let dur = (l - j).num_seconds();
                total_secs += dur;
                let last = si + 1 == seat.sessions.len();
                let leave_reason = if seat.host && last {
                    "Host ended the meeting.".to_string()
                } else if last {
                    format!("{name} left the meeting.")
                } else {
                    format!("{name} got disconnected from the meeting.")
                };
                report.push(json!({
                    "id": zid,
                    "participant_user_id": zid,
                    "user_id": uid,
                    "name": name,
                    "user_email": email,
                    "join_time": fmt_utc(j),
                    "leave_time": fmt_utc(l),
                    "duration": dur,
                    "failover": false,
                    "status": "in_meeting",
                    "registrant_id": seat.registrant_id,
                    "customer_key": "",
                    "bo_mtg_id": "",
                }));
                let (device, os, osv, pc, mac, ver, iips) = match &dev {
                    Some(d) => (
                        d.os,
                        d.os,
                        d.os_version,
                        d.pc_name.clone(),
                        d.mac.clone(),
                        d.version.clone(),
                        if d.internal_ip.is_empty() {
                            vec![]
                        } else {
                            vec![d.internal_ip.clone()]
                        },
                    ),
                    None => (
                        "",
                        "",
                        "",
                        String::new(),
                        String::new(),
                        "6.1.6.47869".to_string(),
                        vec![],
                    ),
                };
                let share_here = seat.shares && si == 0;
                metrics.push(json!({
                    "id": zid,
                    "participant_user_id": zid,
                    "participant_uuid": puuid,
                    "user_id": uid,
                    "user_name": name,
                    "email": email,
                    "role": if seat.host { "host" } else { "attendee" },
                    "status": "in_meeting",
                    "device": device,
                    "os": os,
                    "os_version": osv,
                    "device_name": pc,
                    "client": if dev.is_some() { "Zoom Workplace" } else { "" },
                    "version": ver,
                    "ip_address": ip,
                    "internal_ip_addresses": iips,
                    "location": loc,
                    "network_type": if ip.starts_with("198.51.100.") { "Wired" } else { "Wifi" },
                    "data_center": data_center(&loc),
                    "full_data_center": format!("{};", data_center(&loc)),
                    "connection_type": "UDP",
                    "microphone": if dev.is_some() { "Built-in Microphone" } else { "" },
                    "speaker": if dev.is_some() { "Built-in Speakers" } else { "" },
                    "camera": if dev.is_some() { "Built-in Camera" } else { "" },
                }));
                let more = json!({
                    "pc_name": pc,
                    "domain": if internal { super::org::DOMAIN } else { "" },
                    "mac_addr": mac,
                    "harddisk_id": "",
                    "join_time": fmt_utc(j),
                    "leave_time": fmt_utc(l),
                    "leave_reason": leave_reason,
                    "share_application": false,
                    "share_desktop": share_here,
                    "share_whiteboard": false,
                    "recording": inst.recorded && seat.host,
                    "audio_quality": "good",
                    "video_quality": "good",
                    "screen_share_quality": if share_here { "good" } else { "" },
                    "registrant_id": seat.registrant_id,
                    "customer_key": "",
                    "in_room_participants": 0,
                    "from_sip_uri": "",
                    "sip_uri": "",
                    "bo_mtg_id": "",
                    "groupId": "",
                    "has_archiving": false,
                    "optional_archiving": "",
                    "audio_call": [],
                });
                if let (Some(Value::Object(m)), Value::Object(more)) = (metrics.last_mut(), more) {
                    m.extend(more);
                }
                let part = json!({
                    "user_id": uid, "user_name": name, "id": zid, "participant_uuid": puuid,
                    "join_time": fmt_utc(j), "email": email, "registrant_id": seat.registrant_id,
                    "participant_user_id": zid, "customer_key": "", "phone_number": "",
                });
                self.emit_webhook(json!({"event": "meeting.participant_joined", "event_ts": j.timestamp_millis() + 700, "payload": {"account_id": ACCOUNT_ID, "object": obj(json!({"participant": part}))}}))?;
                if share_here {
                    let t = j + Duration::seconds(60);
                    let part = json!({"user_id": uid, "user_name": name, "id": zid, "sharing_details": {"content": "desktop", "link_source": "", "file_link": "", "date_time": fmt_utc(t), "source": ""}});
                    self.emit_webhook(json!({"event": "meeting.sharing_started", "event_ts": t.timestamp_millis() + 300, "payload": {"account_id": ACCOUNT_ID, "object": obj(json!({"participant": part}))}}))?;
                }
                let part = json!({
                    "user_id": uid, "user_name": name, "id": zid, "participant_uuid": puuid,
                    "leave_time": fmt_utc(l), "leave_reason": leave_reason, "email": email,
                    "registrant_id": seat.registrant_id, "participant_user_id": zid,
                    "customer_key": "", "phone_number": "",
                });
                self.emit_webhook(json!({"event": "meeting.participant_left", "event_ts": l.timestamp_millis() + 650, "payload": {"account_id": ACCOUNT_ID, "object": obj(json!({"participant": part}))}}))?;
                if !internal {
                    self.plan.note_exposure(j, &inst.uuid);
                }
            }
        }
        self.emit_webhook(json!({"event": "meeting.ended", "event_ts": end.timestamp_millis() + 900, "payload": {"account_id": ACCOUNT_ID, "object": obj(json!({"end_time": fmt_utc(end)}))}}))?;
        let (hj, hl) = (
            inst.seats[0].sessions[0].0,
            inst.seats[0].sessions.last().unwrap().1,
        );
        let rec = json!({
            "uuid": inst.uuid,
            "id": inst.id,
            "type": inst.mtype,
            "topic": inst.topic,
            "user_name": host_name,
            "user_email": host_email,
            "start_time": fmt_utc(start),
            "end_time": fmt_utc(end),
            "duration": ((end - start).num_seconds() + 59) / 60,
            "total_minutes": (total_secs + 59) / 60,
            "participants_count": sessions,
            "participants_count_my_account": mine,
            "source": "Zoom",
            "session_key": "",
            "custom_keys": [],
            "schedule_time": fmt_mdy(inst.scheduled),
            "join_waiting_room_time": "",
            "join_time": fmt_mdy(hj),
            "leave_time": fmt_mdy(hl),
            "host_organization": "Acme Corp",
            "host_name": host_name,
            "has_screen_share": any_share,
            "has_recording": inst.recorded,
            "has_chat": inst.has_chat,
            "meeting_encryption_status": 2,
        });
        self.emit_meeting(&host_id, rec)?;
        let uuid = inst.uuid.clone();
        self.emit_participants(&uuid, report, metrics)?;
        if inst.recorded {
            self.emit_recording_of(&inst, start, end)?;
        }
        self.plan.note_instance(&inst, start, end);
        Ok(())
    }

    pub(super) fn emit_recording_of(
        &mut self,
        inst: &Instance,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<()> {
        let host = &self.org.people[inst.host];
        let host_id = host.id.clone();
        let host_email = host.email.clone();
        let tz = host.tz();
        let rs = start + Duration::seconds(20);
        let re = end - Duration::seconds(5);
        let secs = (re - rs).num_seconds().max(60);
        let mut kinds: Vec<(&str, &str, &str, i64)> = vec![
            (
                "MP4",
                "MP4",
                "shared_screen_with_speaker_view",
                secs * 28_000,
            ),
            ("M4A", "M4A", "audio_only", secs * 4_000),
        ];
        if inst.has_chat {
            kinds.push(("CHAT", "TXT", "chat_file", 400 + secs / 3));
        }
        if self.rng.random_bool(0.5) {
            kinds.push(("TRANSCRIPT", "VTT", "audio_transcript", secs * 20));
        }
        kinds.push(("TIMELINE", "JSON", "timeline", secs * 2));
        let mut files = Vec::new();
        let mut total = 0i64;
        for (ft, ext, rt, size) in kinds {
            let tok = ids::token(&mut self.rng, 28);
            total += size;
            let mut f = json!({
                "id": ids::uuid4(&mut self.rng, false),
                "meeting_id": inst.uuid,
                "recording_start": fmt_utc(rs),
                "recording_end": fmt_utc(re),
                "file_type": ft,
                "file_extension": ext,
                "file_size": size,
                "play_url": if ft == "CHAT" { String::new() } else { format!("https://acme-corp.zoom.us/rec/play/{tok}") },
                "download_url": format!("https://acme-corp.zoom.us/rec/download/{tok}"),
                "status": "completed",
                "recording_type": rt,
            });
            if ft == "TIMELINE" {
                // Zoom gives timeline files no id, status or recording type.
                let o = f.as_object_mut().unwrap();
                o.remove("id");
                o.remove("status");
                o.remove("recording_type");
                o.remove("play_url");
            }
            files.push(f);
        }
        let share_url = format!(
            "https://acme-corp.zoom.us/rec/share/{}",
            ids::token(&mut self.rng, 26)
        );
        let passcode = ids::token(&mut self.rng, 32);
        let rec = json!({
            "uuid": inst.uuid,
            "id": inst.id,
            "account_id": ACCOUNT_ID,
            "host_id": host_id,
            "topic": inst.topic,
            "type": inst.mtype.to_string(),
            "start_time": fmt_utc(start),
            "duration": (secs + 59) / 60,
            "total_size": total,
            "recording_count": files.len(),
            "recording_play_passcode": passcode,
            "auto_delete": false,
            "auto_delete_date": "",
            "recording_files": files,
            "share_url": share_url,
        });
        // recording.completed: integer id, webhook download urls, a download token.
        let mut wobj = rec.clone();
        {
            let o = wobj.as_object_mut().unwrap();
            o.insert("type".into(), json!(inst.mtype));
            o.insert("timezone".into(), json!(tz));
            o.insert("host_email".into(), json!(host_email));
            o.insert("password".into(), json!(""));
            o.insert("on_prem".into(), json!(false));
            o.insert("participant_audio_files".into(), json!([]));
            if let Some(fs) = o.get_mut("recording_files").and_then(Value::as_array_mut) {
                for f in fs {
                    if let Some(u) = f.get("download_url").and_then(Value::as_str) {
                        let u = u.replace("/rec/download/", "/rec/webhook_download/");
                        f["download_url"] = json!(u);
                    }
                    f["file_name"] = json!("");
                }
            }
        }
        let done = end + Duration::seconds(300 + self.rng.random_range(0..600));
        let token = format!(
            "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzUxMiJ9.{}.{}",
            ids::token(&mut self.rng, 40),
            ids::token(&mut self.rng, 20)
        );
        self.emit_webhook(json!({
            "event": "recording.completed",
            "event_ts": done.timestamp_millis(),
            "download_token": token,
            "payload": {"account_id": ACCOUNT_ID, "object": wobj},
        }))?;
        match inst.fate {
            Fate::Keep => self.emit_recording(&host_id, rec, false),
            Fate::Trash(t, by) => {
                let mut trashed = rec.clone();
                let o = trashed.as_object_mut().unwrap();
                for k in [
                    "recording_play_passcode",
                    "share_url",
                    "auto_delete",
                    "auto_delete_date",
                ] {
                    o.remove(k);
                }
                if let Some(fs) = o.get_mut("recording_files").and_then(Value::as_array_mut) {
                    for f in fs {
                        f["deleted_time"] = json!(fmt_utc(t));
                    }
                }
                self.emit_webhook(self.recording_gone("recording.trashed", &rec, t, by))?;
                self.plan.trash.push((host_id, trashed));
                Ok(())
            }
            Fate::Delete(t, by) => {
                self.emit_webhook(self.recording_gone("recording.deleted", &rec, t, by))
            }
        }
    }

    fn recording_gone(&self, event: &str, rec: &Value, t: DateTime<Utc>, by: usize) -> Value {
        let op = &self.org.people[by];
        let host_tz = rec["host_id"]
            .as_str()
            .and_then(|h| self.org.people.iter().find(|p| p.id == h))
            .map(|p| p.tz())
            .unwrap_or("UTC");
        let mut obj = rec.clone();
        let o = obj.as_object_mut().unwrap();
        o.insert("timezone".into(), json!(host_tz));
        o.insert(
            "type".into(),
            json!(
                rec["type"]
                    .as_str()
                    .and_then(|s| s.parse::<i64>().ok())
                    .unwrap_or(2)
            ),
        );
        for k in ["recording_play_passcode", "auto_delete", "auto_delete_date"] {
            o.remove(k);
        }
        json!({
            "event": event,
            "event_ts": t.timestamp_millis() + 1500,
            "payload": {"account_id": ACCOUNT_ID, "operator": op.email, "operator_id": op.id, "object": obj},
        })
    }
}

fn data_center(loc: &str) -> &'static str {
    if loc.ends_with("(US)") || loc.ends_with("(CA)") {
        "United States (SC Top)"
    } else if loc.ends_with("(SG)")
        || loc.ends_with("(MY)")
        || loc.ends_with("(JP)")
        || loc.ends_with("(AU)")
    {
        "Singapore (SG)"
    } else {
        "Germany (FR)"
    }
}
