//! The tenant's identity-provider and file-access stream (issue 19), in the vendors' formats:
//! Okta System Log events (`okta.ndjson`), Entra ID sign-ins as Graph pages
//! (`entra_signins.ndjson`), Microsoft 365 unified audit log records (`m365_audit.ndjson`), a
//! DLP export as the generic CSV (`dlp.csv`), and the geolocation of the tenant's networks as a
//! DB-IP-style CSV (`geo/dbip-ranges.csv`, the analyst's offline database).
//!
//! The background follows every Zoom sign-in: Zoom is reached through Okta SSO, so each sign-in
//! has its Okta `user.authentication.sso` from the same address (and the day's first an Okta
//! `user.session.start`, and an Office 365 sign-in in Entra ID); during the day people open,
//! download, sync and share files in SharePoint/OneDrive from where they are, mostly routine;
//! labelled files belong to the departments that work with them (sales and finance open the
//! pricing model most days, HR the salary bands), and anyone now and then looks at one outside
//! their work; admins make group changes in Okta. So offices, homes (dual
//! stack), phones on carriers and travellers behind the VPN appear here as they do in Zoom.
//! One person in ten signs in to Microsoft 365 with a UPN that differs from their Zoom email
//! (`user_aliases` in the tenant's policy).
//!
//! Its random stream is its own (seeded from `--seed`), so the rest of the tenant is unchanged.

use super::Gen;
use crate::model::time::fmt_utc;
use anyhow::Result;
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use serde_json::{Value, json};

/// The files this stream writes (the sink's names).
pub const OKTA: &str = "okta.ndjson";
pub const ENTRA: &str = "entra_signins.ndjson";
pub const M365: &str = "m365_audit.ndjson";
pub const DLP: &str = "dlp.csv";
/// In a folder of its own: it is not evidence, so `import out/*.csv` must not meet it.
pub const GEO: &str = "geo/dbip-ranges.csv";
/// The files `import` takes (the geolocation database is configuration, not evidence).
pub const IMPORTED: &[&str] = &[OKTA, ENTRA, M365, DLP];

/// The domain of the Microsoft 365 tenant's own UPNs.
pub const UPN_DOMAIN: &str = "acmecorp.onmicrosoft.com";

/// Where the VPN's egress geolocates (abroad, as `background.rs` says).
const VPN_GEO: (&str, &str, f64, f64) = ("DE", "Frankfurt am Main", 50.1109, 8.6821);

/// Coordinates of the offices' and homes' towns (`org::SITES`, `HOME_CITY`).
const TOWNS: &[(&str, f64, f64)] = &[
    ("New York", 40.7128, -74.0060),
    ("London", 51.5074, -0.1278),
    ("Singapore", 1.3521, 103.8198),
    ("Brooklyn", 40.6782, -73.9442),
    ("Jersey City", 40.7178, -74.0431),
    ("Hoboken", 40.7440, -74.0324),
    ("Stamford", 41.0534, -73.5387),
    ("Reading", 51.4543, -0.9781),
    ("Croydon", 51.3762, -0.0982),
    ("Brighton", 50.8225, -0.1372),
    ("Watford", 51.6565, -0.3903),
    ("Johor Bahru", 1.4927, 103.7414),
];

/// Addresses the plants of this issue use, with where they are.
pub const PLANT_NYC_HOSTING: &str = "203.0.113.231";
pub const PLANT_SAO_PAULO: &str = "203.0.113.233";
pub const PLANT_MOSCOW: &str = "203.0.113.236";
pub const PLANT_MOSCOW_2: &str = "203.0.113.237";

const ROUTINE_FILES: &[&str] = &[
    "Team standup notes.docx",
    "Q3 OKRs.xlsx",
    "Onboarding checklist.docx",
    "Customer FAQ.pdf",
    "Sprint retro.pptx",
    "Travel policy.pdf",
    "Release checklist.xlsx",
    "Brand guidelines.pdf",
];
/// Labelled files (the label makes them sensitive) and the departments whose work they are.
const LABELLED_FILES: &[(&str, &[&str])] = &[
    ("Pricing model.xlsx", &["Sales", "Sales-EMEA", "Finance"]),
    (
        "Customer contracts summary.xlsx",
        &["Sales", "Sales-EMEA", "Finance", "Legal", "Support"],
    ),
    ("Salary bands.xlsx", &["HR", "Finance"]),
    ("Product roadmap.pptx", &["Engineering", "Marketing"]),
];
/// Of a person's file events, the share on the labelled files of their own work (when they
/// have any), and the share on a labelled file outside it (a look at a deck passed around).
const OWN_LABELLED: f64 = 0.25;
const OTHER_LABELLED: f64 = 0.01;

