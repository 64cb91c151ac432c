//! The report as a format-neutral document: what it says and in which order, written once.
//!
//! [`build`] turns a [`CaseReport`] into a [`Doc`]: sections, headings, paragraphs, fact lists,
//! tables and timelines, whose text is a list of [`Span`]s. A span is either the report's own
//! words (`&'static str`, so it can never hold log text) or a `String` from the case (or
//! computed from it: ids, counts, times), which the emitters ([`super::markdown`],
//! [`super::html`]) always escape through [`crate::output::md_text`] /
//! [`crate::output::html_text`]. The kinds say what a piece is (a severity, a link to a
//! section, an identifier); each emitter decides how that looks in its format.

use super::{CaseReport, EvidenceTable, Format, Story, StoryFinding, span};
use crate::output::plural;
use Col::{Num, Plain, Time};

/// A whole report.
#[derive(Debug, Clone)]
pub struct Doc<'a> {
    /// The document's title (the HTML `<title>`; the header section repeats it as its heading).
    pub title: Vec<Span>,
    pub blocks: Vec<Block<'a>>,
}

/// A place in the report a link can lead to. Each format names it its own way (Markdown by the
/// heading's generated anchor, HTML by an `id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    Scope,
    Incidents,
    Incident(i64),
    Finding(i64),
    /// Findings outside any incident.
    Loose,
    Notes,
    Provenance,
    /// An evidence record's row in the provenance appendix.
    Record(String, i64),
    /// An origin's row in the provenance appendix.
    Origin(i64),
}

/// A piece of inline text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span {
    /// The report's own words, written as they are.
    Own(&'static str),
    /// The report's own words, in bold (a label).
    Strong(&'static str),
    /// The report's own words, as a warning.
    Warn(&'static str),
    /// The report's own words, as code (a command, an escape).
    OwnCode(&'static str),
    /// Text from the case, or computed from it: always escaped.
    Text(String),
    /// A severity (HTML shows it as a coloured chip).
    Severity(String),
    /// The name of a table or the like, set apart from the prose.
    Name(String),
    /// Machine text (a digest, a query) in a monospace font where the format has one.
    Mono(String),
    /// A link to a section, in every format.
    Link(String, Anchor),
    /// A cross-reference to a row: a link where the format has row anchors (HTML), text
    /// otherwise.
    Ref(String, Anchor),
    /// Text that is itself the target of [`Span::Ref`]s.
    Target(Vec<Span>, Anchor),
}

/// One line of a fact list: `label: value`.
#[derive(Debug, Clone)]
pub struct Fact {
    pub label: &'static str,
    pub value: Vec<Span>,
    /// Where the two formats word a fact differently: the one format it is for.
    pub only: Option<Format>,
}

/// How a list of facts is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactStyle {
    /// The report's summary at the top.
    Summary,
    /// The details of an incident or a finding.
    Details,
}

/// How a paragraph is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Para {
    Plain,
    /// An explanation, set in a quieter style.
    Note,
    /// The one-line story of an incident, set out.
    Lead,
}

/// What a section is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    /// The report's header (title and summary).
    Header,
    /// A top-level part (scope, incidents, notes...).
    Part,
    /// One incident's story.
    Incident,
    /// One finding within a story.
    Finding,
}

/// What a table column holds (HTML keeps times unbroken and numbers right-aligned).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    Plain,
    Num,
    Time,
}

/// A table cell: a run of spans (empty for nothing).
pub type Cell = Vec<Span>;

#[derive(Debug, Clone)]
pub struct Table {
    pub headers: Vec<Span>,
    pub kinds: Vec<Col>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Clone)]
pub enum Block<'a> {
    Section {
        kind: SectionKind,
        level: usize,
        anchor: Option<Anchor>,
        title: Vec<Span>,
        /// A severity shown beside the heading where the format can (HTML).
        badge: Option<String>,
        body: Vec<Block<'a>>,
    },
    Heading {
        level: usize,
        text: &'static str,
    },
    Paragraph(Para, Vec<Span>),
    Facts(FactStyle, Vec<Fact>),
    /// Links to the parts of the report.
    Contents(Vec<Span>),
    Table(Table),
    /// An incident's findings over time (HTML draws it, see [`super::svg`]).
    Timeline(&'a Story),
}

