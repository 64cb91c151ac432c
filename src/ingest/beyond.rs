//! Records from outside Zoom (issue 19): identity-provider events and file/data access.
//!
//! * Okta System Log events (`GET /api/v1/logs`: a JSON array or NDJSON of LogEvent objects);
//! * Microsoft Entra ID sign-ins (Graph `GET /auditLogs/signIns`: `{"value": [...]}` pages, or
//!   signIn objects as an array or NDJSON);
//! * Google Workspace Admin SDK Reports activities (`{"kind": "admin#reports#activities",
//!   "items": [...]}` pages, or single activities) for the `login`, `admin` and `drive`
//!   applications;
//! * Microsoft 365 unified audit log records (the Management Activity API's common schema:
//!   SharePoint/OneDrive file operations, and `UserLoggedIn`/`UserLoginFailed`), as JSON or as
//!   the Purview search export's CSV (its `AuditData` column holds the record);
//! * a generic CSV of data access (`time,user,action,resource,sensitivity,ip,source`) for any
//!   DLP or CASB export.
//!
//! Every stored record keeps its own JSON (a page's element, not the page) or CSV line as
//! evidence; records of other kinds inside these feeds (a Drive edit, an Exchange mailbox
//! operation) are counted as not stored, not rejected.

use super::bodies::{At, TopLevel};
use super::sink::Sink;
use crate::model::Evidence;
use crate::model::beyond::{AccessKind, DataAccess, IdpEvent};
use crate::model::time::norm_time;
use anyhow::Result;
use serde_json::Value;

/// Which of these shapes a JSON object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    OktaEvent,
    EntraSignIn,
    /// A Graph collection page (`value` holds signIn objects).
    GraphPage,
    GooglePage,
    GoogleActivity,
    M365Record,
}

impl Shape {
    pub fn name(self) -> &'static str {
        match self {
            Shape::OktaEvent => "Okta System Log",
            Shape::EntraSignIn | Shape::GraphPage => "Entra ID sign-ins",
            Shape::GooglePage | Shape::GoogleActivity => "Google Workspace activities",
            Shape::M365Record => "Microsoft 365 audit log",
        }
    }
}

fn string_is(top: &TopLevel, k: &str, want: &str) -> bool {
    top.get(k)
        .and_then(|v| serde_json::from_str::<String>(v.get()).ok())
        .is_some_and(|s| s == want)
}

/// Recognise one of the shapes by its fields.
pub fn shape_of(top: &TopLevel) -> Option<Shape> {
    let has = |k: &str| top.contains_key(k);
    if string_is(top, "kind", "admin#reports#activities") {
        return Some(Shape::GooglePage);
    }
    if string_is(top, "kind", "admin#reports#activity")
        || (has("events")
            && top.get("id").is_some_and(|v| {
                v.get().contains("\"applicationName\"") && v.get().trim_start().starts_with('{')
            }))
    {
        return Some(Shape::GoogleActivity);
    }
    if has("eventType") && has("published") && (has("actor") || has("uuid")) {
        return Some(Shape::OktaEvent);
    }
    if has("createdDateTime") && has("userPrincipalName") {
        return Some(Shape::EntraSignIn);
    }
    if has("value")
        && (top
            .get("@odata.context")
            .is_some_and(|c| c.get().contains("signIns"))
            || top
                .get("value")
                .is_some_and(|v| v.get().contains("\"userPrincipalName\"")))
    {
        return Some(Shape::GraphPage);
    }
    if has("CreationTime") && has("Operation") && (has("Workload") || has("RecordType")) {
        return Some(Shape::M365Record);
    }
    None
}

/// Store one JSON object of a recognised shape (a page stores each of its records). Returns how
/// many records it held.
pub fn store_json(w: &mut impl Sink, at: &At, shape: Shape, raw: &str) -> Result<usize> {
    let v: Value = match serde_json::from_str(raw) {
        Ok(v) => v,
        Err(e) => {
            w.reject(
                "idp_log",
                at.source,
                at.line,
                &format!("malformed JSON: {e}"),
                raw,
            )?;
            return Ok(1);
        }
    };
    match shape {
        Shape::OktaEvent => {
            idp_event(w, at, okta(&v), raw)?;
            Ok(1)
        }
        Shape::EntraSignIn => {
            idp_event(w, at, entra(&v), raw)?;
            Ok(1)
        }
        Shape::GraphPage => each(w, at, raw, "value", |w, at, el| {
            let v: Value = serde_json::from_str(el).unwrap_or(Value::Null);
            idp_event(w, at, entra(&v), el)
        }),
        Shape::GoogleActivity => {
            google(w, at, &v, raw)?;
            Ok(1)
        }
        Shape::GooglePage => each(w, at, raw, "items", |w, at, el| {
            let v: Value = serde_json::from_str(el).unwrap_or(Value::Null);
            google(w, at, &v, el)
        }),
        Shape::M365Record => {
            m365(w, at, &v, raw)?;
            Ok(1)
        }
    }
}

