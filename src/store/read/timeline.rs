//! Timeline of one subject (a person, an IP, a domain, a device, a display name): every
//! source merged in time order, plus an event histogram.
//!
//! Each source is read through its own index (email/time, ip, name...) with the keyset
//! condition and a LIMIT, then the small per-source windows are merged: the cost of a page is
//! a few index range scans, whatever the size of the case.

use super::*;

/// What a timeline is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    User(String),
    Ip(String),
    Domain(String),
    /// A device by name, and whose it is: two people's "Kwame's iPhone" are two devices.
    Device(String, Option<String>),
    Name(String),
}

impl Subject {
    pub fn label(&self) -> String {
        match self {
            Subject::User(e) => format!("user {e}"),
            Subject::Ip(i) => format!("ip {i}"),
            Subject::Domain(d) => format!("domain {d}"),
            Subject::Device(d, Some(u)) => format!("device \"{d}\" of {u}"),
            Subject::Device(d, None) => format!("device \"{d}\""),
            Subject::Name(n) => format!("name \"{n}\""),
        }
    }
}

row_view! {
    /// A timeline row's cells by name.
    TimelineRow { time = 0, source = 1, who = 2, what = 3, ip = 4, detail = 5 }
}

struct Src {
    s: i64,
    kind: &'static str,
    tbl: &'static str,
    from: &'static str,
    time: &'static str,
    what: &'static str,
    detail: &'static str,
    ip: &'static str,
    /// The device a session came from (what `e` pivots on).
    device: &'static str,
    meeting: &'static str,
    user: &'static str,
    /// Subject condition with `{}` where the subject placeholder goes.
    subj: &'static str,
}

const SIGNIN: &str = "signins x";
const PART: &str = "participants x LEFT JOIN meetings m ON m.uuid = x.meeting_uuid";

