//! Background activity: sign-ins and sign-outs, routine admin operations, Team Chat, and the
//! users directory records.

use super::org::{ACCOUNT_ID, Status};
use super::{Gen, ids};
use crate::model::time::fmt_utc;
use anyhow::Result;
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand::seq::IndexedRandom;
use serde_json::{Value, json};

const CHAT_LINES: &[&str] = &[
    "Morning! Standup notes are in the doc.",
    "Can someone review my PR?",
    "Customer call moved to 3pm.",
    "Deploy finished, all green.",
    "Lunch?",
    "Updated the forecast sheet.",
    "Who owns the renewal for this account?",
    "I'll be a few minutes late to the sync.",
    "Thanks, that fixed it.",
    "Pushed the slides to the shared drive.",
    "On-call handover notes posted.",
    "Pager was quiet overnight.",
];

impl Gen<'_> {
    /// Where a person is today: (ip, location, device index). Alternates office and home by
    /// the number of days they have been active, so a person's first sign-ins already show
    /// every address they will use (their baseline) and a day's activity shares one address.
    pub fn whereabouts(&self, p: usize) -> (String, String, usize) {
        let pe = &self.org.people[p];
        let k = self.days_active[p] as usize + p;
        let dev = k / 2 % pe.devices.len();
        if k.is_multiple_of(2) {
            (pe.office_ip().to_string(), pe.office_loc().to_string(), dev)
        } else {
            // A dual-stack home's meeting media goes over its IPv4 address.
            let ip = self.home_media_ip(p).unwrap_or_else(|| pe.home_ip.clone());
            (ip, pe.home_loc.clone(), dev)
        }
    }

    /// Is `p` doing background work at `t` (departed people stop)?
    pub fn present(&self, p: usize, t: DateTime<Utc>) -> bool {
        let pe = &self.org.people[p];
        pe.background && pe.status != Status::Pending && pe.active_until.is_none_or(|u| t < u)
    }

    pub fn signin_record(
        &self,
        p: usize,
        t: DateTime<Utc>,
        kind: &str,
        ip: &str,
        dev: usize,
    ) -> Value {
        let pe = &self.org.people[p];
        let d = &pe.devices[dev.min(pe.devices.len() - 1)];
        json!({
            "client_type": d.client_type,
            "email": pe.email,
            "ip_address": ip,
            "time": fmt_utc(t),
            "type": kind,
            "version": d.version,
        })
    }

    /// A sign-in or sign-out: the report row and its webhook.
    pub fn signin(
        &mut self,
        p: usize,
        t: DateTime<Utc>,
        kind: &str,
        ip: &str,
        dev: usize,
    ) -> Result<()> {
        let rec = self.signin_record(p, t, kind, ip, dev);
        let pe = &self.org.people[p];
        let event = if kind == "Sign in" {
            "user.signed_in"
        } else {
            "user.signed_out"
        };
        let wh = json!({
            "event": event,
            "event_ts": t.timestamp_millis() + 350,
            "payload": {
                "account_id": ACCOUNT_ID,
                "object": {
                    "id": pe.id,
                    "client_type": rec["client_type"].as_str().unwrap_or("").to_ascii_lowercase(),
                    "date_time": fmt_utc(t),
                    "email": pe.email,
                    "version": rec["version"],
                    "login_type": 101,
                }
            }
        });
        self.push_activity(rec);
        if kind == "Sign in" {
            self.beyond_signin(p, t, ip, dev)?;
        }
        self.emit_webhook(wh)
    }

    /// An operation-log row, with the webhook Zoom sends for it when there is one.
    pub fn operation(
        &mut self,
        t: DateTime<Utc>,
        operator: usize,
        category: &str,
        action: &str,
        detail: &str,
        webhook: Option<Value>,
    ) -> Result<()> {
        let op = &self.org.people[operator];
        self.push_op(json!({
            "time": fmt_utc(t),
            "operator": op.email,
            "category_type": category,
            "action": action,
            "operation_detail": detail,
        }));
        if let Some(w) = webhook {
            self.emit_webhook(w)?;
        }
        Ok(())
    }

    /// `account.settings_updated` for a settings change: `section.key` went from `old` to `new`.
    pub fn settings_webhook(
        &self,
        t: DateTime<Utc>,
        operator: usize,
        section: &str,
        key: &str,
        old: Value,
        new: Value,
    ) -> Value {
        self.change_webhook(
            "account.settings_updated",
            t + Duration::milliseconds(500),
            operator,
            json!({"id": ACCOUNT_ID, "settings": {section: {key: new}}}),
            json!({"id": ACCOUNT_ID, "settings": {section: {key: old}}}),
        )
    }

    pub fn user_updated_webhook(
        &self,
        t: DateTime<Utc>,
        operator: usize,
        target: usize,
        key: &str,
        old: Value,
        new: Value,
    ) -> Value {
        let tg = &self.org.people[target];
        self.change_webhook(
            "user.updated",
            t + Duration::milliseconds(400),
            operator,
            json!({"id": tg.id, key: new}),
            json!({"id": tg.id, key: old}),
        )
    }

    /// Webhook `event` for a change `operator` made, stamped `at` and delivered 0.4 s later:
    /// the object as it is now and as it was.
    fn change_webhook(
        &self,
        event: &str,
        at: DateTime<Utc>,
        operator: usize,
        object: Value,
        old_object: Value,
    ) -> Value {
        let op = &self.org.people[operator];
        json!({
            "event": event,
            "event_ts": at.timestamp_millis() + 400,
            "payload": {
                "account_id": ACCOUNT_ID,
                "operator": op.email,
                "operator_id": op.id,
                "time_stamp": at.timestamp_millis(),
                "object": object,
                "old_object": old_object,
            }
        })
    }

    /// One day of sign-ins, routine operations and chat.
    pub(super) fn background_day(&mut self) -> Result<()> {
        let workday = self.is_workday();
        let n = self.org.people.len();
        for p in 0..n {
            let pe = &self.org.people[p];
            if !(workday || pe.oncall) {
                continue;
            }
            // Local 08:00-09:30 sign-in, 17:00-18:30 sign-out; weekend on-call: daytime UTC.
            let off = pe.tz_off() * 3600;
            let (tin, tout) = if workday {
                (
                    8 * 3600 + 600 + self.rng.random_range(0..4800) - off,
                    17 * 3600 + self.rng.random_range(0..5400) - off,
                )
            } else {
                let h = (p % 3) as i64 * 8;
                (
                    h * 3600 + self.rng.random_range(0..3600),
                    h * 3600 + 5 * 3600 + self.rng.random_range(0..3600),
                )
            };
            let tin = self.at(tin.clamp(60, 86_000));
            if !self.present(p, tin) {
                continue;
            }
            let first_day = self.days_active[p] == 0;
            self.days_active[p] += 1;
            let (media_ip, _, dev) = self.whereabouts(p);
            let at_office = media_ip == self.org.people[p].office_ip();
            // Sign-ins go over IPv6 where the network has it (background.rs).
            let ip = self.signin_ip(p, at_office);
            if first_day && workday {
                // On their first day in the case people also sign in on their phone before
                // leaving home (or from home the evening before the office day), so their
                // first sign-ins already show both places they use: however many
                // sources report the same sign-in, no later place is new for them.
                let other = self.signin_ip(p, !at_office);
                let pe = &self.org.people[p];
                let phone = pe.devices.len() - 1;
                // At 05:00-05:40 local, before any meeting of the day: one cannot sit in a
                // meeting at the office while still at home.
                let jitter = self.rng.random_range(0..2400);
                let early = self.at((5 * 3600 + jitter - off).max(60 + jitter / 8));
                if early < tin {
                    self.signin(p, early, "Sign in", &other, phone)?;
                }
            }
            self.signin(p, tin, "Sign in", &ip, dev)?;
            self.beyond_workday(p, tin, &ip)?;
            // Some sign in again later on their phone (same network).
            if self.rng.random_bool(0.25) {
                let last = self.org.people[p].devices.len() - 1;
                let t2 = tin + chrono::Duration::seconds(self.rng.random_range(3600..4 * 3600));
                self.signin(p, t2, "Sign in", &ip, last)?;
            }
            let tout = self.at(tout.clamp(120, 86_340));
            if tout > tin {
                self.signin(p, tout, "Sign out", &ip, dev)?;
            }
            if workday {
                self.phone_signin(p)?;
            }
        }
        self.routine_ops()?;
        self.chat_day()
    }

    /// Routine admin work that no rule should flag: title and department edits, notification
    /// settings, recording downloads by the meeting's own host, SCIM syncs every 8 hours.
    fn routine_ops(&mut self) -> Result<()> {
        let admins = self.org.admins.clone();
        let n = self.org.people.len();
        for slot in 0..3 {
            let secs_ = slot * 8 * 3600 + 1800 + self.rng.random_range(0..3600);
            let t = self.at(secs_);
            if self.plan.in_op_quiet(t) {
                continue;
            }
            let target = 26 + self.rng.random_range(0..n - 26);
            if !self.org.people[target].background
                || self.org.people[target].status != Status::Active
            {
                continue;
            }
            let title = self.org.people[target].title.clone();
            let detail = format!(
                "Update User {}  - Job Title: set to {}",
                self.org.people[target].email, title
            );
            let admin = admins[slot as usize % admins.len()];
            let wh =
                self.user_updated_webhook(t, admin, target, "job_title", json!(""), json!(title));
            self.operation(t, admin, "User", "SCIM API - Update", &detail, Some(wh))?;
        }
        if !self.is_workday() {
            return Ok(());
        }
        let k = (n / 40).max(1);
        for _ in 0..k {
            let secs_ = 13 * 3600 + self.rng.random_range(0..4 * 3600);
            let t = self.at(secs_);
            if self.plan.in_op_quiet(t) {
                continue;
            }
            let admin = *admins.choose(&mut self.rng).unwrap();
            match self.rng.random_range(0..2) {
                0 => {
                    let (s, key, label) = *[
                        ("email_notification", "cloud_recording_available_reminder", "Email Notification  - When a cloud recording is available: from Off to On"),
                        ("schedule_meeting", "host_video", "Schedule Meeting  - Host video: from Off to On"),
                        ("in_meeting", "closed_caption", "In Meeting (Advanced)  - Closed captioning: from Off to On"),
                    ]
                    .choose(&mut self.rng)
                    .unwrap();
                    let wh = self.settings_webhook(t, admin, s, key, json!(false), json!(true));
                    self.operation(t, admin, "Account", "Update", label, Some(wh))?;
                }
                _ => {
                    let target = 26 + self.rng.random_range(0..n - 26);
                    if !self.org.people[target].background
                        || self.org.people[target].status != Status::Active
                    {
                        continue;
                    }
                    let detail = format!(
                        "Update User {}  - Job Title: set to {}",
                        self.org.people[target].email, self.org.people[target].title
                    );
                    self.operation(t, admin, "User", "Update", &detail, None)?;
                }
            }
        }
        Ok(())
    }

    /// Team Chat: team channels on work days, and the on-call channel every few hours.
    fn chat_day(&mut self) -> Result<()> {
        let workday = self.is_workday();
        let nteams = self.org.teams.len();
        for ti in 0..nteams {
            let team = &self.org.teams[ti];
            let oncall = self.org.people[team.lead].oncall;
            let owner = self.org.people[team.lead].id.clone();
            let channel = team.channel.clone();
            let members = team.members.clone();
            let off = self.org.people[team.lead].tz_off() * 3600;
            let mut times: Vec<i64> = Vec::new();
            if workday {
                for _ in 0..self.rng.random_range(1..4) {
                    times.push(
                        (10 * 3600 + self.rng.random_range(0..6 * 3600) - off).clamp(0, 86_000),
                    );
                }
            }
            if oncall {
                for h in (0..24).step_by(4) {
                    times.push(h * 3600 + self.rng.random_range(0..3000));
                }
            }
            for s in times {
                let sender = *members.choose(&mut self.rng).unwrap();
                let ms = self.rng.random_range(0..1000);
                let t = self.at(s) + chrono::Duration::milliseconds(ms);
                if !self.present(sender, t) {
                    continue;
                }
                let pe = &self.org.people[sender];
                let text = if oncall {
                    CHAT_LINES[10 + (s as usize / 3600) % 2]
                } else {
                    CHAT_LINES.choose(&mut self.rng).unwrap()
                };
                let msg = json!({
                    "id": ids::token(&mut self.rng, 20),
                    "message": text,
                    "sender": pe.email,
                    "sender_member_id": "",
                    "sender_display_name": pe.name(),
                    "date_time": fmt_utc(t),
                    "timestamp": t.timestamp_millis(),
                    "status": "Normal",
                    "reply_main_message_id": "",
                    "reply_main_message_timestamp": 0,
                    "files": [],
                    "rich_text": [],
                    "reactions": [],
                    "at_items": [],
                });
                self.push_chat(owner.clone(), channel.clone(), msg);
            }
        }
        Ok(())
    }

    /// The `/users` record of person `i` as the directory shows it at the end of the window.
    pub fn user_record(&self, i: usize) -> Value {
        let p = &self.org.people[i];
        let d = &p.devices[0];
        let suffix = match d.os {
            "Mac" => "mac",
            "Windows" => "win",
            _ => "ios",
        };
        let status = match p.status {
            Status::Active => "active",
            Status::Inactive => "inactive",
            Status::Pending => "pending",
        };
        let last_login = fmt_utc(self.at_day(self.cfg.days - 1, 9 * 3600 - p.tz_off() * 3600));
        let mut v = json!({
            "id": p.id,
            "email": p.email,
            "first_name": p.first,
            "last_name": p.last,
            "display_name": p.name(),
            "type": p.user_type,
            "status": status,
            "role_id": p.role.id(),
            "dept": p.dept,
            "timezone": p.tz(),
            "verified": 1,
            "pmi": p.pmi,
            "group_ids": [],
            "im_group_ids": [],
            "last_client_version": format!("{}({})", d.version, suffix),
            "last_login_time": last_login,
            "user_created_at": p.created_at,
            "created_at": p.created_at,
        });
        let o = v.as_object_mut().unwrap();
        if p.status == Status::Pending {
            o.remove("id");
            o.remove("last_login_time");
            o.remove("last_client_version");
            o.insert("verified".into(), json!(0));
        }
        v
    }
}
