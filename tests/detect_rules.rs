//! One positive and one near-miss per rule, on small cases built through the Writer.

mod detect_support;
use detect_support::{ACCOUNT, Case, SessExt, USER, at, sess};
use zoomlens::model::{Participant, Recording, RecordingFile};

const T0: &str = "2024-06-10T09:00:00Z";
const ALICE: &str = "alice@acme.com";
const BOB: &str = "bob@acme.com";
const CAROL: &str = "carol@acme.com";
const ADMIN: &str = "admin@acme.com";

fn org() -> Case {
    let mut c = Case::new();
    c.user(ALICE, "Alice Adams");
    c.user(BOB, "Bob Brown");
    c.user(CAROL, "Carol Chen");
    c.user(ADMIN, "Ada Admin");
    c
}

fn rules(f: &[zoomlens::detect::StoredFinding]) -> Vec<String> {
    f.iter().map(|f| f.summary.clone()).collect()
}

/// The finding's why, asked and answered: its rule's question is stored, and one of its facts
/// contains every needle.
fn why_says(f: &zoomlens::detect::StoredFinding, needles: &[&str]) {
    assert!(
        f.question.ends_with('?'),
        "{}: question {:?}",
        f.rule,
        f.question
    );
    assert!(
        f.why.iter().any(|w| needles.iter().all(|n| w.contains(n))),
        "{}: no fact says {needles:?}: {:#?}",
        f.rule,
        f.why
    );
}

/// An hour-long session from `start`, as most cases here have.
fn hour(uuid: &str, user_id: &str, name: &str, email: &str, start: &str) -> Participant {
    sess(uuid, user_id, name, email, start, &at(start, 60))
}

#[test]
fn security_setting_disabled_batched_and_near_miss() {
    let mut c = org();
    #[rustfmt::skip]
    let log = [
        // 2FA switched off second in a batch, beside an unrelated change.
        (0, ADMIN, ACCOUNT, "Security  - Meeting topic length: from 10 to 20 - Sign in with Two-Factor Authentication: from On to Off"),
        // Near-miss: turned back on, and a strengthening length change.
        (60, ADMIN, ACCOUNT, "Security  - Sign in with Two-Factor Authentication: from Off to On"),
        (61, ADMIN, ACCOUNT, "Sign-In Password Requirement  - Have at least specified length of characters: from 8 to 14"),
    ];
    c.ops(T0, &log);
    let f = c.run_one("security-setting-disabled");
    assert!(f.summary.contains("Two-Factor"), "{}", f.summary);
    assert_eq!(f.user.as_deref(), Some(ADMIN));
    assert_eq!(f.actor.as_deref(), Some(ADMIN));
    // The weakening itself, not the unrelated change batched with it.
    why_says(&f, &["Two-Factor", "On → Off"]);
    assert!(
        !f.why.iter().any(|w| w.contains("topic length")),
        "{:?}",
        f.why
    );
    assert!(f.evidence.iter().any(|e| e.table == "operations"));
    let ch = f.evidence.iter().find(|e| e.table == "op_changes").unwrap();
    assert_eq!(ch.fields["to_value"], "Off");
}

#[test]
fn sign_in_method_enabled_and_near_miss() {
    let mut c = org();
    #[rustfmt::skip]
    let log = [
        (0, ADMIN, ACCOUNT, "Sign-in Methods  - Allow users to sign in with Google: from Off to On"),
        (5, ADMIN, ACCOUNT, "Sign-in Methods  - Allow users to sign in with Facebook: from On to Off"),
    ];
    c.ops(T0, &log);
    let f = c.run_one("sign-in-method-enabled");
    assert!(f.summary.contains("Google"));
}

#[test]
fn privileged_role_granted_custom_role_no_email_and_demotion() {
    let mut c = org();
    #[rustfmt::skip]
    let log = [
        (0, ADMIN, USER, "Change Role  - bob@acme.com: from Member to Security Admin"),
        (1, ADMIN, ("User", "SCIM API - Update"), "Change Role  - : from Member to Co-Owner"),
        // Near-misses: demotion, and a move between privileged roles.
        (2, ADMIN, USER, "Change Role  - alice@acme.com: from Admin to Member"),
        (3, ADMIN, USER, "Change Role  - carol@acme.com: from Admin to Billing Admin"),
    ];
    c.ops(T0, &log);
    let f = c.run("privileged-role-granted");
    assert_eq!(f.len(), 2, "{:?}", rules(&f));
    // The granting admin did it; the grantee is the target (and the console's user).
    let g = f.iter().find(|x| x.user.as_deref() == Some(BOB)).unwrap();
    assert_eq!(g.actor.as_deref(), Some(ADMIN));
    assert_eq!(g.target.as_deref(), Some(BOB));
    why_says(g, &["Member → Security Admin"]);
    assert!(
        f.iter()
            .any(|x| x.user.as_deref() == Some(BOB) && x.summary.contains("Security Admin"))
    );
    assert!(
        f.iter()
            .any(|x| x.user.is_none() && x.summary.contains("does not name"))
    );
}