impl Gen<'_> {
    fn by(&mut self) -> &mut rand_chacha::ChaCha8Rng {
        &mut self.beyond_rng
    }

    /// The name a person has in Microsoft 365: their email, or for one in ten a UPN.
    pub fn upn(&self, p: usize) -> String {
        let pe = &self.org.people[p];
        if p % 10 == 3 {
            // Initial, surname and the directory's number: unique, as a tenant's UPNs are.
            format!(
                "{}{}{p}@{UPN_DOMAIN}",
                pe.first.to_lowercase().chars().next().unwrap_or('x'),
                pe.last.to_lowercase().replace([' ', '\''], "")
            )
        } else {
            pe.email.clone()
        }
    }

    /// Okta follows a Zoom sign-in (the hook in `Gen::signin`): Zoom is reached through SSO.
    pub(super) fn beyond_signin(
        &mut self,
        p: usize,
        t: DateTime<Utc>,
        ip: &str,
        dev: usize,
    ) -> Result<()> {
        let phone =
            dev + 1 == self.org.people[p].devices.len() && self.org.people[p].devices.len() > 1;
        let first_today = self.beyond_day.get(p).copied() != Some(self.day + 1);
        if self.beyond_day.len() <= p {
            self.beyond_day.resize(p + 1, 0);
        }
        self.beyond_day[p] = self.day + 1;
        let ua = if phone {
            "Okta Verify/9.20.0 (iPhone; iOS 17.5)"
        } else {
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"
        };
        if first_today {
            let lead = self.by().random_range(20..120);
            self.okta(
                p,
                t - Duration::seconds(lead),
                "user.session.start",
                ip,
                ua,
                None,
                true,
            )?;
        }
        self.okta(
            p,
            t - Duration::seconds(3),
            "user.authentication.sso",
            ip,
            ua,
            Some("Zoom"),
            true,
        )?;
        Ok(())
    }

    /// The working day in Microsoft 365 after the day's main sign-in (`background_day`), from
    /// where the person works that day: an Office 365 sign-in, files, and for admins now and
    /// then a group change in Okta.
    pub(super) fn beyond_workday(&mut self, p: usize, t: DateTime<Utc>, ip: &str) -> Result<()> {
        let after = self.by().random_range(60..900);
        self.entra(
            p,
            t + Duration::seconds(after),
            ip,
            "Office 365 Exchange Online",
            true,
        )?;
        self.files_day(p, t + Duration::seconds(after + 60), ip)?;
        if self.org.admins.contains(&p) && self.by().random_bool(0.2) {
            let n = self.org.people.len();
            let k = self.by().random_range(0..n);
            let target = self.org.people[k].email.clone();
            let at = t + Duration::seconds(self.by().random_range(1800..5 * 3600));
            self.okta_admin(p, at, "group.user_membership.add", ip, &target)?;
        }
        Ok(())
    }

    /// A working day's files, from where the person signed in.
    fn files_day(&mut self, p: usize, from: DateTime<Utc>, ip: &str) -> Result<()> {
        let n = self.by().random_range(0..5);
        let mut t = from;
        for _ in 0..n {
            t += Duration::seconds(self.by().random_range(600..2 * 3600));
            let own = self.own_labelled(p);
            let labelled;
            let (file, label) = if !own.is_empty() && self.by().random_bool(OWN_LABELLED) {
                labelled = true;
                (own[self.by().random_range(0..own.len())], "Confidential")
            } else if self.by().random_bool(OTHER_LABELLED) {
                labelled = true;
                let f = LABELLED_FILES[self.by().random_range(0..LABELLED_FILES.len())].0;
                (f, "Confidential")
            } else {
                labelled = false;
                let f = ROUTINE_FILES[self.by().random_range(0..ROUTINE_FILES.len())];
                (f, "General")
            };
            let r: f64 = self.by().random();
            let op = if r < 0.6 {
                "FileAccessed"
            } else if r < 0.8 {
                "FileDownloaded"
            } else if r < 0.9 {
                "FileSyncDownloadedFull"
            } else {
                "SharingSet"
            };
            let colleague = if op == "SharingSet" {
                let team = self.org.people[p].team;
                let n = self.org.teams[team].members.len();
                let i = self.by().random_range(0..n);
                let m = self.org.teams[team].members[i];
                Some(self.org.people[m].email.clone())
            } else {
                None
            };
            self.m365(p, t, op, ip, file, label, colleague.as_deref())?;
            // The DLP agent reports downloads of labelled files too.
            if labelled && op == "FileDownloaded" {
                self.dlp(p, t, "download", file, label, ip)?;
            }
        }
        Ok(())
    }

    /// The labelled files of a person's work: those of their department, each for about
    /// three in five of its people (not everyone in sales prices deals).
    fn own_labelled(&self, p: usize) -> Vec<&'static str> {
        let dept = self.org.people[p].dept;
        LABELLED_FILES
            .iter()
            .enumerate()
            .filter(|(k, (_, depts))| depts.contains(&dept) && (p * 7 + k * 3) % 5 < 3)
            .map(|(_, (f, _))| *f)
            .collect()
    }

    /// An Okta System Log event of a person's own session.
    #[allow(clippy::too_many_arguments)]
    pub fn okta(
        &mut self,
        p: usize,
        t: DateTime<Utc>,
        event_type: &str,
        ip: &str,
        ua: &str,
        app: Option<&str>,
        success: bool,
    ) -> Result<()> {
        let uuid = self.beyond_id("okta");
        let pe = &self.org.people[p];
        let target = app.map(|a| {
            json!([{"id": "0oa1zoomapp00000x0g7", "type": "AppInstance", "alternateId": a, "displayName": a, "detailEntry": null}])
        });
        let ev = json!({
            "actor": {"id": format!("00u{:017x}", p), "type": "User", "alternateId": pe.email, "displayName": pe.name(), "detailEntry": null},
            "client": {"userAgent": {"rawUserAgent": ua, "os": if ua.contains("iPhone") {"iOS"} else {"Mac OS X"}, "browser": if ua.contains("iPhone") {"UNKNOWN"} else {"SAFARI"}}, "zone": "null", "device": if ua.contains("iPhone") {"Mobile"} else {"Computer"}, "id": null, "ipAddress": ip, "geographicalContext": null},
            "authenticationContext": {"externalSessionId": format!("102{}", &uuid[..20])},
            "displayMessage": if event_type == "user.session.start" {"User login to Okta"} else {"User single sign on to app"},
            "eventType": event_type,
            "outcome": {"result": if success {"SUCCESS"} else {"FAILURE"}, "reason": if success {Value::Null} else {json!("INVALID_CREDENTIALS")}},
            "published": okta_time(t),
            "severity": "INFO",
            "legacyEventType": if event_type == "user.session.start" {"core.user_auth.login_success"} else {"app.auth.sso"},
            "transaction": {"type": "WEB", "id": &uuid[..27], "detail": {}},
            "uuid": uuid,
            "version": "0",
            "target": target,
        });
        self.sink.beyond(OKTA, ev.to_string())
    }

    /// An Okta admin action (a group change) by `p` from `ip`.
    pub fn okta_admin(
        &mut self,
        p: usize,
        t: DateTime<Utc>,
        event_type: &str,
        ip: &str,
        target: &str,
    ) -> Result<()> {
        let uuid = self.beyond_id("okta");
        let pe = &self.org.people[p];
        let ev = json!({
            "actor": {"id": format!("00u{:017x}", p), "type": "User", "alternateId": pe.email, "displayName": pe.name()},
            "client": {"userAgent": {"rawUserAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", "os": "Mac OS X", "browser": "SAFARI"}, "device": "Computer", "ipAddress": ip},
            "displayMessage": "Add user to group membership",
            "eventType": event_type,
            "outcome": {"result": "SUCCESS", "reason": null},
            "published": okta_time(t),
            "severity": "INFO",
            "uuid": uuid,
            "version": "0",
            "target": [
                {"id": "00ug0admins00000x0g7", "type": "UserGroup", "alternateId": "unknown", "displayName": "Zoom Admins"},
                {"id": "00u0target000000x0g7", "type": "User", "alternateId": target, "displayName": target}
            ],
        });
        self.sink.beyond(OKTA, ev.to_string())
    }

    /// An Entra ID sign-in (Graph signIn resource).
    pub fn entra(
        &mut self,
        p: usize,
        t: DateTime<Utc>,
        ip: &str,
        app: &str,
        success: bool,
    ) -> Result<()> {
        let id = self.beyond_id("entra");
        let corr = self.beyond_id("corr");
        let pe = &self.org.people[p];
        let v = json!({
            "id": id,
            "createdDateTime": fmt_utc(t),
            "userDisplayName": pe.name(),
            "userPrincipalName": self.upn(p),
            "userId": format!("{:08x}-2c1b-422c-98fd-{:012x}", p, p),
            "appId": "00000002-0000-0ff1-ce00-000000000000",
            "appDisplayName": app,
            "ipAddress": ip,
            "clientAppUsed": "Browser",
            "correlationId": corr,
            "conditionalAccessStatus": "success",
            "isInteractive": true,
            "riskDetail": "none",
            "riskLevelAggregated": "none",
            "riskLevelDuringSignIn": "none",
            "riskState": "none",
            "resourceDisplayName": app,
            "status": {"errorCode": if success {0} else {50126}, "failureReason": if success {"Other."} else {"Error validating credentials due to invalid username or password."}, "additionalDetails": null},
            "deviceDetail": {"deviceId": "", "displayName": "", "operatingSystem": "MacOs", "browser": "Safari 17.5", "isCompliant": true, "isManaged": true, "trustType": "Azure AD joined"},
            "location": {"city": null, "state": null, "countryOrRegion": null, "geoCoordinates": null},
        });
        self.sink.beyond(ENTRA, v.to_string())
    }

    /// A SharePoint/OneDrive record of the unified audit log.
    #[allow(clippy::too_many_arguments)]
    pub fn m365(
        &mut self,
        p: usize,
        t: DateTime<Utc>,
        op: &str,
        ip: &str,
        file: &str,
        label: &str,
        shared_with: Option<&str>,
    ) -> Result<()> {
        let upn = self.upn(p);
        let site = upn.replace(['@', '.'], "_");
        let id = self.beyond_id("ual");
        let mut v = json!({
            "CreationTime": t.format("%Y-%m-%dT%H:%M:%S").to_string(),
            "Id": id,
            "Operation": op,
            "OrganizationId": "b8c1e3a2-0f4d-4c5b-9a7e-2d1f0e3c4b5a",
            "RecordType": if op == "SharingSet" {14} else {6},
            "UserKey": format!("i:0h.f|membership|{:016x}@live.com", p),
            "UserType": 0,
            "Version": 1,
            "Workload": "OneDrive",
            "ClientIP": ip,
            "ObjectId": format!("https://acmecorp-my.sharepoint.com/personal/{site}/Documents/{file}"),
            "UserId": upn,
            "EventSource": "SharePoint",
            "ItemType": "File",
            "SourceFileName": file,
            "SourceFileExtension": file.rsplit('.').next().unwrap_or(""),
            "SourceRelativeUrl": "Documents",
            "SiteUrl": format!("https://acmecorp-my.sharepoint.com/personal/{site}/"),
            "UserAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
            "SensitivityLabelEventData": {"SensitivityLabelName": label},
        });
        if let Some(w) = shared_with {
            v["TargetUserOrGroupType"] = json!("Member");
            v["TargetUserOrGroupName"] = json!(w);
            v["EventData"] = json!("<PermissionsGranted>Read</PermissionsGranted>");
        }
        self.sink.beyond(M365, v.to_string())
    }

    /// A DLP/CASB row of the generic CSV.
    pub fn dlp(
        &mut self,
        p: usize,
        t: DateTime<Utc>,
        action: &str,
        resource: &str,
        label: &str,
        ip: &str,
    ) -> Result<()> {
        let email = self.org.people[p].email.clone();
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        w.write_record([
            fmt_utc(t).as_str(),
            &email,
            action,
            resource,
            label,
            ip,
            "Netskope",
        ])?;
        let line = String::from_utf8(w.into_inner()?)?;
        self.sink.beyond(DLP, line.trim_end().to_string())
    }

    /// A deterministic id for a record of `kind` (UUID-shaped).
    fn beyond_id(&mut self, kind: &str) -> String {
        self.beyond_seq += 1;
        let h = crate::util::sha256_hex(
            format!("{}:{kind}:{}", self.cfg.seed, self.beyond_seq).as_bytes(),
        );
        format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }

    /// The tenant's networks and where they are, as the analyst's geolocation database.
    pub(super) fn beyond_geo(&mut self) -> Result<()> {
        let mut rows: Vec<String> = Vec::new();
        let town = |name: &str| TOWNS.iter().find(|t| t.0 == name).map(|t| (t.1, t.2));
        let row = |start: &str, end: &str, cc: &str, city: &str, (lat, lon): (f64, f64)| {
            format!("{start},{end},{},{cc},,{city},{lat},{lon}", continent(cc))
        };
        for (k, site) in super::org::SITES.iter().enumerate() {
            let Some(loc) = crate::detect::geo::from_zoom_location(site.1) else {
                continue;
            };
            let city = loc.city.clone().unwrap_or_default();
            let Some(c) = town(&city) else { continue };
            rows.push(row(site.2, site.2, &loc.country, &city, c));
            let v6 = super::background::office_v6_prefix(k);
            rows.push(row(
                &format!("{v6}::"),
                &format!("{v6}:ffff:ffff:ffff:ffff"),
                &loc.country,
                &city,
                c,
            ));
        }
        for pe in &self.org.people {
            let Some(mut loc) = crate::detect::geo::from_zoom_location(&pe.home_loc) else {
                continue;
            };
            // A home is near its person's office (a persona moved to another site keeps the
            // home town it was drawn with; the network is where the office is).
            let office = crate::detect::geo::from_zoom_location(pe.office_loc());
            if let Some(o) = office.filter(|o| o.country != loc.country) {
                loc = o;
            }
            let city = loc.city.clone().unwrap_or_default();
            let Some(c) = town(&city) else { continue };
            let mut ips = vec![pe.home_ip.clone()];
            ips.extend(pe.habits.home_v4.clone());
            ips.extend(pe.habits.renumbered.as_ref().map(|r| r.1.clone()));
            for ip in ips {
                if ip.contains(':') {
                    let prefix: Vec<&str> = ip.split(':').take(4).collect();
                    let p = prefix.join(":");
                    rows.push(row(
                        &format!("{p}::"),
                        &format!("{p}:ffff:ffff:ffff:ffff"),
                        &loc.country,
                        &city,
                        c,
                    ));
                } else {
                    rows.push(row(&ip, &ip, &loc.country, &city, c));
                }
            }
        }
        let vpn = super::background::VPN_RANGE.trim_end_matches("0/24");
        rows.push(row(
            &format!("{vpn}0"),
            &format!("{vpn}255"),
            VPN_GEO.0,
            VPN_GEO.1,
            (VPN_GEO.2, VPN_GEO.3),
        ));
        rows.push(row(
            PLANT_NYC_HOSTING,
            PLANT_NYC_HOSTING,
            "US",
            "New York",
            (40.7306, -73.9352),
        ));
        rows.push(row(
            PLANT_SAO_PAULO,
            PLANT_SAO_PAULO,
            "BR",
            "Sao Paulo",
            (-23.5475, -46.6361),
        ));
        rows.push(row(
            PLANT_MOSCOW,
            PLANT_MOSCOW_2,
            "RU",
            "Moscow",
            (55.7522, 37.6156),
        ));
        rows.sort();
        rows.dedup();
        for r in rows {
            self.sink.beyond(GEO, r)?;
        }
        Ok(())
    }
}

fn continent(cc: &str) -> &'static str {
    match cc {
        "US" | "CA" => "NA",
        "BR" => "SA",
        "SG" | "MY" => "AS",
        _ => "EU",
    }
}

/// Okta's `published`: milliseconds and Z.
fn okta_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}
