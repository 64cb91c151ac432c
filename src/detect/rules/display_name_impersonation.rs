//! `display-name-impersonation`: a participant whose display name is an internal person's or a
//! VIP's name while the email is blank, external, or another person's — the deepfake-CFO case.
//!
//! Names are compared after normalisation (case, accents and look-alike letters, digits used as
//! letters, punctuation and spacing): exactly for any internal user, and for VIPs also within
//! `max_edits` typing edits (default 1: "Jon Chen" for "John Chen", but not "Carl
//! Chan" for "Carol Chen", a different person two edits away) or with every word of the VIP's
//! name present ("Carol Chen (CFO)", "Chen Carol"). Not reported: the session's IP or device
//! was seen in an authenticated session of the real person (their own phone joining as a
//! guest), or the email belongs to a directory user whose own name it is (two people can share
//! a name); a guest on a mobile carrier's address (`mobile_ip_ranges`) in a meeting series the
//! real person, or an employee of the very same name, attends (their personal phone, not
//! signed in). A name that is not a VIP's asks
//! for more before it is reported: not a guest on a carrier address (someone's own phone), not
//! an outsider whose own email spells the name (a namesake with an identity of their own:
//! maria.garcia77@gmail.com called "Maria Garcia"), and someone in the meeting who has sat in a
//! small meeting (at most 15 people) with the real person (a namesake among strangers fools
//! no one).
//!
//! Only distinct names are compared (names, not sessions); the sessions bearing a matching name
//! come from the session snapshot.

use crate::detect::snapshot::Sym;
use crate::detect::{Ctx, Finding, RuleOutcome, Severity, Snapshot};
use anyhow::Result;
use std::collections::HashMap;

/// Normalise a display name for comparison: lowercase, look-alike characters folded, only
/// letters and single spaces kept. Invisible characters (zero-width space, Hangul filler, soft
/// hyphen...) separate words as a space would: "Kwame\u{200b}Campbell" is "kwame campbell".
pub fn norm_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        if crate::output::is_hostile(c) {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
            continue;
        }
        let c = match c {
            'а' => 'a',
            'е' | 'ё' => 'e',
            'о' | 'ο' | '0' => 'o',
            'р' => 'p',
            'с' => 'c',
            'х' => 'x',
            'у' => 'y',
            'і' | 'ı' | '1' | '!' | '|' => 'i',
            'ј' => 'j',
            'ѕ' | '5' | '$' => 's',
            '3' => 'e',
            '4' | '@' => 'a',
            '7' => 't',
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            c => c,
        };
        if c.is_alphabetic() {
            out.push(c);
        } else if (c.is_whitespace() || c == '.' || c == '-' || c == '_') && !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out.trim().to_string()
}

struct Person {
    email: String,
    name: String,
    vip: bool,
}