/// Store a parsed identity-provider event with `raw` as its evidence, or reject `raw` with the
/// parser's reason.
fn idp_event(
    w: &mut impl Sink,
    at: &At,
    parsed: Result<IdpEvent, String>,
    raw: &str,
) -> Result<()> {
    match parsed {
        Ok(e) => {
            w.idp_event(e, Evidence::new(at.origin_id, at.line, raw))?;
        }
        Err(r) => w.reject("idp_log", at.source, at.line, &r, raw)?,
    }
    Ok(())
}

/// Every element of the array `key` of a page, each with its own verbatim text.
fn each<W: Sink>(
    w: &mut W,
    at: &At,
    raw: &str,
    key: &str,
    mut f: impl FnMut(&mut W, &At, &str) -> Result<()>,
) -> Result<usize> {
    #[derive(serde::Deserialize)]
    struct Page<'a> {
        #[serde(borrow, default)]
        value: Option<Vec<&'a serde_json::value::RawValue>>,
        #[serde(borrow, default)]
        items: Option<Vec<&'a serde_json::value::RawValue>>,
    }
    let page: Page = match serde_json::from_str(raw) {
        Ok(p) => p,
        Err(e) => {
            let reason = format!("a page whose {key:?} is not a list of records: {e}");
            w.reject("idp_log", at.source, at.line, &reason, raw)?;
            return Ok(1);
        }
    };
    let list = if key == "value" {
        page.value
    } else {
        page.items
    }
    .unwrap_or_default();
    let mut n = 0;
    for el in list {
        // A pretty-printed page: each record is told apart by the line it starts on.
        let line = if at.rows_own_lines {
            let off = el.get().as_ptr() as usize - raw.as_ptr() as usize;
            at.line
                .map(|l| l + raw[..off].bytes().filter(|&b| b == b'\n').count() as i64)
        } else {
            at.line
        };
        let at2 = At { line, ..*at };
        f(w, &at2, el.get())?;
        n += 1;
    }
    Ok(n)
}

fn s<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str().map(str::trim).filter(|s| !s.is_empty())
}

fn opt(v: &Value, path: &[&str]) -> Option<String> {
    s(v, path).map(str::to_string)
}

fn time_of(v: &Value, path: &[&str]) -> Result<String, String> {
    let t = s(v, path).ok_or_else(|| format!("missing {}", path.join(".")))?;
    norm_time(t).ok_or_else(|| format!("{}: unparsable time {t:?}", path.join(".")))
}

/// "City (Country)" from the parts a provider gives.
fn place(city: Option<&str>, country: Option<&str>) -> Option<String> {
    match (city, country) {
        (Some(c), Some(k)) => Some(format!("{c} ({k})")),
        (None, Some(k)) => Some(k.to_string()),
        (Some(c), None) => Some(c.to_string()),
        _ => None,
    }
}

/// An ISO 3166 alpha-2 code, upper case, when the text is one.
fn iso2(c: Option<&str>) -> Option<String> {
    c.filter(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()))
        .map(|c| c.to_ascii_uppercase())
}

/// Okta event types that change the organisation (as opposed to a user's own session).
const OKTA_ADMIN: &[&str] = &[
    "user.account.privilege.",
    "user.lifecycle.",
    "user.account.reset_password",
    "user.mfa.factor.reset",
    "user.mfa.factor.deactivate",
    "group.",
    "application.",
    "app.",
    "policy.",
    "system.",
    "zone.",
    "org.",
    "iam.",
    "security.authenticator.",
];