fn text(s: impl Into<String>) -> Span {
    Span::Text(s.into())
}

/// A cell of one piece of case text.
fn t(s: impl Into<String>) -> Cell {
    vec![text(s)]
}

/// A row of cells of one piece of case text each.
fn texts<const N: usize>(cells: [&str; N]) -> Vec<Cell> {
    cells.into_iter().map(t).collect()
}

fn opt(s: &Option<String>) -> Cell {
    s.as_deref().map(t).unwrap_or_default()
}

fn fact(label: &'static str, value: Vec<Span>) -> Fact {
    Fact {
        label,
        value,
        only: None,
    }
}

fn only(format: Format, label: &'static str, value: Vec<Span>) -> Fact {
    Fact {
        label,
        value,
        only: Some(format),
    }
}

/// A table with the report's own headers; `kinds` by column.
fn table(headers: &[&'static str], kinds: &[Col], rows: Vec<Vec<Cell>>) -> Block<'static> {
    Block::Table(Table {
        headers: headers.iter().map(|h| Span::Own(h)).collect(),
        kinds: kinds.to_vec(),
        rows,
    })
}

fn para(spans: Vec<Span>) -> Block<'static> {
    Block::Paragraph(Para::Plain, spans)
}

fn note(s: &'static str) -> Block<'static> {
    Block::Paragraph(Para::Note, vec![Span::Own(s)])
}

fn said(s: &'static str) -> Block<'static> {
    para(vec![Span::Own(s)])
}

fn h3(text: &'static str) -> Block<'static> {
    Block::Heading { level: 3, text }
}

fn part<'a>(anchor: Anchor, title: &'static str, body: Vec<Block<'a>>) -> Block<'a> {
    Block::Section {
        kind: SectionKind::Part,
        level: 2,
        anchor: Some(anchor),
        title: vec![Span::Own(title)],
        badge: None,
        body,
    }
}

/// `items` joined by `sep`.
fn join(items: impl IntoIterator<Item = Vec<Span>>, sep: &'static str) -> Vec<Span> {
    let mut out = Vec::new();
    for (k, item) in items.into_iter().enumerate() {
        if k > 0 {
            out.push(Span::Own(sep));
        }
        out.extend(item);
    }
    out
}

/// The document a report renders.
pub fn build(r: &CaseReport) -> Doc<'_> {
    let title = vec![Span::Own("Case report: "), text(&r.case_name)];
    let mut blocks = vec![
        header(r, title.clone()),
        contents(r),
        scope(r),
        incidents(r),
    ];
    blocks.extend(r.stories.iter().map(story));
    if !r.loose.is_empty() {
        let mut body = vec![note(
            "Routine context (info level) that touches no incident. They are listed for \
             completeness.",
        )];
        body.push(story_table(&r.loose));
        body.extend(r.loose.iter().map(finding));
        blocks.push(part(Anchor::Loose, "Findings outside any incident", body));
    }
    blocks.push(notes(r));
    blocks.push(provenance(r));
    Doc { title, blocks }
}

fn header(r: &CaseReport, title: Vec<Span>) -> Block<'static> {
    let mut facts = vec![fact("Case file", vec![text(&r.case_name)])];
    facts.push(fact(
        "Events",
        match &r.scope.status.span {
            Some((a, b)) => {
                let mut v = vec![text(a), Span::Own(" → "), text(b)];
                if let (Some(x), Some(y)) = (
                    crate::model::time::parse_time(a),
                    crate::model::time::parse_time(b),
                ) {
                    let days = (y - x).num_seconds() as f64 / 86400.0;
                    v.extend([
                        Span::Own(" ("),
                        text(format!("{days:.1}")),
                        Span::Own(" days)"),
                    ]);
                }
                v
            }
            None => vec![Span::Own("none with a time")],
        },
    ));
    facts.push(fact(
        "Incidents",
        vec![
            text(r.scope.incidents.to_string()),
            Span::Own(" ("),
            text(r.scope.open_incidents.to_string()),
            Span::Own(" open) · "),
            Span::Strong("Findings:"),
            Span::Own(" "),
            text(r.scope.findings.to_string()),
        ],
    ));
    facts.push(fact(
        "This report",
        if r.selected.is_empty() {
            vec![Span::Own("every incident and finding")]
        } else {
            let ids: Vec<String> = r.selected.iter().map(|i| format!("I{i}")).collect();
            vec![
                Span::Own(if ids.len() == 1 {
                    "incident "
                } else {
                    "incidents "
                }),
                text(ids.join(", ")),
                Span::Own(" only"),
            ]
        },
    ));
    if let Some(at) = &r.generated_at {
        facts.push(fact("Generated at", vec![text(at)]));
    }
    Block::Section {
        kind: SectionKind::Header,
        level: 1,
        anchor: None,
        title,
        badge: None,
        body: vec![
            Block::Facts(FactStyle::Summary, facts),
            Block::Paragraph(
                Para::Note,
                vec![
                    Span::Own(
                        "Text from the logs is shown escaped: control and invisible characters \
                         appear as ",
                    ),
                    Span::OwnCode("\\x1b"),
                    Span::Own(" or "),
                    Span::OwnCode("\\u{202e}"),
                    Span::Own(", and links are defanged ("),
                    Span::OwnCode("hxxps://"),
                    Span::Own("). Times are UTC."),
                ],
            ),
        ],
    }
}

fn contents(r: &CaseReport) -> Block<'static> {
    let mut links = vec![
        Span::Link("Scope".into(), Anchor::Scope),
        Span::Link("Incidents".into(), Anchor::Incidents),
    ];
    for s in &r.stories {
        let id = s.incident.id;
        links.push(Span::Link(format!("I{id}"), Anchor::Incident(id)));
    }
    if !r.loose.is_empty() {
        links.push(Span::Link("Other findings".into(), Anchor::Loose));
    }
    links.push(Span::Link("Notes".into(), Anchor::Notes));
    links.push(Span::Link("Provenance".into(), Anchor::Provenance));
    Block::Contents(links)
}

fn scope(r: &CaseReport) -> Block<'static> {
    let st = &r.scope.status;
    let mut body = vec![
        h3("Sources"),
        note(
            "Records per source, their first and last event, and silences longer than 24 h \
             inside the case's span (a source without records is silent throughout).",
        ),
    ];
    let rows = st
        .sources
        .iter()
        .map(|s| {
            let gaps = if !s.tracks_gaps || st.span.is_none() {
                vec![Span::Own("-")]
            } else if s.records == 0 {
                vec![Span::Warn("SILENT"), Span::Own(" (no records)")]
            } else if s.gaps.is_empty() {
                vec![Span::Own("none")]
            } else {
                let longest = s.gaps.iter().map(|g| g.hours).fold(0.0, f64::max);
                vec![
                    text(s.gaps.len().to_string()),
                    Span::Own(" (longest "),
                    text(format!("{longest:.0}")),
                    Span::Own(" h)"),
                ]
            };
            vec![
                t(&s.source),
                t(s.records.to_string()),
                if s.undated > 0 {
                    t(s.undated.to_string())
                } else {
                    Cell::new()
                },
                opt(&s.first),
                opt(&s.last),
                gaps,
            ]
        })
        .collect();
    body.push(table(
        &[
            "source",
            "records",
            "undated",
            "first",
            "last",
            "silent > 24 h",
        ],
        &[Plain, Num, Num, Time, Time, Plain],
        rows,
    ));
    const SHOW: usize = 10;
    let mut gaps = Vec::new();
    for s in &st.sources {
        for g in s.gaps.iter().take(SHOW) {
            gaps.push(vec![
                t(&s.source),
                t(&g.from),
                t(&g.to),
                t(format!("{:.1}", g.hours)),
            ]);
        }
        if s.gaps.len() > SHOW {
            gaps.push(vec![
                t(&s.source),
                vec![
                    Span::Own("… and "),
                    text((s.gaps.len() - SHOW).to_string()),
                    Span::Own(" more"),
                ],
                Cell::new(),
                Cell::new(),
            ]);
        }
    }
    if !gaps.is_empty() {
        body.push(h3("Silent periods"));
        body.push(table(
            &["source", "from", "to", "hours"],
            &[Plain, Time, Time, Num],
            gaps,
        ));
    }

    body.push(h3("What could not be collected"));
    if st.coverage.is_empty() {
        body.push(said(
            "Sync windows: none failed, was unavailable or partial.",
        ));
    } else {
        body.push(said("Sync windows not fully fetched:"));
        let rows = st
            .coverage
            .iter()
            .map(|c| {
                vec![
                    t(&c.source),
                    t(&c.state),
                    t(&c.win_from),
                    t(&c.win_to),
                    if c.scope.is_empty() {
                        vec![Span::Own("account")]
                    } else {
                        t(&c.scope)
                    },
                    t(&c.detail),
                ]
            })
            .collect();
        body.push(table(
            &["source", "state", "from", "to", "scope", "detail"],
            &[Plain, Plain, Time, Time, Plain, Plain],
            rows,
        ));
    }
    if r.scope.rejects.is_empty() {
        body.push(said("Rejected records: none."));
    } else {
        body.push(said(
            "Rejected records (kept whole in the case with the reason):",
        ));
        let rows = r
            .scope
            .rejects
            .iter()
            .map(|(src, reason, n)| vec![t(src), t(reason), t(n.to_string())])
            .collect();
        body.push(table(
            &["file", "reason", "records"],
            &[Plain, Plain, Num],
            rows,
        ));
    }
    if r.scope.skipped_rules.is_empty() {
        body.push(said("Detection rules that could not run: none."));
    } else {
        body.push(said(
            "Detection rules that could not run (they found nothing because they could not \
             look):",
        ));
        let rows = r
            .scope
            .skipped_rules
            .iter()
            .map(|(rule, why)| vec![t(rule), t(why)])
            .collect();
        body.push(table(&["rule", "why"], &[Plain, Plain], rows));
    }
    body.push(h3("Allow-list"));
    if r.scope.allow.is_empty() {
        body.push(said("Empty: every finding the rules made is stored."));
    } else {
        body.push(said(
            "Findings this case's allow-list covers were not stored:",
        ));
        let rows = r
            .scope
            .allow
            .iter()
            .map(|a| texts([&a.kind, &a.value, &a.analyst, &a.at, &a.reason]))
            .collect();
        body.push(table(
            &["kind", "value", "analyst", "at", "reason"],
            &[Plain, Plain, Plain, Time, Plain],
            rows,
        ));
    }
    part(Anchor::Scope, "Scope", body)
}

