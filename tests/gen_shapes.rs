//! Every generated page and webhook has the field names and JSON types of the matching Zoom
//! sample in ../shared/zoom/samples (keys starting with "_" there are annotations).

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use zoomlens::sim::generator::{Config, generate, output::CaptureWriter};

/// The shape a sample allows: per key its kind and whether every sample item has it.
#[derive(Debug, Clone)]
enum Shape {
    Str,
    Num,
    Bool,
    Null,
    Arr(Option<Box<Shape>>),
    Obj(BTreeMap<String, (Shape, bool)>),
}

fn shape(v: &Value) -> Shape {
    match v {
        Value::String(_) => Shape::Str,
        Value::Number(_) => Shape::Num,
        Value::Bool(_) => Shape::Bool,
        Value::Null => Shape::Null,
        Value::Array(a) => Shape::Arr(a.iter().map(shape).reduce(merge).map(Box::new)),
        Value::Object(o) => Shape::Obj(
            o.iter()
                .filter(|(k, _)| !k.starts_with('_'))
                .map(|(k, v)| (k.clone(), (shape(v), true)))
                .collect(),
        ),
    }
}

/// Union of two samples of the same thing: keys missing from one become optional.
fn merge(a: Shape, b: Shape) -> Shape {
    match (a, b) {
        (Shape::Obj(mut x), Shape::Obj(y)) => {
            for (k, (s, req)) in x.iter_mut() {
                match y.get(k) {
                    Some((t, _)) => *s = merge(s.clone(), t.clone()),
                    None => *req = false,
                }
            }
            for (k, (t, _)) in y {
                x.entry(k).or_insert((t, false));
            }
            Shape::Obj(x)
        }
        (Shape::Arr(Some(x)), Shape::Arr(Some(y))) => Shape::Arr(Some(Box::new(merge(*x, *y)))),
        (Shape::Arr(x), Shape::Arr(y)) => Shape::Arr(x.or(y)),
        (a, _) => a,
    }
}

/// Check `got` against `want`; `open` paths accept any keys (partial objects such as
/// settings diffs), `optional` keys may be missing.
fn check(
    got: &Value,
    want: &Shape,
    path: &str,
    open: &[&str],
    optional: &[&str],
    errs: &mut Vec<String>,
) {
    let kind_ok = matches!(
        (got, want),
        (Value::String(_), Shape::Str)
            | (Value::Number(_), Shape::Num)
            | (Value::Bool(_), Shape::Bool)
            | (Value::Null, Shape::Null)
            | (Value::Array(_), Shape::Arr(_))
            | (Value::Object(_), Shape::Obj(_))
    );
    if !kind_ok {
        errs.push(format!("{path}: got {got}, sample has {want:?}"));
        return;
    }
    match (got, want) {
        (Value::Object(o), Shape::Obj(w)) => {
            if open.contains(&path) {
                return;
            }
            for (k, v) in o {
                let p = format!("{path}.{k}");
                match w.get(k) {
                    Some((s, _)) => check(v, s, &p, open, optional, errs),
                    None => errs.push(format!("{p}: not in the sample")),
                }
            }
            for (k, (_, req)) in w {
                if *req && !o.contains_key(k) && !optional.contains(&k.as_str()) {
                    errs.push(format!("{path}.{k}: missing"));
                }
            }
        }
        (Value::Array(a), Shape::Arr(Some(s))) => {
            for v in a {
                check(v, s, &format!("{path}[]"), open, optional, errs);
            }
        }
        _ => {}
    }
}

/// A sample file; `file#key` is the `body` under `key` of a sample that maps request types to
/// bodies (the recording analytics).
fn sample(name: &str) -> Value {
    let (file, key) = name.split_once('#').unwrap_or((name, ""));
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/zoom/samples")
        .join(file);
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
    )
    .unwrap();
    if key.is_empty() {
        v
    } else {
        v[key]["body"].clone()
    }
}