fn sources(sub: &Subject) -> Vec<Src> {
    let signin = |subj| Src {
        s: 1,
        kind: "signin",
        tbl: "signins",
        from: SIGNIN,
        time: "x.time",
        what: "x.activity",
        detail: "concat_ws(' \u{b7} ', NULLIF(trim(COALESCE(x.client_type, '') || ' ' || COALESCE(x.version, '')), ''), \
                 zl_geo(x.ip_address, NULL))",
        ip: "x.ip_address",
        device: "NULL",
        meeting: "NULL",
        user: "x.email",
        subj,
    };
    let join = |subj| Src {
        s: 2,
        kind: "join",
        tbl: "participants",
        from: PART,
        time: "x.join_time",
        what: "'joined'",
        // Only what is known, so an empty field leaves no "· ? min ·  ·" behind.
        detail: "concat_ws(' \u{b7} ', COALESCE(NULLIF(m.topic, ''), x.meeting_uuid), x.duration / 60 || ' min', \
                 NULLIF(trim(COALESCE(x.device, '') || ' ' || COALESCE(x.version, '')), ''), zl_geo(x.ip_address, x.location), \
                 NULLIF(x.name, ''))",
        ip: "x.ip_address",
        device: "COALESCE(NULLIF(x.pc_name, ''), NULLIF(x.device, ''))",
        meeting: "x.meeting_uuid",
        user: "COALESCE(NULLIF(x.email, ''), '')",
        subj,
    };
    let host = |subj| Src {
        s: 3,
        kind: "host",
        tbl: "meetings",
        from: "meetings x",
        time: "x.start_time",
        what: "'hosted'",
        detail: "concat_ws(' \u{b7} ', NULLIF(x.topic, ''), x.participants_count || CASE x.participants_count WHEN 1 THEN ' participant' ELSE ' participants' END)",
        ip: "NULL",
        device: "NULL",
        meeting: "x.uuid",
        user: "x.host_email",
        subj,
    };
    let op = |subj| Src {
        s: 4,
        kind: "op",
        tbl: "operations",
        from: "operations x",
        time: "x.time",
        what: "x.action || ' ' || x.category_type",
        detail: "x.operation_detail",
        ip: "NULL",
        device: "NULL",
        meeting: "NULL",
        user: "x.operator",
        subj,
    };
    let target = |subj| Src {
        s: 5,
        kind: "op-target",
        tbl: "operations",
        from: "operations x",
        time: "x.time",
        what: "'by ' || x.operator || ': ' || x.action",
        detail: "x.operation_detail",
        ip: "NULL",
        device: "NULL",
        meeting: "NULL",
        user: "x.operator",
        subj,
    };
    let chat = |subj| Src {
        s: 6,
        kind: "chat",
        tbl: "chat_messages",
        from: "chat_messages x LEFT JOIN chat_channels c ON c.channel_id = x.to_channel",
        time: "x.time",
        what: "'chat'",
        detail: "COALESCE('#' || c.name, x.to_channel, x.to_contact, '') || ': ' || COALESCE(x.message, '')",
        ip: "NULL",
        device: "NULL",
        meeting: "NULL",
        user: "x.sender",
        subj,
    };
    let hook = |subj| Src {
        s: 7,
        kind: "webhook",
        tbl: "webhook_events",
        from: "webhook_events x",
        time: "x.time",
        what: "x.event",
        detail: "COALESCE(x.object_id, '')",
        ip: "NULL",
        device: "NULL",
        meeting: "NULL",
        user: "x.operator",
        subj,
    };
    let rec = |subj| Src {
        s: 8,
        kind: "recording",
        tbl: "recordings",
        from: "recordings x",
        time: "x.start_time",
        what: "CASE WHEN x.deleted_time IS NOT NULL THEN 'recording (deleted)' ELSE 'recording' END",
        detail: "concat_ws(' \u{b7} ', NULLIF(x.topic, ''), x.recording_count || CASE x.recording_count WHEN 1 THEN ' file' ELSE ' files' END)",
        ip: "NULL",
        device: "NULL",
        meeting: "x.meeting_uuid",
        user: "x.host_email",
        subj,
    };
    let waiting = |subj| Src {
        s: 9,
        kind: "waiting",
        tbl: "waiting_room",
        from: "waiting_room x LEFT JOIN meetings m ON m.uuid = x.meeting_uuid",
        time: "x.entered_at",
        what: "'waiting room: ' || x.outcome",
        detail: "COALESCE(m.topic, x.meeting_uuid) || '  \u{b7} ' || COALESCE(x.name, '') || COALESCE('  \u{b7} admitted ' || x.admitted_at, '') || COALESCE('  \u{b7} left ' || x.left_at, '')",
        ip: "NULL",
        device: "NULL",
        meeting: "x.meeting_uuid",
        user: "COALESCE(x.email, '')",
        subj,
    };
    // issue 19: identity-provider and file-access events, marked with their source.
    let idp = |subj| Src {
        s: 10,
        kind: "idp",
        tbl: "idp_log",
        from: "idp_log x",
        time: "x.time",
        what: "x.source || ' ' || x.action",
        detail: "concat_ws(' \u{b7} ', NULLIF(x.outcome, ''), CASE WHEN x.is_admin_action THEN 'admin action' END, \
                 NULLIF(x.app, ''), 'on ' || NULLIF(x.target, ''), zl_geo(x.ip, COALESCE(x.location, x.country)))",
        ip: "NULLIF(x.ip, '')",
        device: "NULL",
        meeting: "NULL",
        user: "x.user",
        subj,
    };
    let file = |subj| Src {
        s: 11,
        kind: "file",
        tbl: "data_access_log",
        from: "data_access_log x",
        time: "x.time",
        what: "x.source || ' ' || x.action",
        // The file's name first (a SharePoint resource is a long URL; the name ends it).
        detail: "concat_ws(' \u{b7} ', replace(x.resource, rtrim(x.resource, replace(x.resource, '/', '')), ''), \
                 NULLIF(x.sensitivity, ''), 'to ' || NULLIF(x.shared_with, ''), zl_geo(x.ip, NULL))",
        ip: "NULLIF(x.ip, '')",
        device: "NULL",
        meeting: "NULL",
        user: "x.user",
        subj,
    };
    // Issue 18's newer sources: recording notices, remote control, risk alerts, recordings
    // watched or downloaded.
    let notice = |subj| {
        Src {
        s: 12,
        kind: "notice",
        tbl: "disclaimers",
        from: "disclaimers x LEFT JOIN meetings m ON m.uuid = x.meeting_uuid",
        time: "x.time",
        what: "CASE WHEN x.status IN ('Cancel', 'Decline Attend') THEN 'declined the ' || x.disclaimer_type || ' notice'
                 || CASE WHEN EXISTS (SELECT 1 FROM participants p WHERE p.meeting_uuid = x.meeting_uuid
                        AND ((x.email <> '' AND p.email = x.email) OR (x.email = '' AND p.name = x.display_name))
                        AND COALESCE(p.leave_time, p.join_time) >= x.time)
                      THEN ' and joined anyway' ELSE '' END
               WHEN x.status = 'Passive Agree' THEN x.disclaimer_type || ' notice: stayed (passive consent)'
               ELSE 'agreed to the ' || x.disclaimer_type || ' notice' END",
        detail: "concat_ws(' \u{b7} ', COALESCE(NULLIF(m.topic, ''), x.meeting_uuid), NULLIF(x.display_name, ''), NULLIF(x.client_type, ''), x.status)",
        ip: "NULL",
        device: "NULL",
        meeting: "NULLIF(x.meeting_uuid, '')",
        user: "x.email",
        subj,
    }
    };
    let controlled = |subj| Src {
        s: 13,
        kind: "remote",
        tbl: "remote_support",
        from: "remote_support x",
        time: "x.start_time",
        what: "'took remote control of ' || COALESCE(NULLIF(x.supportee_name, '') || ' (' || x.supportee_email || ')', x.supportee_email) || '''s machine'",
        detail: "concat_ws(' \u{b7} ', NULLIF(x.topic, ''), ((x.duration_s + 59) / 60) || ' min', 'waited ' || x.wait_s || ' s')",
        ip: "NULL",
        device: "NULL",
        meeting: "x.meeting_uuid",
        user: "x.supportee_email",
        subj,
    };
    let controlled_by = |subj| Src {
        s: 14,
        kind: "remote",
        tbl: "remote_support",
        from: "remote_support x",
        time: "x.start_time",
        what: "'machine remotely controlled by ' || COALESCE(NULLIF(x.supporter_email, ''), 'guest ' || x.supporter_name, '?')",
        detail: "concat_ws(' \u{b7} ', NULLIF(x.topic, ''), ((x.duration_s + 59) / 60) || ' min', NULLIF(x.supporter_name, ''))",
        ip: "NULL",
        device: "NULL",
        meeting: "x.meeting_uuid",
        user: "NULLIF(x.supporter_email, '')",
        subj,
    };
    let alert = |subj| Src {
        s: 15,
        kind: "risk alert",
        tbl: "risk_alerts",
        from: "risk_alerts x",
        time: "x.alert_time",
        what: "'Zoom risk alert: meeting link posted publicly'",
        detail: "concat_ws(' \u{b7} ', NULLIF(x.topic, ''), NULLIF(x.post_platform, ''), NULLIF(x.post_user, ''), 'posted ' || NULLIF(x.post_time, ''), NULLIF(x.social_link, ''))",
        ip: "NULL",
        device: "NULL",
        meeting: "NULLIF(x.meeting_uuid, '')",
        user: "x.host_email",
        subj,
    };
    let watched = |subj| Src {
        s: 16,
        kind: "recording",
        tbl: "recording_access",
        from: "recording_access x LEFT JOIN recordings r ON r.meeting_uuid = x.meeting_uuid",
        time: "x.time",
        what: "CASE x.kind WHEN 'download' THEN 'downloaded recording' ELSE 'viewed recording' END",
        detail: "concat_ws(' \u{b7} ', COALESCE(NULLIF(r.topic, ''), x.meeting_uuid), ((x.duration + 59) / 60) || ' min watched')",
        ip: "NULL",
        device: "NULL",
        meeting: "x.meeting_uuid",
        user: "x.email",
        subj,
    };
    match sub {
        Subject::User(_) => vec![
            signin("x.email = {}"),
            join("x.email = {}"),
            host("x.host_email = {}"),
            op("x.operator = {}"),
            target("x.id IN (SELECT operation_id FROM op_changes WHERE target = {})"),
            chat("x.sender = {}"),
            hook("x.operator = {}"),
            rec("x.host_email = {}"),
            waiting("x.email = {}"),
            // A provider may name the person by a UPN: `user_aliases` brings it in.
            idp("x.user IN (SELECT value FROM json_each(zl_aliases({})))"),
            file("x.user IN (SELECT value FROM json_each(zl_aliases({})))"),
            notice("x.email = {}"),
            controlled("x.supporter_email = {}"),
            controlled_by("x.supportee_email = {}"),
            alert("x.host_email = {}"),
            watched("x.email = {}"),
        ],
        Subject::Ip(_) => vec![
            signin("x.ip_address = {}"),
            join("x.ip_address = {}"),
            idp("x.ip = {}"),
            file("x.ip = {}"),
        ],
        Subject::Domain(_) => vec![
            signin("x.email LIKE {} ESCAPE '\\'"),
            join("x.email LIKE {} ESCAPE '\\'"),
            op("x.operator LIKE {} ESCAPE '\\'"),
        ],
        Subject::Device(_, _) => vec![join(
            "(x.pc_name = {0} OR x.device = {0}) AND ({1} IS NULL OR x.email = {1})",
        )],
        Subject::Name(_) => vec![
            join("x.name = {}"),
            waiting("x.name = {}"),
            notice("x.display_name = {}"),
        ],
    }
}

