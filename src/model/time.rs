//! Zoom's sources disagree on time formats; everything is normalised to UTC text
//! `YYYY-MM-DDTHH:MM:SSZ` (fixed width, so it sorts as text and reads well in SQL).

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// The canonical stored form of a UTC instant.
pub fn fmt_utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Parse any time format Zoom (or an export of it) uses, returning UTC.
///
/// Accepts RFC 3339, `yyyy-MM-dd HH:mm:ss` (optionally with `T`, a fraction and/or `Z`),
/// `yyyy-MM-dd HH:mm:ss:SSS` (meeting activity logs), `MM/DD/YYYY HH:mm[:ss]` (user meetings
/// report), a bare date, and epoch milliseconds (chat, webhooks). Times without a zone are UTC.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = s.parse().ok()?;
        return from_epoch_number(n);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let trimmed = s
        .strip_suffix('Z')
        .or_else(|| s.strip_suffix(" UTC"))
        .unwrap_or(s);
    for f in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%m/%d/%Y %H:%M:%S",
        "%m/%d/%Y %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(trimmed, f) {
            return Some(Utc.from_utc_datetime(&t));
        }
    }
    // yyyy-MM-dd HH:mm:ss:SSS (a colon before the milliseconds)
    if let Some((head, ms)) = trimmed.rsplit_once(':')
        && ms.len() == 3
        && ms.bytes().all(|b| b.is_ascii_digit())
        && let Ok(t) = NaiveDateTime::parse_from_str(head, "%Y-%m-%d %H:%M:%S")
    {
        let ms: i64 = ms.parse().ok()?;
        return Some(Utc.from_utc_datetime(&t) + chrono::Duration::milliseconds(ms));
    }
    if let Ok(d) = NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
        return Some(Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0)?));
    }
    None
}

/// Epoch numbers: milliseconds when large enough, else seconds.
pub fn from_epoch_number(n: i64) -> Option<DateTime<Utc>> {
    if n.abs() >= 100_000_000_000 {
        DateTime::from_timestamp_millis(n)
    } else {
        DateTime::from_timestamp(n, 0)
    }
}

/// Parse and format in one step: the stored form, or `None` when unparsable.
pub fn norm_time(s: &str) -> Option<String> {
    parse_time(s).map(fmt_utc)
}

/// A JSON value that may hold a time as a string or an epoch number.
pub fn norm_time_value(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => norm_time(s),
        serde_json::Value::Number(n) => n.as_i64().and_then(from_epoch_number).map(fmt_utc),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_zoom_format_normalises_to_the_same_instant() {
        let want = Some("2024-06-10T06:13:20Z".to_string());
        for s in [
            "2024-06-10T06:13:20Z",
            "2024-06-10T08:13:20+02:00",
            "2024-06-10 06:13:20",
            "2024-06-10 06:13:20Z",
            "2024-06-10 06:13:20.232",
            "2024-06-10 06:13:20:000",
            "2024-06-10T06:13:20.000Z",
            "1718000000000",
            "1718000000",
        ] {
            assert_eq!(norm_time(s), want, "{s}");
        }
        assert_eq!(
            norm_time("06/10/2024 06:13"),
            Some("2024-06-10T06:13:00Z".into())
        );
        assert_eq!(norm_time("2024-06-10"), Some("2024-06-10T00:00:00Z".into()));
        assert_eq!(norm_time("yesterday"), None);
        assert_eq!(norm_time(""), None);
        assert_eq!(norm_time("13/45/2024 06:13"), None);
    }

    #[test]
    fn epoch_values_from_json() {
        assert_eq!(
            norm_time_value(&serde_json::json!(1718000000000i64)),
            Some("2024-06-10T06:13:20Z".into())
        );
        assert_eq!(norm_time_value(&serde_json::json!(null)), None);
    }
}
