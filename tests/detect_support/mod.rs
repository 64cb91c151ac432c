//! Small cases for detection tests, built through `Store`/`Writer` with the model types.
#![allow(dead_code)]

use zoomlens::detect::{Config, Report, RunStatus, StoredFinding, finding};
use zoomlens::model::*;
use zoomlens::store::Store;

pub struct Case {
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub cfg: Config,
    n: i64,
}

/// A dashboard-style participant session (in_metrics) with the usual fields set.
pub fn sess(
    uuid: &str,
    user_id: &str,
    name: &str,
    email: &str,
    join: &str,
    leave: &str,
) -> Participant {
    Participant {
        meeting_uuid: uuid.into(),
        user_id: user_id.into(),
        name: Some(name.into()),
        email: Some(email.into()),
        join_time: join.into(),
        leave_time: Some(leave.into()),
        duration: secs(join, leave),
        via: "metrics".into(),
        ..Default::default()
    }
}

pub fn secs(a: &str, b: &str) -> Option<i64> {
    let a = zoomlens::model::time::parse_time(a)?;
    let b = zoomlens::model::time::parse_time(b)?;
    Some((b - a).num_seconds())
}

/// `base` plus `min` minutes, as stored time text.
pub fn at(base: &str, min: i64) -> String {
    let t = zoomlens::model::time::parse_time(base).unwrap() + chrono::Duration::minutes(min);
    zoomlens::model::time::fmt_utc(t)
}

impl Case {
    pub fn new() -> Case {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.case")).unwrap();
        Case {
            dir,
            store,
            cfg: Config::default(),
            n: 0,
        }
    }

    fn ev(&mut self, w: &mut zoomlens::store::Writer) -> Evidence {
        self.n += 1;
        let o = w
            .origin(&Origin {
                kind: "file".into(),
                source: "test".into(),
                ..Default::default()
            })
            .unwrap();
        Evidence::new(o, Some(self.n), format!("{{\"test\":{}}}", self.n))
    }

    pub fn with(
        &mut self,
        f: impl FnOnce(
            &mut zoomlens::store::Writer,
            &mut dyn FnMut(&mut zoomlens::store::Writer) -> Evidence,
        ),
    ) {
        let mut n = self.n;
        let mut w = self.store.writer().unwrap();
        let mut mk = |w: &mut zoomlens::store::Writer| {
            n += 1;
            let o = w
                .origin(&Origin {
                    kind: "file".into(),
                    source: "test".into(),
                    ..Default::default()
                })
                .unwrap();
            Evidence::new(o, Some(n), format!("{{\"test\":{n}}}"))
        };
        f(&mut w, &mut mk);
        w.commit().unwrap();
        self.n = n;
    }

    pub fn user(&mut self, email: &str, name: &str) {
        let (first, last) = name.split_once(' ').unwrap_or((name, ""));
        let u = User {
            zoom_id: Some(format!("z-{email}")),
            email: email.into(),
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            display_name: Some(name.into()),
            status: Some("active".into()),
            ..Default::default()
        };
        self.with(|w, ev| {
            let e = ev(w);
            w.user(&u, &e).unwrap();
        });
    }

    pub fn op(&mut self, time: &str, operator: &str, cat: &str, action: &str, detail: &str) {
        let op = Operation {
            time: time.into(),
            operator: operator.into(),
            category_type: cat.into(),
            action: action.into(),
            operation_detail: detail.into(),
            via: "report".into(),
        };
        self.with(|w, ev| {
            let e = ev(w);
            w.operation(&op, &e).unwrap();
        });
    }

    pub fn signin(&mut self, time: &str, email: &str, ip: &str) {
        self.signin_v(time, email, ip, "6.0.0");
    }

    pub fn signin_v(&mut self, time: &str, email: &str, ip: &str, version: &str) {
        self.signin_cv(time, email, ip, "mac", version);
    }

    /// A sign-in from a given client type (mac, iOS, android...).
    pub fn signin_c(&mut self, time: &str, email: &str, ip: &str, client: &str) {
        self.signin_cv(time, email, ip, client, "6.0.0");
    }