fn sample_for(path: &str, query: &Value) -> &'static str {
    let segs: Vec<&str> = path.trim_start_matches("/v2").split('/').collect();
    match segs.as_slice() {
        ["", "users"] => "users.json",
        ["", "report", "activities"] => "report_activities.json",
        ["", "report", "operationlogs"] => "report_operationlogs.json",
        ["", "report", "users", _, "meetings"] => "report_user_meetings.json",
        ["", "report", "meetings", _, "participants"] => "report_meeting_participants.json",
        ["", "metrics", "meetings", _, "participants"] => "metrics_meeting_participants.json",
        ["", "users", _, "recordings"] if query.get("trash").is_some() => {
            "user_recordings_trash.json"
        }
        ["", "users", _, "recordings"] => "user_recordings.json",
        ["", "chat", "users", _, "messages"] => "chat_messages.json",
        ["", "report", "history_meetings"] => "newer/report_history_meetings.json",
        ["", "report", "disclaimer"] => "newer/report_disclaimer.json",
        ["", "report", "remote_support"] => "newer/report_remote_support.json",
        ["", "meetings", _, "recordings", "analytics_details"]
            if query.get("type").and_then(Value::as_str) == Some("by_download") =>
        {
            "newer/recording_analytics_details.json#by_download"
        }
        ["", "meetings", _, "recordings", "analytics_details"] => {
            "newer/recording_analytics_details.json#by_view"
        }
        _ => panic!("no sample for {path}"),
    }
}

#[test]
fn generated_pages_and_webhooks_match_zoom_sample_shapes() {
    let t = tempfile::tempdir().unwrap();
    let cfg = Config::small(3, 30, 3);
    let mut w = CaptureWriter::create(t.path()).unwrap();
    generate(&cfg, &mut w).unwrap();
    let mut shapes: BTreeMap<&str, Shape> = BTreeMap::new();
    let mut errs = Vec::new();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    // Pending users have no id (and never signed in); timeline files have no id, status,
    // recording type or play url; chat messages may omit the file fields.
    let optional = [
        "id",
        "last_login_time",
        "last_client_version",
        "status",
        "recording_type",
        "play_url",
        "employee_unique_id",
        "plan_united_type",
    ];
    for line in std::fs::read_to_string(t.path().join("captures.ndjson"))
        .unwrap()
        .lines()
    {
        let page: Value = serde_json::from_str(line).unwrap();
        let path = page["path"].as_str().unwrap();
        assert!(path.starts_with("/v2/"), "{path}");
        let name = sample_for(path, &page["query"]);
        *seen.entry(name).or_default() += 1;
        let s = shapes.entry(name).or_insert_with(|| shape(&sample(name)));
        check(&page["body"], s, name, &[], &optional, &mut errs);
    }
    assert_eq!(
        seen.len(),
        14,
        "every endpoint appears in the capture: {seen:?}"
    );
    let mut events: BTreeMap<String, usize> = BTreeMap::new();
    for line in std::fs::read_to_string(t.path().join("webhooks.ndjson"))
        .unwrap()
        .lines()
    {
        let ev: Value = serde_json::from_str(line).unwrap();
        let name = ev["event"].as_str().unwrap().to_string();
        let s = shape(&sample(&format!("webhook_{name}.json")));
        // Settings and user diffs carry only the changed keys.
        let open = [".payload.object.settings", ".payload.old_object.settings"];
        let open: Vec<&str> = if name == "user.updated" {
            vec![".payload.object", ".payload.old_object"]
        } else {
            open.to_vec()
        };
        check(
            &ev,
            &s,
            "",
            &open,
            &[
                "participant_audio_files",
                "file_name",
                "id",
                "status",
                "recording_type",
                "play_url",
            ],
            &mut errs,
        );
        *events.entry(name).or_default() += 1;
    }
    for e in [
        "meeting.started",
        "meeting.ended",
        "meeting.participant_joined",
        "meeting.participant_left",
        "meeting.sharing_started",
        "recording.completed",
        "recording.trashed",
        "recording.deleted",
        "user.signed_in",
        "user.signed_out",
        "account.settings_updated",
        "user.created",
        "user.updated",
        "user.deactivated",
    ] {
        assert!(
            events.contains_key(e),
            "no {e} webhook generated: {events:?}"
        );
    }
    errs.sort();
    errs.dedup();
    assert!(
        errs.is_empty(),
        "{} shape differences:\n{}",
        errs.len(),
        errs.join("\n")
    );
}

#[test]
fn the_comparator_catches_a_wrong_type_and_a_stray_field() {
    let s = shape(&serde_json::json!({"a": 1, "b": "x"}));
    let mut errs = Vec::new();
    check(
        &serde_json::json!({"a": "1", "b": "x", "c": true}),
        &s,
        "t",
        &[],
        &[],
        &mut errs,
    );
    assert_eq!(errs.len(), 2, "{errs:?}");
    let mut errs = Vec::new();
    check(&serde_json::json!({"b": "x"}), &s, "t", &[], &[], &mut errs);
    assert_eq!(errs, vec!["t.a: missing".to_string()]);
}
