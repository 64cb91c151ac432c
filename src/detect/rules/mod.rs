//! The rule catalogue (one file per rule, named after its id) and the classification helpers
//! the rules share: which setting change weakens security, which role is privileged, version
//! ordering, topic keywords.

use super::Rule;

pub mod billing_or_license_changed;
pub mod brief_join;
pub mod direct_link_join;
pub mod display_name_impersonation;
pub mod external_in_sensitive_meeting;
pub mod guest_screen_share;
pub mod join_after_departure;
pub mod join_burst_multiple_ips;
pub mod new_admin_activity;
pub mod outdated_client;
pub mod parallel_session;
pub mod privileged_role_granted;
pub mod recording_deleted;
pub mod recording_download_by_non_participant;
pub mod remote_control_of_privileged_user;
pub mod security_setting_disabled;
pub mod shared_ip_many_names;
pub mod sign_in_method_enabled;
pub mod signin_new_ip;
pub mod silent_presence;
pub mod source_silent;
pub mod sso_config_changed;
pub mod unexpected_ip_recurring_meeting;
pub mod unknown_device_vip_meeting;
pub mod user_created;
pub mod weakened_then_exposed;

static RULES: &[&dyn Rule] = &[
    &security_setting_disabled::SecuritySettingDisabled,
    &sign_in_method_enabled::SignInMethodEnabled,
    &privileged_role_granted::PrivilegedRoleGranted,
    &user_created::UserCreated,
    &sso_config_changed::SsoConfigChanged,
    &billing_or_license_changed::BillingOrLicenseChanged,
    &recording_deleted::RecordingDeleted,
    &recording_download_by_non_participant::RecordingDownloadByNonParticipant,
    &weakened_then_exposed::WeakenedThenExposed,
    &new_admin_activity::NewAdminActivity,
    &signin_new_ip::SigninNewIp,
    &outdated_client::OutdatedClient,
    &parallel_session::ParallelSession,
    &external_in_sensitive_meeting::ExternalInSensitiveMeeting,
    &direct_link_join::DirectLinkJoin,
    &display_name_impersonation::DisplayNameImpersonation,
    &join_after_departure::JoinAfterDeparture,
    &join_burst_multiple_ips::JoinBurstMultipleIps,
    &brief_join::BriefJoin,
    &unexpected_ip_recurring_meeting::UnexpectedIpRecurringMeeting,
    &unknown_device_vip_meeting::UnknownDeviceVipMeeting,
    &silent_presence::SilentPresence,
    &shared_ip_many_names::SharedIpManyNames,
    &guest_screen_share::GuestScreenShare,
    &source_silent::SourceSilent,
    &remote_control_of_privileged_user::RemoteControlOfPrivilegedUser,
];

/// Every rule, in catalogue order.
pub fn registry() -> &'static [&'static dyn Rule] {
    RULES
}

/// Seconds a participant session lasted (`p` is the participants alias).
pub(crate) const DUR: &str =
    "COALESCE(p.duration, unixepoch(p.leave_time) - unixepoch(p.join_time))";

/// "Could not run" reason shared by the operation-log rules.
pub(crate) const NO_OPS: &str =
    "no operation logs in the case (import /report/operationlogs pages or a portal export)";

/// The places (see [`crate::detect::net`]) a user was seen at during one UTC day, by channel:
/// meeting sessions and sign-ins, phones on carriers aside.
#[derive(Debug, Default)]
pub(crate) struct DayPlaces {
    pub meetings: std::collections::BTreeSet<crate::detect::net::Place>,
    pub signins: std::collections::BTreeSet<crate::detect::net::Place>,
}

impl DayPlaces {
    /// The user's day is one dual-stack network: all their meetings that day came from one
    /// IPv4 (or IPv6) network and all their sign-ins from one IPv6 (or IPv4) network, neither
    /// an office, and `a` and `b` are those two. (Sign-ins go over IPv6 while meeting media goes
    /// over IPv4.) Offices are left out (a sign-in at the office before going home says nothing of home).
    pub fn dual_stack(&self, a: crate::detect::net::Place, b: crate::detect::net::Place) -> bool {
        let m: Vec<_> = self.meetings.iter().filter(|p| !p.is_office()).collect();
        let s: Vec<_> = self.signins.iter().filter(|p| !p.is_office()).collect();
        let (&[&m], &[&s]) = (m.as_slice(), s.as_slice()) else {
            return false;
        };
        m.is_v6() != s.is_v6()
            && !m.is_office()
            && !s.is_office()
            && ((a == m && b == s) || (a == s && b == m))
    }
    pub fn len(&self) -> usize {
        self.meetings.union(&self.signins).count()
    }
}

/// Unix seconds as the stored UTC text.
pub(crate) fn ts(t: i64) -> String {
    crate::model::time::fmt_utc(chrono::DateTime::from_timestamp(t, 0).unwrap_or_default())
}

