//! What the plants are made of: truth items, operations, sign-ins and planted meetings.
//! Every plant goes through these so that a plant file reads as its story (who, when,
//! what the rule should or should not see) rather than as the records that carry it.

use crate::model::time::fmt_utc;
use crate::sim::generator::meetings::{Instance, Seat, Who};
use crate::sim::generator::org::{Outsider, Person, Role, Status};
use crate::sim::generator::{Gen, TruthItem};
use anyhow::Result;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use std::ops::Range;

/// Seconds after midnight of `h:m`, the plants' clock.
pub(super) fn sec(h: i64, m: i64) -> i64 {
    h * 3600 + m * 60
}

pub(super) fn secs(n: i64) -> Duration {
    Duration::seconds(n)
}

pub(super) fn mins(n: i64) -> Duration {
    Duration::minutes(n)
}

/// A participant from outside the account; only those with an email show it, and those
/// without one are guests.
pub(super) fn outsider(name: &str, email: &str, ip: &str, location: &'static str) -> Who {
    Who::Made(Box::new(Outsider {
        name: name.into(),
        email: email.into(),
        email_visible: !email.is_empty(),
        guest: email.is_empty(),
        ip: ip.into(),
        location,
        company: "",
    }))
}

/// A guest: an outsider known only by the display name they typed.
pub(super) fn guest(name: &str, ip: &str, location: &'static str) -> Who {
    outsider(name, "", ip, location)
}

/// Seats `pe` at their office address, as a regular at their desk.
pub(super) fn at_office(seat: &mut Seat, pe: &Person) {
    seat.ip = Some(pe.office_ip().to_string());
    seat.loc = Some(pe.office_loc().to_string());
}

/// One line of truth.json; the rule and whether it is a near-miss are given when it is
/// recorded.
#[derive(Default)]
pub(super) struct It {
    user: Option<String>,
    inst: Option<(i64, String)>,
    ip: Option<String>,
    time: Option<DateTime<Utc>>,
    note: String,
}

impl It {
    pub fn new(note: impl Into<String>) -> It {
        It::default().note(note)
    }
    pub fn note(mut self, note: impl Into<String>) -> It {
        self.note = note.into();
        self
    }
    pub fn user(mut self, user: impl Into<String>) -> It {
        self.user = Some(user.into());
        self
    }
    /// The meeting, as the `(id, uuid)` that `Gen::held` returns.
    pub fn of(mut self, key: (i64, String)) -> It {
        self.inst = Some(key);
        self
    }
    pub fn ip(mut self, ip: impl Into<String>) -> It {
        self.ip = Some(ip.into());
        self
    }
    pub fn at(mut self, t: DateTime<Utc>) -> It {
        self.time = Some(t);
        self
    }
}

/// A planted meeting being seated; `Gen::held` emits it.
pub(super) struct Meeting {
    pub inst: Instance,
    pub start: DateTime<Utc>,
}

impl Meeting {
    /// `who` joins `after` the start and stays for `stay`; returns the join time, which is
    /// what the truth item points at.
    pub fn join(&mut self, who: Who, after: Duration, stay: Duration) -> DateTime<Utc> {
        let j = self.start + after;
        self.inst.seats.push(Seat::new(who, j, j + stay));
        j
    }

    /// The seat just added, for the plants that dress it (shares, address, device, name).
    pub fn seat(&mut self) -> &mut Seat {
        self.inst.seats.last_mut().unwrap()
    }

    pub fn key(&self) -> (i64, String) {
        (self.inst.id, self.inst.uuid.clone())
    }
}