fn incidents(r: &CaseReport) -> Block<'static> {
    if r.stories.is_empty() {
        return part(
            Anchor::Incidents,
            "Incidents",
            vec![para(vec![
                Span::Own("No incidents (run "),
                Span::OwnCode("zoomlens detect"),
                Span::Own(" on the case first)."),
            ])],
        );
    }
    let rows = r
        .stories
        .iter()
        .map(|s| {
            let i = &s.incident;
            vec![
                vec![Span::Link(format!("I{}", i.id), Anchor::Incident(i.id))],
                t(format!("{:.1}", i.score)),
                vec![Span::Severity(i.severity.clone())],
                t(&i.state),
                t(span(&i.first_time, &i.last_time)),
                t(i.findings.to_string()),
                t(&i.title),
                opt(&i.analyst),
                t(&i.reason),
            ]
        })
        .collect();
    let list = table(
        &[
            "incident", "score", "severity", "state", "span", "findings", "story", "analyst",
            "reason",
        ],
        &[Plain, Num, Plain, Plain, Time, Num, Plain, Plain, Plain],
        rows,
    );
    part(
        Anchor::Incidents,
        "Incidents",
        vec![note("Highest score first."), list],
    )
}

fn story(s: &Story) -> Block<'_> {
    let i = &s.incident;
    let mut state = vec![text(&i.state)];
    if let Some(a) = &i.analyst {
        state.extend([Span::Own(" (by "), text(a)]);
        if let Some(at) = &i.triaged_at {
            state.extend([Span::Own(", "), text(at)]);
        }
        state.push(Span::Own(")"));
    }
    let mut facts = vec![fact("State", state)];
    if !i.reason.is_empty() {
        facts.push(fact("Reason", vec![text(&i.reason)]));
    }
    facts.push(only(
        Format::Markdown,
        "Severity",
        vec![
            text(&i.severity),
            Span::Own(" · "),
            Span::Strong("Score:"),
            Span::Own(" "),
            text(format!("{:.1}", i.score)),
            Span::Own(" · "),
            Span::Strong("Findings:"),
            Span::Own(" "),
            text(i.findings.to_string()),
        ],
    ));
    facts.push(only(
        Format::Html,
        "Score",
        vec![
            text(format!("{:.1}", i.score)),
            Span::Own(" ("),
            text(plural(i.findings as usize, "finding")),
            Span::Own(")"),
        ],
    ));
    facts.push(fact("When", vec![text(span(&i.first_time, &i.last_time))]));
    if !i.actors.is_empty() {
        facts.push(fact("Involved", join(i.actors.iter().map(t), ", ")));
    }
    facts.push(fact("Rules", join(i.rules.iter().map(t), ", ")));
    let mut body = vec![
        Block::Paragraph(Para::Lead, vec![text(&i.title)]),
        Block::Facts(FactStyle::Details, facts),
        Block::Timeline(s),
        h3("Story"),
        story_table(&s.findings),
    ];
    body.extend(s.findings.iter().map(finding));
    if !s.history.is_empty() {
        body.push(h3("Verdicts"));
        let rows = s
            .history
            .iter()
            .map(|v| texts([&v.at, &v.target, &v.state, &v.analyst, &v.reason]))
            .collect();
        body.push(table(
            &["at", "on", "state", "analyst", "reason"],
            &[Time, Plain, Plain, Plain, Plain],
            rows,
        ));
    }
    Block::Section {
        kind: SectionKind::Incident,
        level: 2,
        anchor: Some(Anchor::Incident(i.id)),
        title: vec![Span::Own("Incident "), text(format!("I{}", i.id))],
        badge: Some(i.severity.clone()),
        body,
    }
}