fn subject_value(sub: &Subject) -> String {
    match sub {
        Subject::User(v) | Subject::Ip(v) | Subject::Device(v, _) | Subject::Name(v) => v.clone(),
        Subject::Domain(d) => domain_pattern(d),
    }
}

/// The shared WHERE of one source: subject, filters, and (optionally) the keyset.
fn src_where(q: &mut Q, info: &CaseInfo, src: &Src, sub: &Subject, f: &Filter) -> String {
    let v = q.p(subject_value(sub));
    let mut subj = src.subj.replace("{0}", &v).replace("{}", &v);
    if let Subject::Device(_, owner) = sub {
        let o = q.p(owner.clone());
        subj = subj.replace("{1}", &o);
    }
    let mut w = vec![subj];
    w.push(format!("{} IS NOT NULL AND {} > ''", src.time, src.time));
    if let Some(from) = &f.from {
        w.push(format!("{} >= {}", src.time, q.p(from.clone())));
    }
    if let Some(to) = &f.to {
        w.push(format!("{} < {}", src.time, q.p(to.clone())));
    }
    if let Some(pat) = f.text_pattern() {
        let p = q.p(pat);
        w.push(format!(
            "(({}) LIKE {p} ESCAPE '\\' OR ({}) LIKE {p} ESCAPE '\\' OR COALESCE({}, '') LIKE {p} ESCAPE '\\')",
            src.what, src.detail, src.ip
        ));
    }
    if f.external_only && src.tbl == "participants" {
        let j = q.p(info.domains_json());
        w.push(format!(
            "(COALESCE(x.email, '') = '' OR lower(substr(x.email, instr(x.email, '@') + 1)) NOT IN (SELECT value FROM json_each({j})))"
        ));
    }
    if f.suspicious_only {
        if info.has_findings {
            w.push(format!(
                "x.id IN (SELECT row_id FROM finding_evidence WHERE tbl = '{}')",
                src.tbl
            ));
        } else {
            w.push("0".into());
        }
    }
    w.push(tag_sql(q, f, src.tbl, "x.id"));
    w.join(" AND ")
}

