//! Panther's Zoom rule tests (../shared/conformance/panther) applied to the equivalent zoomlens
//! rules, plus the cases Panther's string matching gets wrong.
//!
//! Mapping (Panther rule → zoomlens rule and what counts as "the rule fired"):
//! * Zoom.All.Meetings.Secured.With.One.Option.Disabled → security-setting-disabled, a weakened
//!   change whose setting mentions "security option".
//! * Zoom.Automatic.Sign.Out.Disabled → security-setting-disabled, setting "sign users out".
//! * Zoom.New.Meeting.Passcode.Required.Disabled → security-setting-disabled, setting "passcode".
//! * Zoom.PasscodeDisabled (group) → security-setting-disabled, setting "passcode".
//! * Zoom.Sign.In.Requirements.Changed → security-setting-disabled, section "Sign-In Password".
//! * Zoom.Two.Factor.Authentication.Disabled → security-setting-disabled, setting "Two-Factor".
//! * Zoom.Sign.In.Method.Modified → sign-in-method-enabled.
//! * Zoom.User.Promoted.to.Privileged.Role, Zoom.UserGrantedAdmin → privileged-role-granted.
//! * Standard.NewUserAccountCreated → user-created.
//! * Standard.SignInFromRogueState → rogue-country. Panther fires on the IPinfo country of the
//!   IP (`p_enrichment.ipinfo_location`); zoomlens geolocates offline, so the test gives it that
//!   same enrichment as a one-range geolocation database (a CSV written from the log's own
//!   `p_enrichment`), with Panther's default list (CN, IR, RU). Without a database the rule
//!   says it could not run. (Before geolocation the closest signal was signin-new-ip, still
//!   shown below with a baseline.)
//!
//! Panther has one rule per setting, zoomlens one rule for every security setting; so where a
//! Panther test expects "no alert" for a *different* weakened setting (e.g. the sign-out rule on
//! a passcode change), the equivalent is "no finding about this setting".

mod detect_support;
use detect_support::Case;
use serde_json::Value;
use zoomlens::model::{Operation, Origin, SignIn, time::norm_time};

/// Where time is absent in a Panther test log (the deprecated rule's tests), this is used.
const NO_TIME: &str = "2024-01-01T00:00:00Z";

fn store_log(c: &mut Case, log: &Value) {
    let s = |k: &str| log.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let time = norm_time(&s("time"))
        .or_else(|| norm_time(&s("p_event_time")))
        .unwrap_or_else(|| NO_TIME.to_string());
    let raw = log.to_string();
    let mut w = c.store.writer().unwrap();
    let o = w.origin(&Origin::new("panther", "conformance")).unwrap();
    let ev = zoomlens::model::Evidence::new(o, Some(1), raw);
    if log.get("p_log_type").and_then(Value::as_str) == Some("Zoom.Activity")
        || log.get("email").is_some()
    {
        w.signin(
            &SignIn {
                time,
                email: s("email"),
                activity: s("type"),
                ip_address: Some(s("ip_address")),
                client_type: Some(s("client_type")),
                version: Some(s("version")),
                via: "panther".into(),
                ..Default::default()
            },
            &ev,
        )
        .unwrap();
    } else {
        w.operation(
            &Operation {
                time,
                operator: s("operator"),
                category_type: s("category_type"),
                action: s("action"),
                operation_detail: s("operation_detail"),
                via: "panther".into(),
            },
            &ev,
        )
        .unwrap();
    }
    w.commit().unwrap();
}

/// (zoomlens rule, predicate over the op_changes evidence's setting/section text).
fn mapping(panther: &str) -> Option<(&'static str, Option<&'static str>)> {
    Some(match panther {
        "Zoom.All.Meetings.Secured.With.One.Option.Disabled" => {
            ("security-setting-disabled", Some("security option"))
        }
        "Zoom.Automatic.Sign.Out.Disabled" => ("security-setting-disabled", Some("sign users out")),
        "Zoom.New.Meeting.Passcode.Required.Disabled" | "Zoom.PasscodeDisabled" => {
            ("security-setting-disabled", Some("passcode"))
        }
        "Zoom.Sign.In.Requirements.Changed" => (
            "security-setting-disabled",
            Some("sign-in password requirement"),
        ),
        "Zoom.Two.Factor.Authentication.Disabled" => {
            ("security-setting-disabled", Some("two-factor"))
        }
        "Zoom.Sign.In.Method.Modified" => ("sign-in-method-enabled", None),
        "Zoom.User.Promoted.to.Privileged.Role" | "Zoom.UserGrantedAdmin" => {
            ("privileged-role-granted", None)
        }
        "Standard.NewUserAccountCreated" => ("user-created", None),
        "Standard.SignInFromRogueState" => ("rogue-country", None),
        _ => return None,
    })
}

/// Whether `rule` fired on the case, and (with `about`) fired about that setting.
fn fired(c: &mut Case, rule: &str, about: Option<&str>) -> bool {
    let f = c.run(rule);
    match about {
        None => !f.is_empty(),
        Some(needle) => f.iter().any(|x| {
            x.evidence.iter().any(|e| {
                e.table == "op_changes"
                    && ["setting", "section"].iter().any(|k| {
                        e.fields[*k]
                            .as_str()
                            .is_some_and(|v| v.to_lowercase().contains(needle))
                    })
            })
        }),
    }
}