fn okta(v: &Value) -> Result<IdpEvent, String> {
    let event_type = s(v, &["eventType"]).ok_or("missing eventType")?;
    let time = time_of(v, &["published"])?;
    let user = s(v, &["actor", "alternateId"])
        .filter(|u| *u != "unknown")
        .ok_or("missing actor.alternateId (who did it)")?;
    let event_id = opt(v, &["uuid"]).ok_or("missing uuid")?;
    let is_signin = matches!(event_type, "user.session.start" | "user.authentication.sso");
    let is_admin = OKTA_ADMIN.iter().any(|p| event_type.starts_with(p));
    let targets = v.get("target").and_then(Value::as_array);
    let target_of = |kind: &str| {
        targets.and_then(|ts| {
            ts.iter()
                .find(|t| s(t, &["type"]).is_some_and(|k| k.eq_ignore_ascii_case(kind)))
                .and_then(|t| opt(t, &["alternateId"]).or_else(|| opt(t, &["displayName"])))
        })
    };
    let app = if event_type == "user.authentication.sso" {
        target_of("AppInstance")
    } else if is_signin {
        Some("Okta".to_string())
    } else {
        None
    };
    let target = if is_admin {
        targets.and_then(|ts| {
            let names: Vec<String> = ts
                .iter()
                .filter_map(|t| {
                    opt(t, &["alternateId"])
                        .filter(|a| a != "unknown")
                        .or_else(|| opt(t, &["displayName"]))
                })
                .collect();
            (!names.is_empty()).then(|| names.join(", "))
        })
    } else {
        None
    };
    let geo = &["client", "geographicalContext"];
    let city = s(v, &[geo[0], geo[1], "city"]);
    let country = s(v, &[geo[0], geo[1], "country"]);
    Ok(IdpEvent {
        source: "okta".into(),
        event_id,
        time,
        user: user.to_string(),
        ip: opt(v, &["client", "ipAddress"]).unwrap_or_default(),
        action: event_type.to_string(),
        outcome: s(v, &["outcome", "result"])
            .map(str::to_ascii_lowercase)
            .unwrap_or_default(),
        is_signin,
        is_admin_action: is_admin,
        app,
        target,
        client: opt(v, &["client", "userAgent", "rawUserAgent"])
            .or_else(|| opt(v, &["client", "device"])),
        session_id: opt(v, &["authenticationContext", "externalSessionId"]),
        location: place(city, country),
        country: iso2(country),
    })
}

fn entra(v: &Value) -> Result<IdpEvent, String> {
    let time = time_of(v, &["createdDateTime"])?;
    let user = s(v, &["userPrincipalName"]).ok_or("missing userPrincipalName")?;
    let event_id = opt(v, &["id"]).ok_or("missing id")?;
    let code = v
        .get("status")
        .and_then(|st| st.get("errorCode"))
        .and_then(Value::as_i64);
    let outcome = match code {
        Some(0) => "success".to_string(),
        Some(c) => format!("failure ({c})"),
        None => String::new(),
    };
    let city = s(v, &["location", "city"]);
    let country = s(v, &["location", "countryOrRegion"]);
    let client = [
        s(v, &["clientAppUsed"]),
        s(v, &["deviceDetail", "operatingSystem"]),
        s(v, &["deviceDetail", "browser"]),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" / ");
    Ok(IdpEvent {
        source: "entra".into(),
        event_id,
        time,
        user: user.to_string(),
        ip: opt(v, &["ipAddress"]).unwrap_or_default(),
        action: "sign-in".into(),
        outcome,
        is_signin: true,
        is_admin_action: false,
        app: opt(v, &["appDisplayName"]).or_else(|| opt(v, &["resourceDisplayName"])),
        target: None,
        client: (!client.is_empty()).then_some(client),
        session_id: opt(v, &["correlationId"]),
        location: place(city, country),
        country: iso2(country),
    })
}

/// A parameter of a Google activity event, as text.
fn gparam(ev: &Value, name: &str) -> Option<String> {
    let ps = ev.get("parameters")?.as_array()?;
    let p = ps.iter().find(|p| s(p, &["name"]) == Some(name))?;
    if let Some(v) = opt(p, &["value"]) {
        return Some(v);
    }
    if let Some(b) = p.get("boolValue").and_then(Value::as_bool) {
        return Some(b.to_string());
    }
    if let Some(n) = p.get("intValue") {
        return Some(n.to_string().trim_matches('"').to_string());
    }
    let list = p.get("multiValue")?.as_array()?;
    Some(
        list.iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
    )
}