/// A page of the merged timeline, oldest first.
pub fn page(
    conn: &Connection,
    info: &CaseInfo,
    sub: &Subject,
    f: &Filter,
    cur: &Cursor,
    limit: usize,
) -> Result<Page> {
    let fwd = cur.forward();
    let dir = if fwd { "ASC" } else { "DESC" };
    let mut q = Q::default();
    let mut parts = vec![];
    for src in sources(sub) {
        let w = src_where(&mut q, info, &src, sub, f);
        let ks = match cur.key() {
            None => "1".to_string(),
            Some(k) => {
                let t = q.p(k.t.clone());
                let (op, eq) = if fwd { (">", ">=") } else { ("<", "<=") };
                let tm = src.time;
                if src.s == k.s {
                    let id = q.p(k.id);
                    format!("({tm} {op} {t} OR ({tm} = {t} AND x.id {op} {id}))")
                } else if (src.s > k.s) == fwd {
                    format!("{tm} {eq} {t}")
                } else {
                    format!("{tm} {op} {t}")
                }
            }
        };
        parts.push(format!(
            "SELECT * FROM (SELECT '{kind}' AS kind, {s} AS s, x.id AS id, {time} AS time, {what} AS what, \
             {detail} AS detail, {ip} AS ip, {meeting} AS meeting, {user} AS usr, '{tbl}' AS tbl, \
             {device} AS device \
             FROM {from} WHERE {w} AND {ks} ORDER BY {time} {dir}, x.id {dir} LIMIT {n})",
            kind = src.kind,
            s = src.s,
            time = src.time,
            what = src.what,
            detail = src.detail,
            ip = src.ip,
            device = src.device,
            meeting = src.meeting,
            user = src.user,
            tbl = src.tbl,
            from = src.from,
            n = limit + 1
        ));
    }
    q.sql = format!(
        "{} ORDER BY time {dir}, s {dir}, id {dir} LIMIT {}",
        parts.join(" UNION ALL "),
        limit + 1
    );
    let mut rows: Vec<Row> = q.rows(conn, |r| {
        let kind = text(r, 0)?;
        let s: i64 = r.get(1)?;
        let id: i64 = r.get(2)?;
        let time = text(r, 3)?;
        let what = text(r, 4)?;
        let detail = text(r, 5)?;
        let ip = nonblank(opt(r, 6)?);
        let meeting = nonblank(opt(r, 7)?);
        let usr = nonblank(opt(r, 8)?);
        let tbl: &'static str = match text(r, 9)?.as_str() {
            "signins" => "signins",
            "participants" => "participants",
            "meetings" => "meetings",
            "operations" => "operations",
            "chat_messages" => "chat_messages",
            "webhook_events" => "webhook_events",
            "waiting_room" => "waiting_room",
            "idp_log" => "idp_log",
            "data_access_log" => "data_access_log",
            "disclaimers" => "disclaimers",
            "remote_support" => "remote_support",
            "risk_alerts" => "risk_alerts",
            "recording_access" => "recording_access",
            _ => "recordings",
        };
        let link = Links {
            user: usr.clone().filter(|u| u.contains('@')),
            meeting_uuid: meeting.clone(),
            recording: if tbl == "recordings" || tbl == "recording_access" {
                meeting
            } else {
                None
            },
            ip: ip.clone(),
            device: nonblank(opt(r, 10)?),
            operator: if tbl == "operations" {
                usr.clone()
            } else {
                None
            },
            ..Default::default()
        };
        Ok(Row {
            tbl,
            id,
            key: Key {
                t: time.clone(),
                s,
                id,
            },
            kind: kind.clone(),
            time: time.clone(),
            cells: vec![
                time,
                kind,
                usr.unwrap_or_default(),
                what,
                ip.unwrap_or_default(),
                detail,
            ],
            link,
            badge: String::new(),
            rank: -1,
            notes: vec![],
            extra: vec![],
        })
    })?;
    super::ledger::attach_changes(conn, &mut rows)?;
    for r in rows.iter_mut() {
        if r.tbl == "participants" {
            r.badge = info.class_of(r.link.user.as_deref()).to_string();
        }
    }
    Ok(finish_page(rows, cur, limit))
}

