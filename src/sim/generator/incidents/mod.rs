//! Planted incidents: one or more per rule of the detection catalogue, each with ground truth
//! and a near-miss that a correct rule must not flag. Plants are switchable by rule id.
//!
//! Days: `early` = day 1, `mid` = days/2 (at least 1), `last` = the final day; a run needs
//! at least 3 days. Times are UTC and chosen so that plants never collide with one another.

use super::meetings::{Fate, Instance, Seat, Who};
use super::org::{ACCOUNT_ID, Device, Outsider, Status};
use super::{Gen, TruthItem};
use crate::model::time::fmt_utc;
use anyhow::Result;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

/// A weakened setting, tracked to find the first outsider join within 24 h (unless reverted).
#[derive(Debug, Clone)]
pub struct Weak {
    pub time: DateTime<Utc>,
    pub operator: String,
    pub detail: String,
    pub revert: Option<DateTime<Utc>>,
    pub exposure: Option<(DateTime<Utc>, String)>,
    pub deliberate: bool,
}

#[derive(Debug, Default)]
pub struct Plan {
    pub truth: super::Truth,
    pub departures: Vec<(String, String)>,
    pub no_share: Vec<usize>,
    pub trash: Vec<(String, Value)>,
    chat_hole: Option<(i64, i64)>,
    op_quiet: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub weak: Vec<Weak>,
    /// The board meeting: (id, uuid, insiders present).
    pub board: Option<(i64, String, Vec<usize>)>,
    early: u32,
    mid: u32,
    last: u32,
    new_user: Option<usize>,
    /// The treasury series' meeting id.
    treasury: i64,
    /// Operations planted for a later day: (time, operator, category, action, detail).
    pending_ops: Vec<(DateTime<Utc>, usize, String, String, String)>,
}

fn sec(h: i64, m: i64) -> i64 {
    h * 3600 + m * 60
}

fn made(name: &str, email: &str, visible: bool, ip: &str, loc: &'static str) -> Who {
    Who::Made(Box::new(Outsider {
        name: name.into(),
        email: email.into(),
        email_visible: visible,
        guest: email.is_empty(),
        ip: ip.into(),
        location: loc,
        company: "",
    }))
}

impl Plan {
    /// Decide the plants that change the organisation itself (departures, roles, personas).
    pub fn make(g: &mut Gen) -> Plan {
        let d = g.cfg.days;
        let mut p = Plan {
            early: 1,
            mid: (d / 2).max(1),
            last: d - 1,
            treasury: super::meetings::series_number(900_000),
            ..Default::default()
        };
        let start = g.cfg.start;
        let at = move |day: u32, s: i64| super::day_at(start, day, s);
        if g.cfg.planted("join-after-departure") {
            let dp = g.org.persona("departed");
            let dq = g.org.persona("departed_ok");
            let tp = at(p.early, sec(17, 0));
            let tq = at(p.early, sec(12, 0));
            g.org.people[dp].active_until = Some(tp);
            g.org.people[dq].active_until = Some(tq);
            g.org.people[dq].status = Status::Inactive;
            p.departures
                .push((g.org.people[dp].email.clone(), fmt_utc(tp)));
            p.departures
                .push((g.org.people[dq].email.clone(), fmt_utc(tq)));
        }
        if g.cfg.planted("silent-presence") {
            p.no_share.push(g.org.persona("observer"));
            p.no_share.push(g.org.persona("quiet"));
        }
        if g.cfg.planted("source-silent") {
            let s = at(p.mid - 1, sec(12, 0));
            p.chat_hole = Some((
                s.timestamp_millis(),
                (s + Duration::hours(32)).timestamp_millis(),
            ));
            let q = at(0, sec(7, 30));
            p.op_quiet = Some((q, q + Duration::hours(20)));
        }
        // Final roles as the directory shows them at the end of the window.
        use super::org::Role;
        if g.cfg.planted("privileged-role-granted") {
            {
                let i = g.org.persona("promoted");
                g.org.people[i].role = Role::Custom;
            }
            {
                let i = g.org.persona("promoted2");
                g.org.people[i].role = Role::Admin;
            }
            {
                let i = g.org.persona("demoted");
                g.org.people[i].role = Role::Member;
            }
        }
        if g.cfg.planted("new-admin-activity") {
            {
                let i = g.org.persona("new_admin");
                g.org.people[i].role = Role::Admin;
            }
            {
                let i = g.org.persona("slow_admin");
                g.org.people[i].role = Role::Admin;
            }
        }
        if g.cfg.planted("billing-or-license-changed") {
            {
                let i = g.org.persona("licensed");
                g.org.people[i].user_type = 1;
            }
        }
        if g.cfg.planted("user-created") {
            // The new hire exists in the directory (created during the window).
            let i = g.org.people.len();
            let mut np = g.org.people[30.min(i - 1)].clone();
            np.idx = i;
            np.id = super::ids::user_id(&mut g.rng, i as u64);
            np.first = "Quinn".into();
            np.last = "Newhire".into();
            np.email = format!("quinn.newhire@{}", super::org::DOMAIN);
            np.dept = "Finance";
            np.user_type = 1;
            np.role = Role::Member;
            np.background = false;
            np.vip = false;
            np.oncall = false;
            np.status = Status::Active;
            np.home_ip = "192.0.2.252".into();
            np.created_at = fmt_utc(at(p.early, sec(14, 0)));
            g.org.people.push(np);
            g.days_active.push(0);
            g.since_share.push(0);
            p.new_user = Some(i);
        }
        // Weakenings are known up front so that outsider joins can be matched as they stream.
        let owner = g.org.people[g.org.owner].email.clone();
        let admin = g.org.people[g.org.admins[0]].email.clone();
        let admin2 = g.org.people[g.org.admins[1]].email.clone();
        if g.cfg.planted("security-setting-disabled") {
            p.weak.push(Weak {
                time: at(p.early, sec(10, 5)),
                operator: owner.clone(),
                detail: BATCH_2FA.into(),
                revert: None,
                exposure: None,
                deliberate: false,
            });
            p.weak.push(Weak {
                time: at(p.early, sec(11, 20)),
                operator: admin.clone(),
                detail: GROUP_PMI.into(),
                revert: None,
                exposure: None,
                deliberate: false,
            });
            p.weak.push(Weak {
                time: at(p.mid, sec(9, 40)),
                operator: admin2.clone(),
                detail: PASSCODE_SECOND.into(),
                revert: None,
                exposure: None,
                deliberate: false,
            });
        }
        if g.cfg.planted("weakened-then-exposed") {
            p.weak.push(Weak {
                time: at(p.last, sec(4, 0)),
                operator: admin.clone(),
                detail: WAITING_OFF.into(),
                revert: Some(at(p.last, sec(4, 10))),
                exposure: None,
                deliberate: false,
            });
            p.weak.push(Weak {
                time: at(p.last, sec(5, 0)),
                operator: admin.clone(),
                detail: WAITING_OFF.into(),
                revert: None,
                exposure: None,
                deliberate: true,
            });
        }
        p
    }

    pub fn in_chat_hole(&self, ts_ms: i64) -> bool {
        self.chat_hole.is_some_and(|(a, b)| ts_ms >= a && ts_ms < b)
    }

    pub fn in_op_quiet(&self, t: DateTime<Utc>) -> bool {
        self.op_quiet.is_some_and(|(a, b)| t >= a && t < b)
    }

    /// An outsider joined `uuid` at `t`: the first such join after each unreverted weakening.
    pub fn note_exposure(&mut self, t: DateTime<Utc>, uuid: &str) {
        for w in &mut self.weak {
            if t > w.time
                && t <= w.time + Duration::hours(24)
                && w.revert.is_none_or(|r| t < r)
                && w.exposure.as_ref().is_none_or(|(e, _)| t < *e)
            {
                w.exposure = Some((t, uuid.to_string()));
            }
        }
    }