/// The findings in time order, one line each.
fn story_table(fs: &[StoryFinding]) -> Block<'static> {
    let rows = fs
        .iter()
        .map(|sf| {
            let f = &sf.finding;
            vec![
                t(&f.time),
                vec![Span::Link(format!("F{}", f.id), Anchor::Finding(f.id))],
                vec![Span::Severity(f.severity.clone())],
                t(&f.rule),
                opt(&f.technique),
                who_to_whom(f),
                t(&f.summary),
            ]
        })
        .collect();
    table(
        &[
            "time",
            "finding",
            "severity",
            "rule",
            "technique",
            "actor → target",
            "summary",
        ],
        &[Time, Plain, Plain, Plain, Plain, Plain, Plain],
        rows,
    )
}

/// "actor → target", either side left out when the finding names none.
fn who_to_whom(f: &crate::detect::StoredFinding) -> Cell {
    match (&f.actor, &f.target) {
        (Some(a), Some(b)) => vec![text(a), Span::Own(" → "), text(b)],
        (Some(a), None) => t(a),
        (None, Some(b)) => vec![Span::Own("→ "), text(b)],
        (None, None) => Vec::new(),
    }
}

fn finding<'a>(sf: &StoryFinding) -> Block<'a> {
    let f = &sf.finding;
    let mut rule = vec![text(&f.rule)];
    if !sf.rule_title.is_empty() {
        rule.extend([Span::Own(" ("), text(&sf.rule_title), Span::Own(")")]);
    }
    let technique = match &f.technique {
        Some(tq) => text(tq),
        None => Span::Own("-"),
    };
    let mut about = Vec::new();
    if let Some(u) = &f.user {
        about.push(vec![Span::Own("user "), text(u)]);
    }
    if let Some(m) = f.meeting_id {
        about.push(vec![Span::Own("meeting "), text(m.to_string())]);
    }
    if let Some(u) = &f.meeting_uuid {
        about.push(vec![Span::Own("instance "), text(u)]);
    }
    if let Some(ip) = &f.ip {
        about.push(vec![Span::Own("IP "), text(ip)]);
    }
    if let Some(r) = f.recording {
        about.push(vec![Span::Own("recording "), text(r.to_string())]);
    }
    let mut state = vec![text(&f.state)];
    if let Some(a) = &f.analyst {
        state.extend([Span::Own(" (by "), text(a), Span::Own(")")]);
    }
    if !f.reason.is_empty() {
        state.extend([Span::Own(": "), text(&f.reason)]);
    }
    let mut facts = vec![
        fact("Rule", rule),
        only(
            Format::Markdown,
            "When",
            vec![
                text(&f.time),
                Span::Own(" · "),
                Span::Strong("Severity:"),
                Span::Own(" "),
                text(&f.severity),
                Span::Own(" · "),
                Span::Strong("Technique:"),
                Span::Own(" "),
                technique.clone(),
            ],
        ),
        only(Format::Html, "When", vec![text(&f.time)]),
        only(Format::Html, "Technique", vec![technique]),
    ];
    if !f.question.is_empty() {
        facts.push(fact("Question", vec![text(&f.question)]));
    }
    if f.actor.is_some() || f.target.is_some() {
        facts.push(fact("Actor → target", who_to_whom(f)));
    }
    facts.push(fact("Summary", vec![text(&f.summary)]));
    // Cases detected by an older zoomlens have no facts until the next detect.
    for w in &f.why {
        facts.push(fact("Why", vec![text(w)]));
    }
    if !about.is_empty() {
        facts.push(fact("About", join(about, " · ")));
    }
    facts.push(fact("State", state));
    let mut body = vec![Block::Facts(FactStyle::Details, facts)];
    if sf.evidence.is_empty() {
        body.push(note("No evidence records (the summary is the evidence)."));
    }
    for e in &sf.evidence {
        body.extend(evidence(e));
    }
    Block::Section {
        kind: SectionKind::Finding,
        level: 4,
        anchor: Some(Anchor::Finding(f.id)),
        title: vec![Span::Own("Finding "), text(format!("F{}", f.id))],
        badge: Some(f.severity.clone()),
        body,
    }
}

