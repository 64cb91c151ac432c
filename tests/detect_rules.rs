//! One positive and one near-miss per rule, on small cases built through the Writer.

mod detect_support;
use detect_support::{Case, at, sess};
use zoomlens::model::{Recording, RecordingFile};

const T0: &str = "2024-06-10T09:00:00Z";

fn org() -> Case {
    let mut c = Case::new();
    c.user("alice@acme.com", "Alice Adams");
    c.user("bob@acme.com", "Bob Brown");
    c.user("carol@acme.com", "Carol Chen");
    c.user("admin@acme.com", "Ada Admin");
    c
}

fn rules(f: &[zoomlens::detect::StoredFinding]) -> Vec<String> {
    f.iter().map(|f| f.summary.clone()).collect()
}

#[test]
fn security_setting_disabled_batched_and_near_miss() {
    let mut c = org();
    // 2FA switched off second in a batch, beside an unrelated change.
    c.op(T0, "admin@acme.com", "Account", "Update",
        "Security  - Meeting topic length: from 10 to 20 - Sign in with Two-Factor Authentication: from On to Off");
    // Near-miss: turned back on, and a strengthening length change.
    c.op(
        &at(T0, 60),
        "admin@acme.com",
        "Account",
        "Update",
        "Security  - Sign in with Two-Factor Authentication: from Off to On",
    );
    c.op(&at(T0, 61), "admin@acme.com", "Account", "Update",
        "Sign-In Password Requirement  - Have at least specified length of characters: from 8 to 14");
    let f = c.run("security-setting-disabled");
    assert_eq!(f.len(), 1, "{:?}", rules(&f));
    assert!(f[0].summary.contains("Two-Factor"), "{}", f[0].summary);
    assert_eq!(f[0].user.as_deref(), Some("admin@acme.com"));
    assert!(f[0].evidence.iter().any(|e| e.table == "operations"));
    let ch = f[0]
        .evidence
        .iter()
        .find(|e| e.table == "op_changes")
        .unwrap();
    assert_eq!(ch.fields["to_value"], "Off");
}

#[test]
fn sign_in_method_enabled_and_near_miss() {
    let mut c = org();
    c.op(
        T0,
        "admin@acme.com",
        "Account",
        "Update",
        "Sign-in Methods  - Allow users to sign in with Google: from Off to On",
    );
    c.op(
        &at(T0, 5),
        "admin@acme.com",
        "Account",
        "Update",
        "Sign-in Methods  - Allow users to sign in with Facebook: from On to Off",
    );
    let f = c.run("sign-in-method-enabled");
    assert_eq!(f.len(), 1, "{:?}", rules(&f));
    assert!(f[0].summary.contains("Google"));
}

#[test]
fn privileged_role_granted_custom_role_no_email_and_demotion() {
    let mut c = org();
    c.op(
        T0,
        "admin@acme.com",
        "User",
        "Update",
        "Change Role  - bob@acme.com: from Member to Security Admin",
    );
    c.op(
        &at(T0, 1),
        "admin@acme.com",
        "User",
        "SCIM API - Update",
        "Change Role  - : from Member to Co-Owner",
    );
    // Near-misses: demotion, and a move between privileged roles.
    c.op(
        &at(T0, 2),
        "admin@acme.com",
        "User",
        "Update",
        "Change Role  - alice@acme.com: from Admin to Member",
    );
    c.op(
        &at(T0, 3),
        "admin@acme.com",
        "User",
        "Update",
        "Change Role  - carol@acme.com: from Admin to Billing Admin",
    );
    let f = c.run("privileged-role-granted");
    assert_eq!(f.len(), 2, "{:?}", rules(&f));
    assert!(
        f.iter()
            .any(|x| x.user.as_deref() == Some("bob@acme.com")
                && x.summary.contains("Security Admin"))
    );
    assert!(
        f.iter()
            .any(|x| x.user.is_none() && x.summary.contains("does not name"))
    );
}

#[test]
fn user_created_and_near_miss() {
    let mut c = org();
    c.op(
        T0,
        "admin@acme.com",
        "User",
        "Add",
        "Add User mallory@acme.com  - User Type: Basic - Department: Ops",
    );
    c.op(
        &at(T0, 1),
        "admin@acme.com",
        "User",
        "Delete",
        "Delete User bob@acme.com",
    );
    let f = c.run("user-created");
    assert_eq!(f.len(), 1, "{:?}", rules(&f));
    assert_eq!(f[0].user.as_deref(), Some("mallory@acme.com"));
}