#[test]
fn user_created_and_near_miss() {
    let mut c = org();
    #[rustfmt::skip]
    let log = [
        (0, ADMIN, ("User", "Add"), "Add User mallory@acme.com  - User Type: Basic - Department: Ops"),
        (1, ADMIN, ("User", "Delete"), "Delete User bob@acme.com"),
    ];
    c.ops(T0, &log);
    let f = c.run_one("user-created");
    assert_eq!(f.user.as_deref(), Some("mallory@acme.com"));
}

#[test]
fn sso_changed_and_near_miss() {
    let mut c = org();
    #[rustfmt::skip]
    let log = [
        (0, ADMIN, ACCOUNT, "SSO  - Sign-in page URL: from https://a.example to https://evil.example"),
        (1, ADMIN, ACCOUNT, "Meeting  - Lasso tool: from Off to On"),
    ];
    c.ops(T0, &log);
    c.run_one("sso-config-changed");
}

#[test]
fn billing_changed_and_near_miss() {
    let mut c = org();
    #[rustfmt::skip]
    let log = [
        (0, ADMIN, USER, "Edit User bob@acme.com  - Change Type: from Basic to Licensed"),
        (1, ADMIN, USER, "Update User bob@acme.com  - Job Title: set to Contractor"),
    ];
    c.ops(T0, &log);
    let f = c.run_one("billing-or-license-changed");
    // The admin who made the change is who did it, the licensed user what it was done to;
    // the console's user pivot goes to the admin.
    assert_eq!(f.actor.as_deref(), Some(ADMIN));
    assert_eq!(f.target.as_deref(), Some(BOB));
    assert_eq!(f.user.as_deref(), Some(ADMIN));
    why_says(&f, &["Basic → Licensed"]);
    why_says(&f, &["affected user", BOB]);
}

fn rec(uuid: &str, mid: i64, deleted: Option<&str>) -> Recording {
    Recording {
        meeting_uuid: uuid.into(),
        meeting_id: Some(mid),
        host_email: Some(CAROL.into()),
        topic: Some("Board prep".into()),
        start_time: Some(T0.into()),
        deleted_time: deleted.map(str::to_string),
        files: vec![RecordingFile {
            file_id: Some(format!("f-{uuid}")),
            file_type: Some("MP4".into()),
            ..Default::default()
        }],
        via: "report".into(),
        ..Default::default()
    }
}

#[test]
fn recording_deleted_joins_op_and_listing() {
    let mut c = org();
    c.recording(rec("U1==", 111222333, Some(&at(T0, 120))));
    c.recording(rec("U2==", 444555666, None)); // near-miss: still there
    #[rustfmt::skip]
    let log = [(119, BOB, ("Recording", "Delete"), "Delete Recording meeting_id:111222333")];
    c.ops(T0, &log);
    let f = c.run_one("recording-deleted");
    assert_eq!(f.meeting_uuid.as_deref(), Some("U1=="));
    assert!(f.summary.contains(BOB));
    assert!(f.evidence.iter().any(|e| e.table == "operations"));
    assert!(f.evidence.iter().any(|e| e.table == "recordings"));
    assert_eq!(f.actor.as_deref(), Some(BOB));
    assert!(
        f.target.as_deref().unwrap().contains("111222333"),
        "{:?}",
        f.target
    );
    why_says(&f, &["deleted by", BOB, "not its host", CAROL]);
}

#[test]
fn recording_download_by_non_participant_and_near_miss() {
    let mut c = org();
    c.meeting("M1", 123456789, "Board prep", CAROL, T0, &at(T0, 60));
    c.part(hour("M1", "1", "Carol Chen", CAROL, T0));
    c.part(hour("M1", "2", "Alice Adams", ALICE, T0));
    #[rustfmt::skip]
    let log = [
        (200, BOB, ("Recording", "Download"), "Download Recording meeting_id:123456789"),
        (201, ALICE, ("Recording", "Download"), "Download Recording meeting_id:123456789"),
    ];
    c.ops(T0, &log);
    let f = c.run_one("recording-download-by-non-participant");
    assert_eq!(f.user.as_deref(), Some(BOB));
    assert_eq!(f.actor.as_deref(), Some(BOB));
    assert!(
        f.target.as_deref().unwrap().contains("Board prep"),
        "{:?}",
        f.target
    );
    why_says(&f, &["none of the 1 instance(s) of meeting 123456789"]);
}