fn evidence(e: &EvidenceTable) -> [Block<'static>; 2] {
    let caption = para(vec![
        Span::Own("Evidence: "),
        text(plural(e.rows.len(), "record")),
        Span::Own(" in "),
        Span::Name(e.table.clone()),
    ]);
    let mut headers = vec![Span::Own("record")];
    headers.extend(e.columns.iter().map(text));
    // Times and ids do not wrap.
    let mut kinds = vec![Num];
    kinds.extend(e.columns.iter().map(|c| {
        let unbroken = ["time", "_at", "_start", "_end", "_id"]
            .iter()
            .any(|end| c.ends_with(end))
            || c == "version";
        if unbroken { Time } else { Plain }
    }));
    let rows = e
        .rows
        .iter()
        .map(|(id, cells)| {
            let mut row = vec![vec![Span::Ref(
                id.to_string(),
                Anchor::Record(e.table.clone(), *id),
            )]];
            row.extend(cells.iter().map(t));
            row
        })
        .collect();
    [
        caption,
        Block::Table(Table {
            headers,
            kinds,
            rows,
        }),
    ]
}

fn notes(r: &CaseReport) -> Block<'static> {
    let title = "Analyst's notes, tags and bookmarks";
    if r.annotations.is_empty() {
        return part(Anchor::Notes, title, vec![said("None.")]);
    }
    let rows = r
        .annotations
        .iter()
        .map(|a| {
            vec![
                t(&a.created_at),
                t(&a.kind),
                t(&a.text),
                vec![text(&a.table), Span::Own(" "), text(a.row_id.to_string())],
                t(&a.what),
                join(
                    a.cited_by
                        .iter()
                        .map(|id| vec![Span::Ref(format!("F{id}"), Anchor::Finding(*id))]),
                    ", ",
                ),
            ]
        })
        .collect();
    let list = table(
        &["at", "kind", "text", "record", "what it is", "cited by"],
        &[Time, Plain, Plain, Plain, Plain, Plain],
        rows,
    );
    part(Anchor::Notes, title, vec![list])
}

