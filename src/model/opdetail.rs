//! Parse Zoom's free-text `operation_detail` into change rows.
//!
//! Shapes seen in Zoom's operation log (and Panther's tests):
//! `Security  - Sign in with Two-Factor Authentication: from On to Off`,
//! batched `Sign-In Password Requirement  - A: from 8 to 14 - B: from On to Off`,
//! `Edit Group Sales-EMEA  - Personal Meeting ID (PMI) Passcode: from On to Off`,
//! `Change Role  - homer@duff.io: from Admin to Co-Owner`,
//! `Add User homer@simpson.io  - User Type: Basic - Department: Foo`,
//! `Update User bart@panther.io  - User Role: from Member to Admin`,
//! `Delete Recording meeting_id:123`, `Delete cloud recording for meeting 123`,
//! `Change account setting Cloud Recording from ON to OFF`.
//! The head is separated from the changes by two spaces and a dash; changes by " - ". Names
//! may contain hyphens (and a " - " inside a value is re-joined: a segment without a colon
//! continues the previous one).

use super::OpChange;

pub fn parse(category: &str, action: &str, detail: &str) -> Vec<OpChange> {
    let detail = detail.trim();
    let (head, rest) = match detail.find("  - ") {
        Some(i) => (detail[..i].trim(), Some(detail[i + 4..].trim())),
        None => (detail, None),
    };
    let items = rest.map(split_items).unwrap_or_default();
    let lower_head = head.to_ascii_lowercase();
    let cat = category.to_ascii_lowercase();

    // "Change account setting X from A to B" (no colon).
    if let Some(r) = strip_prefix_ci(head, "change account setting ")
        && let Some((setting, from, to)) = from_to(r, " from ")
    {
        return vec![OpChange {
            kind: "setting".into(),
            section: Some("Account".into()),
            setting: Some(setting),
            from,
            to,
            ..Default::default()
        }];
    }
    // Recording operations name the meeting ("Delete Recording meeting_id:1"); a settings
    // section called Recording ("Recording  - Cloud recording: from On to Off") is a setting.
    if cat == "recording" || (lower_head.contains("recording") && items.is_empty()) {
        return vec![OpChange {
            kind: "recording".into(),
            section: Some(head.to_string()),
            setting: Some(first_word(head).unwrap_or(action).to_string()),
            meeting_id: meeting_number(detail),
            target: None,
            ..Default::default()
        }];
    }
    if lower_head.starts_with("change role") {
        if items.is_empty() {
            return vec![OpChange {
                kind: "role".into(),
                section: Some(head.into()),
                setting: Some("Role".into()),
                ..Default::default()
            }];
        }
        return items
            .iter()
            .map(|it| {
                let (who, from, to) = item_change(it);
                OpChange {
                    kind: "role".into(),
                    section: Some(head.into()),
                    setting: Some("Role".into()),
                    target: who.filter(|w| !w.is_empty()),
                    from,
                    to,
                    ..Default::default()
                }
            })
            .collect();
    }
    let (kind, target) = head_kind(head);
    if items.is_empty() {
        return vec![OpChange {
            kind: kind.into(),
            section: Some(head.into()),
            target,
            ..Default::default()
        }];
    }
    items
        .iter()
        .map(|it| {
            let (setting, from, to) = item_change(it);
            let is_role = setting
                .as_deref()
                .is_some_and(|s| s.to_ascii_lowercase().contains("role"));
            let kind = if is_role && kind != "add_user" {
                "role"
            } else {
                kind
            };
            OpChange {
                kind: kind.into(),
                section: Some(head.into()),
                setting,
                from,
                to,
                target: target.clone(),
                ..Default::default()
            }
        })
        .collect()
}