pub fn run(ctx: &Ctx) -> Result<RuleOutcome> {
    ctx.sessions(&[])?;
    if !ctx.any("SELECT 1 FROM participants")? {
        return Ok(RuleOutcome::CouldNotRun(
            "no participant sessions (import participant reports)".into(),
        ));
    }
    if !ctx.any("SELECT 1 FROM users")? && !ctx.any("SELECT 1 FROM vips")? {
        return Ok(RuleOutcome::CouldNotRun(
            "no users directory and no VIP list: no names to protect".into(),
        ));
    }
    if let Some(why) = ctx.need_internal() {
        return Ok(RuleOutcome::CouldNotRun(why));
    }
    // Reference people.
    let mut people: Vec<Person> = Vec::new();
    {
        let mut st = ctx.conn.prepare(
            "SELECT lower(email), coalesce(nullif(display_name, ''), trim(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))),
                    zl_vip(email) FROM users
             UNION ALL
             SELECT lower(email), name, 1 FROM vips WHERE coalesce(name, '') <> ''",
        )?;
        for r in st.query_map([], |r| <(String, Option<String>, bool)>::try_from(r))? {
            let (email, name, vip) = r?;
            let name = norm_name(&name.unwrap_or_default());
            if name.len() >= 4 && name.contains(' ') {
                people.push(Person { email, name, vip });
            }
        }
    }
    // Each reference person's normalised name, for the why.
    let ref_name: HashMap<String, String> = people
        .iter()
        .map(|p| (p.email.clone(), p.name.clone()))
        .collect();
    let mut exact: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in people.iter().enumerate() {
        exact.entry(p.name.as_str()).or_default().push(i);
    }
    let vips: Vec<usize> = (0..people.len()).filter(|i| people[*i].vip).collect();
    let max_edits = ctx.int("max_edits").max(0) as usize;
    let like_vip = |cand: &str, vip: &str| {
        // Each edit changes the length by at most one character: skip the costly
        // distance when the lengths alone rule it out.
        let (a, b) = (cand.chars().count(), vip.chars().count());
        if a.abs_diff(b) <= max_edits && strsim::damerau_levenshtein(cand, vip) <= max_edits {
            return true;
        }
        let words: Vec<&str> = cand.split(' ').collect();
        vip.split(' ').all(|w| words.contains(&w))
    };
    // Compare each distinct name once (as the snapshot interns it, lower-cased and
    // trimmed, which normalises the same), noting whether an outsider (blank or external
    // email) used it.
    let snap = ctx.snapshot()?;
    // Per name symbol: 0 unused, 1 used, 2 used by an outsider.
    let mut used = vec![0u8; snap.syms()];
    for p in snap.rows.iter().filter(|p| p.name != Snapshot::NONE) {
        let u = &mut used[p.name as usize];
        *u = (*u).max(if p.internal() { 1 } else { 2 });
    }
    // Per name: the people it matches as (person, outsider sessions only).
    let mut matches: Vec<Vec<(usize, bool)>> = vec![Vec::new(); snap.syms()];
    for (name, &u) in used.iter().enumerate().filter(|(_, u)| **u > 0) {
        let by_outsider = u == 2;
        let k = norm_name(snap.str(name as Sym));
        if k.len() < 4 || !k.contains(' ') {
            continue;
        }
        let mut hit: Vec<(usize, bool)> = Vec::new();
        // Outsider sessions: any internal person's name exactly, or a VIP's fuzzily.
        // Internal sessions: only a VIP's name (someone else's account posing as the VIP).
        for outsider in [true, false] {
            if outsider && !by_outsider {
                continue;
            }
            let before = hit.len();
            if let Some(v) = exact.get(k.as_str()) {
                hit.extend(
                    v.iter()
                        .filter(|i| outsider || people[**i].vip)
                        .map(|&i| (i, outsider)),
                );
            }
            for &i in &vips {
                if !hit[before..].iter().any(|h| h.0 == i) && like_vip(&k, &people[i].name) {
                    hit.push((i, outsider));
                }
            }
        }
        matches[name] = hit;
    }
    ctx.conn.execute_batch(
        "DROP TABLE IF EXISTS temp.zl_name_cand;
         CREATE TEMP TABLE zl_name_cand (id INTEGER, ref_email TEXT, vip INTEGER);",
    )?;
    {
        let mut ins = ctx
            .conn
            .prepare("INSERT INTO temp.zl_name_cand VALUES (?1, ?2, ?3)")?;
        for p in &snap.rows {
            for &(i, outsider) in &matches[p.name as usize] {
                let person = &people[i];
                let counts = if outsider {
                    !p.internal()
                } else {
                    p.internal() && snap.str(p.email) != person.email
                };
                if counts {
                    ins.execute(rusqlite::params![p.id, person.email, person.vip])?;
                }
            }
        }
    }
    let mut st = ctx.conn.prepare(
        "WITH cand AS (
           SELECT z.ref_email, z.vip, p.id, p.name, p.email, p.ip_address, p.pc_name,
                  p.meeting_uuid, p.meeting_id, p.join_time
           FROM temp.zl_name_cand z JOIN temp.zl_sess p ON p.id = z.id)
         SELECT p.meeting_uuid, p.name, coalesce(p.email, ''), p.ref_email, max(p.vip),
                min(p.join_time), group_concat(p.id), max(nullif(p.ip_address, '')),
                coalesce(max(p.meeting_id), (SELECT m.meeting_id FROM meetings m WHERE m.uuid = p.meeting_uuid)),
                (SELECT m.topic FROM meetings m WHERE m.uuid = p.meeting_uuid)
         FROM cand p
         WHERE lower(coalesce(p.email, '')) <> p.ref_email
           AND NOT EXISTS (SELECT 1 FROM users u WHERE coalesce(p.email, '') <> '' AND u.email = p.email
                           AND zl_norm_name(coalesce(nullif(u.display_name, ''),
                                 coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')))
                               = zl_norm_name(p.name))
           AND NOT EXISTS (SELECT 1 FROM participants q WHERE q.email = p.ref_email
                           AND ((coalesce(p.ip_address, '') <> '' AND q.ip_address = p.ip_address)
                             OR (coalesce(p.pc_name, '') <> '' AND q.pc_name = p.pc_name)))
           AND NOT EXISTS (SELECT 1 FROM signins s WHERE s.email = p.ref_email
                           AND coalesce(p.ip_address, '') <> '' AND s.ip_address = p.ip_address)
         GROUP BY p.meeting_uuid, p.name, coalesce(p.email, ''), p.ref_email
         ORDER BY 6",
    )?;
    let rows = st.query_map([], |r| {
        <(
            String,
            String,
            String,
            String,
            bool,
            String,
            Option<String>,
            Option<String>,
            Option<i64>,
            Option<String>,
        )>::try_from(r)
    })?;
    let places = crate::detect::net::Places::new(ctx.cfg);
    // Whether the real person attends the series (another instance, or this one).
    let mut regular = ctx.conn.prepare(
        "SELECT EXISTS (SELECT 1 FROM participants q JOIN meetings m ON m.uuid = q.meeting_uuid
                        WHERE q.email = ?1 AND m.meeting_id = ?2)",
    )?;
    // Whether an insider of this instance has sat in a small meeting with the real person.
    let mut acquainted = ctx.conn.prepare(
        "SELECT EXISTS (
           SELECT 1 FROM participants r JOIN participants c ON c.meeting_uuid = r.meeting_uuid
           WHERE r.email = ?1 AND c.email <> r.email AND c.email <> ''
             AND (SELECT count(*) FROM participants x WHERE x.meeting_uuid = r.meeting_uuid) <= 15
             AND c.email IN (SELECT i.email FROM participants i
                             WHERE i.meeting_uuid = ?2 AND zl_internal(i.email)))",
    )?;
    let mut out = Vec::new();
    for row in rows {
        let (uuid, name, email, ref_email, vip, first, ids, ip, mid, topic) = row?;
        let on_carrier = email.is_empty() && ip.as_deref().is_some_and(|i| places.mobile(i));
        // A VIP's name on a carrier: their phone if they, or anyone who bears that very
        // name (in a large organisation names repeat), attends this series.
        let bearers: Vec<&str> = std::iter::once(ref_email.as_str())
            .chain(
                exact
                    .get(norm_name(&name).as_str())
                    .into_iter()
                    .flatten()
                    .map(|&i| people[i].email.as_str()),
            )
            .collect();
        if on_carrier
            && (!vip
                || mid.is_some_and(|m| {
                    bearers.iter().any(|e| {
                        regular
                            .query_row(rusqlite::params![e, m], |r| r.get::<_, bool>(0))
                            .unwrap_or(false)
                    })
                }))
        {
            continue;
        }
        if !vip && email_spells_name(&email, &name) {
            continue;
        }
        let knows = vip
            || acquainted.query_row(rusqlite::params![ref_email, uuid], |r| r.get::<_, bool>(0))?;
        if !knows {
            continue;
        }
        let as_who = if email.is_empty() {
            "a guest with no email".to_string()
        } else {
            email.clone()
        };
        let mut f = Finding::new(
            format!("imp:{uuid}:{}:{email}:{ref_email}", name.to_lowercase()),
            first,
            format!(
                "'{name}' looks like {}{ref_email} but joined '{}' as {as_who}",
                if vip { "VIP " } else { "" },
                topic.unwrap_or_default()
            ),
        );
        let exact = norm_name(&name) == ref_name.get(&ref_email).cloned().unwrap_or_default();
        f.fact(format!(
            "display name '{name}' {} the name of {}{ref_email}",
            if exact {
                "is"
            } else {
                "resembles (look-alike letters, a typing edit or extra words)"
            },
            if vip {
                "the VIP "
            } else {
                "the internal user "
            }
        ));
        f.fact(if email.is_empty() {
            "joined as a guest with no email".to_string()
        } else {
            format!("joined with {email}, which is not {ref_email} and not a directory user of that name")
        });
        f.fact(match &ip {
            Some(i) => format!("IP {i} never used by {ref_email} in any session or sign-in; no session of theirs on that device"),
            None => format!("no IP; no session of {ref_email} on that device"),
        });
        if vip {
            f.severity = Some(Severity::Critical);
            f.fact("critical: the name is a VIP's");
        } else {
            f.fact(format!(
                "someone in this meeting has sat in a small meeting with {ref_email}: they know the name"
            ));
        }
        if on_carrier {
            f.fact(format!(
                "a carrier address, but {ref_email} does not attend this meeting series"
            ));
        }
        f.actor = Some(if email.is_empty() {
            format!("guest '{name}'")
        } else {
            email.clone()
        });
        f.target = Some(ref_email.clone());
        f.user = (!email.is_empty()).then_some(email);
        f.ip = ip;
        f.meeting_uuid = Some(uuid);
        f.meeting_id = mid;
        f.evidence_csv("participants", ids.as_deref());
        out.push(f);
    }
    Ok(RuleOutcome::Findings(out))
}