    fn signin_cv(&mut self, time: &str, email: &str, ip: &str, client: &str, version: &str) {
        let s = SignIn {
            time: time.into(),
            email: email.into(),
            activity: "Sign in".into(),
            ip_address: Some(ip.into()),
            client_type: Some(client.into()),
            version: Some(version.into()),
            via: "report".into(),
            ..Default::default()
        };
        self.with(|w, ev| {
            let e = ev(w);
            w.signin(&s, &e).unwrap();
        });
    }

    pub fn meeting(
        &mut self,
        uuid: &str,
        mid: i64,
        topic: &str,
        host: &str,
        start: &str,
        end: &str,
    ) {
        let m = Meeting {
            uuid: uuid.into(),
            meeting_id: Some(mid),
            topic: Some(topic.into()),
            host_email: Some(host.into()),
            start_time: Some(start.into()),
            end_time: Some(end.into()),
            via: "report".into(),
            ..Default::default()
        };
        self.with(|w, ev| {
            let e = ev(w);
            w.meeting(&m, &e).unwrap();
        });
    }

    pub fn part(&mut self, p: Participant) {
        self.with(|w, ev| {
            let e = ev(w);
            w.participant(&p, &e).unwrap();
        });
    }

    pub fn parts(&mut self, ps: Vec<Participant>) {
        self.with(|w, ev| {
            for p in &ps {
                let e = ev(w);
                w.participant(p, &e).unwrap();
            }
        });
    }

    pub fn recording(&mut self, r: Recording) {
        self.with(|w, ev| {
            let e = ev(w);
            w.recording(&r, &e).unwrap();
        });
    }

    pub fn departure(&mut self, email: &str, when: &str) {
        let d = Departure {
            email: email.into(),
            departed_at: when.into(),
        };
        self.with(|w, ev| {
            let e = ev(w);
            w.departure(&d, &e).unwrap();
        });
    }

    pub fn vip(&mut self, email: &str, name: &str) {
        let v = Vip {
            email: email.into(),
            name: Some(name.into()),
            title: Some("CFO".into()),
        };
        self.with(|w, ev| {
            let e = ev(w);
            w.vip(&v, &e).unwrap();
        });
    }

    pub fn asset(&mut self, pc: &str, owner: &str) {
        let a = Asset {
            pc_name: Some(pc.into()),
            mac_addr: None,
            owner_email: owner.into(),
        };
        self.with(|w, ev| {
            let e = ev(w);
            w.asset(&a, &e).unwrap();
        });
    }

    pub fn webhook(&mut self, event: &str, time: &str, operator: &str, object: &str) {
        let h = WebhookEvent {
            event: event.into(),
            event_ts: zoomlens::model::time::parse_time(time)
                .unwrap()
                .timestamp_millis(),
            time: time.into(),
            account_id: Some("acct".into()),
            operator: Some(operator.into()),
            object_id: Some(object.into()),
            payload_sha256: zoomlens::util::sha256_hex(format!("{event}{time}{object}").as_bytes()),
        };
        self.with(|w, ev| {
            let e = ev(w);
            w.webhook_event(&h, &e).unwrap();
        });
    }

    /// Run everything; the report.
    pub fn run_all(&mut self) -> Report {
        zoomlens::detect::run(&mut self.store, &self.cfg, &[]).unwrap()
    }

    /// Run one rule and return its stored findings (with evidence); panics if it could not run.
    pub fn run(&mut self, rule: &str) -> Vec<StoredFinding> {
        let rep = zoomlens::detect::run(&mut self.store, &self.cfg, &[rule.to_string()]).unwrap();
        let r = rep.run_of(rule).unwrap();
        if let RunStatus::Skipped(why) = &r.status {
            panic!("{rule} could not run: {why}");
        }
        self.findings(rule)
    }

    /// Run one rule and return why it could not run (panics if it ran).
    pub fn skipped(&mut self, rule: &str) -> String {
        let rep = zoomlens::detect::run(&mut self.store, &self.cfg, &[rule.to_string()]).unwrap();
        match &rep.run_of(rule).unwrap().status {
            RunStatus::Skipped(why) => why.clone(),
            RunStatus::Ok => panic!("{rule} ran"),
        }
    }

    pub fn findings(&self, rule: &str) -> Vec<StoredFinding> {
        let mut f = finding::load_findings(
            &self.store.conn,
            zoomlens::detect::Severity::Info,
            &[rule.to_string()],
        )
        .unwrap();
        finding::load_evidence(&self.store.conn, &mut f).unwrap();
        f
    }
}
