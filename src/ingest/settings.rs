//! Settings-change webhooks (`account.settings_updated`, `user.settings_updated`,
//! `group.settings_updated` and their `lock_settings_updated` twins) as operation-log entries.
//!
//! A delivery holds only the changed keys: new values under `object.settings`, old ones at the
//! same paths under `old_object.settings` (optional: without it the change reads "set to X").
//! Keys sit under a section (`schedule_meeting.waiting_room`) or directly under `settings`
//! (`meeting_authentication`). The change is written in the operation log's own detail
//! grammar (`Section  - Label: from On to Off`), so the same parser, rules and ledger serve
//! both doors, and the writer can fold a delivery and the log entry for the same change into
//! one operation. Lock events carry lock flags, not values: `false` there means "unlocked".

use crate::model::Operation;
use serde_json::{Map, Value};

/// Is this event a settings change this module turns into an operation?
pub fn is_settings_event(event: &str) -> bool {
    matches!(
        event.split_once('.'),
        Some((
            "account" | "user" | "group",
            "settings_updated" | "lock_settings_updated"
        ))
    )
}

/// The operation a settings webhook describes. `time` is the event's time (payload
/// `time_stamp` first, as the sender stamps the change); `subject` names the user or group a
/// user/group event is about (their email when the case knows it, else the object id).
/// Err says why the delivery holds no change.
pub fn operation(
    event: &str,
    payload: &Value,
    time: &str,
    subject: Option<&str>,
) -> Result<Operation, String> {
    let (family, action) = event.split_once('.').unwrap_or((event, ""));
    let lock = action == "lock_settings_updated";
    let new = payload
        .pointer("/object/settings")
        .and_then(Value::as_object)
        .ok_or("no object.settings")?;
    let old = payload
        .pointer("/old_object/settings")
        .and_then(Value::as_object);
    let mut leaves = Vec::new();
    walk(new, old, &mut Vec::new(), &mut leaves);
    if leaves.is_empty() {
        return Err("object.settings holds no changed setting".into());
    }
    let sections: Vec<&str> = leaves.iter().map(|l| l.section.as_str()).collect();
    let one_section = sections.windows(2).all(|w| w[0] == w[1]) && !sections[0].is_empty();
    let subject = subject
        .map(str::to_string)
        .or_else(|| {
            payload
                .pointer("/object/id")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_default();
    let lock_tag = if lock { " (lock)" } else { "" };
    let (category, head) = match family {
        "user" => ("User", format!("Update User {subject}")),
        "group" => ("User Group", format!("Edit Group {subject}")),
        _ if one_section => (
            "Account",
            format!("{}{lock_tag}", section_label(sections[0])),
        ),
        _ => ("Account", format!("Account settings{lock_tag}")),
    };
    // In the head already for a one-section account change; otherwise each item names it.
    let item_section = |s: &str| -> String {
        if s.is_empty() || (family == "account" && one_section) {
            String::new()
        } else {
            format!("{} / ", section_label(s))
        }
    };
    let items: Vec<String> = leaves
        .iter()
        .map(|l| {
            let label = format!(
                "{}{}{}",
                item_section(&l.section),
                key_label(&l.key),
                if lock && family != "account" {
                    " (lock)"
                } else {
                    ""
                }
            );
            let show = |v: &Value| value_text(v, lock);
            match &l.old {
                Some(o) => format!("{label}: from {} to {}", show(o), show(&l.new)),
                None => format!("{label}: set to {}", show(&l.new)),
            }
        })
        .collect();
    let operator = ["/operator", "/operator_id"]
        .iter()
        .find_map(|p| payload.pointer(p).and_then(Value::as_str))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or_default()
        .to_string();
    Ok(Operation {
        time: time.to_string(),
        operator,
        category_type: category.into(),
        action: if lock { "Lock" } else { "Update" }.into(),
        operation_detail: format!("{head}  - {}", items.join(" - ")),
        via: "webhook".into(),
    })
}

struct Leaf {
    section: String,
    key: String,
    old: Option<Value>,
    new: Value,
}

/// Every changed leaf: depth 1 (flat form) or 2 (section form); deeper objects are one
/// value (Zoom nests option groups, e.g. `password_requirement`, as one setting).
fn walk(
    new: &Map<String, Value>,
    old: Option<&Map<String, Value>>,
    path: &mut Vec<String>,
    out: &mut Vec<Leaf>,
) {
    for (k, v) in new {
        let o = old.and_then(|m| m.get(k));
        match v {
            Value::Object(inner) if path.is_empty() => {
                path.push(k.clone());
                walk(inner, o.and_then(Value::as_object), path, out);
                path.pop();
            }
            _ => {
                if o == Some(v) {
                    continue; // listed but unchanged
                }
                out.push(Leaf {
                    section: path.first().cloned().unwrap_or_default(),
                    key: k.clone(),
                    old: o.cloned(),
                    new: v.clone(),
                });
            }
        }
    }
}

/// A value as the operation log writes it: switches as On/Off (Locked/Unlocked for locks).
fn value_text(v: &Value, lock: bool) -> String {
    match (v, lock) {
        (Value::Bool(true), false) => "On".into(),
        (Value::Bool(false), false) => "Off".into(),
        (Value::Bool(true), true) => "Locked".into(),
        (Value::Bool(false), true) => "Unlocked".into(),
        (Value::String(s), _) => s.replace(" - ", " – "),
        (Value::Null, _) => "(none)".into(),
        _ => v.to_string(),
    }
}

/// The admin portal's section names, as the operation log writes them.
fn section_label(s: &str) -> String {
    match s {
        "schedule_meeting" => "Schedule Meeting".into(),
        "in_meeting" => "In Meeting".into(),
        "email_notification" => "Email Notification".into(),
        "meeting_security" => "Meeting Security".into(),
        "zoom_rooms" => "Zoom Rooms".into(),
        "audio_conferencing" => "Audio Conferencing".into(),
        "other_options" => "Other Options".into(),
        "in_session" => "In Session".into(),
        "session_security" => "Session Security".into(),
        _ => humanise(s),
    }
}

/// The portal's wording for the keys whose meaning the rules depend on; others humanised
/// (`private_chat` → "Private chat").
fn key_label(k: &str) -> String {
    let known = match k {
        "waiting_room" => "Waiting Room",
        "sign_in_with_two_factor_auth" => "Sign in with Two-Factor Authentication",
        "require_password_for_scheduling_new_meetings" => {
            "Require a passcode when scheduling new meetings"
        }
        "require_password_for_instant_meetings" => "Require a passcode for instant meetings",
        "require_password_for_pmi_meetings" => "Require a passcode for Personal Meeting ID (PMI)",
        "embed_password_in_join_link" => "Embed passcode in invite link for one-click join",
        "join_before_host" => "Allow participants to join before host",
        "meeting_authentication" => "Only authenticated users can join meetings",
        "e2ee_encryption" => "Allow use of end-to-end encryption",
        "sign_in_with_google" => "Allow users to sign in with Google",
        "sign_in_with_apple" => "Allow users to sign in with Apple ID",
        "sign_in_with_facebook" => "Allow users to sign in with Facebook",
        "sign_in_with_microsoft" => "Allow users to sign in with Microsoft",
        _ => "",
    };
    if known.is_empty() {
        humanise(k)
    } else {
        known.into()
    }
}

fn humanise(k: &str) -> String {
    let s = k.replace('_', " ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::opdetail;
    use serde_json::json;

    fn op(event: &str, payload: Value) -> Operation {
        operation(event, &payload, "2024-06-10T09:16:39Z", None).unwrap()
    }

    #[test]
    fn an_account_switch_reads_like_the_operation_log() {
        let o = op(
            "account.settings_updated",
            json!({"operator": "superadmin@example.com",
                   "object": {"settings": {"recording": {"cloud_recording": false}}},
                   "old_object": {"settings": {"recording": {"cloud_recording": true}}}}),
        );
        assert_eq!(o.operator, "superadmin@example.com");
        assert_eq!(o.category_type, "Account");
        assert_eq!(
            o.operation_detail,
            "Recording  - Cloud recording: from On to Off"
        );
        let c = opdetail::parse(&o.category_type, &o.action, &o.operation_detail);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].kind, "setting");
        assert_eq!(
            (c[0].from.as_deref(), c[0].to.as_deref()),
            (Some("On"), Some("Off"))
        );
    }

    #[test]
    fn a_user_change_names_the_user_and_the_flat_form_is_read() {
        let o = operation(
            "user.settings_updated",
            &json!({"operator": "admin@example.com",
                    "object": {"id": "z8y", "settings": {"meeting_authentication": false}},
                    "old_object": {"id": "z8y", "settings": {"meeting_authentication": true}}}),
            "2024-06-10T09:16:39Z",
            Some("kwame@example.com"),
        )
        .unwrap();
        assert_eq!(
            o.operation_detail,
            "Update User kwame@example.com  - Only authenticated users can join meetings: from On to Off"
        );
        let c = opdetail::parse(&o.category_type, &o.action, &o.operation_detail);
        assert_eq!(c[0].kind, "update_user");
        assert_eq!(c[0].target.as_deref(), Some("kwame@example.com"));
    }

    #[test]
    fn without_old_object_the_value_is_set_and_locks_are_not_values() {
        let o = op(
            "account.settings_updated",
            json!({"object": {"settings": {"in_meeting": {"private_chat": false},
                                           "security": {"waiting_room": true}}}}),
        );
        assert_eq!(
            o.operation_detail,
            "Account settings  - In Meeting / Private chat: set to Off - Security / Waiting Room: set to On"
        );
        assert_eq!(o.operator, "", "no operator: kept, operator unknown");
        let l = op(
            "account.lock_settings_updated",
            json!({"operator": "a@x.io",
                   "object": {"settings": {"schedule_meeting": {"waiting_room": false}}},
                   "old_object": {"settings": {"schedule_meeting": {"waiting_room": true}}}}),
        );
        assert_eq!(l.action, "Lock");
        assert_eq!(
            l.operation_detail,
            "Schedule Meeting (lock)  - Waiting Room: from Locked to Unlocked"
        );
    }

    #[test]
    fn an_empty_or_unchanged_delivery_is_no_change() {
        let e = operation(
            "account.settings_updated",
            &json!({"object": {"settings": {"a": {"b": 1}}}, "old_object": {"settings": {"a": {"b": 1}}}}),
            "2024-06-10T09:16:39Z",
            None,
        );
        assert!(e.is_err());
        assert!(operation("account.settings_updated", &json!({}), "t", None).is_err());
        assert!(is_settings_event("group.lock_settings_updated"));
        assert!(!is_settings_event("user.updated"));
    }
}