impl Gen<'_> {
    /// A planted incident; `planted` is false when its rule is switched off but another
    /// rule's plant produced it anyway (so the scorer does not expect it).
    pub(super) fn incident(&mut self, rule: &str, it: It) {
        let ti = self.truth_item(rule, it, self.cfg.planted(rule));
        self.plan.truth.incidents.push(ti);
    }

    /// A near-miss: looks like `rule`'s incident, and a correct rule must not flag it.
    pub(super) fn near_miss(&mut self, rule: &str, it: It) {
        let ti = self.truth_item(rule, it, false);
        self.plan.truth.near_misses.push(ti);
    }

    fn truth_item(&self, rule: &str, it: It, planted: bool) -> TruthItem {
        TruthItem {
            rule: rule.into(),
            planted,
            user: it.user,
            meeting_id: it.inst.as_ref().map(|x| x.0),
            meeting_uuid: it.inst.map(|x| x.1),
            ip: it.ip,
            time: it.time.map(fmt_utc),
            note: it.note,
        }
    }

    pub(super) fn email(&self, p: usize) -> String {
        self.org.people[p].email.clone()
    }

    pub(super) fn persona_mut(&mut self, name: &str) -> &mut Person {
        let i = self.org.persona(name);
        &mut self.org.people[i]
    }

    /// Which of `total` repeated meetings fall on today: front-loaded, so that all of them
    /// happen even in the shortest window.
    pub(super) fn todays(&self, total: u32) -> Range<u32> {
        let per_day = total.div_ceil(self.cfg.days);
        (self.day * per_day).min(total)..((self.day + 1) * per_day).min(total)
    }

    /// An operation-log row (with its webhook, if Zoom sends one). The truth item it
    /// returns names the operator and the time; the plant adds the rest.
    pub(super) fn op(
        &mut self,
        t: DateTime<Utc>,
        operator: usize,
        (category, action): (&str, &str),
        detail: &str,
        webhook: Option<Value>,
    ) -> Result<It> {
        self.operation(t, operator, category, action, detail, webhook)?;
        Ok(It::default().user(self.email(operator)).at(t))
    }

    /// An account setting switched on or off, with its `account.settings_updated` webhook
    /// (`section.key` goes from `!on` to `on`).
    pub(super) fn setting(
        &mut self,
        t: DateTime<Utc>,
        operator: usize,
        detail: &str,
        (section, key): (&str, &str),
        on: bool,
    ) -> Result<It> {
        let wh = self.settings_webhook(t, operator, section, key, json!(!on), json!(on));
        self.op(t, operator, ("Account", "Update"), detail, Some(wh))
    }

    /// `operator` moves `target` between roles; the truth item names the target. A batch
    /// update names the person, not their email, as Zoom's log does.
    pub(super) fn role_change(
        &mut self,
        t: DateTime<Utc>,
        operator: usize,
        target: usize,
        batch: bool,
        (from, to): (Role, Role),
    ) -> Result<It> {
        let (action, shown) = if batch {
            ("Batch Update", self.org.people[target].name())
        } else {
            ("Update", self.email(target))
        };
        let detail = format!(
            "Change Role  - {shown}: from {} to {}",
            from.name(),
            to.name()
        );
        let (old, new) = (json!(from.id()), json!(to.id()));
        let wh = self.user_updated_webhook(t, operator, target, "role_id", old, new);
        let it = self.op(t, operator, ("User", action), &detail, Some(wh))?;
        Ok(it.user(self.email(target)))
    }

    /// An operation-log row planted now for a later day (the day loop runs forward).
    pub(super) fn later(
        &mut self,
        t: DateTime<Utc>,
        by: usize,
        (category, action): (&str, &str),
        detail: String,
    ) {
        let op = (t, by, category.into(), action.into(), detail);
        self.plan.pending_ops.push(op);
    }

    /// Four early sign-ins alternating office and home: the baseline a later sign-in is
    /// judged against.
    pub(super) fn baseline_signins(&mut self, persona: &str) -> Result<()> {
        let p = self.org.persona(persona);
        let (home, office) = (
            self.org.people[p].home_ip.clone(),
            self.org.people[p].office_ip().to_string(),
        );
        for (k, ip) in [&office, &home, &office, &home].iter().enumerate() {
            let t = self.at(sec(2, 0) + k as i64 * 1200 + p as i64);
            self.signin(p, t, "Sign in", ip, 0)?;
        }
        Ok(())
    }

    /// Background insiders past the first 26 (executives, admins, personas) who are active
    /// and not leaving, matching `keep`: planted meetings must not change anyone's story.
    fn regulars(&self, keep: impl Fn(&Person) -> bool) -> Vec<usize> {
        (26..self.org.people.len())
            .filter(|&i| {
                let pe = &self.org.people[i];
                pe.background
                    && pe.status == Status::Active
                    && pe.active_until.is_none()
                    && keep(pe)
            })
            .collect()
    }

    /// The `nth` regular of `dept` (of any department when `dept` is empty or has none).
    pub(super) fn regular(&self, dept: &str, nth: usize) -> usize {
        let mut c = self.regulars(|pe| dept.is_empty() || pe.dept == dept);
        if c.is_empty() {
            c = self.regulars(|_| true);
        }
        c[nth % c.len()]
    }

    /// A regular based at `site` (any department).
    pub(super) fn regular_at(&self, site: usize, nth: usize) -> usize {
        let c = self.regulars(|pe| pe.site == site);
        if c.is_empty() {
            return self.regular("", nth);
        }
        c[nth % c.len()]
    }

    /// The `nth` regular based at `site` whose day, as the background wrote it, is at the
    /// office: a plant that seats someone at the office must not contradict where they signed
    /// in from that day (their home sign-in beside an office meeting is a parallel session).
    pub(super) fn regular_in_office(&self, site: usize, nth: usize) -> usize {
        let c = self.regulars(|pe| pe.site == site);
        let at_office: Vec<usize> = c
            .iter()
            .copied()
            .filter(|&i| self.whereabouts(i).0 == self.org.people[i].office_ip())
            .collect();
        match (at_office.is_empty(), c.is_empty()) {
            (false, _) => at_office[nth % at_office.len()],
            (true, false) => c[nth % c.len()],
            (true, true) => self.regular("", nth),
        }
    }

    /// A planted meeting today at `at` (seconds after midnight): the host plus `insiders`
    /// for its span; the plant seats its outsiders.
    pub(super) fn meeting(
        &mut self,
        topic: &str,
        host: usize,
        at: i64,
        minutes: i64,
        insiders: &[usize],
    ) -> Meeting {
        let start = self.at(at);
        let mut inst = self.instance(topic, host, start, minutes, 2, None);
        for &p in insiders {
            if p != host {
                self.seat_in(&mut inst, p);
            }
        }
        Meeting { inst, start }
    }

    /// Emits a planted meeting (with the background's screen sharing) and returns its key.
    pub(super) fn held(&mut self, m: Meeting) -> Result<(i64, String)> {
        let mut inst = m.inst;
        self.background_shares(&mut inst);
        let key = (inst.id, inst.uuid.clone());
        self.emit_instance(inst)?;
        Ok(key)
    }
}