#[test]
fn weakened_then_exposed_and_restored_near_miss() {
    let mut c = org();
    c.meeting("M1", 1, "Weekly", ALICE, &at(T0, 120), &at(T0, 180));
    c.meeting("M2", 2, "Weekly", ALICE, &at(T0, 2000), &at(T0, 2060));
    #[rustfmt::skip]
    let log = [(0, ADMIN, ACCOUNT, "Security  - Waiting Room: from On to Off")];
    c.ops(T0, &log);
    c.part(sess("M1", "9", "Stranger", "", &at(T0, 125), &at(T0, 170)));
    // Near-miss: passcode turned off and back on before anyone outside joined.
    #[rustfmt::skip]
    let log = [
        (1900, ADMIN, ACCOUNT, "Security  - Require a passcode when scheduling new meetings: from On to Off"),
        (1930, ADMIN, ACCOUNT, "Security  - Require a passcode when scheduling new meetings: from Off to On"),
    ];
    c.ops(T0, &log);
    c.part(sess("M2", "8", "Guest", "", &at(T0, 2005), &at(T0, 2050)));
    let f = c.run_one("weakened-then-exposed");
    assert!(f.summary.contains("Waiting Room"));
    assert_eq!(f.meeting_uuid.as_deref(), Some("M1"));
    assert_eq!(f.actor.as_deref(), Some(ADMIN));
    why_says(
        &f,
        &["1 outsider join(s)", "125 min after the change", "Stranger"],
    );
}

#[test]
fn new_admin_activity_and_late_near_miss() {
    let mut c = org();
    #[rustfmt::skip]
    let log = [
        (0, ADMIN, USER, "Change Role  - bob@acme.com: from Member to Admin"),
        (30, BOB, ACCOUNT, "Security  - Waiting Room: from On to Off"),
        (60, ADMIN, USER, "Change Role  - alice@acme.com: from Member to Admin"),
        (60 + 25 * 60, ALICE, ACCOUNT, "Security  - Waiting Room: from Off to On"),
    ];
    c.ops(T0, &log);
    let f = c.run_one("new-admin-activity");
    assert_eq!(f.user.as_deref(), Some(BOB));
    assert_eq!(f.actor.as_deref(), Some(BOB));
    why_says(&f, &["granted Admin by", ADMIN]);
    why_says(&f, &["30 min after the grant"]);
}

#[test]
fn signin_new_ip_needs_a_baseline() {
    let mut c = org();
    for d in 0..3 {
        c.signin(&at(T0, d * 1440), ALICE, "198.51.100.1");
    }
    c.signin(&at(T0, 3 * 1440), ALICE, "203.0.113.66");
    // Near-miss: bob's second sign-in from a new IP has no baseline yet.
    c.signin(T0, BOB, "198.51.100.2");
    c.signin(&at(T0, 10), BOB, "203.0.113.77");
    let f = c.run_one("signin-new-ip");
    assert_eq!(f.ip.as_deref(), Some("203.0.113.66"));
    assert_eq!(f.actor.as_deref(), Some(ALICE));
    // The baseline: how many earlier sign-ins, since when, and the last one's IP.
    why_says(&f, &["203.0.113.66", "never seen", "in 3 earlier sign-ins"]);
    why_says(&f, &["since 2024-06-10T09:00:00Z"]);
    why_says(&f, &["previous sign-in", "198.51.100.1"]);
    // Known ranges silence it.
    c.cfg.known_ip_ranges = vec!["203.0.113.0/24".into()];
    assert!(c.run("signin-new-ip").is_empty());
}

#[test]
fn outdated_client_latest_version_counts() {
    let mut c = org();
    c.signin_v(T0, ALICE, "198.51.100.1", "5.9.3");
    c.signin_v(T0, BOB, "198.51.100.2", "5.9.3");
    c.signin_v(&at(T0, 60), BOB, "198.51.100.2", "6.1.0"); // updated since
    let f = c.run_one("outdated-client");
    assert_eq!(f.user.as_deref(), Some(ALICE));
    why_says(&f, &["5.9.3", "minimum"]);
}

#[test]
fn parallel_session_and_same_ip_near_miss() {
    let mut c = org();
    c.part(hour("M1", "1", "Alice Adams", ALICE, T0).ip("198.51.100.1"));
    c.part(hour("M1", "2", "Bob Brown", BOB, T0).ip("198.51.100.2"));
    c.signin(&at(T0, 20), ALICE, "203.0.113.9");
    c.signin(&at(T0, 20), BOB, "198.51.100.2");
    c.signin(&at(T0, 90), CAROL, "203.0.113.10");
    let f = c.run_one("parallel-session");
    assert_eq!(f.user.as_deref(), Some(ALICE));
    assert_eq!(f.ip.as_deref(), Some("203.0.113.9"));
    why_says(&f, &["203.0.113.9", "never seen for this user"]);
    why_says(&f, &["in meeting", "198.51.100.1"]);
}