/// One Google activity: each of its events is a record (the evidence is the activity).
fn google(w: &mut impl Sink, at: &At, v: &Value, raw: &str) -> Result<()> {
    let app = s(v, &["id", "applicationName"]).unwrap_or("").to_string();
    let head = (|| -> Result<(String, String, String), String> {
        let time = time_of(v, &["id", "time"])?;
        let user = s(v, &["actor", "email"]).ok_or("missing actor.email")?;
        let q = s(v, &["id", "uniqueQualifier"]).ok_or("missing id.uniqueQualifier")?;
        Ok((time, user.to_string(), q.to_string()))
    })();
    let (time, user, q) = match head {
        Ok(h) => h,
        Err(r) => {
            let table = if app == "drive" {
                "data_access_log"
            } else {
                "idp_log"
            };
            return w.reject(table, at.source, at.line, &r, raw);
        }
    };
    let ip = opt(v, &["ipAddress"]).unwrap_or_default();
    let events = v
        .get("events")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (k, e) in events.iter().enumerate() {
        let name = s(e, &["name"]).unwrap_or("").to_string();
        let event_id = format!("{app}:{q}:{k}");
        let ev = Evidence::new(at.origin_id, at.line, raw);
        // What a login and an admin event share; each fills in the rest.
        let google = |outcome: &str, app: &str| IdpEvent {
            source: "google".into(),
            event_id: event_id.clone(),
            time: time.clone(),
            user: user.clone(),
            ip: ip.clone(),
            action: name.clone(),
            outcome: outcome.into(),
            app: Some(app.into()),
            ..Default::default()
        };
        match app.as_str() {
            "login" => {
                let is_signin = matches!(
                    name.as_str(),
                    "login_success" | "login_failure" | "login_challenge" | "login_verification"
                );
                let outcome = match name.as_str() {
                    "login_success" => "success",
                    "login_failure" => "failure",
                    _ => "",
                };
                w.idp_event(
                    IdpEvent {
                        is_signin,
                        client: gparam(e, "login_type"),
                        ..google(outcome, "Google Workspace")
                    },
                    ev.clone(),
                )?;
            }
            "admin" => {
                let target = gparam(e, "USER_EMAIL")
                    .or_else(|| gparam(e, "GROUP_EMAIL"))
                    .or_else(|| gparam(e, "ROLE_NAME"))
                    .or_else(|| gparam(e, "SETTING_NAME"));
                w.idp_event(
                    IdpEvent {
                        is_admin_action: true,
                        target,
                        ..google("success", "Google Admin console")
                    },
                    ev.clone(),
                )?;
            }
            "drive" => {
                // change_user_access / change_document_visibility share; view, download,
                // sync_item_content access the content; edits, moves and renames are not reads.
                let Some(kind) = AccessKind::parse(&name).or(match name.as_str() {
                    "sync_item_content" => Some(AccessKind::Sync),
                    _ => None,
                }) else {
                    w.skip("data_access_log");
                    continue;
                };
                let resource = gparam(e, "doc_title")
                    .or_else(|| gparam(e, "doc_id"))
                    .unwrap_or_default();
                let shared_with = gparam(e, "target_user")
                    .or_else(|| gparam(e, "target_domain"))
                    .or_else(|| gparam(e, "visibility").filter(|_| kind == AccessKind::Share));
                w.data_access(
                    DataAccess {
                        source: "google-drive".into(),
                        event_id,
                        time: time.clone(),
                        user: user.clone(),
                        action: kind,
                        vendor_action: name.clone(),
                        resource,
                        sensitivity: gparam(e, "label_title")
                            .or_else(|| gparam(e, "sensitivity"))
                            .unwrap_or_default(),
                        ip: ip.clone(),
                        shared_with,
                    },
                    ev.clone(),
                )?;
            }
            _ => w.skip("idp_log"),
        }
    }
    Ok(())
}

/// One Microsoft 365 unified audit log record.
fn m365(w: &mut impl Sink, at: &At, v: &Value, raw: &str) -> Result<()> {
    let op = s(v, &["Operation"]).unwrap_or("").to_string();
    let head = (|| -> Result<(String, String, String), String> {
        let time = time_of(v, &["CreationTime"])?;
        let user = s(v, &["UserId"]).ok_or("missing UserId")?;
        let id = s(v, &["Id"]).ok_or("missing Id")?;
        Ok((time, user.to_string(), id.to_string()))
    })();
    let ev = || Evidence::new(at.origin_id, at.line, raw);
    let ip = opt(v, &["ClientIP"])
        .or_else(|| opt(v, &["ActorIpAddress"]))
        .map(|ip| strip_port(&ip))
        .unwrap_or_default();
    if matches!(op.as_str(), "UserLoggedIn" | "UserLoginFailed") {
        let (time, user, id) = match head {
            Ok(h) => h,
            Err(r) => return w.reject("idp_log", at.source, at.line, &r, raw),
        };
        w.idp_event(
            IdpEvent {
                source: "entra".into(),
                event_id: format!("ual:{id}"),
                time,
                user,
                ip,
                action: op.clone(),
                outcome: if op == "UserLoggedIn" {
                    "success".into()
                } else {
                    "failure".into()
                },
                is_signin: true,
                is_admin_action: false,
                app: opt(v, &["ApplicationId"]).or_else(|| opt(v, &["Workload"])),
                target: None,
                client: opt(v, &["UserAgent"]),
                session_id: None,
                location: None,
                country: None,
            },
            ev(),
        )?;
        return Ok(());
    }
    let Some(kind) = AccessKind::parse(&op) else {
        w.skip("data_access_log");
        return Ok(());
    };
    let (time, user, id) = match head {
        Ok(h) => h,
        Err(r) => return w.reject("data_access_log", at.source, at.line, &r, raw),
    };
    let resource = opt(v, &["ObjectId"])
        .or_else(|| opt(v, &["SourceFileName"]))
        .unwrap_or_default();
    let sensitivity = opt(v, &["SensitivityLabelEventData", "SensitivityLabelName"])
        .or_else(|| opt(v, &["SensitivityLabelName"]))
        .or_else(|| opt(v, &["SensitivityLabelId"]))
        .unwrap_or_default();
    w.data_access(
        DataAccess {
            source: "m365".into(),
            event_id: id,
            time,
            user,
            action: kind,
            vendor_action: op.clone(),
            resource,
            sensitivity,
            ip,
            shared_with: opt(v, &["TargetUserOrGroupName"]),
        },
        ev(),
    )?;
    Ok(())
}