/// Classify the head and pull out who or what it acts on.
fn head_kind(head: &str) -> (&'static str, Option<String>) {
    let words: Vec<&str> = head.split_whitespace().collect();
    let lw: Vec<String> = words.iter().map(|w| w.to_ascii_lowercase()).collect();
    let rest_after = |n: usize| -> Option<String> {
        let s = words.get(n..)?.join(" ");
        (!s.is_empty()).then_some(s)
    };
    match (
        lw.first().map(String::as_str),
        lw.get(1).map(String::as_str),
    ) {
        (Some("add"), Some("user")) => ("add_user", rest_after(2)),
        (Some("delete" | "remove"), Some("user")) => ("delete_user", rest_after(2)),
        (Some("update" | "edit" | "activate" | "deactivate"), Some("user")) => {
            ("update_user", rest_after(2))
        }
        (Some(_), Some("group")) => ("group", rest_after(2)),
        _ if head.contains('@') => (
            "update_user",
            words
                .iter()
                .find(|w| w.contains('@'))
                .map(|s| s.to_string()),
        ),
        _ => ("setting", None),
    }
}

/// Split the change list on " - ", re-joining pieces that are not changes by themselves.
fn split_items(rest: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for seg in rest.split(" - ") {
        let seg_t = seg.trim();
        if seg_t.is_empty() {
            continue;
        }
        match out.last_mut() {
            Some(prev) if !seg_t.contains(':') => {
                prev.push_str(" - ");
                prev.push_str(seg_t);
            }
            _ => out.push(seg_t.to_string()),
        }
    }
    out
}

/// `Setting: from A to B`, `Field: set to V`, `Field: V`, or a bare phrase.
fn item_change(item: &str) -> (Option<String>, Option<String>, Option<String>) {
    if let Some((setting, from, to)) = from_to(item, ": from ") {
        return (Some(setting), from, to);
    }
    if let Some(i) = item.find(':') {
        let name = item[..i].trim().to_string();
        let val = item[i + 1..].trim();
        let val = strip_prefix_ci(val, "set to ").unwrap_or(val).trim();
        return (Some(name), None, (!val.is_empty()).then(|| val.to_string()));
    }
    (Some(item.trim().to_string()), None, None)
}

/// Split `<name><sep><from> to <to>` (case-insensitive separators).
fn from_to(s: &str, sep: &str) -> Option<(String, Option<String>, Option<String>)> {
    let ls = s.to_ascii_lowercase();
    let i = ls.rfind(sep)?;
    let name = s[..i].trim().to_string();
    let vals = &s[i + sep.len()..];
    let lv = vals.to_ascii_lowercase();
    let (from, to) = match lv.find(" to ") {
        Some(j) => (vals[..j].trim(), vals[j + 4..].trim()),
        None => (vals.trim(), ""),
    };
    let opt = |v: &str| (!v.is_empty()).then(|| v.to_string());
    Some((name, opt(from), opt(to)))
}

fn strip_prefix_ci<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    (s.len() >= p.len() && s.is_char_boundary(p.len()) && s[..p.len()].eq_ignore_ascii_case(p))
        .then(|| &s[p.len()..])
}

fn first_word(s: &str) -> Option<&str> {
    s.split_whitespace().next()
}

/// The meeting number a detail names: after `meeting_id:` or `meeting`, else the last long number.
fn meeting_number(detail: &str) -> Option<i64> {
    let nums: Vec<i64> = detail
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| s.len() >= 6 && s.len() <= 15)
        .filter_map(|s| s.parse().ok())
        .collect();
    nums.last().copied()
}

/// How well the changes a settings webhook describes (`delivered`) correspond to those of an
/// operation-log entry (`logged`): None unless every delivered change has a logged change
/// with the same new value (and the same old value when both say); otherwise how many label
/// words the pairs share, to choose between several entries. The log's labels are the
/// portal's wording, the webhook's are JSON keys, so values decide and words only rank.
pub fn correspondence(delivered: &[OpChange], logged: &[OpChange]) -> Option<usize> {
    if delivered.is_empty() {
        return None;
    }
    let mut shared = 0;
    for d in delivered {
        let best = logged
            .iter()
            .filter(|l| {
                same_value(d.to.as_deref(), l.to.as_deref())
                    && match (d.from.as_deref(), l.from.as_deref()) {
                        (Some(a), Some(b)) => same_value(Some(a), Some(b)),
                        _ => true,
                    }
            })
            .map(|l| label_overlap(d, l))
            .max()?;
        shared += best;
    }
    Some(shared)
}

