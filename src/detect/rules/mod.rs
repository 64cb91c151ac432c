//! The rule catalogue (one file per rule, named after its id) and the classification helpers
//! the rules share: which setting change weakens security, which role is privileged, version
//! ordering, topic keywords.

use super::{Param, Rule, Severity, Source};

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
// issue 19: identity-provider and file-access events, geolocation.
pub mod data_access_after_external_meeting;
pub mod idp_parallel_session;
pub mod impossible_travel;
pub mod rogue_country;

/// The catalogue: every rule's identity, in one table, in the order findings are listed.
static RULES: &[Rule] = &[
    Rule {
        id: "security-setting-disabled",
        title: "Security setting turned off or weakened",
        question: "Did an admin turn off or weaken a security setting (passcodes, waiting room, 2FA, sign-out, password rules, encryption)?",
        severity: Severity::High,
        technique: Some("T1562.001"),
        needs: &[Source::Operations],
        uses_snapshot: false,
        params: &[],
        run: security_setting_disabled::run,
    },
    Rule {
        id: "sign-in-method-enabled",
        title: "Sign-in method enabled",
        question: "Did an admin switch on a new way to sign in to the account?",
        severity: Severity::Medium,
        technique: Some("T1556"),
        needs: &[Source::Operations],
        uses_snapshot: false,
        params: &[],
        run: sign_in_method_enabled::run,
    },
    Rule {
        id: "privileged-role-granted",
        title: "Privileged role granted",
        question: "Was someone given a role that administers the account?",
        severity: Severity::High,
        technique: Some("T1098.003"),
        needs: &[Source::Operations],
        uses_snapshot: false,
        params: &[],
        run: privileged_role_granted::run,
    },
    Rule {
        id: "user-created",
        title: "User account created",
        question: "Was a user account added (context for what the new account does next)?",
        severity: Severity::Info,
        technique: Some("T1136.003"),
        needs: &[Source::Operations, Source::Webhooks],
        uses_snapshot: false,
        params: &[],
        run: user_created::run,
    },
    Rule {
        id: "sso-config-changed",
        title: "SSO configuration changed",
        question: "Did anyone change single sign-on or identity federation (whoever controls it controls every sign-in)?",
        severity: Severity::High,
        technique: Some("T1484.002"),
        needs: &[Source::Operations],
        uses_snapshot: false,
        params: &[],
        run: sso_config_changed::run,
    },
    Rule {
        id: "billing-or-license-changed",
        title: "Billing or licence changed",
        question: "Did an admin change the account's billing, plan or a user's licence?",
        severity: Severity::Low,
        technique: None,
        needs: &[Source::Operations],
        uses_snapshot: false,
        params: &[],
        run: billing_or_license_changed::run,
    },
    Rule {
        id: "recording-deleted",
        title: "Recording deleted or trashed",
        question: "Was a cloud recording deleted or moved to the trash, and by whom?",
        severity: Severity::Medium,
        technique: Some("T1485"),
        needs: &[Source::Recordings, Source::Operations, Source::Webhooks],
        uses_snapshot: false,
        params: &[Param::new(
            "routine_age_days",
            21.0,
            "a host removing their own recording at least this old is housekeeping (info)",
        )],
        run: recording_deleted::run,
    },
    Rule {
        id: "recording-download-by-non-participant",
        title: "Recording downloaded or watched by someone who was not in the meeting",
        question: "Did someone download or watch a recording of a meeting they neither hosted nor attended?",
        severity: Severity::High,
        technique: Some("T1530"),
        needs: &[Source::Operations, Source::Participants, Source::Meetings],
        uses_snapshot: true,
        params: &[],
        run: recording_download_by_non_participant::run,
    },
    Rule {
        id: "weakened-then-exposed",
        title: "Meeting protection weakened, then an outsider joined",
        question: "After an admin weakened a security setting, did an outsider join a meeting it exposed before it was restored?",
        severity: Severity::High,
        technique: Some("T1562.001"),
        needs: &[Source::Operations, Source::Participants, Source::Users],
        uses_snapshot: true,
        params: &[
            Param::new(
                "window_hours",
                24.0,
                "how long after the weakening an outsider's join counts",
            ),
            Param::new(
                "meeting_settings_only",
                0.0,
                "1: only meeting protections (passcode, waiting room...) count",
            ),
        ],
        run: weakened_then_exposed::run,
    },
    Rule {
        id: "new-admin-activity",
        title: "New admin changed settings soon after the grant",
        question: "Did someone just made an admin start changing settings or users right away?",
        severity: Severity::High,
        technique: Some("T1078.004"),
        needs: &[Source::Operations],
        uses_snapshot: false,
        params: &[Param::new(
            "window_hours",
            24.0,
            "how soon after the grant the new admin's changes count",
        )],
        run: new_admin_activity::run,
    },
    Rule {
        id: "signin-new-ip",
        title: "Sign-in from a new IP address",
        question: "Did someone sign in from a network never seen for them before, after enough sign-ins to know their usual places?",
        severity: Severity::Medium,
        technique: Some("T1078"),
        needs: &[Source::SignIns],
        uses_snapshot: true,
        params: &[Param::new(
            "baseline",
            3.0,
            "earlier sign-ins (with an IP) a user needs before an IP can be new",
        )],
        run: signin_new_ip::run,
    },
    Rule {
        id: "outdated-client",
        title: "Outdated Zoom client",
        question: "Is someone's most recent Zoom client older than the configured minimum version?",
        severity: Severity::Low,
        technique: Some("T1203"),
        needs: &[Source::SignIns, Source::Dashboard, Source::Users],
        uses_snapshot: true,
        params: &[],
        run: outdated_client::run,
    },
    Rule {
        id: "parallel-session",
        title: "Sign-in from another place during the user's meeting",
        question: "Did someone sign in from one place while their account sat in a meeting from another?",
        severity: Severity::High,
        technique: Some("T1550.004"),
        needs: &[Source::SignIns, Source::Dashboard],
        uses_snapshot: true,
        params: &[
            Param::new(
                "require_unseen_ip",
                0.0,
                "1: the sign-in's network must be new for the user; 0: any other place",
            ),
            Param::new(
                "max_session_hours",
                24.0,
                "longest meeting session considered (bounds the search)",
            ),
        ],
        run: parallel_session::run,
    },
    Rule {
        id: "external-in-sensitive-meeting",
        title: "Outsider in a sensitive meeting",
        question: "Does an outsider keep attending meetings whose topic is sensitive?",
        severity: Severity::High,
        technique: Some("T1213"),
        needs: &[Source::Meetings, Source::Participants, Source::Users],
        uses_snapshot: false,
        params: &[
            Param::new(
                "min_repeats",
                4.0,
                "sensitive instances one external attended before it is reported (seed: > 3)",
            ),
            Param::new(
                "flag_guests",
                0.0,
                "1: report sensitive instances attended by participants without an email",
            ),
        ],
        run: external_in_sensitive_meeting::run,
    },
    Rule {
        id: "direct-link-join",
        title: "Joined a registration meeting without registering",
        question: "In a meeting others reached through registration, did an outsider join without registering (with the bare link)?",
        severity: Severity::Medium,
        technique: None,
        needs: &[Source::Participants, Source::Users],
        uses_snapshot: false,
        params: &[
            Param::new(
                "min_registered",
                1.0,
                "registered sessions an instance needs before unregistered joins count",
            ),
            Param::new(
                "include_internal",
                0.0,
                "1: also report internal users who joined without registering",
            ),
        ],
        run: direct_link_join::run,
    },
    Rule {
        id: "display-name-impersonation",
        title: "Display name impersonating an internal person or VIP",
        question: "Did someone join under an internal person's or a VIP's name without being them?",
        severity: Severity::High,
        technique: Some("T1656"),
        needs: &[Source::Participants, Source::Users, Source::Vips],
        uses_snapshot: true,
        params: &[Param::new(
            "max_edits",
            1.0,
            "typing edits (Damerau-Levenshtein) at which a name counts as a VIP's",
        )],
        run: display_name_impersonation::run,
    },
    Rule {
        id: "join-after-departure",
        title: "Activity after the person left the company",
        question: "Did someone on the HR departures list join a meeting or sign in after they left?",
        severity: Severity::High,
        technique: Some("T1078"),
        needs: &[Source::Departures, Source::Participants, Source::SignIns],
        uses_snapshot: true,
        params: &[Param::new(
            "grace_hours",
            0.0,
            "slack after the departure before activity counts",
        )],
        run: join_after_departure::run,
    },
    Rule {
        id: "join-burst-multiple-ips",
        title: "Burst of outsiders from many IPs joining one meeting",
        question: "Did outsiders from many different IPs pour into one meeting within minutes (a leaked or posted link)?",
        severity: Severity::High,
        technique: None,
        needs: &[Source::Dashboard, Source::Users, Source::Webhooks],
        uses_snapshot: false,
        params: &[
            Param::new("min_ips", 5.0, "distinct outsider IPs within the window"),
            Param::new("window_minutes", 5.0, "length of the burst window"),
        ],
        run: join_burst_multiple_ips::run,
    },
    Rule {
        id: "brief-join",
        title: "Outsider in a meeting for only a few minutes",
        question: "Was an outsider in a meeting only long enough to glance at it?",
        severity: Severity::Low,
        technique: None,
        needs: &[Source::Participants, Source::Users],
        uses_snapshot: false,
        params: &[Param::new(
            "max_minutes",
            5.0,
            "total presence below this is brief",
        )],
        run: brief_join::run,
    },
    Rule {
        id: "unexpected-ip-recurring-meeting",
        title: "Regular attendee of a recurring meeting joined from an unexpected IP",
        question: "Did a regular of a recurring meeting suddenly attend from a network never seen for them?",
        severity: Severity::Medium,
        technique: Some("T1078"),
        needs: &[Source::Meetings, Source::Dashboard, Source::Users],
        uses_snapshot: true,
        params: &[
            Param::new(
                "min_instances",
                4.0,
                "instances a meeting id needs to count as a recurring series",
            ),
            Param::new(
                "baseline",
                3.0,
                "earlier instances the attendee must have attended",
            ),
            Param::new(
                "include_internal",
                1.0,
                "1: judge internal attendees too; 0: outsiders only",
            ),
        ],
        run: unexpected_ip_recurring_meeting::run,
    },
    Rule {
        id: "unknown-device-vip-meeting",
        title: "Unknown device in a VIP's meeting",
        question: "Did an account join a VIP's meeting from a device that is not theirs?",
        severity: Severity::High,
        technique: Some("T1078"),
        needs: &[Source::Vips, Source::Dashboard, Source::Assets],
        uses_snapshot: false,
        params: &[Param::new(
            "baseline",
            3.0,
            "without an inventory: earlier sessions with device data a user needs",
        )],
        run: unknown_device_vip_meeting::run,
    },
    Rule {
        id: "silent-presence",
        title: "Silent in many small meetings with unrelated hosts",
        question: "Does an identity sit silently in many small meetings of hosts it has no other tie to?",
        severity: Severity::Low,
        technique: Some("T1125"),
        needs: &[Source::Dashboard, Source::Users],
        uses_snapshot: true,
        params: &[
            Param::new(
                "include_internal",
                1.0,
                "1: judge account users too; 0: outsiders only",
            ),
            Param::new(
                "min_meetings",
                20.0,
                "instances attended (more than this) within the window",
            ),
            Param::new("window_days", 30.0, "sliding window length"),
            Param::new(
                "max_audience",
                15.0,
                "larger instances are audiences, where silence is normal",
            ),
            Param::new(
                "max_with_host",
                2.0,
                "small meetings shared with the host at which a presence is unexplained",
            ),
        ],
        run: silent_presence::run,
    },
    Rule {
        id: "shared-ip-many-names",
        title: "One IP behind many outsider names",
        question: "Did many different outsider identities join from one IP that no one internal uses?",
        severity: Severity::Medium,
        technique: Some("T1036"),
        needs: &[Source::Dashboard, Source::Users],
        uses_snapshot: false,
        params: &[Param::new(
            "min_names",
            4.0,
            "distinct outsider identities on one IP",
        )],
        run: shared_ip_many_names::run,
    },
    Rule {
        id: "guest-screen-share",
        title: "Guest shared their screen",
        question: "Did a participant with no account identity share their screen or an application?",
        severity: Severity::Medium,
        technique: Some("T1204"),
        needs: &[Source::Dashboard],
        uses_snapshot: false,
        params: &[],
        run: guest_screen_share::run,
    },
    Rule {
        id: "source-silent",
        title: "Log source silent while others were active",
        question: "Did a log source go quiet while the others kept logging (a collector stopped, or someone stopped it)?",
        severity: Severity::Medium,
        technique: Some("T1562.008"),
        needs: &[
            Source::SignIns,
            Source::Operations,
            Source::Participants,
            Source::Coverage,
        ],
        uses_snapshot: false,
        params: &[
            Param::new("max_gap_hours", 24.0, "silence longer than this is a gap"),
            Param::new(
                "min_other_events",
                20.0,
                "events other sources must have during the gap",
            ),
        ],
        run: source_silent::run,
    },
    Rule {
        id: "idp-parallel-session",
        title: "Identity-provider session from another network acts during the user's meeting",
        question: "While someone sat in a Zoom meeting, did an identity-provider session of theirs from another network perform an admin action or touch sensitive data?",
        severity: Severity::High,
        technique: Some("T1550.004"),
        needs: &[Source::Dashboard],
        uses_snapshot: true,
        params: &[Param::new(
            "max_session_hours",
            24.0,
            "longest meeting session considered (bounds the search)",
        )],
        run: idp_parallel_session::run,
    },
    Rule {
        id: "data-access-after-external-meeting",
        title: "Sensitive data accessed or shared right after a meeting with outsiders",
        question: "Did the host of a meeting with outsiders access, download or share sensitive data soon after it ended?",
        severity: Severity::High,
        technique: Some("T1530"),
        needs: &[Source::Meetings, Source::Participants],
        uses_snapshot: false,
        params: &[
            Param::new(
                "window_minutes",
                30.0,
                "minutes after the meeting's end in which an access counts",
            ),
            Param::new(
                "include_participants",
                0.0,
                "1: internal participants count too, not only the host",
            ),
            Param::new(
                "include_partners",
                0.0,
                "1: people of known_partner_domains make a meeting external",
            ),
            Param::new(
                "routine_days",
                3.0,
                "a file the person touched on this many other days is routine (a share outside still counts)",
            ),
            Param::new(
                "baseline_days",
                30.0,
                "days either side of the meeting in which routine use is counted",
            ),
            Param::new(
                "peer_people",
                3.0,
                "a download of a file this many colleagues of the person's department touched is low",
            ),
        ],
        run: data_access_after_external_meeting::run,
    },
    Rule {
        id: "impossible-travel",
        title: "Impossible travel between two activities of one person",
        question: "Was one person active from two places too far apart to travel between in the time that passed?",
        severity: Severity::High,
        technique: Some("T1078"),
        needs: &[Source::SignIns],
        uses_snapshot: true,
        params: &[
            Param::new(
                "max_speed_kmh",
                900.0,
                "faster than this between two places is impossible",
            ),
            Param::new("min_km", 500.0, "shorter jumps are geolocation noise"),
        ],
        run: impossible_travel::run,
    },
    Rule {
        id: "rogue-country",
        title: "Sign-in from a country on the rogue list",
        question: "Did someone sign in, to Zoom or the identity provider, from a country the organisation lists as rogue?",
        severity: Severity::Medium,
        technique: Some("T1078"),
        needs: &[Source::SignIns],
        uses_snapshot: false,
        params: &[],
        run: rogue_country::run,
    },
    Rule {
    id: "remote-control-of-privileged-user",
    title: "Outsider took remote control of a VIP's or admin's machine",
    question: "Did someone outside the organisation take remote control of a VIP's or an admin's machine?",
    severity: Severity::High,
    technique: // Remote Access Software.
        Some("T1219"),
    needs: &[Source::RemoteSupport, Source::Users, Source::Vips],
    uses_snapshot: false,
    params: &[],
        run: remote_control_of_privileged_user::run,
    },
];