/// Where `email` (snapshot symbol `e`) was during the UTC day starting at `day0`.
pub(crate) fn day_places(
    ctx: &crate::detect::Ctx,
    snap: &crate::detect::Snapshot,
    places: &crate::detect::net::Places,
    email: &str,
    e: crate::detect::snapshot::Sym,
    day0: i64,
) -> anyhow::Result<DayPlaces> {
    let mut d = DayPlaces::default();
    for p in snap.of_email_joined(e, day0, day0 + 86_399) {
        let ip = snap.str(p.ip);
        if !places.mobile(ip)
            && let Some(pl) = places.place(ip)
        {
            d.meetings.insert(pl);
        }
    }
    let mut st = ctx.conn.prepare_cached(
        "SELECT ip_address FROM signins
         WHERE email = ?1 AND time >= ?2 AND time < ?3 AND ip_address <> ''",
    )?;
    let rows = st.query_map(rusqlite::params![email, ts(day0), ts(day0 + 86_400)], |r| {
        r.get::<_, String>(0)
    })?;
    for ip in rows {
        let ip = ip?;
        if !places.mobile(&ip)
            && let Some(pl) = places.place(&ip)
        {
            d.signins.insert(pl);
        }
    }
    Ok(d)
}

/// Numeric version key: "5.16.10 (28573)" → [5, 16, 10, 28573]; empty when not a version.
pub fn version_key(s: &str) -> Vec<u64> {
    let s = s.trim();
    if !s.starts_with(|c: char| c.is_ascii_digit()) {
        return Vec::new();
    }
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .take(4)
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// Whether a meeting topic contains any of the (lowercase) keywords. Keywords of letters only
/// match whole words ("board" matches "Board meeting", not "Onboarding").
pub fn topic_matches(topic: &str, keywords: &[String]) -> bool {
    let t = topic.to_lowercase();
    keywords.iter().any(|k| {
        if k.chars().all(|c| c.is_alphanumeric()) {
            t.split(|c: char| !c.is_alphanumeric()).any(|w| w == k)
        } else {
            t.contains(k.as_str())
        }
    })
}

/// A role that grants administration: any role whose name contains "admin" or "owner"
/// (Admin, Owner, Co-Owner, Billing Admin, custom roles such as "Security Admin").
pub fn is_privileged_role(role: &str) -> bool {
    let r = role.to_lowercase();
    r.contains("admin") || r.contains("owner")
}

fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether a change is about single sign-on / identity federation.
pub fn is_sso_text(s: &str) -> bool {
    let l = s.to_lowercase();
    let w = words(s);
    w.iter()
        .any(|w| matches!(w.as_str(), "sso" | "saml" | "idp" | "oidc"))
        || l.contains("single sign-on")
        || l.contains("single sign on")
        || l.contains("identity provider")
        || l.contains("managed domain")
        || l.contains("associated domain")
}

/// Whether a change is about billing, plans or licences.
pub fn is_billing_text(s: &str) -> bool {
    let w = words(s);
    w.iter().any(|w| {
        matches!(
            w.as_str(),
            "billing"
                | "license"
                | "licence"
                | "licensed"
                | "licenses"
                | "plan"
                | "plans"
                | "subscription"
                | "invoice"
                | "payment"
                | "addon"
        )
    }) || s.to_lowercase().contains("user type")
        || s.to_lowercase().contains("change type")
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Switch {
    On,
    Off,
}

fn switch(v: &str) -> Option<Switch> {
    match v.trim().to_lowercase().as_str() {
        "on" | "true" | "enabled" | "enable" | "yes" | "checked" | "1" => Some(Switch::On),
        "off" | "false" | "disabled" | "disable" | "no" | "unchecked" | "0" => Some(Switch::Off),
        _ => None,
    }
}

/// Settings whose being turned ON weakens security.
const RISKY_WHEN_ON: &[&str] = &[
    "join before host",
    "embed passcode",
    "embed password",
    "removed participants to rejoin",
    "allow participants to join before",
    "anyone can join",
];

/// Settings whose being turned OFF (or lowered) weakens security.
const PROTECTIVE: &[&str] = &[
    "passcode",
    "password",
    "waiting room",
    "security option",
    "two-factor",
    "two factor",
    "2fa",
    "sign users out",
    "sign out",
    "authenticated",
    "authentication",
    "end-to-end",
    "e2ee",
    "encrypt",
    "include at least",
    "uppercase",
    "special character",
    "block users",
    "only allow",
    "approve or block",
    "watermark",
];

/// Whether a setting change weakens security; returns a short description when it does.
///
/// Direction matters: protective settings (passcodes, waiting room, 2FA, automatic sign-out,
/// password rules, authenticated-only join, encryption...) weaken when turned off, risky ones
/// (join before host, passcode embedded in the link, removed participants may rejoin) when
/// turned on; numeric password lengths weaken when lowered and sign-out timeouts when raised.
/// "Allow users to sign in with X" is a sign-in method (its own rule), not a weakening.
pub fn weakening(section: &str, setting: &str, from: &str, to: &str) -> Option<String> {
    let s = setting.to_lowercase();
    let sec = section.to_lowercase();
    let both = format!("{sec} {s}");
    if s.starts_with("allow users to sign in with") {
        return None;
    }
    let desc = || {
        let name = if setting.trim().is_empty() {
            section.trim()
        } else {
            setting.trim()
        };
        if from.trim().is_empty() {
            format!("{name}: → {}", to.trim())
        } else {
            format!("{name}: {} → {}", from.trim(), to.trim())
        }
    };
    let (f, t) = (switch(from), switch(to));
    if RISKY_WHEN_ON.iter().any(|k| both.contains(k)) {
        return (t == Some(Switch::On) && f != Some(Switch::On)).then(desc);
    }
    if PROTECTIVE.iter().any(|k| both.contains(k)) {
        if t == Some(Switch::Off) && f != Some(Switch::Off) {
            return Some(desc());
        }
        if let (Ok(a), Ok(b)) = (from.trim().parse::<f64>(), to.trim().parse::<f64>()) {
            let timeout =
                s.contains("sign out") || s.contains("sign users out") || s.contains("after");
            if (timeout && b > a)
                || (!timeout
                    && (s.contains("length") || s.contains("at least") || s.contains("minimum"))
                    && b < a)
            {
                return Some(desc());
            }
        }
        // "Screen sharing: Host Only → All Participants" style value changes.
        let tl = to.to_lowercase();
        if (s.contains("who can") || s.contains("allow"))
            && (tl.contains("all participants") || tl.contains("anyone"))
        {
            return Some(desc());
        }
    }
    None
}

/// Weakenings that expose meetings to outsiders (subset of [`weakening`]): passcodes, waiting
/// room, the secure-all-meetings switch, authenticated-only join, join before host, E2EE.
/// Account sign-in rules (2FA, sign-out, password complexity) are not meeting exposure.
pub fn exposes_meetings(section: &str, setting: &str) -> bool {
    let both = format!("{} {}", section.to_lowercase(), setting.to_lowercase());
    if both.contains("sign-in password")
        || both.contains("sign in password")
        || both.contains("two-factor")
        || both.contains("sign users out")
        || both.contains("sign out")
    {
        return false;
    }
    [
        "passcode",
        "password",
        "waiting room",
        "security option",
        "authenticated",
        "authentication",
        "join before host",
        "end-to-end",
        "e2ee",
        "removed participants",
        "allow participants to join before",
    ]
    .iter()
    .any(|k| both.contains(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weakening_directions() {
        assert!(
            weakening(
                "Security",
                "Sign in with Two-Factor Authentication",
                "On",
                "Off"
            )
            .is_some()
        );
        assert!(
            weakening(
                "Security",
                "Sign in with Two-Factor Authentication",
                "Off",
                "On"
            )
            .is_none()
        );
        assert!(
            weakening(
                "Meeting",
                "Allow participants to join before host",
                "Off",
                "On"
            )
            .is_some()
        );
        assert!(
            weakening(
                "Meeting",
                "Allow participants to join before host",
                "On",
                "Off"
            )
            .is_none()
        );
        assert!(
            weakening(
                "Sign-In Password Requirement",
                "Have at least specified length of characters",
                "14",
                "8"
            )
            .is_some()
        );
        assert!(
            weakening(
                "Sign-In Password Requirement",
                "Have at least specified length of characters",
                "8",
                "14"
            )
            .is_none()
        );
        assert!(
            weakening(
                "Sign-in Methods",
                "Allow users to sign in with Google",
                "Off",
                "On"
            )
            .is_none()
        );
        assert!(weakening("Account", "Cloud Recording", "ON", "OFF").is_none());
        assert!(
            weakening(
                "Edit Group Sales-EMEA",
                "Personal Meeting ID (PMI) Passcode",
                "On",
                "Off"
            )
            .is_some()
        );
        assert!(weakening("Security", "Waiting Room", "", "Off").is_some());
    }

    #[test]
    fn roles_versions_topics() {
        for r in [
            "Admin",
            "Owner",
            "Co-Owner",
            "Billing Admin",
            "Security Admin",
            "IT administrator",
        ] {
            assert!(is_privileged_role(r), "{r}");
        }
        for r in ["Member", "User", "Basic", ""] {
            assert!(!is_privileged_role(r), "{r}");
        }
        assert!(version_key("5.16.10 (28573)") < version_key("5.17.0"));
        assert!(version_key("6.0.1") > version_key("5.17.0"));
        assert!(version_key("n/a").is_empty());
        let k = vec!["board".to_string(), "m&a".to_string()];
        assert!(topic_matches("Q3 Board meeting", &k));
        assert!(topic_matches("M&A sync", &k));
        assert!(!topic_matches("Onboarding", &k));
        assert!(is_sso_text("SSO  - SAML certificate"));
        assert!(!is_sso_text("Lasso association"));
        assert!(is_billing_text("Change Type: from Basic to Licensed"));
    }
}