fn same_value(a: Option<&str>, b: Option<&str>) -> bool {
    let norm = |v: &str| -> String {
        match v.trim().to_ascii_lowercase().as_str() {
            "on" | "true" | "enabled" | "enable" | "yes" | "checked" => "on".into(),
            "off" | "false" | "disabled" | "disable" | "no" | "unchecked" => "off".into(),
            other => other.to_string(),
        }
    };
    match (a, b) {
        (Some(a), Some(b)) => norm(a) == norm(b),
        _ => false,
    }
}

/// Shared label words (first five letters, so "recording" meets "recordings").
fn label_overlap(a: &OpChange, b: &OpChange) -> usize {
    const NOISE: &[&str] = &[
        "a", "an", "the", "to", "for", "in", "of", "with", "and", "or",
    ];
    let words = |c: &OpChange| -> std::collections::HashSet<String> {
        format!(
            "{} {}",
            c.section.as_deref().unwrap_or_default(),
            c.setting.as_deref().unwrap_or_default()
        )
        .to_ascii_lowercase()
        .split(|ch: char| !ch.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && !NOISE.contains(w))
        .map(|w| w.chars().take(5).collect())
        .collect()
    };
    words(a).intersection(&words(b)).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(detail: &str) -> OpChange {
        let v = parse("Account", "Update", detail);
        assert_eq!(v.len(), 1, "{v:?}");
        v.into_iter().next().unwrap()
    }

    #[test]
    fn a_webhook_change_corresponds_to_its_log_entry_by_value() {
        let hook = parse(
            "Account",
            "Update",
            "Security  - Sign in with Two-Factor Authentication: from On to Off",
        );
        let batch = parse(
            "Account",
            "Update",
            "Security  - Automatically sign users out after a specified time: from On to Off - Sign in with Two-Factor Authentication: from On to Off",
        );
        assert!(correspondence(&hook, &batch).unwrap() >= 3);
        let other_way = parse(
            "Account",
            "Update",
            "Security  - Waiting Room: from Off to On",
        );
        assert_eq!(correspondence(&hook, &other_way), None, "values differ");
        let reworded = parse(
            "Account",
            "Update",
            "Email Notification  - When attendees join meeting before host: from Off to On",
        );
        let jbh = parse(
            "Account",
            "Update",
            "Email Notification  - Jbh reminder: from Off to On",
        );
        assert_eq!(
            correspondence(&jbh, &reworded),
            Some(2),
            "values match; section words rank"
        );
    }

    #[test]
    fn the_recording_settings_section_is_a_setting_not_a_recording() {
        let c = one("Recording  - Cloud recording: from On to Off");
        assert_eq!(c.kind, "setting");
        assert_eq!(one("Delete Recording meeting_id:123").kind, "recording");
    }

    #[test]
    fn security_setting() {
        let c = one("Security  - Sign in with Two-Factor Authentication: from On to Off");
        assert_eq!(c.kind, "setting");
        assert_eq!(c.section.as_deref(), Some("Security"));
        assert_eq!(
            c.setting.as_deref(),
            Some("Sign in with Two-Factor Authentication")
        );
        assert_eq!(
            (c.from.as_deref(), c.to.as_deref()),
            (Some("On"), Some("Off"))
        );
    }

    #[test]
    fn batched_detail_gives_every_change() {
        let v = parse(
            "Account",
            "Update",
            "Sign-In Password Requirement  - Have at least specified length of characters: from 8 to 14 - Include at least 1 letter: from On to Off - Include both uppercase and lowercase characters: from On to Off",
        );
        assert_eq!(v.len(), 3);
        assert_eq!(v[0].from.as_deref(), Some("8"));
        assert_eq!(v[0].to.as_deref(), Some("14"));
        assert_eq!(
            v[2].setting.as_deref(),
            Some("Include both uppercase and lowercase characters")
        );
        assert!(
            v.iter()
                .all(|c| c.section.as_deref() == Some("Sign-In Password Requirement"))
        );
    }

    #[test]
    fn hyphenated_group_name() {
        let v = parse(
            "User Group",
            "Update",
            "Edit Group Sales-EMEA  - Personal Meeting ID (PMI) Passcode: from On to Off",
        );
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].kind, "group");
        assert_eq!(v[0].target.as_deref(), Some("Sales-EMEA"));
        assert_eq!(
            v[0].setting.as_deref(),
            Some("Personal Meeting ID (PMI) Passcode")
        );
        assert_eq!(v[0].to.as_deref(), Some("Off"));
        let v = parse("User Group", "Update", "Edit Group Recruiting ");
        assert_eq!(v[0].target.as_deref(), Some("Recruiting"));
        assert_eq!(v[0].setting, None);
    }

    #[test]
    fn role_changes_with_and_without_email() {
        let c = parse(
            "User",
            "Update",
            "Change Role  - homer.simpson@duff.io: from Admin to Billing Admin",
        )
        .remove(0);
        assert_eq!(c.kind, "role");
        assert_eq!(c.target.as_deref(), Some("homer.simpson@duff.io"));
        assert_eq!(
            (c.from.as_deref(), c.to.as_deref()),
            (Some("Admin"), Some("Billing Admin"))
        );
        let c = parse("User", "Update", "Change Role  - : from Member to Co-Owner").remove(0);
        assert_eq!(c.target, None);
        assert_eq!(c.to.as_deref(), Some("Co-Owner"));
        let c = parse(
            "User",
            "Update",
            "Update User bart@panther.io  - User Role: from Member to Admin",
        )
        .remove(0);
        assert_eq!(c.kind, "role");
        assert_eq!(c.target.as_deref(), Some("bart@panther.io"));
    }

    #[test]
    fn user_adds_and_attributes() {
        let v = parse(
            "User",
            "Add",
            "Add User homer@simpson.io  - User Type: Basic - Department: Foo",
        );
        assert_eq!(v.len(), 2);
        assert!(
            v.iter()
                .all(|c| c.kind == "add_user" && c.target.as_deref() == Some("homer@simpson.io"))
        );
        assert_eq!(v[1].setting.as_deref(), Some("Department"));
        assert_eq!(v[1].to.as_deref(), Some("Foo"));
        let c = parse(
            "User",
            "Update",
            "Update User example@example.io  - Job Title: set to Contractor",
        )
        .remove(0);
        assert_eq!(c.to.as_deref(), Some("Contractor"));
        let c = parse("User", "Add", "Add User bob@example.com").remove(0);
        assert_eq!(
            (c.kind.as_str(), c.target.as_deref()),
            ("add_user", Some("bob@example.com"))
        );
    }

    #[test]
    fn recording_operations_keep_the_meeting() {
        let c = parse(
            "Recording",
            "Delete",
            "Delete Recording meeting_id:85746065432",
        )
        .remove(0);
        assert_eq!(
            (c.kind.as_str(), c.meeting_id),
            ("recording", Some(85746065432))
        );
        assert_eq!(c.setting.as_deref(), Some("Delete"));
        let c = parse(
            "Recording",
            "Delete",
            "Delete cloud recording for meeting 11122223333",
        )
        .remove(0);
        assert_eq!(c.meeting_id, Some(11122223333));
    }

    #[test]
    fn account_setting_sentence() {
        let c = one("Change account setting Cloud Recording from ON to OFF");
        assert_eq!(c.setting.as_deref(), Some("Cloud Recording"));
        assert_eq!(
            (c.from.as_deref(), c.to.as_deref()),
            (Some("ON"), Some("OFF"))
        );
    }

    #[test]
    fn value_containing_a_dash_is_rejoined() {
        let v = parse(
            "Account",
            "Update",
            "Meeting  - Default topic: from Team - Weekly to Team - Daily - Waiting Room: from On to Off",
        );
        assert_eq!(v.len(), 2, "{v:?}");
        assert_eq!(v[0].from.as_deref(), Some("Team - Weekly"));
        assert_eq!(v[1].setting.as_deref(), Some("Waiting Room"));
    }
}