/// Whether an email's local part spells every word of the display name
/// ("avery.nelson45@gmail.com" for "Avery Nelson").
fn email_spells_name(email: &str, name: &str) -> bool {
    let Some((local, _)) = email.rsplit_once('@') else {
        return false;
    };
    let local = local.to_lowercase();
    let words: Vec<String> = norm_name(name).split(' ').map(str::to_string).collect();
    words.len() >= 2 && words.iter().all(|w| local.contains(w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::{email_spells_name, norm_name};

    #[test]
    fn own_email_spells_the_name() {
        assert!(email_spells_name(
            "avery.nelson45@gmail.com",
            "Avery Nelson"
        ));
        assert!(!email_spells_name(
            "kwame.campbel.finance@proton.me",
            "Kwame Campbell"
        ));
        assert!(!email_spells_name("", "Avery Nelson"));
        assert!(!email_spells_name("x@gmail.com", "Avery Nelson"));
    }

    #[test]
    fn lookalikes_fold_to_the_same_name() {
        assert_eq!(norm_name("Jane  DOE"), "jane doe");
        assert_eq!(norm_name("Jаne Dоe"), "jane doe"); // Cyrillic а and о
        assert_eq!(norm_name("J4ne D0e (CFO)"), "jane doe cfo");
        assert_eq!(norm_name("jane.doe"), "jane doe");
        assert_eq!(
            norm_name("Kwame\u{200b}Campbell (CFO)"),
            "kwame campbell cfo"
        );
        assert_eq!(norm_name("Kwame\u{3164}Campbell"), "kwame campbell");
        assert_eq!(
            norm_name("\u{2060}Kwame\u{ad} Campbell\u{e0041}"),
            "kwame campbell"
        );
    }
}