/// Every rule, in catalogue order.
pub fn registry() -> &'static [Rule] {
    RULES
}

/// Seconds a participant session lasted (`p` is the participants alias).
pub(crate) const DUR: &str =
    "COALESCE(p.duration, unixepoch(p.leave_time) - unixepoch(p.join_time))";

/// "Could not run" reason shared by the operation-log rules.
pub(crate) const NO_OPS: &str =
    "no operation logs in the case (import /report/operationlogs pages or a portal export)";

/// One admin operation an operation-log rule reports, with its matching changes described.
pub(crate) struct OpHit {
    pub operator: String,
    pub section: Option<String>,
    pub target: Option<String>,
    /// One description per matching change, in detail order.
    pub changes: Vec<String>,
}

/// How an operation-log rule words its finding.
pub(crate) struct OpWords {
    pub summary: String,
    pub facts: Vec<String>,
    pub target: String,
}

/// "setting: from → to" of an `op_changes` row `c` (SQL).
pub(crate) const CHANGE_TEXT: &str = "coalesce(c.setting, c.section) ||
    CASE WHEN c.to_value IS NOT NULL THEN ': ' || coalesce(c.from_value, '') || ' → ' || c.to_value ELSE '' END";

/// The loop the per-operation rules share: one finding per operation with a change `c`
/// (`op_changes`) of operation `o` matching `filter`, each change described by the SQL
/// `describe`. The admin who made it is the actor and the person pivoted to; `words` says the
/// rest. Both SQL fragments are the rule's own text, never data.
pub(crate) fn per_operation(
    ctx: &crate::detect::Ctx,
    describe: &str,
    filter: &str,
    words: impl Fn(&OpHit) -> OpWords,
) -> anyhow::Result<crate::detect::RuleOutcome> {
    use crate::detect::{Finding, RuleOutcome};
    if !ctx.any("SELECT 1 FROM operations")? {
        return Ok(RuleOutcome::CouldNotRun(NO_OPS.into()));
    }
    let mut st = ctx.conn.prepare(&format!(
        "SELECT o.id, o.time, o.operator, max(c.section), max(c.target), group_concat(c.id),
                group_concat({describe}, char(31))
         FROM op_changes c JOIN operations o ON o.id = c.operation_id
         WHERE {filter}
         GROUP BY o.id ORDER BY o.time"
    ))?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(5)?,
            OpHit {
                operator: r.get(2)?,
                section: r.get(3)?,
                target: r.get(4)?,
                changes: r
                    .get::<_, Option<String>>(6)?
                    .unwrap_or_default()
                    .split('\u{1f}')
                    .filter(|w| !w.is_empty())
                    .map(str::to_string)
                    .collect(),
            },
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (oid, time, cids, hit) = row?;
        let w = words(&hit);
        let mut f = Finding::new(format!("op:{oid}"), time, w.summary);
        f.fact(format!("changed by the admin {}", hit.operator));
        for fact in w.facts {
            f.fact(fact);
        }
        f.user = Some(hit.operator.clone());
        f.actor = Some(hit.operator);
        f.target = Some(w.target);
        f.ev("operations", oid);
        f.evidence_csv("op_changes", cids.as_deref());
        out.push(f);
    }
    Ok(RuleOutcome::Findings(out))
}

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
