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

/// The fields of a session that rules look at beyond who and when, set in passing.
pub trait SessExt {
    fn ip(self, ip: &str) -> Self;
    fn pc(self, pc_name: &str) -> Self;
    fn sharing(self, on: bool) -> Self;
}

impl SessExt for Participant {
    fn ip(self, ip: &str) -> Participant {
        Participant {
            ip_address: Some(ip.into()),
            ..self
        }
    }
    fn pc(self, pc_name: &str) -> Participant {
        Participant {
            pc_name: Some(pc_name.into()),
            ..self
        }
    }
    fn sharing(self, on: bool) -> Participant {
        Participant {
            share_desktop: Some(on),
            ..self
        }
    }
}

/// (category, action) of the operation-log rows most rules read.
pub const ACCOUNT: (&str, &str) = ("Account", "Update");
pub const USER: (&str, &str) = ("User", "Update");

/// An operation-log row for `Case::ops`, in the log's own order: (minutes after the base
/// time, operator, (category, action), detail).
pub type OpRow<'a> = (i64, &'a str, (&'a str, &'a str), &'a str);

pub fn secs(a: &str, b: &str) -> Option<i64> {
    let a = zoomlens::model::time::parse_time(a)?;
    let b = zoomlens::model::time::parse_time(b)?;
    Some((b - a).num_seconds())
}

/// Evidence for the `n`th record of a case: a test origin and a raw line of its own.
fn evidence(w: &mut zoomlens::store::Writer, n: &mut i64) -> Evidence {
    *n += 1;
    let o = w.origin(&Origin::new("file", "test")).unwrap();
    Evidence::new(o, Some(*n), format!("{{\"test\":{n}}}"))
}

/// A guest `name` sharing their desktop for two minutes of meeting `M1==` from 203.0.113.9:
/// what the tests of hostile text put a crafted name on.
pub fn sharing_guest(name: &str) -> Participant {
    let mut g = sess(
        "M1==",
        "7",
        name,
        "",
        "2024-06-10T10:00:00Z",
        &at("2024-06-10T10:00:00Z", 2),
    );
    g.share_desktop = Some(true);
    g.ip_address = Some("203.0.113.9".into());
    g
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

    pub fn with(
        &mut self,
        f: impl FnOnce(
            &mut zoomlens::store::Writer,
            &mut dyn FnMut(&mut zoomlens::store::Writer) -> Evidence,
        ),
    ) {
        let mut n = self.n;
        let mut w = self.store.writer().unwrap();
        f(&mut w, &mut |w| evidence(w, &mut n));
        w.commit().unwrap();
        self.n = n;
    }

    /// One record with evidence of its own, in a transaction of its own.
    fn put<T, E: std::fmt::Debug>(
        &mut self,
        f: impl FnOnce(&mut zoomlens::store::Writer, &Evidence) -> Result<T, E>,
    ) {
        self.with(|w, ev| {
            let e = ev(w);
            f(w, &e).unwrap();
        });
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
        self.put(|w, e| w.user(&u, e));
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
        self.put(|w, e| w.operation(&op, e));
    }

    /// Operation-log rows at `base` plus each row's minutes, in the order given.
    pub fn ops(&mut self, base: &str, rows: &[OpRow]) {
        for &(min, operator, (cat, action), detail) in rows {
            self.op(&at(base, min), operator, cat, action, detail);
        }
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
        self.put(|w, e| w.signin(&s, e));
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
        self.put(|w, e| w.meeting(&m, e));
    }

    pub fn part(&mut self, p: Participant) {
        self.put(|w, e| w.participant(&p, e));
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
        self.put(|w, e| w.recording(&r, e));
    }

    pub fn departure(&mut self, email: &str, when: &str) {
        let d = Departure {
            email: email.into(),
            departed_at: when.into(),
        };
        self.put(|w, e| w.departure(&d, e));
    }

    pub fn vip(&mut self, email: &str, name: &str) {
        let v = Vip {
            email: email.into(),
            name: Some(name.into()),
            title: Some("CFO".into()),
        };
        self.put(|w, e| w.vip(&v, e));
    }

    pub fn asset(&mut self, pc: &str, owner: &str) {
        let a = Asset {
            pc_name: Some(pc.into()),
            mac_addr: None,
            owner_email: owner.into(),
        };
        self.put(|w, e| w.asset(&a, e));
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
            payload_sha256: zoomlens::util::Sha256Sum::of(
                format!("{event}{time}{object}").as_bytes(),
            ),
        };
        self.put(|w, e| w.webhook_event(&h, e));
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

    /// Run one rule, assert that it found exactly one thing, and return that finding.
    pub fn run_one(&mut self, rule: &str) -> StoredFinding {
        let f = self.run(rule);
        let summaries: Vec<&str> = f.iter().map(|x| x.summary.as_str()).collect();
        assert_eq!(f.len(), 1, "{summaries:?}");
        f.into_iter().next().unwrap()
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