/// Number of events for the subject under the filter.
pub fn count(conn: &Connection, info: &CaseInfo, sub: &Subject, f: &Filter) -> Result<u64> {
    let mut q = Q::default();
    let mut parts = vec![];
    for src in sources(sub) {
        let w = src_where(&mut q, info, &src, sub, f);
        parts.push(format!("SELECT count(*) AS n FROM {} WHERE {w}", src.from));
    }
    q.sql = format!("SELECT sum(n) FROM ({})", parts.join(" UNION ALL "));
    let n: Option<i64> =
        conn.query_row(&q.sql, rusqlite::params_from_iter(q.params.iter()), |r| {
            r.get(0)
        })?;
    Ok(n.unwrap_or(0) as u64)
}

/// Events per bucket: `buckets` equal slices of [from, to).
pub fn histogram(
    conn: &Connection,
    info: &CaseInfo,
    sub: &Subject,
    f: &Filter,
    from: &str,
    to: &str,
    buckets: usize,
) -> Result<Vec<u64>> {
    let mut out = vec![0u64; buckets.max(1)];
    let mut ff = f.clone();
    ff.from = Some(from.to_string());
    ff.to = Some(to.to_string());
    let mut q = Q::default();
    let mut parts = vec![];
    for src in sources(sub) {
        let w = src_where(&mut q, info, &src, sub, &ff);
        parts.push(format!(
            "SELECT {} AS time FROM {} WHERE {w}",
            src.time, src.from
        ));
    }
    let a = q.p(from.to_string());
    let b = q.p(to.to_string());
    let n = q.p(out.len() as i64);
    q.sql = format!(
        "SELECT CAST((julianday(time) - julianday({a})) * {n} / max(julianday({b}) - julianday({a}), 1e-9) AS INTEGER) AS bucket, count(*)
         FROM ({}) GROUP BY bucket",
        parts.join(" UNION ALL ")
    );
    let mut st = conn.prepare(&q.sql)?;
    let mut rows = st.query(rusqlite::params_from_iter(q.params.iter()))?;
    while let Some(r) = rows.next()? {
        let bi: Option<i64> = r.get(0)?;
        let c: i64 = r.get(1)?;
        if let Some(bi) = bi {
            let i = (bi.max(0) as usize).min(out.len() - 1);
            out[i] += c as u64;
        }
    }
    Ok(out)
}

