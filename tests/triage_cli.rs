//! Incidents and triage as an analyst uses them: `detect` groups findings into stories,
//! `triage` records verdicts that survive re-runs, `--allow` stops a known-good thing from
//! being flagged again.

mod common;
use common::cli::*;
use serde_json::Value;

/// The demo case built in `dir` and detected again: its path, and the findings `detect` lists.
fn detected_demo(dir: &std::path::Path) -> (String, Vec<Value>) {
    let case = demo(dir).to_str().unwrap().to_string();
    match json(&["detect", &case, "--format", "json"]) {
        Value::Array(findings) => (case, findings),
        other => panic!("not a list of findings: {other}"),
    }
}

#[test]
fn incidents_tell_the_demo_stories_and_verdicts_survive_redetect() {
    let dir = tempfile::tempdir().unwrap();
    let (case, findings) = detected_demo(dir.path());
    let c = case.as_str();
    let incidents = json(&["incidents", c, "--format", "json"]);
    let incidents = incidents.as_array().unwrap();
    assert!(!incidents.is_empty());
    assert!(
        incidents.len() < findings.len(),
        "{} incidents for {} findings: nothing was grouped",
        incidents.len(),
        findings.len()
    );
    // Ranked by score.
    let scores: Vec<f64> = incidents
        .iter()
        .map(|i| i["score"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    // The planted admin story (a setting weakened, then outsiders let in) is one incident.
    let story = incidents
        .iter()
        .find(|i| {
            let r = i["rules"].as_array().unwrap();
            r.contains(&"security-setting-disabled".into())
                && r.contains(&"weakened-then-exposed".into())
        })
        .expect("the weakened-then-exposed story is one incident");
    assert!(story["findings"].as_i64().unwrap() >= 2);
    assert!(story["title"].as_str().unwrap().contains(':'));
    // Every finding above info level sits in an incident.
    for f in &findings {
        if f["severity"] != "info" {
            assert!(f["incident"].is_i64(), "{f}");
        }
        assert_eq!(f["state"], "new");
    }

    // Verdicts on an incident and on one finding of another.
    let inc = story["id"].as_i64().unwrap();
    let other = findings
        .iter()
        .find(|f| f["incident"].as_i64() != Some(inc) && f["severity"] != "info")
        .unwrap();
    let fid = other["id"].as_i64().unwrap();
    let (out, err, ok) = zl(&[
        "triage",
        c,
        &format!("I{inc}"),
        "--state",
        "investigating",
        "--reason",
        "asked the admin",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("investigating by dana"), "{out}");
    let (_, err, ok) = zl(&[
        "triage",
        c,
        &fid.to_string(),
        "--state",
        "false-positive",
        "--reason",
        "known partner",
    ]);
    assert!(ok, "{err}");

    // A re-run regroups: the same incidents keep their ids, every verdict is kept.
    let (_, err, ok) = zl(&["detect", c]);
    assert!(ok, "{err}");
    let again = json(&["incidents", c, "--format", "json"]);
    let ids = |v: &[Value]| -> Vec<(i64, String)> {
        let mut x: Vec<(i64, String)> = v
            .iter()
            .map(|i| {
                (
                    i["id"].as_i64().unwrap(),
                    i["title"].as_str().unwrap().into(),
                )
            })
            .collect();
        x.sort();
        x
    };
    assert_eq!(ids(again.as_array().unwrap()), ids(incidents));
    let story2 = again
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == inc)
        .unwrap();
    assert_eq!(story2["state"], "investigating");
    assert_eq!(story2["reason"], "asked the admin");
    assert_eq!(story2["analyst"], "dana");
    let after = json(&["detect", c, "--format", "json"]);
    let after = after.as_array().unwrap();
    let f = after.iter().find(|f| f["id"] == fid).unwrap();
    assert_eq!(f["state"], "false-positive");
    assert_eq!(f["reason"], "known partner");
    // A finding without its own verdict takes its incident's.
    let member = after
        .iter()
        .find(|f| f["incident"] == inc && f["id"] != fid)
        .unwrap();
    assert_eq!(member["state"], "investigating");
    // --open hides what is decided.
    let open = json(&["incidents", c, "--open", "--format", "json"]);
    assert!(
        open.as_array()
            .unwrap()
            .iter()
            .all(|i| i["id"] != inc || i["state"] == "investigating")
    );

    // Bad ids are refused with a clear message, and nothing is recorded.
    let (_, err, ok) = zl(&["triage", c, "I99999", "--state", "benign"]);
    assert!(!ok && err.contains("no incident I99999"), "{err}");
    let (_, err, ok) = zl(&["triage", c, "x1", "--state", "benign"]);
    assert!(!ok && err.contains("not a finding or incident id"), "{err}");
}

#[test]
fn an_allow_list_entry_stops_the_finding_on_the_next_detect() {
    let dir = tempfile::tempdir().unwrap();
    let (case, findings) = detected_demo(dir.path());
    let c = case.as_str();
    let with_ip = findings
        .iter()
        .find(|f| f["rule"] == "signin-new-ip" && f["ip"].is_string())
        .expect("the demo plants a sign-in from a new IP");
    let ip = with_ip["ip"].as_str().unwrap().to_string();
    let id = with_ip["id"].as_i64().unwrap().to_string();
    let (out, err, ok) = zl(&[
        "triage",
        c,
        &id,
        "--state",
        "false-positive",
        "--reason",
        "office VPN egress",
        "--allow",
        "ip",
        &ip,
        "--redetect",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains(&format!("allow-listed ip {ip}")), "{out}");
    assert!(out.contains("covered by the allow-list"), "{out}");
    let after = json(&["detect", c, "--format", "json"]);
    assert!(
        !after
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "signin-new-ip" && f["ip"] == ip.as_str()),
        "the allow-listed IP is still flagged"
    );
    let cfg = json(&["config", c, "--json"]);
    let allow = &cfg["allow"][0];
    assert_eq!(allow["kind"], "ip");
    assert_eq!(allow["value"], ip.as_str());
    assert_eq!(allow["reason"], "office VPN egress");
    let (_, err, ok) = zl(&[
        "triage", c, &id, "--state", "benign", "--allow", "colour", "x",
    ]);
    assert!(!ok && err.contains("unknown allow-list kind"), "{err}");
}