#[test]
fn sso_changed_and_near_miss() {
    let mut c = org();
    c.op(
        T0,
        "admin@acme.com",
        "Account",
        "Update",
        "SSO  - Sign-in page URL: from https://a.example to https://evil.example",
    );
    c.op(
        &at(T0, 1),
        "admin@acme.com",
        "Account",
        "Update",
        "Meeting  - Lasso tool: from Off to On",
    );
    let f = c.run("sso-config-changed");
    assert_eq!(f.len(), 1, "{:?}", rules(&f));
}

#[test]
fn billing_changed_and_near_miss() {
    let mut c = org();
    c.op(
        T0,
        "admin@acme.com",
        "User",
        "Update",
        "Edit User bob@acme.com  - Change Type: from Basic to Licensed",
    );
    c.op(
        &at(T0, 1),
        "admin@acme.com",
        "User",
        "Update",
        "Update User bob@acme.com  - Job Title: set to Contractor",
    );
    let f = c.run("billing-or-license-changed");
    assert_eq!(f.len(), 1, "{:?}", rules(&f));
    assert_eq!(f[0].user.as_deref(), Some("bob@acme.com"));
}

fn rec(uuid: &str, mid: i64, deleted: Option<&str>) -> Recording {
    Recording {
        meeting_uuid: uuid.into(),
        meeting_id: Some(mid),
        host_email: Some("carol@acme.com".into()),
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
    c.op(
        &at(T0, 119),
        "bob@acme.com",
        "Recording",
        "Delete",
        "Delete Recording meeting_id:111222333",
    );
    let f = c.run("recording-deleted");
    assert_eq!(f.len(), 1, "{:?}", rules(&f));
    assert_eq!(f[0].meeting_uuid.as_deref(), Some("U1=="));
    assert!(f[0].summary.contains("bob@acme.com"));
    assert!(f[0].evidence.iter().any(|e| e.table == "operations"));
    assert!(f[0].evidence.iter().any(|e| e.table == "recordings"));
}

#[test]
fn recording_download_by_non_participant_and_near_miss() {
    let mut c = org();
    c.meeting(
        "M1",
        123456789,
        "Board prep",
        "carol@acme.com",
        T0,
        &at(T0, 60),
    );
    c.part(sess(
        "M1",
        "1",
        "Carol Chen",
        "carol@acme.com",
        T0,
        &at(T0, 60),
    ));
    c.part(sess(
        "M1",
        "2",
        "Alice Adams",
        "alice@acme.com",
        T0,
        &at(T0, 60),
    ));
    c.op(
        &at(T0, 200),
        "bob@acme.com",
        "Recording",
        "Download",
        "Download Recording meeting_id:123456789",
    );
    c.op(
        &at(T0, 201),
        "alice@acme.com",
        "Recording",
        "Download",
        "Download Recording meeting_id:123456789",
    );
    let f = c.run("recording-download-by-non-participant");
    assert_eq!(f.len(), 1, "{:?}", rules(&f));
    assert_eq!(f[0].user.as_deref(), Some("bob@acme.com"));
}

#[test]
fn weakened_then_exposed_and_restored_near_miss() {
    let mut c = org();
    c.meeting(
        "M1",
        1,
        "Weekly",
        "alice@acme.com",
        &at(T0, 120),
        &at(T0, 180),
    );
    c.meeting(
        "M2",
        2,
        "Weekly",
        "alice@acme.com",
        &at(T0, 2000),
        &at(T0, 2060),
    );
    c.op(
        T0,
        "admin@acme.com",
        "Account",
        "Update",
        "Security  - Waiting Room: from On to Off",
    );
    c.part(sess("M1", "9", "Stranger", "", &at(T0, 125), &at(T0, 170)));
    // Near-miss: passcode turned off and back on before anyone outside joined.
    c.op(
        &at(T0, 1900),
        "admin@acme.com",
        "Account",
        "Update",
        "Security  - Require a passcode when scheduling new meetings: from On to Off",
    );
    c.op(
        &at(T0, 1930),
        "admin@acme.com",
        "Account",
        "Update",
        "Security  - Require a passcode when scheduling new meetings: from Off to On",
    );
    c.part(sess("M2", "8", "Guest", "", &at(T0, 2005), &at(T0, 2050)));
    let f = c.run("weakened-then-exposed");
    assert_eq!(f.len(), 1, "{:?}", rules(&f));
    assert!(f[0].summary.contains("Waiting Room"));
    assert_eq!(f[0].meeting_uuid.as_deref(), Some("M1"));
}

#[test]
fn new_admin_activity_and_late_near_miss() {
    let mut c = org();
    c.op(
        T0,
        "admin@acme.com",
        "User",
        "Update",
        "Change Role  - bob@acme.com: from Member to Admin",
    );
    c.op(
        &at(T0, 30),
        "bob@acme.com",
        "Account",
        "Update",
        "Security  - Waiting Room: from On to Off",
    );
    c.op(
        &at(T0, 60),
        "admin@acme.com",
        "User",
        "Update",
        "Change Role  - alice@acme.com: from Member to Admin",
    );
    c.op(
        &at(T0, 60 + 25 * 60),
        "alice@acme.com",
        "Account",
        "Update",
        "Security  - Waiting Room: from Off to On",
    );
    let f = c.run("new-admin-activity");
    assert_eq!(f.len(), 1, "{:?}", rules(&f));
    assert_eq!(f[0].user.as_deref(), Some("bob@acme.com"));
}

#[test]
fn signin_new_ip_needs_a_baseline() {
    let mut c = org();
    for d in 0..3 {
        c.signin(&at(T0, d * 1440), "alice@acme.com", "198.51.100.1");
    }
    c.signin(&at(T0, 3 * 1440), "alice@acme.com", "203.0.113.66");
    // Near-miss: bob's second sign-in from a new IP has no baseline yet.
    c.signin(T0, "bob@acme.com", "198.51.100.2");
    c.signin(&at(T0, 10), "bob@acme.com", "203.0.113.77");
    let f = c.run("signin-new-ip");
    assert_eq!(f.len(), 1, "{:?}", rules(&f));
    assert_eq!(f[0].ip.as_deref(), Some("203.0.113.66"));
    // Known ranges silence it.
    c.cfg.known_ip_ranges = vec!["203.0.113.0/24".into()];
    assert!(c.run("signin-new-ip").is_empty());
}

#[test]
fn outdated_client_latest_version_counts() {
    let mut c = org();
    c.signin_v(T0, "alice@acme.com", "198.51.100.1", "5.9.3");
    c.signin_v(T0, "bob@acme.com", "198.51.100.2", "5.9.3");
    c.signin_v(&at(T0, 60), "bob@acme.com", "198.51.100.2", "6.1.0"); // updated since
    let f = c.run("outdated-client");
    assert_eq!(f.len(), 1, "{:?}", rules(&f));
    assert_eq!(f[0].user.as_deref(), Some("alice@acme.com"));
}

#[test]
fn parallel_session_and_same_ip_near_miss() {
    let mut c = org();
    let mut p = sess("M1", "1", "Alice Adams", "alice@acme.com", T0, &at(T0, 60));
    p.ip_address = Some("198.51.100.1".into());
    c.part(p);
    let mut p = sess("M1", "2", "Bob Brown", "bob@acme.com", T0, &at(T0, 60));
    p.ip_address = Some("198.51.100.2".into());
    c.part(p);
    c.signin(&at(T0, 20), "alice@acme.com", "203.0.113.9");
    c.signin(&at(T0, 20), "bob@acme.com", "198.51.100.2");
    c.signin(&at(T0, 90), "carol@acme.com", "203.0.113.10");
    let f = c.run("parallel-session");
    assert_eq!(f.len(), 1, "{:?}", rules(&f));
    assert_eq!(f[0].user.as_deref(), Some("alice@acme.com"));
    assert_eq!(f[0].ip.as_deref(), Some("203.0.113.9"));
}

#[test]
fn external_in_sensitive_meeting_repeats_as_the_seed() {
    let mut c = org();
    for i in 0..5 {
        let u = format!("B{i}");
        let s = at(T0, i * 10080);
        c.meeting(&u, 777, "Board sync", "carol@acme.com", &s, &at(&s, 60));
        let n = if i < 4 {
            "spy@rival.com"
        } else {
            "alice@acme.com"
        };
        c.part(sess(&u, "5", "Spy", n, &s, &at(&s, 60)));
        if i < 2 {
            c.part(sess(
                &u,
                "6",
                "Consultant",
                "pat@partner.com",
                &s,
                &at(&s, 60),
            ));
        }
    }
    c.cfg.rules.insert(
        "external-in-sensitive-meeting".into(),
        toml::from_str("flag_guests = 0").unwrap(),
    );
    let f = c.run("external-in-sensitive-meeting");
    assert_eq!(f.len(), 1, "{:?}", rules(&f));
    assert_eq!(f[0].user.as_deref(), Some("spy@rival.com"));
    assert_eq!(f[0].evidence.len(), 4);
}

#[test]
fn external_guest_in_sensitive_instance() {
    let mut c = org();
    c.meeting(
        "G1",
        1,
        "Confidential: merger",
        "carol@acme.com",
        T0,
        &at(T0, 60),
    );
    c.part(sess("G1", "1", "Unknown caller", "", T0, &at(T0, 60)));
    c.meeting("G2", 2, "Team lunch", "carol@acme.com", T0, &at(T0, 60));
    c.part(sess("G2", "1", "Unknown caller", "", T0, &at(T0, 60)));
    let f = c.run("external-in-sensitive-meeting");
    assert_eq!(f.len(), 1, "{:?}", rules(&f));
    assert_eq!(f[0].meeting_uuid.as_deref(), Some("G1"));
}

#[test]
fn direct_link_join_and_near_miss() {
    let mut c = org();
    c.meeting("W1", 1, "Webinar", "carol@acme.com", T0, &at(T0, 60));
    c.meeting("W2", 2, "Webinar", "carol@acme.com", T0, &at(T0, 60));
    for (u, reg) in [("W1", true), ("W2", true)] {
        let mut p = sess(u, "1", "Reg One", "one@client.com", T0, &at(T0, 60));
        p.registrant_id = reg.then(|| "r1".to_string());
        c.part(p);
    }
    c.part(sess("W1", "2", "Crasher", "x@else.com", T0, &at(T0, 60)));
    c.part(sess(
        "W2",
        "2",
        "Alice Adams",
        "alice@acme.com",
        T0,
        &at(T0, 60),
    )); // internal: fine
    let f = c.run("direct-link-join");
    assert_eq!(f.len(), 1, "{:?}", rules(&f));
    assert_eq!(f[0].meeting_uuid.as_deref(), Some("W1"));
}

#[test]
fn display_name_impersonation_vip_and_own_device_near_miss() {
    let mut c = org();
    c.vip("carol@acme.com", "Carol Chen");
    let mut own = sess("M0", "1", "Carol Chen", "carol@acme.com", T0, &at(T0, 30));
    own.ip_address = Some("198.51.100.7".into());
    c.part(own);
    // Deepfake: external email, look-alike name.
    let mut fake = sess(
        "M1",
        "2",
        "Carol Chen (CFO)",
        "carol.chen@gmail.com",
        &at(T0, 100),
        &at(T0, 130),
    );
    fake.ip_address = Some("203.0.113.5".into());
    c.part(fake);
    let mut fake2 = sess("M1", "3", "Caról Chen", "", &at(T0, 100), &at(T0, 130));
    fake2.ip_address = Some("203.0.113.6".into());
    c.part(fake2);
    // Near-miss: Carol on her phone as a guest from her usual IP.
    let mut phone = sess("M2", "4", "Carol Chen", "", &at(T0, 200), &at(T0, 230));
    phone.ip_address = Some("198.51.100.7".into());
    c.part(phone);
    // Near-miss: a different person with a different name.
    c.part(sess(
        "M2",
        "5",
        "Carl Chan",
        "carl@partner.com",
        &at(T0, 200),
        &at(T0, 230),
    ));
    let f = c.run("display-name-impersonation");
    assert_eq!(f.len(), 2, "{:?}", rules(&f));
    assert!(
        f.iter()
            .all(|x| x.severity == "critical" && x.meeting_uuid.as_deref() == Some("M1"))
    );
}

#[test]
fn join_after_departure_and_last_day_near_miss() {
    let mut c = org();
    c.departure("bob@acme.com", "2024-06-10T00:00:00Z");
    c.part(sess(
        "M1",
        "1",
        "Bob Brown",
        "bob@acme.com",
        "2024-06-10T15:00:00Z",
        "2024-06-10T16:00:00Z",
    ));
    c.part(sess(
        "M2",
        "1",
        "Bob Brown",
        "bob@acme.com",
        "2024-06-12T15:00:00Z",
        "2024-06-12T16:00:00Z",
    ));
    let f = c.run("join-after-departure");
    assert_eq!(f.len(), 1, "{:?}", rules(&f));
    assert_eq!(f[0].meeting_uuid.as_deref(), Some("M2"));
    assert!(f[0].summary.contains("1 meeting session"));
}

#[test]
fn join_burst_and_four_ip_near_miss() {
    let mut c = org();
    let mut ps = Vec::new();
    for i in 0..5 {
        let mut p = sess(
            "B1",
            &format!("{i}"),
            &format!("Guest {i}"),
            "",
            &at(T0, i),
            &at(T0, 30),
        );
        p.ip_address = Some(format!("203.0.113.{i}"));
        ps.push(p);
        if i < 4 {
            let mut q = sess(
                "B2",
                &format!("{i}"),
                &format!("Guest {i}"),
                "",
                &at(T0, i),
                &at(T0, 30),
            );
            q.ip_address = Some(format!("203.0.113.{i}"));
            ps.push(q);
        }
    }
    // B2's fifth IP comes 10 minutes later: not a burst.
    let mut late = sess("B2", "9", "Late", "", &at(T0, 10), &at(T0, 30));
    late.ip_address = Some("203.0.113.99".into());
    ps.push(late);
    c.parts(ps);
    let f = c.run("join-burst-multiple-ips");
    assert_eq!(f.len(), 1, "{:?}", rules(&f));
    assert_eq!(f[0].meeting_uuid.as_deref(), Some("B1"));
    assert_eq!(f[0].evidence.len(), 5);
}

#[test]
fn brief_join_and_six_minute_and_rejoin_near_misses() {
    let mut c = org();
    c.part(sess("M1", "1", "Peeker", "", T0, &at(T0, 2)));
    c.part(sess("M1", "2", "Six minutes", "", T0, &at(T0, 6)));
    c.part(sess("M1", "3", "Dropped", "", T0, &at(T0, 1)));
    c.part(sess("M1", "3", "Dropped", "", &at(T0, 2), &at(T0, 40)));
    c.part(sess(
        "M1",
        "4",
        "Alice Adams",
        "alice@acme.com",
        T0,
        &at(T0, 1),
    ));
    let f = c.run("brief-join");
    assert_eq!(f.len(), 1, "{:?}", rules(&f));
    assert!(f[0].summary.contains("Peeker"));
}

#[test]
fn unexpected_ip_recurring_and_first_timer_near_miss() {
    let mut c = org();
    for i in 0..5 {
        let u = format!("R{i}");
        let s = at(T0, i * 10080);
        c.meeting(&u, 555, "Partner sync", "alice@acme.com", &s, &at(&s, 60));
        let mut p = sess(&u, "1", "Pat", "pat@partner.com", &s, &at(&s, 60));
        p.ip_address = Some(
            if i < 4 {
                "198.51.100.50"
            } else {
                "203.0.113.200"
            }
            .into(),
        );
        c.part(p);
        // Near-miss: a partner who changes IP at their third visit (no baseline yet).
        let mut q = sess(&u, "2", "Quinn", "quinn@partner.com", &s, &at(&s, 60));
        q.ip_address = Some(
            if i < 2 {
                "198.51.100.60"
            } else {
                "198.51.100.61"
            }
            .into(),
        );
        c.part(q);
    }
    let f = c.run("unexpected-ip-recurring-meeting");
    assert_eq!(f.len(), 1, "{:?}", rules(&f));
    assert_eq!(f[0].user.as_deref(), Some("pat@partner.com"));
    assert_eq!(f[0].ip.as_deref(), Some("203.0.113.200"));
}

#[test]
fn unknown_device_vip_meeting_with_inventory() {
    let mut c = org();
    c.vip("carol@acme.com", "Carol Chen");
    c.asset("CAROL-LAPTOP", "carol@acme.com");
    c.asset("BOB-LAPTOP", "bob@acme.com");
    c.meeting("V1", 1, "Exec sync", "carol@acme.com", T0, &at(T0, 60));
    let mut a = sess("V1", "1", "Carol Chen", "carol@acme.com", T0, &at(T0, 60));
    a.pc_name = Some("CAROL-LAPTOP".into());
    let mut b = sess("V1", "2", "Bob Brown", "bob@acme.com", T0, &at(T0, 60));
    b.pc_name = Some("DESKTOP-X1Y2".into());
    c.parts(vec![a, b]);
    // Near-miss: same unknown device in a meeting without a VIP.
    let mut d = sess("N1", "2", "Bob Brown", "bob@acme.com", T0, &at(T0, 60));
    d.pc_name = Some("DESKTOP-ZZZ".into());
    c.part(d);
    let f = c.run("unknown-device-vip-meeting");
    assert_eq!(f.len(), 1, "{:?}", rules(&f));
    assert_eq!(f[0].user.as_deref(), Some("bob@acme.com"));
}

#[test]
fn silent_presence_and_sharer_near_miss() {
    let mut c = org();
    let mut ps = Vec::new();
    for i in 0..22 {
        let u = format!("S{i}");
        let s = at(T0, i * 1440);
        ps.push(sess(&u, "1", "Lurker", "lurk@outside.com", &s, &at(&s, 30)));
        let mut sharer = sess(&u, "2", "Presenter", "pres@outside.com", &s, &at(&s, 30));
        sharer.share_desktop = Some(i == 7);
        ps.push(sharer);
    }
    c.parts(ps);
    let f = c.run("silent-presence");
    assert_eq!(f.len(), 1, "{:?}", rules(&f));
    assert_eq!(f[0].user.as_deref(), Some("lurk@outside.com"));
}

#[test]
fn shared_ip_many_names_and_partner_nat_near_miss() {
    let mut c = org();
    let mut ps = Vec::new();
    for (i, n) in ["Ann", "Ben", "Cat", "Dan"].iter().enumerate() {
        let mut p = sess("M1", &format!("{i}"), n, "", T0, &at(T0, 30));
        p.ip_address = Some("203.0.113.44".into());
        ps.push(p);
        let mut q = sess(
            "M2",
            &format!("{i}"),
            n,
            &format!("{n}@partner.com"),
            T0,
            &at(T0, 30),
        );
        q.ip_address = Some("198.51.100.80".into());
        ps.push(q);
    }
    c.parts(ps);
    let f = c.run("shared-ip-many-names");
    assert_eq!(f.len(), 1, "{:?}", rules(&f));
    assert_eq!(f[0].ip.as_deref(), Some("203.0.113.44"));
}

#[test]
fn guest_screen_share_and_external_near_miss() {
    let mut c = org();
    let mut g = sess("M1", "1", "Zoombomber", "", T0, &at(T0, 5));
    g.share_desktop = Some(true);
    let mut e = sess("M1", "2", "Partner", "pat@partner.com", T0, &at(T0, 5));
    e.share_desktop = Some(true);
    c.parts(vec![g, e]);
    let f = c.run("guest-screen-share");
    assert_eq!(f.len(), 1, "{:?}", rules(&f));
    assert!(f[0].summary.contains("Zoombomber"));
}

#[test]
fn source_silent_gap_while_others_active_but_not_quiet_weekends() {
    let mut c = org();
    // Sign-ins and meetings every hour for 4 days, except sign-ins stop for day 2.
    for h in 0..96 {
        let t = at(T0, h * 60);
        if !(30..60).contains(&h) {
            c.signin(&t, "alice@acme.com", "198.51.100.1");
        }
        c.part(sess(
            &format!("H{h}"),
            "1",
            "Alice Adams",
            "alice@acme.com",
            &t,
            &at(&t, 30),
        ));
    }
    let f = c.run("source-silent");
    assert_eq!(f.len(), 1, "{:?}", rules(&f));
    assert!(f[0].summary.contains("sign-ins"), "{}", f[0].summary);
    // Near-miss: both sources quiet together (a weekend) is not a collector failure.
    let mut c = org();
    for h in (0..24).chain(72..96) {
        let t = at(T0, h * 60);
        c.signin(&t, "alice@acme.com", "198.51.100.1");
        c.part(sess(
            &format!("H{h}"),
            "1",
            "Alice Adams",
            "alice@acme.com",
            &t,
            &at(&t, 30),
        ));
    }
    assert!(c.run("source-silent").is_empty());
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
    c.op(
        T0,
        "admin@acme.com",
        "Account",
        "Update",
        "Security  - Waiting Room: from On to Off",
    );
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