/// One country a subject's events came from (issue 19: the timeline grouped by country).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Place {
    /// ISO code (or the source's own country name); `(not located)` for an address no
    /// database or record places, `(no address)` for events that carry none (operations, chat).
    pub country: String,
    pub events: u64,
    pub first: String,
    pub last: String,
    pub addresses: u64,
    /// The timeline sources seen there (signin, join, idp, file).
    pub sources: String,
    /// Up to three of the places within it ("Madrid, ES").
    pub places: Vec<String>,
}

/// The record's own location, where its source has one (the geolocation database's answer
/// for its address comes first).
fn own_location(tbl: &str) -> &'static str {
    match tbl {
        "participants" => "x.location",
        "idp_log" => "COALESCE(x.location, x.country)",
        _ => "NULL",
    }
}

/// The subject's events under the filter, grouped by country, most events first.
pub fn places(conn: &Connection, info: &CaseInfo, sub: &Subject, f: &Filter) -> Result<Vec<Place>> {
    let mut q = Q::default();
    let mut parts = vec![];
    for src in sources(sub) {
        let w = src_where(&mut q, info, &src, sub, f);
        let own = own_location(src.tbl);
        parts.push(format!(
            "SELECT COALESCE(zl_geo_country({ip}, {own}), CASE WHEN {ip} IS NULL THEN '-' ELSE '?' END) AS country,
                    {time} AS time, {ip} AS ip, '{kind}' AS kind, zl_geo({ip}, {own}) AS place
             FROM {from} WHERE {w}",
            ip = src.ip,
            time = src.time,
            kind = src.kind,
            from = src.from,
        ));
    }
    q.sql = format!(
        "SELECT country, count(*), min(time), max(time), count(DISTINCT ip), group_concat(DISTINCT kind),
                json_group_array(DISTINCT place)
         FROM ({}) GROUP BY country ORDER BY country IN ('-', '?'), count(*) DESC, country",
        parts.join(" UNION ALL ")
    );
    Ok(q.rows(conn, |r| {
        let country = match text(r, 0)?.as_str() {
            "-" => "(no address)".to_string(),
            "?" => "(not located)".to_string(),
            c => c.to_string(),
        };
        // Place names hold commas ("Madrid, ES"): a JSON array keeps them apart.
        let places: Vec<String> =
            serde_json::from_str::<Vec<Option<String>>>(&opt(r, 6)?.unwrap_or_default())
                .unwrap_or_default()
                .into_iter()
                .flatten()
                .filter(|s| !s.trim().is_empty())
                .take(3)
                .collect();
        Ok(Place {
            country,
            events: r.get::<_, i64>(1)? as u64,
            first: text(r, 2)?,
            last: text(r, 3)?,
            addresses: r.get::<_, i64>(4)? as u64,
            sources: opt(r, 5)?.unwrap_or_default().replace(',', ", "),
            places,
        })
    })?)
}