    pub fn note_instance(&mut self, _inst: &Instance, _start: DateTime<Utc>, _end: DateTime<Utc>) {}

    /// Every weakening followed by an outsider's join within 24 h is a weakened-then-exposed
    /// incident (the deliberate plant, and the consequences of the other weakenings).
    pub fn resolve_exposures(&self, truth: &mut super::Truth) {
        for w in &self.weak {
            match &w.exposure {
                Some((t, uuid)) => truth.incidents.push(TruthItem {
                    rule: "weakened-then-exposed".into(),
                    planted: w.deliberate,
                    user: Some(w.operator.clone()),
                    meeting_uuid: Some(uuid.clone()),
                    time: Some(fmt_utc(w.time)),
                    note: format!("{:?} then an outsider joined at {}", w.detail, fmt_utc(*t)),
                    ..Default::default()
                }),
                None if w.revert.is_some() => truth.near_misses.push(TruthItem {
                    rule: "weakened-then-exposed".into(),
                    planted: false,
                    user: Some(w.operator.clone()),
                    time: Some(fmt_utc(w.time)),
                    note: format!(
                        "{:?} reverted at {} before any outsider joined",
                        w.detail,
                        fmt_utc(w.revert.unwrap())
                    ),
                    ..Default::default()
                }),
                None => {}
            }
        }
    }
}

const BATCH_2FA: &str = "Security  - Automatically sign users out after a specified time: from On to Off - Sign in with Two-Factor Authentication: from On to Off";
const GROUP_PMI: &str =
    "Edit Group Sales-EMEA  - Personal Meeting ID (PMI) Passcode: from On to Off";
const PASSCODE_SECOND: &str = "Schedule Meeting  - Host video: from Off to On - Require a passcode when scheduling new meetings: from On to Off";
const WAITING_OFF: &str = "Security  - Waiting room: from On to Off";
const WAITING_ON: &str = "Security  - Waiting room: from Off to On";

struct It<'a> {
    rule: &'a str,
    user: Option<String>,
    inst: Option<(i64, String)>,
    ip: Option<String>,
    time: Option<DateTime<Utc>>,
    note: String,
}