#[test]
fn external_in_sensitive_meeting_repeats_as_the_seed() {
    let mut c = org();
    for i in 0..5 {
        let u = format!("B{i}");
        let s = at(T0, i * 10080);
        c.meeting(&u, 777, "Board sync", CAROL, &s, &at(&s, 60));
        let n = if i < 4 { "spy@rival.com" } else { ALICE };
        c.part(hour(&u, "5", "Spy", n, &s));
        if i < 2 {
            c.part(hour(&u, "6", "Consultant", "pat@partner.com", &s));
        }
    }
    c.cfg.rules.insert(
        "external-in-sensitive-meeting".into(),
        toml::from_str("flag_guests = 0").unwrap(),
    );
    let f = c.run_one("external-in-sensitive-meeting");
    assert_eq!(f.user.as_deref(), Some("spy@rival.com"));
    assert_eq!(f.evidence.len(), 4);
    why_says(&f, &["4 sensitive meeting instances", "threshold: 4"]);
}

#[test]
fn a_colleague_on_the_accounts_second_domain_is_not_an_outsider() {
    // The directory knows acme.com only (a webhook feed's few user events); Dan signs in to the
    // account with the alias domain. He attends the board sync as often as the spy.
    let mut c = org();
    let dan = "dan@acme-alias.com";
    c.signin(T0, dan, "198.51.100.7");
    for i in 0..4 {
        let u = format!("B{i}");
        let s = at(T0, i * 10080);
        c.meeting(&u, 777, "Board sync", CAROL, &s, &at(&s, 60));
        c.part(hour(&u, "5", "Spy", "spy@rival.com", &s));
        c.part(hour(&u, "7", "Dan", dan, &s));
    }
    c.cfg.rules.insert(
        "external-in-sensitive-meeting".into(),
        toml::from_str("flag_guests = 0").unwrap(),
    );
    let f = c.run_one("external-in-sensitive-meeting");
    assert_eq!(f.user.as_deref(), Some("spy@rival.com"));
    // The console and `zoomlens sql` say the same, from what detect kept.
    let conn = &c.store.conn;
    let kept: String = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'signin_domains'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(kept.contains("acme-alias.com"), "{kept}");
    zoomlens::detect::sql_functions(conn, &c.cfg).unwrap();
    let internal: bool = conn
        .query_row("SELECT zl_internal(?1)", [dan], |r| r.get(0))
        .unwrap();
    assert!(internal);
}

#[test]
fn external_guest_in_sensitive_instance() {
    let mut c = org();
    c.meeting("G1", 1, "Confidential: merger", CAROL, T0, &at(T0, 60));
    c.part(hour("G1", "1", "Unknown caller", "", T0));
    c.meeting("G2", 2, "Team lunch", CAROL, T0, &at(T0, 60));
    c.part(hour("G2", "1", "Unknown caller", "", T0));
    c.cfg.rules.insert(
        "external-in-sensitive-meeting".into(),
        toml::from_str("flag_guests = 1").unwrap(),
    );
    let f = c.run_one("external-in-sensitive-meeting");
    assert_eq!(f.meeting_uuid.as_deref(), Some("G1"));
}

#[test]
fn direct_link_join_and_near_miss() {
    let mut c = org();
    c.meeting("W1", 1, "Webinar", CAROL, T0, &at(T0, 60));
    c.meeting("W2", 2, "Webinar", CAROL, T0, &at(T0, 60));
    for (u, reg) in [("W1", true), ("W2", true)] {
        let mut p = hour(u, "1", "Reg One", "one@client.com", T0);
        p.registrant_id = reg.then(|| "r1".to_string());
        c.part(p);
    }
    c.part(hour("W1", "2", "Crasher", "x@else.com", T0));
    c.part(hour("W2", "2", "Alice Adams", ALICE, T0)); // internal: fine
    let f = c.run_one("direct-link-join");
    assert_eq!(f.meeting_uuid.as_deref(), Some("W1"));
    why_says(&f, &["1 registered session(s)", "1 joined without"]);
}

#[test]
fn display_name_impersonation_vip_and_own_device_near_miss() {
    let mut c = org();
    c.vip(CAROL, "Carol Chen");
    c.part(sess("M0", "1", "Carol Chen", CAROL, T0, &at(T0, 30)).ip("198.51.100.7"));
    // Deepfake: external email, look-alike name.
    let (s, e) = (at(T0, 100), at(T0, 130));
    c.part(
        sess(
            "M1",
            "2",
            "Carol Chen (CFO)",
            "carol.chen@gmail.com",
            &s,
            &e,
        )
        .ip("203.0.113.5"),
    );
    c.part(sess("M1", "3", "Caról Chen", "", &s, &e).ip("203.0.113.6"));
    // Near-miss: Carol on her phone as a guest from her usual IP.
    let (s, e) = (at(T0, 200), at(T0, 230));
    c.part(sess("M2", "4", "Carol Chen", "", &s, &e).ip("198.51.100.7"));
    // Near-miss: a different person with a different name.
    c.part(sess("M2", "5", "Carl Chan", "carl@partner.com", &s, &e));
    let f = c.run("display-name-impersonation");
    assert_eq!(f.len(), 2, "{:?}", rules(&f));
    // The impersonator did it; the person whose name they took is the target.
    let g = f.iter().find(|x| x.user.is_none()).unwrap();
    assert_eq!(g.actor.as_deref(), Some("guest 'Caról Chen'"));
    assert_eq!(g.target.as_deref(), Some(CAROL));
    why_says(g, &["203.0.113.6", "never used by", CAROL]);
    assert!(
        f.iter()
            .all(|x| x.severity == "critical" && x.meeting_uuid.as_deref() == Some("M1"))
    );
}

