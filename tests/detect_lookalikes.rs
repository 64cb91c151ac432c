//! The reworked rules on small cases: each benign look-alike of a realistic organisation is
//! not flagged, and the incident it resembles still is.

mod detect_support;
use detect_support::{Case, at, sess};

const T0: &str = "2024-06-10T14:00:00Z";

fn org() -> Case {
    let mut c = Case::new();
    for (e, n) in [
        ("alice@acme.com", "Alice Adams"),
        ("bob@acme.com", "Bob Brown"),
        ("carol@acme.com", "Carol Chen"),
        ("dave@acme.com", "Dave Diaz"),
        ("lead@acme.com", "Lee Lead"),
    ] {
        c.user(e, n);
    }
    c.cfg = zoomlens::detect::Config::from_toml(
        "[offices]\nNYC = [\"198.51.100.10/32\", \"2001:db8:f:1::/64\"]\n",
    )
    .unwrap();
    c
}

fn summaries(f: &[zoomlens::detect::StoredFinding]) -> Vec<String> {
    f.iter().map(|f| f.summary.clone()).collect()
}

fn seat(c: &mut Case, uuid: &str, uid: &str, email: &str, ip: &str, start: &str, min: i64) {
    let mut p = sess(uuid, uid, email, email, start, &at(start, min));
    p.ip_address = Some(ip.into());
    c.part(p);
}

#[test]
fn parallel_session_dual_stack_phone_and_office_not_flagged_hijack_is() {
    let mut c = org();
    // Alice: meeting over the office's IPv4 NAT, sign-in over the office's IPv6 prefix.
    seat(&mut c, "M1", "1", "alice@acme.com", "198.51.100.10", T0, 60);
    c.signin(
        &at(T0, 20),
        "alice@acme.com",
        "2001:db8:f:1:a1b2:c3d4:e5f6:1",
    );
    // Bob at home: media over the home's IPv4, sign-ins over IPv6 privacy addresses of its /64
    // (the morning one and the phone's during the meeting).
    c.signin(
        &at(T0, -300),
        "bob@acme.com",
        "2001:db8:100:5:1111:2222:3333:4444",
    );
    seat(&mut c, "M2", "2", "bob@acme.com", "198.18.0.4", T0, 60);
    c.signin_c(
        &at(T0, 30),
        "bob@acme.com",
        "2001:db8:100:5:9999:8888:7777:6666",
        "iOS",
    );
    // Carol's phone on a carrier's CGNAT address while her laptop is in a meeting.
    seat(&mut c, "M3", "3", "carol@acme.com", "198.51.100.10", T0, 60);
    c.signin_c(&at(T0, 25), "carol@acme.com", "100.70.1.2", "iOS");
    // Dave: in the office meeting while his home address (known) signs in: the hijack.
    for d in 1..4 {
        c.signin(&at(T0, -1440 * d), "dave@acme.com", "192.0.2.18");
    }
    seat(&mut c, "M4", "4", "dave@acme.com", "198.51.100.10", T0, 60);
    c.signin(&at(T0, 25), "dave@acme.com", "192.0.2.18");
    let f = c.run("parallel-session");
    assert_eq!(f.len(), 1, "{:?}", summaries(&f));
    assert_eq!(f[0].user.as_deref(), Some("dave@acme.com"));
    assert_eq!(f[0].severity, "high");
    assert!(
        f[0].summary
            .contains("seen for this user on 3 earlier day(s)"),
        "{}",
        f[0].summary
    );
    assert!(f[0].summary.contains("office NYC"), "{}", f[0].summary);
}

#[test]
fn signin_new_ip_privacy_addresses_renumbering_and_phones_not_new() {
    let mut c = org();
    for d in 0..4 {
        // A new privacy address every day inside one /64, and a renumbered IPv4 in its /24.
        let t = at(T0, 1440 * d);
        c.signin(&t, "bob@acme.com", &format!("2001:db8:100:5:{d}::9"));
        c.signin(
            &at(&t, 5),
            "bob@acme.com",
            &format!("198.18.0.{}", 4 + 2 * d),
        );
        c.signin_c(
            &at(&t, 60),
            "bob@acme.com",
            &format!("100.64.{d}.7"),
            "android",
        );
    }
    for d in 0..4 {
        c.signin(&at(T0, 1440 * d), "alice@acme.com", "198.51.100.10");
    }
    c.signin(&at(T0, 1440 * 5), "alice@acme.com", "203.0.113.201");
    let f = c.run("signin-new-ip");
    assert_eq!(f.len(), 1, "{:?}", summaries(&f));
    assert_eq!(f[0].ip.as_deref(), Some("203.0.113.201"));
    assert!(
        f[0].summary
            .contains("never seen for this user in 4 earlier sign-ins"),
        "{}",
        f[0].summary
    );
}

