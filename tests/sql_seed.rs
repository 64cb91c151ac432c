//! The research seed's SQL as an analyst would paste it into `zoomlens sql`: the participant
//! views name the same things alike, `person_key` is one person (not Zoom's per-meeting
//! `user_id`), and the rules' helpers are SQL functions.

mod common;

use common::cli::{demo, sql_rows as sql, zl};
use std::path::Path;

/// The header of a query's CSV output: its column names, even when no row matches.
fn columns(case: &Path, q: &str) -> Vec<String> {
    let (out, err, ok) = zl(&["sql", &case.display().to_string(), q, "--format", "csv"]);
    assert!(ok, "{err}");
    out.lines()
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect()
}

/// The query the README shows under `<!-- seed:NAME -->` (the indented block after it), so
/// the copy a user pastes is the one tested.
fn readme_query(name: &str) -> String {
    let readme = include_str!("../README.md");
    let marker = format!("<!-- seed:{name} -->");
    let at = readme
        .find(&marker)
        .unwrap_or_else(|| panic!("README has no {marker}"));
    readme[at + marker.len()..]
        .lines()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| l.starts_with("    "))
        .map(|l| {
            l.trim_start_matches("    zoomlens sql case.zl \"")
                .trim_end_matches('"')
        })
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_seed_sql_runs_as_written_on_the_demo() {
    let d = tempfile::tempdir().unwrap();
    let case = demo(d.path());

    // One name for one thing in every participant view.
    for view in [
        "zoom_participants",
        "zoom_participants_basic",
        "zoom_participants_detailed",
    ] {
        let cols = columns(&case, &format!("SELECT * FROM {view} LIMIT 0"));
        for want in ["user_name", "user_email", "person_key", "meeting_uuid"] {
            assert!(
                cols.iter().any(|c| c == want),
                "{view} lacks {want}: {cols:?}"
            );
        }
        assert!(
            !cols.iter().any(|c| c == "name" || c == "email"),
            "{view}: {cols:?}"
        );
    }

    // person_key: guests who share a display name in different meetings are different
    // people; an employee is one person in every meeting.
    let guests = sql(
        &case,
        "SELECT user_name, COUNT(DISTINCT meeting_uuid) AS meetings,
                COUNT(DISTINCT person_key) AS people
         FROM zoom_participants WHERE COALESCE(user_email, '') = '' AND COALESCE(participant_user_id, '') = ''
         GROUP BY user_name HAVING meetings > 1 ORDER BY meetings DESC LIMIT 1",
    );
    assert_eq!(guests.len(), 1, "the demo has guests with a shared name");
    assert_eq!(
        guests[0]["people"], guests[0]["meetings"],
        "{:?}",
        guests[0]
    );
    let staff = sql(
        &case,
        "SELECT COUNT(DISTINCT person_key) AS keys FROM zoom_participants
         WHERE user_email = (SELECT email FROM users ORDER BY email LIMIT 1)",
    );
    assert_eq!(staff[0]["keys"], 1);

    // The rules' helpers.
    let f = sql(
        &case,
        "SELECT zl_domain('Ada@Example.COM') AS d,
                zl_internal((SELECT email FROM users LIMIT 1)) AS internal,
                zl_internal('someone@globex.example') AS outsider,
                zl_version_lt('5.9.1', '5.10.0') AS older,
                zl_version_lt('6.1.0', '5.10.0') AS newer",
    );
    assert_eq!(f[0]["d"], "example.com");
    assert_eq!(
        (&f[0]["internal"], &f[0]["outsider"]),
        (&serde_json::json!(1), &serde_json::json!(0))
    );
    assert_eq!(
        (&f[0]["older"], &f[0]["newer"]),
        (&serde_json::json!(1), &serde_json::json!(0))
    );

    // The seed's silent-presence query, with SQLite's date functions for INTERVAL: the planted
    // silent attendee is among what it returns (the rule narrows it further with baselines).
    let planted = sql(
        &case,
        "SELECT user_email FROM findings WHERE rule = 'silent-presence'",
    );
    assert_eq!(planted.len(), 1, "{planted:?}");
    let silent = sql(&case, &readme_query("silent-presence"));
    assert!(
        silent
            .iter()
            .any(|r| r["user_email"] == planted[0]["user_email"]),
        "{silent:?}"
    );

    // The seed's external-repeat query, as the README shows it: the competitor planted in one
    // recurring engineering sync (four instances of one meeting id), and nobody internal.
    let planted = "vikram.osei@piper-networks.example";
    let repeat = sql(&case, &readme_query("external-repeat"));
    let hit = repeat
        .iter()
        .find(|r| r["user_email"] == planted)
        .unwrap_or_else(|| panic!("{planted} not in {repeat:?}"));
    assert!(hit["occurrences"].as_i64().unwrap() >= 4, "{hit:?}");
    let series = sql(
        &case,
        &format!(
            "SELECT DISTINCT meeting_id FROM zoom_participants WHERE user_email = '{planted}'"
        ),
    );
    assert_eq!(series.len(), 1, "one recurring meeting: {series:?}");
    assert_eq!(hit["meeting_id"], series[0]["meeting_id"]);
    let internal = sql(
        &case,
        "SELECT lower(substr(email, instr(email, '@') + 1)) AS d FROM users",
    );
    for r in &repeat {
        let e = r["user_email"].as_str().unwrap_or("");
        assert!(
            !internal
                .iter()
                .any(|d| e.ends_with(&format!("@{}", d["d"].as_str().unwrap()))),
            "an employee in the external-repeat result: {r:?}"
        );
    }
}