#[test]
fn join_after_departure_and_last_day_near_miss() {
    let mut c = org();
    c.departure(BOB, "2024-06-10T00:00:00Z");
    c.part(hour("M1", "1", "Bob Brown", BOB, "2024-06-10T15:00:00Z"));
    c.part(hour("M2", "1", "Bob Brown", BOB, "2024-06-12T15:00:00Z"));
    let f = c.run_one("join-after-departure");
    assert_eq!(f.meeting_uuid.as_deref(), Some("M2"));
    assert!(f.summary.contains("1 meeting session"));
}

#[test]
fn join_burst_and_four_ip_near_miss() {
    let mut c = org();
    let mut ps = Vec::new();
    for i in 0..5 {
        let guest = |u: &str| {
            sess(
                u,
                &format!("{i}"),
                &format!("Guest {i}"),
                "",
                &at(T0, i),
                &at(T0, 30),
            )
            .ip(&format!("203.0.113.{i}"))
        };
        ps.push(guest("B1"));
        if i < 4 {
            ps.push(guest("B2"));
        }
    }
    // B2's fifth IP comes 10 minutes later: not a burst.
    ps.push(sess("B2", "9", "Late", "", &at(T0, 10), &at(T0, 30)).ip("203.0.113.99"));
    c.parts(ps);
    let f = c.run_one("join-burst-multiple-ips");
    assert_eq!(f.meeting_uuid.as_deref(), Some("B1"));
    why_says(&f, &["5 distinct outsider IPs", "threshold 5"]);
    assert_eq!(f.evidence.len(), 5);
}

#[test]
fn brief_join_and_six_minute_and_rejoin_near_misses() {
    let mut c = org();
    c.part(sess("M1", "1", "Peeker", "", T0, &at(T0, 2)));
    c.part(sess("M1", "2", "Six minutes", "", T0, &at(T0, 6)));
    c.part(sess("M1", "3", "Dropped", "", T0, &at(T0, 1)));
    c.part(sess("M1", "3", "Dropped", "", &at(T0, 2), &at(T0, 40)));
    c.part(sess("M1", "4", "Alice Adams", ALICE, T0, &at(T0, 1)));
    let f = c.run_one("brief-join");
    assert!(f.summary.contains("Peeker"));
    assert_eq!(f.actor.as_deref(), Some("guest 'Peeker'"));
    why_says(&f, &["2m00s", "threshold 5 min"]);
}

#[test]
fn unexpected_ip_recurring_and_first_timer_near_miss() {
    let mut c = org();
    for i in 0..5 {
        let u = format!("R{i}");
        let s = at(T0, i * 10080);
        c.meeting(&u, 555, "Partner sync", ALICE, &s, &at(&s, 60));
        let ip = if i < 4 {
            "198.51.100.50"
        } else {
            "203.0.113.200"
        };
        c.part(hour(&u, "1", "Pat", "pat@partner.com", &s).ip(ip));
        // Near-miss: a partner who changes IP at their third visit (no baseline yet).
        let ip = if i < 2 {
            "198.51.100.60"
        } else {
            "198.51.100.61"
        };
        c.part(hour(&u, "2", "Quinn", "quinn@partner.com", &s).ip(ip));
    }
    let f = c.run_one("unexpected-ip-recurring-meeting");
    assert_eq!(f.user.as_deref(), Some("pat@partner.com"));
    assert_eq!(f.ip.as_deref(), Some("203.0.113.200"));
    why_says(&f, &["4 earlier instances", "198.51.100.50"]);
}

#[test]
fn unknown_device_vip_meeting_with_inventory() {
    let mut c = org();
    c.vip(CAROL, "Carol Chen");
    c.asset("CAROL-LAPTOP", CAROL);
    c.asset("BOB-LAPTOP", BOB);
    c.meeting("V1", 1, "Exec sync", CAROL, T0, &at(T0, 60));
    let a = hour("V1", "1", "Carol Chen", CAROL, T0).pc("CAROL-LAPTOP");
    let b = hour("V1", "2", "Bob Brown", BOB, T0).pc("DESKTOP-X1Y2");
    c.parts(vec![a, b]);
    // Near-miss: same unknown device in a meeting without a VIP.
    c.part(hour("N1", "2", "Bob Brown", BOB, T0).pc("DESKTOP-ZZZ"));
    let f = c.run_one("unknown-device-vip-meeting");
    assert_eq!(f.user.as_deref(), Some(BOB));
    why_says(
        &f,
        &["DESKTOP-X1Y2", "1 device(s) the asset inventory lists"],
    );
}