/// `1.2.3.4:5678` and `[2001:db8::1]:443` as the audit log sometimes writes them.
fn strip_port(ip: &str) -> String {
    if let Some(rest) = ip.strip_prefix('[')
        && let Some((a, _)) = rest.split_once(']')
    {
        return a.to_string();
    }
    match ip.split_once(':') {
        Some((a, p)) if !p.contains(':') && a.contains('.') => a.to_string(),
        _ => ip.to_string(),
    }
}

/// A row of the generic data-access CSV (`time,user,action,resource,sensitivity,ip,source`),
/// its fields already picked out of the record.
#[allow(clippy::too_many_arguments)]
pub fn generic_row(
    time: &str,
    user: &str,
    action: &str,
    resource: &str,
    sensitivity: &str,
    ip: &str,
    source: &str,
) -> Result<DataAccess, String> {
    let time = norm_time(time).ok_or_else(|| format!("time: unparsable time {time:?}"))?;
    if user.is_empty() {
        return Err("missing user".into());
    }
    let kind = AccessKind::parse(action)
        .ok_or_else(|| format!("action {action:?} is none of access, download, share, sync"))?;
    let source = if source.is_empty() {
        "csv".to_string()
    } else {
        format!("csv:{}", source.to_ascii_lowercase())
    };
    // No id in the export: the row's own content is its identity (a re-import adds nothing).
    let event_id = crate::util::sha256_hex(
        format!("{time}\u{1f}{user}\u{1f}{action}\u{1f}{resource}\u{1f}{ip}").as_bytes(),
    );
    Ok(DataAccess {
        source,
        event_id: event_id[..32].to_string(),
        time,
        user: user.to_string(),
        action: kind,
        vendor_action: action.to_string(),
        resource: resource.to_string(),
        sensitivity: sensitivity.to_string(),
        ip: strip_port(ip),
        shared_with: None,
    })
}

/// A row of Purview's audit search export: its `AuditData` column is the record.
pub fn purview_row(w: &mut impl Sink, at: &At, audit_data: &str, raw_line: &str) -> Result<()> {
    match serde_json::from_str::<Value>(audit_data) {
        Ok(v) if v.is_object() => m365(w, at, &v, raw_line),
        Ok(_) => w.reject(
            "data_access_log",
            at.source,
            at.line,
            "AuditData is not a JSON object",
            raw_line,
        ),
        Err(e) => w.reject(
            "data_access_log",
            at.source,
            at.line,
            &format!("AuditData is not JSON: {e}"),
            raw_line,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_come_off_addresses() {
        assert_eq!(strip_port("203.0.113.5:51234"), "203.0.113.5");
        assert_eq!(strip_port("[2001:db8::1]:443"), "2001:db8::1");
        assert_eq!(strip_port("2001:db8::1"), "2001:db8::1");
    }

    #[test]
    fn vendor_words_map_to_four_kinds() {
        assert_eq!(
            AccessKind::parse("FileDownloaded"),
            Some(AccessKind::Download)
        );
        assert_eq!(
            AccessKind::parse("FileSyncDownloadedFull"),
            Some(AccessKind::Sync)
        );
        assert_eq!(AccessKind::parse("SharingSet"), Some(AccessKind::Share));
        assert_eq!(
            AccessKind::parse("change_user_access"),
            Some(AccessKind::Share)
        );
        assert_eq!(AccessKind::parse("FileModified"), None);
    }
}
