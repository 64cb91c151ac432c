//! The evidence box under the findings queue and a story: the selected finding's summary, its
//! verdict, technique and why, the entities it is about, and every record it cites in time
//! order, each wrapped in full. `J`/`K` choose a record (the box scrolls to it), `D` inspects
//! it; the title says how many records lie above and below the window ("+N more").

use crate::store::read::Row;
use crate::store::read::findings::FindingRow;
use crate::tui::app::App;
use crate::tui::theme::Theme;
use crate::tui::widgets::{clean, fmt_time, state_style, wrapped};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders};

/// Width of the evidence box's label column: a marker and a full time.
const LABEL_W: usize = 22;

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme, row: Option<&Row>) {
    let mut items: Vec<wrapped::Item> = vec![];
    let text = |label: &str, text: String, style: Style| wrapped::Item {
        label: label.to_string(),
        label_style: theme.fg("dim"),
        text,
        style,
    };
    let mut title = " evidence ".to_string();
    let mut sel = None;
    let mut first_ev = usize::MAX;
    if let Some(row) = row.filter(|r| r.tbl == "findings") {
        let fr = FindingRow(row);
        items.push(wrapped::Item {
            label: clean(fr.severity()),
            label_style: theme.severity(row.rank),
            text: format!("{}: {}", clean(fr.rule()), clean(fr.summary())),
            style: Style::default(),
        });
        let mut verdict = clean(fr.state());
        if !fr.reason().is_empty() {
            verdict.push_str(&format!(": {}", clean(fr.reason())));
        }
        if !fr.incident().is_empty() {
            verdict.push_str(&format!(" \u{b7} incident {}", clean(fr.incident())));
        }
        verdict.push_str("  (T verdict)");
        items.push(wrapped::Item {
            label: "state".into(),
            label_style: theme.fg("dim"),
            text: verdict,
            style: state_style(fr.state(), theme),
        });
        if !fr.technique().is_empty() {
            items.push(text(
                "technique",
                format!(
                    "{}{}",
                    clean(fr.technique()),
                    technique_name(fr.technique())
                        .map(|n| format!(" {n}"))
                        .unwrap_or_default()
                ),
                Style::default(),
            ));
        }
        if !fr.actor().is_empty() || !fr.target().is_empty() {
            let who = match (fr.actor(), fr.target()) {
                (a, "") => clean(a),
                ("", t) => format!("→ {}", clean(t)),
                (a, t) => format!("{} → {}", clean(a), clean(t)),
            };
            items.push(text("actor", who, Style::default()));
        }
        // The rule's own account of why it fired, where the case's findings carry one.
        if !fr.why().is_empty() {
            items.push(text("why", clean(fr.why()), Style::default()));
        }
        let l = &row.link;
        let mut ents = vec![];
        for (k, val) in [
            ("user", &l.user),
            ("name", &l.name),
            ("meeting", &l.meeting_uuid),
            ("ip", &l.ip),
            ("recording", &l.recording),
            ("device", &l.device),
        ] {
            if let Some(val) = val {
                ents.push(format!("{k} {}", clean(val)));
            }
        }
        if let Some(m) = l.meeting_id {
            ents.push(format!("meeting id {m}"));
        }
        if !ents.is_empty() {
            items.push(text("about", ents.join(" \u{b7} "), theme.fg("dim")));
        }
        if !row.notes.is_empty() {
            items.push(text(
                "notes",
                clean(&row.notes.join(" ")),
                theme.fg("medium"),
            ));
        }
        first_ev = items.len();
        match &app.preview {
            Some(p) if p.finding == row.id => {
                for e in &p.items {
                    let mut t = clean(&e.text);
                    if !e.notes.is_empty() {
                        t.push_str(&format!("   {}", clean(&e.notes.join(" "))));
                    }
                    items.push(wrapped::Item {
                        label: format!("\u{25c6} {}", fmt_time(&e.time, app.local_time)),
                        label_style: theme.fg("highlight"),
                        text: t,
                        style: Style::default(),
                    });
                }
                let n = p.items.len();
                sel = (n > 0).then(|| first_ev + app.ev_sel.min(n - 1));
                title = format!(
                    " evidence {} of {}{} \u{b7} J/K choose \u{b7} D inspect \u{b7} d the finding ",
                    app.ev_sel.min(n.saturating_sub(1)) + usize::from(n > 0),
                    p.total,
                    if (p.total as usize) > n {
                        format!(" (first {n} listed)")
                    } else {
                        String::new()
                    }
                );
            }
            _ => items.push(text("", "evidence \u{2026}".into(), theme.fg("dim"))),
        }
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme.accent()));
    let inner = block.inner(area);
    let (top, end) = wrapped::draw(
        f,
        inner,
        &items,
        LABEL_W,
        sel,
        theme.selected(),
        &app.ev_top,
    );
    // Say which evidence records the window leaves out, on the bottom border.
    let above = top.saturating_sub(first_ev);
    let below = items.len().saturating_sub(end.max(first_ev));
    let mut more = vec![];
    if above > 0 {
        more.push(format!("\u{2191} +{above} more"));
    }
    if below > 0 {
        more.push(format!("\u{2193} +{below} more"));
    }
    let block = if more.is_empty() {
        block
    } else {
        block.title_bottom(Span::styled(
            format!(" {} ", more.join(" \u{b7} ")),
            theme.fg("accent"),
        ))
    };
    f.render_widget(block, area);
}

/// The name of a MITRE ATT&CK technique the catalogue uses.
pub fn technique_name(id: &str) -> Option<&'static str> {
    Some(match id.trim() {
        "T1036" => "(Masquerading)",
        "T1078" => "(Valid Accounts)",
        "T1078.004" => "(Valid Accounts: Cloud Accounts)",
        "T1098.003" => "(Account Manipulation: Additional Cloud Roles)",
        "T1125" => "(Video Capture)",
        "T1136.003" => "(Create Account: Cloud Account)",
        "T1203" => "(Exploitation for Client Execution)",
        "T1204" => "(User Execution)",
        "T1213" => "(Data from Information Repositories)",
        "T1484.002" => "(Domain or Tenant Policy Modification: Trust Modification)",
        "T1485" => "(Data Destruction)",
        "T1530" => "(Data from Cloud Storage)",
        "T1550.004" => "(Use Alternate Authentication Material: Web Session Cookie)",
        "T1556" => "(Modify Authentication Process)",
        "T1562.001" => "(Impair Defenses: Disable or Modify Tools)",
        "T1562.008" => "(Impair Defenses: Disable or Modify Cloud Logs)",
        "T1656" => "(Impersonation)",
        _ => return None,
    })
}