#[test]
fn silent_presence_and_sharer_near_miss() {
    // Each meeting has its own host, whom the lurker never meets otherwise.
    let mut c = org();
    let mut ps = Vec::new();
    for i in 0..22 {
        let (u, host) = (format!("S{i}"), format!("host{i}@partner.com"));
        let (s, e) = (at(T0, i * 1440), at(T0, i * 1440 + 30));
        c.meeting(&u, 100 + i, "Office hours", &host, &s, &e);
        ps.push(sess(&u, "0", "Host", &host, &s, &e));
        ps.push(sess(&u, "1", "Lurker", "lurk@outside.com", &s, &e));
        ps.push(sess(&u, "2", "Presenter", "pres@outside.com", &s, &e).sharing(i == 7));
    }
    c.parts(ps);
    let f = c.run_one("silent-presence");
    assert_eq!(f.user.as_deref(), Some("lurk@outside.com"));
    why_says(&f, &["22 small meetings", "more than 20"]);
}

#[test]
fn silent_presence_without_a_meeting_list_and_quiet_colleague_near_miss() {
    // Dashboard participant pages alone: no meeting says who hosted it. The lurker sits with
    // two strangers each time; the quiet colleague with the same two teammates every day.
    let mut c = org();
    let mut ps = Vec::new();
    for i in 0..22 {
        let (u, s, e) = (format!("S{i}"), at(T0, i * 1440), at(T0, i * 1440 + 30));
        ps.push(sess(&u, "1", "Lurker", "lurk@outside.com", &s, &e));
        for k in 0..2 {
            let who = format!("stranger{i}-{k}@partner.com");
            ps.push(sess(&u, &format!("s{k}"), "Stranger", &who, &s, &e));
        }
        let t = format!("T{i}");
        ps.push(sess(&t, "1", "Quiet", "quiet@outside.com", &s, &e));
        ps.push(sess(&t, "2", "Ann", "ann@outside.com", &s, &e).sharing(true));
        ps.push(sess(&t, "3", "Ben", "ben@outside.com", &s, &e).sharing(true));
    }
    c.parts(ps);
    let f = c.run_one("silent-presence");
    assert_eq!(f.user.as_deref(), Some("lurk@outside.com"));
    why_says(
        &f,
        &["22 of those meetings have no meeting list naming the host"],
    );
}

#[test]
fn shared_ip_many_names_and_partner_nat_near_miss() {
    let mut c = org();
    let mut ps = Vec::new();
    for (i, n) in ["Ann", "Ben", "Cat", "Dan"].iter().enumerate() {
        let (id, email) = (format!("{i}"), format!("{n}@partner.com"));
        ps.push(sess("M1", &id, n, "", T0, &at(T0, 30)).ip("203.0.113.44"));
        ps.push(sess("M2", &id, n, &email, T0, &at(T0, 30)).ip("198.51.100.80"));
    }
    c.parts(ps);
    let f = c.run_one("shared-ip-many-names");
    assert_eq!(f.ip.as_deref(), Some("203.0.113.44"));
}

#[test]
fn guest_screen_share_and_external_near_miss() {
    let mut c = org();
    let g = sess("M1", "1", "Zoombomber", "", T0, &at(T0, 5)).sharing(true);
    let e = sess("M1", "2", "Partner", "pat@partner.com", T0, &at(T0, 5)).sharing(true);
    c.parts(vec![g, e]);
    let f = c.run_one("guest-screen-share");
    assert!(f.summary.contains("Zoombomber"));
    // No meeting list gave a topic: the meeting is named by what is known of it.
    assert!(f.summary.ends_with("in meeting M1"), "{}", f.summary);
}

#[test]
fn source_silent_gap_while_others_active_but_not_quiet_weekends() {
    // Alice signs in (unless told not to) and meets at hour `h` after T0.
    let alice = |c: &mut Case, h: i64, signs_in: bool| {
        let t = at(T0, h * 60);
        if signs_in {
            c.signin(&t, ALICE, "198.51.100.1");
        }
        c.part(sess(
            &format!("H{h}"),
            "1",
            "Alice Adams",
            ALICE,
            &t,
            &at(&t, 30),
        ));
    };
    let mut c = org();
    // Sign-ins and meetings every hour for 4 days, except sign-ins stop for day 2.
    for h in 0..96 {
        alice(&mut c, h, !(30..60).contains(&h));
    }
    let f = c.run_one("source-silent");
    assert!(f.summary.contains("sign-ins"), "{}", f.summary);
    assert_eq!(f.target.as_deref(), Some("sign-ins"));
    why_says(&f, &["threshold 24 h"]);
    why_says(&f, &["other sources logged"]);
    // Near-miss: both sources quiet together (a weekend) is not a collector failure.
    let mut c = org();
    for h in (0..24).chain(72..96) {
        alice(&mut c, h, true);
    }
    assert!(c.run("source-silent").is_empty());
}