#[test]
fn silent_presence_listener_and_namesake_guests_not_flagged_observer_is() {
    let mut c = org();
    for i in 0..24 {
        let s = at(T0, i * 1440);
        // Bob never shares, but his 24 meetings are his team's, hosted by his lead.
        let u = format!("T{i}");
        c.meeting(
            &u,
            100 + i,
            "Team Standup",
            "lead@acme.com",
            &s,
            &at(&s, 15),
        );
        seat(&mut c, &u, "1", "lead@acme.com", "198.51.100.10", &s, 15);
        seat(&mut c, &u, "2", "bob@acme.com", "198.51.100.10", &s, 15);
        // A different guest called "iPhone" in each (a different network each time).
        let mut g = sess(&u, "3", "iPhone", "", &s, &at(&s, 15));
        g.ip_address = Some(format!("2001:db8:9000:{i:x}::1"));
        c.part(g);
        // Carol sits in 24 small meetings of 24 hosts she has no other tie to.
        let v = format!("O{i}");
        let host = format!("host{i}@acme.com");
        c.meeting(&v, 500 + i, "Office Hours", &host, &s, &at(&s, 30));
        seat(&mut c, &v, "1", &host, "198.51.100.10", &s, 30);
        seat(&mut c, &v, "2", "carol@acme.com", "198.51.100.10", &s, 30);
    }
    let f = c.run("silent-presence");
    assert_eq!(f.len(), 1, "{:?}", summaries(&f));
    assert_eq!(f[0].user.as_deref(), Some("carol@acme.com"));
    assert!(
        f[0].summary.contains("24 small meetings"),
        "{}",
        f[0].summary
    );
}

#[test]
fn known_partner_in_sensitive_meetings_is_info_unknown_external_is_high() {
    let mut c = org();
    c.cfg.known_partner_domains = vec!["hooli.example".into()];
    for i in 0..5 {
        let s = at(T0, i * 10080);
        let u = format!("E{i}");
        c.meeting(
            &u,
            900,
            "Engineering Partner Sync",
            "lead@acme.com",
            &s,
            &at(&s, 45),
        );
        seat(&mut c, &u, "1", "pat@hooli.example", "203.0.113.50", &s, 45);
        seat(
            &mut c,
            &u,
            "2",
            "rafael@globex.example",
            "203.0.113.51",
            &s,
            45,
        );
    }
    let f = c.run("external-in-sensitive-meeting");
    assert_eq!(f.len(), 2, "{:?}", summaries(&f));
    let sev = |e: &str| {
        f.iter()
            .find(|f| f.user.as_deref() == Some(e))
            .unwrap()
            .severity
            .clone()
    };
    assert_eq!(sev("pat@hooli.example"), "info");
    assert_eq!(sev("rafael@globex.example"), "high");
}

#[test]
fn role_grant_naming_a_shared_name_resolves_through_the_operators_webhook() {
    let mut c = org();
    // Two people called Ella Roberts: the detail names one of them, the webhook says which.
    c.user("ella.roberts@acme.com", "Ella Roberts");
    c.user("ella.roberts2@acme.com", "Ella Roberts");
    c.op(
        T0,
        "admin@acme.com",
        "User",
        "Batch Update",
        "Change Role  - Ella Roberts: from Member to Admin",
    );
    c.webhook(
        "user.updated",
        &at(T0, 0),
        "admin@acme.com",
        "z-ella.roberts2@acme.com",
    );
    // A webhook of another operator says nothing about this change.
    c.webhook(
        "user.updated",
        &at(T0, 0),
        "other@acme.com",
        "z-ella.roberts@acme.com",
    );
    let f = c.run("privileged-role-granted");
    assert_eq!(f.len(), 1, "{:?}", summaries(&f));
    assert_eq!(f[0].user.as_deref(), Some("ella.roberts2@acme.com"));
}