impl Gen<'_> {
    fn item(&mut self, near: bool, it: It) {
        let ti = TruthItem {
            rule: it.rule.into(),
            planted: !near && self.cfg.planted(it.rule),
            user: it.user,
            meeting_id: it.inst.as_ref().map(|x| x.0),
            meeting_uuid: it.inst.map(|x| x.1),
            ip: it.ip,
            time: it.time.map(fmt_utc),
            note: it.note,
        };
        if near {
            self.plan.truth.near_misses.push(ti);
        } else {
            self.plan.truth.incidents.push(ti);
        }
    }

    fn email(&self, p: usize) -> String {
        self.org.people[p].email.clone()
    }

    fn admin_op(
        &mut self,
        t: DateTime<Utc>,
        operator: usize,
        cat: &str,
        action: &str,
        detail: &str,
        wh: Option<Value>,
    ) -> Result<()> {
        self.operation(t, operator, cat, action, detail, wh)
    }

    #[allow(clippy::too_many_arguments)]
    fn settings_op(
        &mut self,
        t: DateTime<Utc>,
        operator: usize,
        detail: &str,
        section: &str,
        key: &str,
        old: Value,
        new: Value,
    ) -> Result<()> {
        let wh = self.settings_webhook(t, operator, section, key, old, new);
        self.operation(t, operator, "Account", "Update", detail, Some(wh))
    }

    #[allow(clippy::too_many_arguments)]
    fn role_op(
        &mut self,
        t: DateTime<Utc>,
        operator: usize,
        target: usize,
        action: &str,
        detail: &str,
        from: &str,
        to: &str,
    ) -> Result<()> {
        let wh = self.user_updated_webhook(t, operator, target, "role_id", json!(from), json!(to));
        self.operation(t, operator, "User", action, detail, Some(wh))
    }

    /// A background insider (not a persona) for hosting planted meetings, by department.
    fn regular(&self, dept: &str, nth: usize) -> usize {
        let n = self.org.people.len();
        let mut c: Vec<usize> = (26..n)
            .filter(|&i| {
                self.org.people[i].background
                    && self.org.people[i].status == Status::Active
                    && self.org.people[i].active_until.is_none()
                    && (dept.is_empty() || self.org.people[i].dept == dept)
            })
            .collect();
        if c.is_empty() {
            c = (26..n)
                .filter(|&i| {
                    self.org.people[i].background
                        && self.org.people[i].status == Status::Active
                        && self.org.people[i].active_until.is_none()
                })
                .collect();
        }
        c[nth % c.len()]
    }

    /// A background insider based at `site` (any department).
    fn regular_at(&self, site: usize, nth: usize) -> usize {
        let n = self.org.people.len();
        let c: Vec<usize> = (26..n)
            .filter(|&i| {
                self.org.people[i].background
                    && self.org.people[i].status == Status::Active
                    && self.org.people[i].active_until.is_none()
                    && self.org.people[i].site == site
            })
            .collect();
        if c.is_empty() {
            return self.regular("", nth);
        }
        c[nth % c.len()]
    }

    /// A planted meeting: host plus insiders for its span; outsiders added by the caller.
    fn planted(
        &mut self,
        topic: &str,
        host: usize,
        start: DateTime<Utc>,
        minutes: i64,
        insiders: &[usize],
    ) -> Instance {
        let mut inst = self.instance(topic, host, start, minutes, 2, None);
        for &p in insiders {
            if p != host {
                self.seat_in(&mut inst, p);
            }
        }
        inst
    }

    fn add_seat(inst: &mut Instance, who: Who, j: DateTime<Utc>, l: DateTime<Utc>) -> &mut Seat {
        inst.seats.push(Seat::new(who, j, l));
        inst.seats.last_mut().unwrap()
    }

    fn emit_planted(&mut self, mut inst: Instance) -> Result<(i64, String)> {
        self.background_shares(&mut inst);
        let key = (inst.id, inst.uuid.clone());
        self.emit_instance(inst)?;
        Ok(key)
    }

    pub(super) fn incidents_day(&mut self) -> Result<()> {
        let (early, mid, last, d) = (self.plan.early, self.plan.mid, self.plan.last, self.day);
        let owner = self.org.owner;
        let admin = self.org.admins[0];
        let admin2 = self.org.admins[1];
        let on = |r: &str| self.cfg.planted(r);
        let (
            sec_dis,
            sim_en,
            prg,
            uc,
            sso,
            bill,
            rdel,
            rdl,
            wte,
            naa,
            sni,
            oc,
            ps,
            eism,
            dlj,
            dni,
            jad,
            burst,
            brief,
            uirm,
            udvm,
            sp,
            sipn,
            gss,
            ss,
        ) = (
            on("security-setting-disabled"),
            on("sign-in-method-enabled"),
            on("privileged-role-granted"),
            on("user-created"),
            on("sso-config-changed"),
            on("billing-or-license-changed"),
            on("recording-deleted"),
            on("recording-download-by-non-participant"),
            on("weakened-then-exposed"),
            on("new-admin-activity"),
            on("signin-new-ip"),
            on("outdated-client"),
            on("parallel-session"),
            on("external-in-sensitive-meeting"),
            on("direct-link-join"),
            on("display-name-impersonation"),
            on("join-after-departure"),
            on("join-burst-multiple-ips"),
            on("brief-join"),
            on("unexpected-ip-recurring-meeting"),
            on("unknown-device-vip-meeting"),
            on("silent-presence"),
            on("shared-ip-many-names"),
            on("guest-screen-share"),
            on("source-silent"),
        );

        // ---- day 0: baselines and the slow admin ----
        if d == 0 {
            for (persona, enabled) in [("traveller", sni), ("hijacked", ps)] {
                if enabled {
                    let p = self.org.persona(persona);
                    let (home, office) = (
                        self.org.people[p].home_ip.clone(),
                        self.org.people[p].office_ip().to_string(),
                    );
                    for (k, ip) in [&office, &home, &office, &home].iter().enumerate() {
                        let t = self.at(sec(2, 0) + k as i64 * 1200 + p as i64);
                        self.signin(p, t, "Sign in", ip, 0)?;
                    }
                }
            }
            if naa {
                let s = self.org.persona("slow_admin");
                let t = self.at(sec(7, 0));
                let det = format!("Change Role  - {}: from Member to Admin", self.email(s));
                self.role_op(t, owner, s, "Update", &det, "2", "1")?;
                self.item(
                    false,
                    It {
                        rule: "privileged-role-granted",
                        user: Some(self.email(s)),
                        inst: None,
                        ip: None,
                        time: Some(t),
                        note:
                            "Member to Admin (the slow admin of the new-admin-activity near-miss)"
                                .into(),
                    },
                );
                let t2 = self.at_day(early, sec(13, 0));
                self.item(true, It { rule: "new-admin-activity", user: Some(self.email(s)), inst: None, ip: None, time: Some(t2), note: "granted Admin, first settings change 30 h later (outside the 24 h window)".into() });
            }
            if ss {
                let (a, b) = self.plan.op_quiet.unwrap();
                self.item(true, It { rule: "source-silent", user: None, inst: None, ip: None, time: Some(a), note: format!("zoom_operation_logs quiet for about 20.5 h ({} .. {}), under the 24 h threshold", fmt_utc(a - Duration::minutes(30)), fmt_utc(b)) });
                let (ca, cb) = self.plan.chat_hole.unwrap();
                let (ca, cb) = (
                    DateTime::from_timestamp_millis(ca).unwrap(),
                    DateTime::from_timestamp_millis(cb).unwrap(),
                );
                self.item(
                    false,
                    It {
                        rule: "source-silent",
                        user: None,
                        inst: None,
                        ip: None,
                        time: Some(ca),
                        note: format!(
                            "zoom_chat_messages silent for at least 32 h ({} .. {})",
                            fmt_utc(ca),
                            fmt_utc(cb)
                        ),
                    },
                );
            }
            if oc {
                let p = self.org.persona("outdated");
                self.item(
                    false,
                    It {
                        rule: "outdated-client",
                        user: Some(self.email(p)),
                        inst: None,
                        ip: None,
                        time: None,
                        note: "every sign-in and meeting from client 5.11.3.3882 (below 5.17.0)"
                            .into(),
                    },
                );
                let q = self.org.persona("oldish");
                self.item(
                    true,
                    It {
                        rule: "outdated-client",
                        user: Some(self.email(q)),
                        inst: None,
                        ip: None,
                        time: None,
                        note: "client 6.0.11.39959: older than most, still above the minimum"
                            .into(),
                    },
                );
            }
            if sipn {
                self.item(
                    true,
                    It {
                        rule: "shared-ip-many-names",
                        user: None,
                        inst: None,
                        ip: Some(super::org::SITES[0].2.into()),
                        time: None,
                        note:
                            "the New York office NAT: many signed-in employees behind one address"
                                .into(),
                    },
                );
            }
        }

        if d == early {
            if sec_dis {
                let t = self.at(sec(10, 5));
                self.settings_op(
                    t,
                    owner,
                    BATCH_2FA,
                    "security",
                    "sign_in_with_two_factor_auth",
                    json!(true),
                    json!(false),
                )?;
                self.item(
                    false,
                    It {
                        rule: "security-setting-disabled",
                        user: Some(self.email(owner)),
                        inst: None,
                        ip: None,
                        time: Some(t),
                        note: "batched detail: auto sign-out and 2FA turned off in one entry"
                            .into(),
                    },
                );
                let t = self.at(sec(11, 20));
                self.admin_op(t, admin, "User Group", "Update", GROUP_PMI, None)?;
                self.item(
                    false,
                    It {
                        rule: "security-setting-disabled",
                        user: Some(self.email(admin)),
                        inst: None,
                        ip: None,
                        time: Some(t),
                        note: "PMI passcode off for the hyphenated group Sales-EMEA".into(),
                    },
                );
            }
            if sim_en {
                let t = self.at(sec(10, 30));
                self.settings_op(
                    t,
                    owner,
                    "Sign-in Methods  - Allow users to sign in with Google: from Off to On",
                    "security",
                    "sign_in_with_google",
                    json!(false),
                    json!(true),
                )?;
                self.item(
                    false,
                    It {
                        rule: "sign-in-method-enabled",
                        user: Some(self.email(owner)),
                        inst: None,
                        ip: None,
                        time: Some(t),
                        note: "Google sign-in enabled".into(),
                    },
                );
            }
            if prg {
                let p = self.org.persona("promoted");
                let t = self.at(sec(9, 15));
                let det = format!(
                    "Change Role  - {}: from Member to {}",
                    self.email(p),
                    super::org::CUSTOM_ROLE
                );
                self.role_op(t, owner, p, "Update", &det, "2", super::org::CUSTOM_ROLE_ID)?;
                self.item(
                    false,
                    It {
                        rule: "privileged-role-granted",
                        user: Some(self.email(p)),
                        inst: None,
                        ip: None,
                        time: Some(t),
                        note: "custom admin role Security Admin".into(),
                    },
                );
            }
            if naa {
                let p = self.org.persona("new_admin");
                let t = self.at(sec(8, 0));
                let det = format!("Change Role  - {}: from Member to Admin", self.email(p));
                self.role_op(t, owner, p, "Update", &det, "2", "1")?;
                self.item(
                    false,
                    It {
                        rule: "privileged-role-granted",
                        user: Some(self.email(p)),
                        inst: None,
                        ip: None,
                        time: Some(t),
                        note: "Member to Admin (the new admin of new-admin-activity)".into(),
                    },
                );
                let t2 = self.at(sec(10, 45));
                self.settings_op(
                    t2,
                    p,
                    "Email Notification  - When attendees join meeting before host: from Off to On",
                    "email_notification",
                    "jbh_reminder",
                    json!(false),
                    json!(true),
                )?;
                self.item(
                    false,
                    It {
                        rule: "new-admin-activity",
                        user: Some(self.email(p)),
                        inst: None,
                        ip: None,
                        time: Some(t2),
                        note: "granted Admin at 08:00, changed account settings 2 h 45 min later"
                            .into(),
                    },
                );
            }
            if naa {
                let s = self.org.persona("slow_admin");
                let t = self.at(sec(13, 0));
                self.settings_op(
                    t,
                    s,
                    "Schedule Meeting  - Host video: from On to Off",
                    "schedule_meeting",
                    "host_video",
                    json!(true),
                    json!(false),
                )?;
            }
            if uc && let Some(nu) = self.plan.new_user {
                let t = self.at(sec(14, 0));
                let pe = &self.org.people[nu];
                let det = format!(
                    "Add User {}  - User Type: Basic - Department: Finance",
                    pe.email
                );
                let wh = json!({"event": "user.created", "event_ts": t.timestamp_millis() + 700, "payload": {"account_id": ACCOUNT_ID, "operator": self.email(admin), "operator_id": self.org.people[admin].id, "creation_type": "create", "object": {"id": pe.id, "first_name": pe.first, "last_name": pe.last, "display_name": pe.name(), "email": pe.email, "type": 1}}});
                self.admin_op(t, admin, "User", "Add", &det, Some(wh))?;
                self.item(
                    false,
                    It {
                        rule: "user-created",
                        user: Some(self.email(nu)),
                        inst: None,
                        ip: None,
                        time: Some(t),
                        note: "Add User by an admin".into(),
                    },
                );
                let c = self.org.persona("contractor");
                let t = self.at(sec(15, 0));
                let det = format!(
                    "Update User {}  - Job Title: set to Contractor",
                    self.email(c)
                );
                self.admin_op(t, admin, "User", "Update", &det, None)?;
                self.item(
                    true,
                    It {
                        rule: "user-created",
                        user: Some(self.email(c)),
                        inst: None,
                        ip: None,
                        time: Some(t),
                        note: "an update of an existing user, not a creation".into(),
                    },
                );
            }
            if jad {
                let q = self.org.persona("departed_ok");
                let t = self.at(sec(13, 0));
                let pe = &self.org.people[q];
                let det = format!("Deactivate User {}", pe.email);
                let wh = json!({"event": "user.deactivated", "event_ts": t.timestamp_millis() + 600, "payload": {"account_id": ACCOUNT_ID, "operator": self.email(admin), "operator_id": self.org.people[admin].id, "object": {"id": pe.id, "first_name": pe.first, "last_name": pe.last, "email": pe.email, "type": pe.user_type}}});
                self.admin_op(t, admin, "User", "Update", &det, Some(wh))?;
                self.item(
                    true,
                    It {
                        rule: "join-after-departure",
                        user: Some(self.email(q)),
                        inst: None,
                        ip: None,
                        time: Some(self.at(sec(12, 0))),
                        note: "departed and deactivated; no meetings after the departure".into(),
                    },
                );
            }
            if rdel {
                let host = self.regular("Engineering", 1);
                let mut inst = self.planted(
                    "Incident Postmortem",
                    host,
                    self.at(sec(15, 0)),
                    40,
                    &[self.regular("Engineering", 2)],
                );
                inst.recorded = true;
                let tdel = self.at_day(mid, sec(18, 0));
                inst.fate = Fate::Trash(tdel, host);
                let (id, uuid) = self.emit_planted(inst)?;
                self.plan.pending_ops.push((
                    tdel,
                    host,
                    "Recording".into(),
                    "Delete".into(),
                    format!("Delete Recording meeting_id:{id}"),
                ));
                self.item(false, It { rule: "recording-deleted", user: Some(self.email(host)), inst: Some((id, uuid)), ip: None, time: Some(tdel), note: "moved to the trash by its host (operation log, recording.trashed, trash listing)".into() });
                let host2 = self.regular("Legal", 0);
                let mut inst = self.planted(
                    "Vendor Contract Negotiation",
                    host2,
                    self.at(sec(16, 0)),
                    30,
                    &[self.regular("Legal", 1)],
                );
                inst.recorded = true;
                let tdel = self.at_day(mid, sec(18, 30));
                inst.fate = Fate::Delete(tdel, admin);
                let (id, uuid) = self.emit_planted(inst)?;
                self.plan.pending_ops.push((
                    tdel,
                    admin,
                    "Recording".into(),
                    "Delete".into(),
                    format!("Delete Recording meeting_id:{id}"),
                ));
                self.item(
                    false,
                    It {
                        rule: "recording-deleted",
                        user: Some(self.email(admin)),
                        inst: Some((id, uuid)),
                        ip: None,
                        time: Some(tdel),
                        note: "deleted for good by an admin (operation log, recording.deleted)"
                            .into(),
                    },
                );
                let tn = self.at_day(mid, sec(18, 45));
                let bogus = super::ids::meeting_number(7_777_777);
                self.plan.pending_ops.push((
                    tn,
                    host,
                    "Meeting".into(),
                    "Delete".into(),
                    format!("Delete Meeting {bogus}"),
                ));
                self.item(
                    true,
                    It {
                        rule: "recording-deleted",
                        user: Some(self.email(host)),
                        inst: None,
                        ip: None,
                        time: Some(tn),
                        note: "a scheduled meeting deleted, not a recording".into(),
                    },
                );
            }
            if rdl && let Some((id, uuid, present)) = self.plan.board.clone() {
                let s = self.org.persona("snoop");
                let t = self.at(sec(20, 0));
                self.admin_op(
                    t,
                    s,
                    "Recording",
                    "Download",
                    &format!("Download Recording meeting_id:{id}"),
                    None,
                )?;
                self.item(
                    false,
                    It {
                        rule: "recording-download-by-non-participant",
                        user: Some(self.email(s)),
                        inst: Some((id, uuid.clone())),
                        ip: None,
                        time: Some(t),
                        note: "board meeting recording downloaded by someone who was not in it"
                            .into(),
                    },
                );
                let cfo = self.org.vip("CFO");
                let who = if present.contains(&cfo) {
                    cfo
                } else {
                    present[0]
                };
                let t = self.at(sec(20, 30));
                self.admin_op(
                    t,
                    who,
                    "Recording",
                    "Download",
                    &format!("Download Recording meeting_id:{id}"),
                    None,
                )?;
                self.item(
                    true,
                    It {
                        rule: "recording-download-by-non-participant",
                        user: Some(self.email(who)),
                        inst: Some((id, uuid)),
                        ip: None,
                        time: Some(t),
                        note: "downloaded by a participant".into(),
                    },
                );
            }
            if brief {
                let host = self.regular("Sales", 0);
                let s = self.at(sec(17, 0));
                let mut inst = self.planted(
                    "Sales Pipeline Review",
                    host,
                    s,
                    40,
                    &[self.regular("Sales", 1)],
                );
                let j = s + Duration::seconds(300);
                Self::add_seat(
                    &mut inst,
                    made("Unknown Caller", "", false, "203.0.113.212", "Kyiv (UA)"),
                    j,
                    j + Duration::seconds(180),
                );
                let key = self.emit_planted(inst)?;
                self.item(
                    false,
                    It {
                        rule: "brief-join",
                        user: Some("Unknown Caller".into()),
                        inst: Some(key),
                        ip: Some("203.0.113.212".into()),
                        time: Some(j),
                        note: "guest stayed 3 minutes".into(),
                    },
                );
                let host = self.regular("Support", 0);
                let s = self.at(sec(18, 0));
                let mut inst = self.planted("Support Escalation - Globex", host, s, 40, &[]);
                let j = s + Duration::seconds(240);
                Self::add_seat(
                    &mut inst,
                    made(
                        "Taylor (Visitor)",
                        "",
                        false,
                        "203.0.113.213",
                        "Austin (US)",
                    ),
                    j,
                    j + Duration::seconds(370),
                );
                let key = self.emit_planted(inst)?;
                self.item(
                    true,
                    It {
                        rule: "brief-join",
                        user: Some("Taylor (Visitor)".into()),
                        inst: Some(key),
                        ip: Some("203.0.113.213".into()),
                        time: Some(j),
                        note: "guest stayed 6 minutes 10 seconds".into(),
                    },
                );
            }
        }

        if d == mid {
            if sec_dis {
                let t = self.at(sec(9, 40));
                self.settings_op(
                    t,
                    admin2,
                    PASSCODE_SECOND,
                    "schedule_meeting",
                    "require_password_for_scheduling_new_meetings",
                    json!(true),
                    json!(false),
                )?;
                self.item(
                    false,
                    It {
                        rule: "security-setting-disabled",
                        user: Some(self.email(admin2)),
                        inst: None,
                        ip: None,
                        time: Some(t),
                        note: "passcode requirement turned off, listed second in a batched detail"
                            .into(),
                    },
                );
                let t = self.at(sec(9, 50));
                self.settings_op(t, admin2, "Security  - Require that all meetings are secured with one security option: from Off to On", "security", "require_secure_all_meetings", json!(false), json!(true))?;
                self.item(
                    true,
                    It {
                        rule: "security-setting-disabled",
                        user: Some(self.email(admin2)),
                        inst: None,
                        ip: None,
                        time: Some(t),
                        note: "a security setting turned back on".into(),
                    },
                );
            }
            if sim_en {
                let t = self.at(sec(10, 30));
                self.settings_op(
                    t,
                    admin,
                    "Sign-in Methods  - Allow users to sign in with Apple ID: from On to Off",
                    "security",
                    "sign_in_with_apple",
                    json!(true),
                    json!(false),
                )?;
                self.item(
                    true,
                    It {
                        rule: "sign-in-method-enabled",
                        user: Some(self.email(admin)),
                        inst: None,
                        ip: None,
                        time: Some(t),
                        note: "a sign-in method disabled, not enabled".into(),
                    },
                );
            }
            if prg {
                let p = self.org.persona("promoted2");
                let t = self.at(sec(9, 20));
                let det = format!(
                    "Change Role  - {}: from Member to Admin",
                    self.org.people[p].name()
                );
                self.role_op(t, admin, p, "Batch Update", &det, "2", "1")?;
                self.item(
                    false,
                    It {
                        rule: "privileged-role-granted",
                        user: Some(self.email(p)),
                        inst: None,
                        ip: None,
                        time: Some(t),
                        note: "batch update; the detail names the person but no email".into(),
                    },
                );
                let q = self.org.persona("demoted");
                let t = self.at(sec(9, 30));
                let det = format!("Change Role  - {}: from Admin to Member", self.email(q));
                self.role_op(t, owner, q, "Update", &det, "1", "2")?;
                self.item(
                    true,
                    It {
                        rule: "privileged-role-granted",
                        user: Some(self.email(q)),
                        inst: None,
                        ip: None,
                        time: Some(t),
                        note: "a demotion".into(),
                    },
                );
            }
            if sso {
                let t = self.at(sec(16, 0));
                self.admin_op(t, owner, "Account", "Update", "Single Sign-On  - Sign-in page URL: from https://sso.acme-corp.example/saml to https://acme-corp-login.example/saml", None)?;
                self.item(
                    false,
                    It {
                        rule: "sso-config-changed",
                        user: Some(self.email(owner)),
                        inst: None,
                        ip: None,
                        time: Some(t),
                        note: "SSO sign-in page URL changed".into(),
                    },
                );
                let t = self.at(sec(16, 10));
                self.admin_op(
                    t,
                    owner,
                    "Account",
                    "Update",
                    "Account Profile  - Account Name: from Acme Corp to ACME Corp",
                    None,
                )?;
                self.item(
                    true,
                    It {
                        rule: "sso-config-changed",
                        user: Some(self.email(owner)),
                        inst: None,
                        ip: None,
                        time: Some(t),
                        note: "account profile edit, not SSO".into(),
                    },
                );
            }
            if bill {
                let t = self.at(sec(17, 0));
                self.admin_op(t, owner, "Billing", "Update", "Billing Information  - Payment Method: from Visa ending 4242 to Mastercard ending 4444", None)?;
                self.item(
                    false,
                    It {
                        rule: "billing-or-license-changed",
                        user: Some(self.email(owner)),
                        inst: None,
                        ip: None,
                        time: Some(t),
                        note: "payment method changed".into(),
                    },
                );
            }
            if dlj {
                let host = self.regular("Marketing", 0);
                let s = self.at(sec(15, 0));
                let ins = [self.regular("Marketing", 1), self.regular("Marketing", 2)];
                let mut inst = self.planted(
                    "Investor Webinar (Registration Required)",
                    host,
                    s,
                    45,
                    &ins,
                );
                for (k, (n, e, ip)) in [
                    (
                        "Bartholomew Ellsworth",
                        "b.ellsworth@globex.example",
                        "203.0.113.214",
                    ),
                    (
                        "Philippa Drummond",
                        "pdrummond@hooli.example",
                        "203.0.113.216",
                    ),
                    ("Rufus Northcott", "rufus.n@outlook.com", "203.0.113.217"),
                ]
                .iter()
                .enumerate()
                {
                    let j = s + Duration::seconds(120 + 150 * k as i64);
                    Self::add_seat(
                        &mut inst,
                        made(n, e, true, ip, "Chicago (US)"),
                        j,
                        j + Duration::minutes(35),
                    );
                }
                let j = s + Duration::seconds(700);
                Self::add_seat(
                    &mut inst,
                    made(
                        "Chris Vance",
                        "chris.vance@proton.me",
                        true,
                        "203.0.113.218",
                        "Toronto (CA)",
                    ),
                    j,
                    j + Duration::minutes(25),
                );
                for seat in inst.seats.iter_mut().skip(1) {
                    if seat.name.is_none()
                        && !matches!(&seat.who, Who::Made(o) if o.name == "Chris Vance")
                    {
                        seat.registrant_id = super::ids::token(&mut self.rng, 22);
                    }
                }
                let key = self.emit_planted(inst)?;
                self.item(
                    false,
                    It {
                        rule: "direct-link-join",
                        user: Some("chris.vance@proton.me".into()),
                        inst: Some(key),
                        ip: Some("203.0.113.218".into()),
                        time: Some(j),
                        note: "joined a registration meeting without a registrant id".into(),
                    },
                );
                let host = self.regular("Marketing", 3);
                let s = self.at(sec(16, 30));
                let mut inst =
                    self.planted("Team Social", host, s, 30, &[self.regular("Marketing", 4)]);
                let j = s + Duration::seconds(90);
                Self::add_seat(
                    &mut inst,
                    made(
                        "Imogen Fairweather",
                        "imogen.f@gmail.com",
                        true,
                        "203.0.113.219",
                        "Dublin (IE)",
                    ),
                    j,
                    j + Duration::minutes(25),
                );
                let key = self.emit_planted(inst)?;
                self.item(
                    true,
                    It {
                        rule: "direct-link-join",
                        user: Some("imogen.f@gmail.com".into()),
                        inst: Some(key),
                        ip: Some("203.0.113.219".into()),
                        time: Some(j),
                        note: "nobody registered for this meeting".into(),
                    },
                );
            }
            if dni {
                let cfo = self.org.vip("CFO");
                let (f, l) = (
                    self.org.people[cfo].first.clone(),
                    self.org.people[cfo].last.clone(),
                );
                let host = self.regular("Finance", 0);
                let s = self.at(sec(16, 0));
                let mut inst = self.planted("Finance Vendor Payment Review", host, s, 30, &[]);
                let name = format!("{} {}", f, &l[..l.len() - 1]);
                let email = format!(
                    "{}.{}.finance@proton.me",
                    f.to_lowercase(),
                    l[..l.len() - 1].to_lowercase()
                );
                let j = s + Duration::seconds(60);
                Self::add_seat(
                    &mut inst,
                    made(&name, &email, true, "203.0.113.211", "Lagos (NG)"),
                    j,
                    j + Duration::minutes(26),
                );
                let key = self.emit_planted(inst)?;
                self.item(
                    false,
                    It {
                        rule: "display-name-impersonation",
                        user: Some(name.clone()),
                        inst: Some(key),
                        ip: Some("203.0.113.211".into()),
                        time: Some(j),
                        note: format!(
                            "{name:?} with free-mail {email} while the CFO is {}",
                            self.email(cfo)
                        ),
                    },
                );
                let ceo = self.org.vip("CEO");
                let s = self.at(sec(17, 30));
                let mut inst = self.planted("Exec Finance Sync", ceo, s, 30, &[]);
                let j = s + Duration::seconds(45);
                let seat = Self::add_seat(&mut inst, Who::In(cfo), j, j + Duration::minutes(28));
                seat.name = Some(format!("{f} {l} (CFO)"));
                let key = self.emit_planted(inst)?;
                self.item(
                    true,
                    It {
                        rule: "display-name-impersonation",
                        user: Some(self.email(cfo)),
                        inst: Some(key),
                        ip: None,
                        time: Some(j),
                        note: "the real CFO, signed in with their own account, showing their title"
                            .into(),
                    },
                );
            }
            if burst {
                let host = self.regular("Marketing", 5);
                let s = self.at(sec(18, 0));
                let mut inst = self.planted(
                    "Launch Readiness Review",
                    host,
                    s,
                    45,
                    &[self.regular("Marketing", 6)],
                );
                for k in 0..7 {
                    let j = s + Duration::seconds(60 + 25 * k);
                    let ip = format!("203.0.113.{}", 220 + k);
                    Self::add_seat(
                        &mut inst,
                        made(&format!("Zoom User {}", 101 + k), "", false, &ip, "Unknown"),
                        j,
                        j + Duration::minutes(20),
                    );
                }
                let t = s + Duration::seconds(60);
                let key = self.emit_planted(inst)?;
                self.item(
                    false,
                    It {
                        rule: "join-burst-multiple-ips",
                        user: None,
                        inst: Some(key),
                        ip: Some("203.0.113.220".into()),
                        time: Some(t),
                        note: "7 guests from 7 addresses joined within 3 minutes (a leaked link)"
                            .into(),
                    },
                );
            }
            if udvm {
                let ceo = self.org.vip("CEO");
                let cfo = self.org.vip("CFO");
                let sd = self.org.persona("stranger_dev");
                let s = self.at(sec(11, 0));
                let mut inst = self.planted("Exec Briefing", ceo, s, 30, &[cfo]);
                let j = s + Duration::seconds(100);
                let seat = Self::add_seat(&mut inst, Who::In(sd), j, j + Duration::minutes(26));
                seat.device = Some(Device {
                    pc_name: "DESKTOP-Q7M2K9X".into(),
                    mac: "3c22-fb11-09aa".into(),
                    os: "Windows",
                    os_version: "10",
                    client_type: "Windows",
                    version: "6.2.5.52345".into(),
                    internal_ip: String::new(),
                });
                let key = self.emit_planted(inst)?;
                self.item(false, It { rule: "unknown-device-vip-meeting", user: Some(self.email(sd)), inst: Some(key), ip: None, time: Some(j), note: "DESKTOP-Q7M2K9X is not in the asset inventory and never seen for this user; CEO and CFO present".into() });
                let s = self.at(sec(12, 0));
                let mut inst = self.planted("Exec Briefing (follow-up)", ceo, s, 20, &[cfo]);
                let j = s + Duration::seconds(60);
                let seat = Self::add_seat(&mut inst, Who::In(sd), j, j + Duration::minutes(18));
                seat.device = Some(self.org.people[sd].devices[0].clone());
                let key = self.emit_planted(inst)?;
                self.item(
                    true,
                    It {
                        rule: "unknown-device-vip-meeting",
                        user: Some(self.email(sd)),
                        inst: Some(key),
                        ip: None,
                        time: Some(j),
                        note: format!(
                            "registered device {}",
                            self.org.people[sd].devices[0].pc_name
                        ),
                    },
                );
            }
            if gss {
                let host = self.regular("Sales", 2);
                let s = self.at(sec(19, 0));
                let mut inst = self.planted("Vendor Demo - Contoso", host, s, 40, &[]);
                let j = s + Duration::seconds(120);
                Self::add_seat(
                    &mut inst,
                    made(
                        "Presenter (Contoso)",
                        "",
                        false,
                        "203.0.113.245",
                        "Seattle (US)",
                    ),
                    j,
                    j + Duration::minutes(30),
                )
                .shares = true;
                let key = self.emit_planted(inst)?;
                self.item(
                    false,
                    It {
                        rule: "guest-screen-share",
                        user: Some("Presenter (Contoso)".into()),
                        inst: Some(key),
                        ip: Some("203.0.113.245".into()),
                        time: Some(j),
                        note: "a guest without email shared their desktop".into(),
                    },
                );
                let host = self.regular("Sales", 3);
                let s = self.at(sec(20, 0));
                let mut inst = self.planted("Customer Call - Stark Industries", host, s, 40, &[]);
                inst.seats[0].shares = true;
                let j = s + Duration::seconds(150);
                Self::add_seat(
                    &mut inst,
                    made("Visitor iPad", "", false, "203.0.113.246", "Boston (US)"),
                    j,
                    j + Duration::minutes(30),
                );
                let key = self.emit_planted(inst)?;
                self.item(
                    true,
                    It {
                        rule: "guest-screen-share",
                        user: Some(self.email(host)),
                        inst: Some(key),
                        ip: None,
                        time: None,
                        note: "the host shared while a guest watched".into(),
                    },
                );
            }
        }

        if d == last {
            if wte {
                let t0 = self.at(sec(4, 0));
                self.settings_op(
                    t0,
                    admin,
                    WAITING_OFF,
                    "security",
                    "waiting_room",
                    json!(true),
                    json!(false),
                )?;
                self.item(
                    false,
                    It {
                        rule: "security-setting-disabled",
                        user: Some(self.email(admin)),
                        inst: None,
                        ip: None,
                        time: Some(t0),
                        note: "waiting room off (reverted 10 minutes later)".into(),
                    },
                );
                let t1 = self.at(sec(4, 10));
                self.settings_op(
                    t1,
                    admin,
                    WAITING_ON,
                    "security",
                    "waiting_room",
                    json!(false),
                    json!(true),
                )?;
                self.item(
                    true,
                    It {
                        rule: "security-setting-disabled",
                        user: Some(self.email(admin)),
                        inst: None,
                        ip: None,
                        time: Some(t1),
                        note: "waiting room turned back on".into(),
                    },
                );
                let t2 = self.at(sec(5, 0));
                self.settings_op(
                    t2,
                    admin,
                    WAITING_OFF,
                    "security",
                    "waiting_room",
                    json!(true),
                    json!(false),
                )?;
                self.item(
                    false,
                    It {
                        rule: "security-setting-disabled",
                        user: Some(self.email(admin)),
                        inst: None,
                        ip: None,
                        time: Some(t2),
                        note: "waiting room off again (then a guest joins)".into(),
                    },
                );
                let host = self.regular("Sales-EMEA", 0);
                let s = self.at(sec(7, 0));
                let mut inst = self.planted("Partner Preview", host, s, 40, &[]);
                let j = s + Duration::seconds(300);
                Self::add_seat(
                    &mut inst,
                    made(
                        "Preview Guest",
                        "",
                        false,
                        "203.0.113.205",
                        "Rotterdam (NL)",
                    ),
                    j,
                    j + Duration::minutes(30),
                );
                self.emit_planted(inst)?;
            }
            if bill {
                let p = self.org.persona("licensed");
                let t = self.at(sec(10, 0));
                let det = format!(
                    "Edit User {}  - Change Type: from Licensed to Basic",
                    self.email(p)
                );
                let wh = self.user_updated_webhook(t, admin, p, "type", json!(2), json!(1));
                self.admin_op(t, admin, "User", "Update", &det, Some(wh))?;
                self.item(
                    false,
                    It {
                        rule: "billing-or-license-changed",
                        user: Some(self.email(p)),
                        inst: None,
                        ip: None,
                        time: Some(t),
                        note: "license removed (Licensed to Basic)".into(),
                    },
                );
                let t = self.at(sec(10, 5));
                let det = format!(
                    "Update User {}  - Department: from Sales to Marketing",
                    self.email(p)
                );
                self.admin_op(t, admin, "User", "Update", &det, None)?;
                self.item(
                    true,
                    It {
                        rule: "billing-or-license-changed",
                        user: Some(self.email(p)),
                        inst: None,
                        ip: None,
                        time: Some(t),
                        note: "department change only".into(),
                    },
                );
            }
            if sni {
                let p = self.org.persona("traveller");
                let t = self.at(sec(3, 0));
                self.signin(p, t, "Sign in", "203.0.113.201", 0)?;
                self.item(
                    false,
                    It {
                        rule: "signin-new-ip",
                        user: Some(self.email(p)),
                        inst: None,
                        ip: Some("203.0.113.201".into()),
                        time: Some(t),
                        note: "sign-in from an address outside a baseline of 4+ sign-ins".into(),
                    },
                );
                let q = self.org.persona("latecomer");
                for (k, ip) in ["192.0.2.253", "198.51.100.40"].iter().enumerate() {
                    let t = self.at(sec(9, 0) + 3600 * k as i64);
                    self.signin(q, t, "Sign in", ip, 0)?;
                    self.item(
                        true,
                        It {
                            rule: "signin-new-ip",
                            user: Some(self.email(q)),
                            inst: None,
                            ip: Some(ip.to_string()),
                            time: Some(t),
                            note: "a person's first sign-ins in the case have no baseline".into(),
                        },
                    );
                }
            }
            if ps {
                let p = self.org.persona("hijacked");
                let host = self.regular("IT", 0);
                let other = self.regular("IT", 1);
                let s = self.at(sec(14, 0));
                let mut inst = self.planted("Quarterly Planning", host, s, 60, &[other]);
                let j = s + Duration::seconds(90);
                let office = self.org.people[p].office_ip().to_string();
                let seat = Self::add_seat(&mut inst, Who::In(p), j, j + Duration::minutes(55));
                seat.ip = Some(office.clone());
                seat.loc = Some(self.org.people[p].office_loc().to_string());
                let key = self.emit_planted(inst)?;
                let home = self.org.people[p].home_ip.clone();
                let t = s + Duration::minutes(25);
                self.signin(p, t, "Sign in", &home, 0)?;
                self.item(
                    false,
                    It {
                        rule: "parallel-session",
                        user: Some(self.email(p)),
                        inst: Some(key.clone()),
                        ip: Some(home),
                        time: Some(t),
                        note: format!(
                            "sign-in from another address while in the meeting from {office}"
                        ),
                    },
                );
                let (oip, _, dev) = self.whereabouts(other);
                let t = s + Duration::minutes(40);
                self.signin(other, t, "Sign in", &oip, dev)?;
                self.item(
                    true,
                    It {
                        rule: "parallel-session",
                        user: Some(self.email(other)),
                        inst: Some(key),
                        ip: Some(oip),
                        time: Some(t),
                        note: "sign-in from the same address as the meeting session".into(),
                    },
                );
            }
            if jad {
                let dp = self.org.persona("departed");
                let host = self.regular("Sales", 4);
                let s = self.at(sec(15, 0));
                let mut inst = self.planted("Partner Pipeline Review", host, s, 40, &[]);
                let j = s + Duration::seconds(200);
                let home = self.org.people[dp].home_ip.clone();
                let seat = Self::add_seat(&mut inst, Who::In(dp), j, j + Duration::minutes(35));
                seat.ip = Some(home.clone());
                let key = self.emit_planted(inst)?;
                self.item(
                    false,
                    It {
                        rule: "join-after-departure",
                        user: Some(self.email(dp)),
                        inst: Some(key),
                        ip: Some(home),
                        time: Some(j),
                        note: "joined after the HR departure date (account not yet deactivated)"
                            .into(),
                    },
                );
            }
            if dni {
                let cfo = self.org.vip("CFO");
                let n = format!("{} (CFO)", self.org.people[cfo].name());
                let host = self.regular("Finance", 1);
                let s = self.at(sec(16, 0));
                let mut inst = self.planted(
                    "Wire Transfer Approval",
                    host,
                    s,
                    30,
                    &[self.regular("Finance", 2)],
                );
                let j = s + Duration::seconds(80);
                Self::add_seat(
                    &mut inst,
                    made(&n, "", false, "203.0.113.210", "Lagos (NG)"),
                    j,
                    j + Duration::minutes(22),
                );
                let key = self.emit_planted(inst)?;
                self.item(
                    false,
                    It {
                        rule: "display-name-impersonation",
                        user: Some(n.clone()),
                        inst: Some(key),
                        ip: Some("203.0.113.210".into()),
                        time: Some(j),
                        note: format!(
                            "guest {n:?} without email while the real CFO is {}",
                            self.email(cfo)
                        ),
                    },
                );
            }
            if burst {
                let host = self.regular("Support", 1);
                let s = self.at(sec(18, 0));
                let mut inst = self.planted("Community Q&A", host, s, 50, &[]);
                for k in 0..5 {
                    let j = s + Duration::seconds(60 + 420 * k);
                    let ip = format!("203.0.113.{}", 230 + k);
                    Self::add_seat(
                        &mut inst,
                        made(
                            &format!("Community Member {}", k + 1),
                            "",
                            false,
                            &ip,
                            "Unknown",
                        ),
                        j,
                        j + Duration::minutes(12),
                    );
                }
                let key = self.emit_planted(inst)?;
                self.item(
                    true,
                    It {
                        rule: "join-burst-multiple-ips",
                        user: None,
                        inst: Some(key),
                        ip: None,
                        time: Some(s + Duration::seconds(60)),
                        note: "5 guests from 5 addresses, 7 minutes apart".into(),
                    },
                );
            }
        }

        // ---- plants that span the window ----
        if eism {
            // A partner engineer in five Engineering meetings (one per day, then catching up).
            let per_day = 5u32.div_ceil(self.cfg.days);
            let done = (d * per_day).min(5);
            let todo = ((d + 1) * per_day).min(5) - done;
            for k in 0..todo {
                let idx = done + k;
                let host = self.regular("Engineering", 3 + idx as usize);
                let s = self.at(sec(14, 0) + sec(1, 0) * k as i64);
                let topic = [
                    "Engineering Roadmap Review",
                    "Engineering Design Review",
                    "Engineering Architecture Sync",
                    "Engineering Security Review",
                    "Engineering Release Planning",
                ][idx as usize];
                let mut inst = self.planted(
                    topic,
                    host,
                    s,
                    30,
                    &[self.regular("Engineering", 4 + idx as usize)],
                );
                let j = s + Duration::seconds(120);
                Self::add_seat(
                    &mut inst,
                    made(
                        "Rafael Castellanos",
                        "rafael.castellanos@globex.example",
                        true,
                        "203.0.113.207",
                        "Madrid (ES)",
                    ),
                    j,
                    j + Duration::minutes(25),
                );
                let key = self.emit_planted(inst)?;
                if idx == 4 {
                    self.item(
                        false,
                        It {
                            rule: "external-in-sensitive-meeting",
                            user: Some("rafael.castellanos@globex.example".into()),
                            inst: Some(key),
                            ip: Some("203.0.113.207".into()),
                            time: Some(j),
                            note: "partner engineer in 5 Engineering meetings (more than 3)".into(),
                        },
                    );
                }
            }
            if d == mid {
                for k in 0..2 {
                    let host = self.regular("Engineering", 10 + k);
                    let s = self.at(sec(20, 0) + sec(1, 0) * k as i64);
                    let mut inst = self.planted("Engineering Office Hours", host, s, 30, &[]);
                    let j = s + Duration::seconds(90);
                    Self::add_seat(
                        &mut inst,
                        made(
                            "Winifred Oyelaran",
                            "w.oyelaran@initech.example",
                            true,
                            "203.0.113.208",
                            "Paris (FR)",
                        ),
                        j,
                        j + Duration::minutes(25),
                    );
                    let key = self.emit_planted(inst)?;
                    if k == 1 {
                        self.item(
                            true,
                            It {
                                rule: "external-in-sensitive-meeting",
                                user: Some("w.oyelaran@initech.example".into()),
                                inst: Some(key),
                                ip: Some("203.0.113.208".into()),
                                time: Some(j),
                                note:
                                    "an external in only 2 Engineering meetings (not more than 3)"
                                        .into(),
                            },
                        );
                    }
                }
                let host = self.regular("Sales", 5);
                let s = self.at(sec(21, 0));
                let mut inst = self.planted("Customer Call - Initech", host, s, 30, &[]);
                let j = s + Duration::seconds(90);
                Self::add_seat(
                    &mut inst,
                    made(
                        "Desmond Lindqvist",
                        "desmond.lindqvist@initech.example",
                        true,
                        "203.0.113.209",
                        "Berlin (DE)",
                    ),
                    j,
                    j + Duration::minutes(25),
                );
                let key = self.emit_planted(inst)?;
                self.item(
                    true,
                    It {
                        rule: "external-in-sensitive-meeting",
                        user: Some("desmond.lindqvist@initech.example".into()),
                        inst: Some(key),
                        ip: Some("203.0.113.209".into()),
                        time: Some(j),
                        note: "an external in an ordinary customer call".into(),
                    },
                );
            }
        }
        if uirm {
            // A daily treasury check-in: two regulars always from the office, then one of them
            // from an address never seen in the series (and the other from their own home).
            // Singapore staff: at 13:30 UTC none of them is signing in, so the planted
            // addresses never overlap a sign-in from elsewhere (no parallel-session noise).
            let host = self.regular_at(2, 0);
            let a = self.regular_at(2, 1);
            let b = self.regular_at(2, 2);
            let s = self.at(sec(13, 30));
            let id = self.plan.treasury;
            let mut inst = self.instance("Treasury Daily Check-in", host, s, 20, 8, Some(id));
            inst.seats[0].ip = Some(self.org.people[host].office_ip().to_string());
            inst.seats[0].loc = Some(self.org.people[host].office_loc().to_string());
            for (k, &p) in [a, b].iter().enumerate() {
                let j = s + Duration::seconds(60 + 30 * k as i64);
                let pe = &self.org.people[p];
                let (ip, loc) = (pe.office_ip().to_string(), pe.office_loc().to_string());
                let seat = Self::add_seat(&mut inst, Who::In(p), j, j + Duration::minutes(18));
                seat.ip = Some(ip);
                seat.loc = Some(loc);
            }
            let key = (inst.id, inst.uuid.clone());
            let jt = inst.seats[1].sessions[0].0;
            if d == last {
                inst.seats[1].ip = Some("203.0.113.215".into());
                inst.seats[1].loc = Some("Minsk (BY)".into());
                let home = self.org.people[b].home_ip.clone();
                inst.seats[2].ip = Some(home.clone());
                inst.seats[2].loc = Some(self.org.people[b].home_loc.clone());
                self.item(
                    false,
                    It {
                        rule: "unexpected-ip-recurring-meeting",
                        user: Some(self.email(a)),
                        inst: Some(key.clone()),
                        ip: Some("203.0.113.215".into()),
                        time: Some(jt),
                        note:
                            "a regular of a daily series joined from an address never seen for them"
                                .into(),
                    },
                );
                self.item(
                    true,
                    It {
                        rule: "unexpected-ip-recurring-meeting",
                        user: Some(self.email(b)),
                        inst: Some(key),
                        ip: Some(home),
                        time: Some(jt),
                        note:
                            "a regular joined from their own home address (seen in their sign-ins)"
                                .into(),
                    },
                );
            }
            self.emit_planted(inst)?;
        }
        if sp {
            // Office hours: the observer sits in 24 of them and never shares; the quiet one 15.
            let obs = self.org.persona("observer");
            let quiet = self.org.persona("quiet");
            let per_day = 24u32.div_ceil(self.cfg.days);
            let done = (d * per_day).min(24);
            let todo = ((d + 1) * per_day).min(24) - done;
            for k in 0..todo {
                let idx = done + k;
                let host = self.regular("", 20 + idx as usize);
                let s = self.at(sec(1, 0) + sec(0, 50) * k as i64);
                let mut inst = self.instance("Open Office Hours", host, s, 30, 2, None);
                let other = self.regular("", 60 + idx as usize);
                if other != host {
                    self.seat_in(&mut inst, other);
                }
                let j = s + Duration::seconds(120);
                Self::add_seat(&mut inst, Who::In(obs), j, j + Duration::minutes(25));
                if idx < 15 {
                    Self::add_seat(
                        &mut inst,
                        Who::In(quiet),
                        j + Duration::seconds(30),
                        j + Duration::minutes(24),
                    );
                }
                self.emit_planted(inst)?;
            }
            if d == last {
                self.item(
                    false,
                    It {
                        rule: "silent-presence",
                        user: Some(self.email(obs)),
                        inst: None,
                        ip: None,
                        time: None,
                        note: "24 meetings, never shared".into(),
                    },
                );
                self.item(
                    true,
                    It {
                        rule: "silent-presence",
                        user: Some(self.email(quiet)),
                        inst: None,
                        ip: None,
                        time: None,
                        note: "15 meetings without sharing (not more than 20)".into(),
                    },
                );
            }
        }
        if sipn && d == mid {
            let names = [
                "Alex P.",
                "Sam K.",
                "Jordan M.",
                "Casey R.",
                "Riley T.",
                "Morgan L.",
            ];
            for m in 0..3 {
                let host = self.regular("Support", 2 + m);
                let s = self.at(sec(19, 30) + sec(1, 0) * m as i64);
                let mut inst = self.planted("Support Clinic", host, s, 40, &[]);
                for k in 0..2 {
                    let j = s + Duration::seconds(120 + 200 * k as i64);
                    Self::add_seat(
                        &mut inst,
                        made(names[m * 2 + k], "", false, "203.0.113.240", "Unknown"),
                        j,
                        j + Duration::minutes(20),
                    );
                }
                let key = self.emit_planted(inst)?;
                if m == 2 {
                    self.item(
                        false,
                        It {
                            rule: "shared-ip-many-names",
                            user: None,
                            inst: Some(key),
                            ip: Some("203.0.113.240".into()),
                            time: None,
                            note: "6 different guest names from one address across 3 meetings"
                                .into(),
                        },
                    );
                }
            }
            let host = self.regular("Support", 6);
            let s = self.at(sec(22, 0));
            let mut inst = self.planted("Support Clinic", host, s, 40, &[]);
            for (k, n) in ["Pat Morgan", "Lee Morgan"].iter().enumerate() {
                let j = s + Duration::seconds(100 + 60 * k as i64);
                Self::add_seat(
                    &mut inst,
                    made(n, "", false, "203.0.113.241", "Leeds (GB)"),
                    j,
                    j + Duration::minutes(25),
                );
            }
            let key = self.emit_planted(inst)?;
            self.item(
                true,
                It {
                    rule: "shared-ip-many-names",
                    user: None,
                    inst: Some(key),
                    ip: Some("203.0.113.241".into()),
                    time: None,
                    note: "two people of one household".into(),
                },
            );
        }
        // The operation log resumes right at the end of its quiet spell (the near-miss).
        if let Some((_, b)) = self.plan.op_quiet
            && b.date_naive() == self.date
        {
            let target = self.regular("", 7);
            let det = format!(
                "Update User {}  - Job Title: set to {}",
                self.email(target),
                self.org.people[target].title
            );
            self.admin_op(b, admin2, "User", "SCIM API - Update", &det, None)?;
        }
        // Operations scheduled earlier for today.
        let today: Vec<_> = {
            let date = self.date;
            let (now, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.plan.pending_ops)
                .into_iter()
                .partition(|o| o.0.date_naive() == date);
            self.plan.pending_ops = later;
            now
        };
        for (t, by, cat, action, detail) in today {
            self.admin_op(t, by, &cat, &action, &detail, None)?;
        }
        if uc
            && d == early + 1
            && let Some(nu) = self.plan.new_user
        {
            for (k, ip) in ["192.0.2.252", "198.51.100.10"].iter().enumerate() {
                let t = self.at(sec(13, 0) + 1800 * k as i64);
                self.signin(nu, t, "Sign in", ip, 0)?;
            }
        }
        Ok(())
    }
}