#[test]
fn source_silent_knows_a_sources_own_week() {
    // Three weeks from Monday 09:00: sign-ins every two hours, weekends included; admins
    // change settings on weekdays from 09:00 to 17:00 only, and not at all on the second
    // week's Wednesday and Thursday.
    let mut c = org();
    for h in 0..21 * 24 {
        let t = at(T0, h * 60);
        if h % 2 == 0 {
            c.signin(&t, ALICE, "198.51.100.1");
        }
        let (day, hour) = ((9 + h) / 24, (9 + h) % 24);
        if day % 7 < 5 && (9..17).contains(&hour) && !(9..=10).contains(&day) {
            c.op(&t, ADMIN, "Account", "Update", "setting changed");
        }
    }
    // Every weekend is silent in the operation logs and is their week; the two weekdays are
    // a gap.
    let f = c.run_one("source-silent");
    assert_eq!(f.target.as_deref(), Some("operation logs"));
    assert!(f.summary.contains("2024-06-18T16:00:00Z"), "{}", f.summary);
}

#[test]
fn missing_data_says_could_not_run() {
    let mut c = Case::new();
    for (rule, needle) in [
        ("join-after-departure", "departures"),
        ("unknown-device-vip-meeting", "VIP"),
        ("parallel-session", "sign-ins"),
        ("join-burst-multiple-ips", "dashboard"),
        ("security-setting-disabled", "operation logs"),
        ("guest-screen-share", "dashboard"),
    ] {
        let why = c.skipped(rule);
        assert!(why.contains(needle), "{rule}: {why}");
    }
    // The reasons are stored for the console.
    let n: i64 = c
        .store
        .conn
        .query_row(
            "SELECT count(*) FROM rule_runs WHERE status = 'skipped'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 6);
}

#[test]
fn rerun_replaces_findings_keeps_ids_and_never_duplicates() {
    let mut c = org();
    #[rustfmt::skip]
    let log = [(0, ADMIN, ACCOUNT, "Security  - Waiting Room: from On to Off")];
    c.ops(T0, &log);
    let first = c.run("security-setting-disabled");
    let again = c.run("security-setting-disabled");
    assert_eq!(first.len(), 1);
    assert_eq!(again.len(), 1);
    assert_eq!(first[0].id, again[0].id);
    let rep = c.run_all();
    assert_eq!(rep.runs.len(), zoomlens::detect::rules::registry().len());
    let rep2 = c.run_all();
    assert_eq!(rep.total_findings(), rep2.total_findings());
    let (n, ev): (i64, i64) = c
        .store
        .conn
        .query_row(
            "SELECT (SELECT count(*) FROM findings), (SELECT count(*) FROM finding_evidence)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(n as usize, rep2.total_findings());
    assert!(ev >= n);
    // Disabling a rule clears its findings.
    c.cfg.rules.insert(
        "security-setting-disabled".into(),
        toml::from_str("enabled = false").unwrap(),
    );
    assert!(c.skipped("security-setting-disabled").contains("disabled"));
    assert!(c.findings("security-setting-disabled").is_empty());
}

#[test]
fn host_clearing_out_an_old_recording_is_info_a_fresh_one_medium() {
    let mut c = org();
    // Carol trashes her own recording three weeks on (housekeeping) and another two hours on.
    c.recording(rec("OLD==", 101101101, Some(&at(T0, 21 * 1440))));
    c.recording(rec("NEW==", 102102102, Some(&at(T0, 120))));
    #[rustfmt::skip]
    let log = [
        (21 * 1440, CAROL, ("Recording", "Delete"), "Delete Recording meeting_id:101101101"),
        (120, CAROL, ("Recording", "Delete"), "Delete Recording meeting_id:102102102"),
    ];
    c.ops(T0, &log);
    let f = c.run("recording-deleted");
    let old = f
        .iter()
        .find(|x| x.meeting_uuid.as_deref() == Some("OLD=="))
        .unwrap();
    assert_eq!(old.severity, "info", "{:?}", old.why);
    why_says(old, &["deleted 21 day(s) later"]);
    why_says(old, &["its host cleared out"]);
    let new = f
        .iter()
        .find(|x| x.meeting_uuid.as_deref() == Some("NEW=="))
        .unwrap();
    assert_eq!(new.severity, "medium");
}

#[test]
fn registered_webinar_attendees_are_neither_a_burst_nor_brief() {
    let mut c = org();
    c.meeting("W1", 9, "Public webinar", CAROL, T0, &at(T0, 60));
    let mut ps = Vec::new();
    for i in 0..8 {
        let email = format!("attendee{i}@gmail.com");
        // Everyone registered; all arrive in the first two minutes, one leaves after one.
        let leave = if i == 0 { at(T0, 1) } else { at(T0, 60) };
        let mut p = sess("W1", &format!("{}", 10 + i), "A", &email, T0, &leave)
            .ip(&format!("203.0.113.{}", 50 + i));
        p.registrant_id = Some(format!("r{i}"));
        ps.push(p);
    }
    // An unregistered crowd in another meeting is still a burst, and a peeker still brief.
    c.meeting("X1", 10, "Team sync", CAROL, T0, &at(T0, 60));
    for i in 0..5 {
        let end = if i == 0 { at(T0, 2) } else { at(T0, 60) };
        ps.push(
            sess("X1", &format!("{}", 30 + i), "Crasher", "", T0, &end)
                .ip(&format!("203.0.113.{}", 80 + i)),
        );
    }
    c.parts(ps);
    let burst = c.run_one("join-burst-multiple-ips");
    assert_eq!(burst.meeting_uuid.as_deref(), Some("X1"));
    let brief = c.run_one("brief-join");
    assert_eq!(brief.meeting_uuid.as_deref(), Some("X1"));
}

#[test]
fn namesakes_among_strangers_and_own_phones_are_not_impersonation() {
    let mut c = org();
    c.cfg.mobile_ip_ranges = vec!["100.64.0.0/10".into()];
    // Alice's small team meeting with Bob, a week before.
    c.part(sess("T0", "1", "Alice Adams", ALICE, T0, &at(T0, 30)));
    c.part(sess("T0", "2", "Bob Brown", BOB, T0, &at(T0, 30)));
    let (s, e) = (at(T0, 7 * 1440), at(T0, 7 * 1440 + 30));
    // A customer called Alice Adams in Carol's call: nobody there has met our Alice.
    c.part(sess("C1", "1", "Carol Chen", CAROL, &s, &e));
    c.part(sess("C1", "2", "Alice Adams", "alice.adams77@gmail.com", &s, &e).ip("203.0.113.7"));
    // The same name in Bob's call: Bob knows Alice, so it is worth a look.
    c.part(sess("C2", "1", "Bob Brown", BOB, &s, &e));
    c.part(sess("C2", "2", "Alice Adams", "", &s, &e).ip("203.0.113.8"));
    // ... but not a customer whose own email spells the name: a namesake with an identity.
    c.part(sess("C2", "3", "Alice Adams", "alice.adams77@gmail.com", &s, &e).ip("203.0.113.9"));
    // Alice on her phone, not signed in, in her own weekly series (meeting id 77).
    for (k, u) in ["S1", "S2"].iter().enumerate() {
        let st = at(T0, k as i64 * 10080 + 60);
        c.meeting(u, 77, "Weekly", BOB, &st, &at(&st, 30));
        c.part(sess(u, "1", "Bob Brown", BOB, &st, &at(&st, 30)));
    }
    c.part(sess(
        "S1",
        "2",
        "Alice Adams",
        ALICE,
        &at(T0, 60),
        &at(T0, 90),
    ));
    let st = at(T0, 10080 + 60);
    c.part(sess("S2", "2", "Alice Adams", "", &st, &at(&st, 30)).ip("100.72.1.9"));
    let f = c.run_one("display-name-impersonation");
    assert_eq!(f.meeting_uuid.as_deref(), Some("C2"));
    assert_eq!(f.target.as_deref(), Some(ALICE));
    why_says(&f, &["has sat in a small meeting with", ALICE]);
}

#[test]
fn a_vips_namesake_on_their_phone_in_their_own_series_is_not_the_vip() {
    let mut c = org();
    c.cfg.mobile_ip_ranges = vec!["100.64.0.0/10".into()];
    c.vip(CAROL, "Carol Chen");
    // Another Carol Chen works here and attends the weekly support standup (meeting id 88).
    c.user("carol.chen2@acme.com", "Carol Chen");
    for (k, u) in ["D1", "D2"].iter().enumerate() {
        let st = at(T0, k as i64 * 10080);
        c.meeting(u, 88, "Support standup", BOB, &st, &at(&st, 15));
        c.part(sess(u, "1", "Bob Brown", BOB, &st, &at(&st, 15)));
    }
    c.part(sess(
        "D1",
        "2",
        "Carol Chen",
        "carol.chen2@acme.com",
        T0,
        &at(T0, 15),
    ));
    // The next week she joins it from her phone, not signed in.
    let st = at(T0, 10080);
    c.part(sess("D2", "2", "Carol Chen", "", &st, &at(&st, 15)).ip("100.80.3.4"));
    // The same guest in a meeting no Carol Chen attends is still worth a look.
    c.meeting("E1", 99, "Payment run", BOB, &st, &at(&st, 15));
    c.part(sess("E1", "1", "Bob Brown", BOB, &st, &at(&st, 15)));
    c.part(sess("E1", "2", "Carol Chen", "", &st, &at(&st, 15)).ip("100.80.3.5"));
    let f = c.run("display-name-impersonation");
    assert!(
        f.iter().all(|x| x.meeting_uuid.as_deref() == Some("E1")),
        "{:?}",
        rules(&f)
    );
    assert!(
        f.iter().any(|x| x.target.as_deref() == Some(CAROL)),
        "{:?}",
        rules(&f)
    );
}