fn provenance(r: &CaseReport) -> Block<'static> {
    let p = &r.provenance;
    let mut body = vec![Block::Paragraph(
        Para::Note,
        vec![
            Span::Own(
                "Every evidence record cited above, with the verbatim record it was normalised \
                 from: where that came from (origin, and line in the imported file: for API \
                 pages, in the capture file) and the SHA-256 of its text as kept in the case \
                 (the record's ",
            ),
            Span::OwnCode("raw"),
            Span::Own(
                " column; a record several doors reported has one copy per door). Check one \
                 with ",
            ),
            Span::OwnCode(
                "zoomlens sql CASE \"SELECT sha256, zl_raw(raw) FROM <table> WHERE id = <record>\"",
            ),
            Span::Own("."),
        ],
    )];
    if p.records.is_empty() {
        body.push(said("No evidence records are cited."));
        return part(Anchor::Provenance, "Appendix: provenance", body);
    }
    body.push(h3("Origins"));
    let rows = p
        .origins
        .iter()
        .map(|o| {
            vec![
                vec![Span::Target(
                    vec![text(format!("O{}", o.id))],
                    Anchor::Origin(o.id),
                )],
                t(&o.kind),
                t(&o.source),
                vec![Span::Mono(o.query.clone())],
                t(&o.fetched_at),
            ]
        })
        .collect();
    body.push(table(
        &["origin", "kind", "source", "query", "fetched at"],
        &[Plain, Plain, Plain, Plain, Time],
        rows,
    ));
    body.push(h3("Evidence records"));
    let mut rows = Vec::new();
    for rec in &p.records {
        let name = vec![text(&rec.table), Span::Own(" "), text(rec.id.to_string())];
        let from = rec
            .derived_from
            .as_ref()
            .map(|(tb, i)| vec![text(tb), Span::Own(" "), text(i.to_string())])
            .unwrap_or_default();
        if rec.copies.is_empty() {
            rows.push(vec![
                name.clone(),
                from.clone(),
                vec![Span::Own("-")],
                Cell::new(),
                vec![Span::Own("(bookkeeping; no verbatim record)")],
            ]);
        }
        for (k, c) in rec.copies.iter().enumerate() {
            rows.push(vec![
                // The anchor once per record.
                if k == 0 {
                    vec![Span::Target(
                        name.clone(),
                        Anchor::Record(rec.table.clone(), rec.id),
                    )]
                } else {
                    name.clone()
                },
                from.clone(),
                vec![Span::Ref(
                    format!("O{}", c.origin),
                    Anchor::Origin(c.origin),
                )],
                c.line.map(|l| t(l.to_string())).unwrap_or_default(),
                vec![Span::Mono(c.sha256.clone())],
            ]);
        }
    }
    body.push(table(
        &["record", "derived from", "origin", "line", "sha256"],
        &[Plain, Plain, Plain, Num, Plain],
        rows,
    ));
    part(Anchor::Provenance, "Appendix: provenance", body)
}