#[test]
fn every_panther_test_log_gives_the_expected_result() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/panther");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let (mut checked, mut not_applicable) = (0, Vec::new());
    for path in files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let Some(id) = doc.get("rule_id").and_then(Value::as_str) else {
            continue; // the helper fixture: covered by the parser tests
        };
        for t in doc["tests"].as_array().unwrap() {
            let name = t["name"].as_str().unwrap();
            let expected = t["expected"].as_bool().unwrap();
            let Some((rule, about)) = mapping(id) else {
                not_applicable.push(format!("{id} / {name}"));
                continue;
            };
            let mut c = Case::new();
            store_log(&mut c, &t["log"]);
            enrichment_as_geo_db(&mut c, &t["log"]);
            let got = fired(&mut c, rule, about);
            assert_eq!(
                got, expected,
                "{id} / {name} → {rule}: expected {expected}, got {got}"
            );
            checked += 1;
        }
    }
    // Every one of the 32 test logs has an equivalent.
    assert_eq!(checked, 32);
    assert!(not_applicable.is_empty(), "{not_applicable:?}");
}

/// Panther's IPinfo enrichment of a test log, as the offline database zoomlens reads: one
/// range, the enriched address, with its country, city and coordinates.
fn enrichment_as_geo_db(c: &mut Case, log: &Value) {
    let Some(e) = log.pointer("/p_enrichment/ipinfo_location/ip_address") else {
        return;
    };
    let g = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let ip = g("p_match");
    let path = c.dir.path().join("ipinfo.csv");
    std::fs::write(
        &path,
        format!(
            "{ip},{ip},{},,{},{},{},{}\n",
            g("country"),
            g("region"),
            g("city"),
            g("lat"),
            g("lng")
        ),
    )
    .unwrap();
    c.cfg.geoip_db = Some(path);
}

/// The log of Panther's first test of its rogue-state rule.
fn rogue_state_log() -> Value {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/panther");
    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("Standard.SignInFromRogueState.json")).unwrap(),
    )
    .unwrap();
    doc["tests"][0]["log"].clone()
}

#[test]
fn rogue_state_needs_geolocation_and_a_listed_country() {
    let log = &rogue_state_log();
    let mut c = Case::new();
    store_log(&mut c, log);
    // No geolocation: the rule says so instead of finding nothing.
    assert!(c.skipped("rogue-country").contains("geolocation"));
    enrichment_as_geo_db(&mut c, log);
    let f = c.run_one("rogue-country");
    assert_eq!(f.actor.as_deref(), Some("dude.lightbulb@example.co"));
    assert!(f.summary.contains("Moscow, RU"), "{}", f.summary);
    // A country off the list is not reported.
    c.cfg.rogue_countries = vec!["KP".into()];
    assert!(c.run("rogue-country").is_empty());
}

#[test]
fn rogue_state_closest_equivalent_is_a_new_ip_after_a_baseline() {
    let log = &rogue_state_log();
    let mut c = Case::new();
    // Alone, a first sign-in is never "new" (no baseline), so zoomlens says nothing.
    store_log(&mut c, log);
    assert!(c.run("signin-new-ip").is_empty());
    // With three earlier sign-ins from the user's usual IP, 1.1.1.1 is new.
    for d in 1..=3 {
        c.signin(
            &format!("2023-08-0{d}T09:00:00Z"),
            "dude.lightbulb@example.co",
            "198.51.100.20",
        );
    }
    let f = c.run("signin-new-ip");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].ip.as_deref(), Some("1.1.1.1"));
}

fn op_case(cat: &str, action: &str, detail: &str) -> Case {
    let mut c = Case::new();
    c.op(
        "2024-06-10T09:00:00Z",
        "admin@acme.com",
        cat,
        action,
        detail,
    );
    c
}

#[test]
fn batched_detail_turning_off_2fa_with_another_change() {
    // Panther's 2FA rule needs the detail to EQUAL the single-change string.
    let mut c = op_case(
        "Account",
        "Update",
        "Security  - Require that all meetings are secured with one security option: from Off to On - Sign in with Two-Factor Authentication: from On to Off",
    );
    assert!(fired(
        &mut c,
        "security-setting-disabled",
        Some("two-factor")
    ));
    assert!(!fired(
        &mut c,
        "security-setting-disabled",
        Some("security option")
    ));
}

#[test]
fn hyphenated_group_name() {
    // Panther's group helper splits on "-", so "Sales-EMEA" shifts the change column.
    let mut c = op_case(
        "User Group",
        "Update",
        "Edit Group Sales-EMEA  - Personal Meeting ID (PMI) Passcode: from On to Off",
    );
    assert!(fired(&mut c, "security-setting-disabled", Some("passcode")));
    let f = c.findings("security-setting-disabled");
    assert!(f[0].summary.contains("Sales-EMEA"), "{}", f[0].summary);
}

#[test]
fn passcode_change_not_listed_first() {
    let mut c = op_case(
        "Account",
        "Update",
        "Security  - Waiting Room: from Off to On - Require a passcode when scheduling new meetings: from On to Off",
    );
    assert!(fired(&mut c, "security-setting-disabled", Some("passcode")));
    assert!(!fired(
        &mut c,
        "security-setting-disabled",
        Some("waiting room")
    ));
}

#[test]
fn custom_admin_role() {
    // Panther's list is {Admin, Co-Owner, Owner, Billing Admin}.
    let mut c = op_case(
        "User",
        "Batch Update",
        "Change Role  - homer.simpson@duff.io: from Member to Security Admin",
    );
    let f = c.run("privileged-role-granted");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].user.as_deref(), Some("homer.simpson@duff.io"));
}

#[test]
fn role_change_naming_no_email() {
    let mut c = op_case("User", "Update", "Change Role  - : from Member to Admin");
    let f = c.run("privileged-role-granted");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].user, None);
    assert!(f[0].summary.contains("does not name"));
}
