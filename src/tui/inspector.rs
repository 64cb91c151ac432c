//! The record inspector (`d`, "describe" as in k9s): one record in full over the pane — every
//! field, the verbatim record as received (pretty-printed JSON), its provenance and SHA-256 —
//! wrapped, never cut off. A cursor walks the items; `y` copies the chosen one; Enter on an
//! evidence record of a finding opens that record (Esc comes back).
//!
//! A component: its own state, keys and drawing; the app routes keys to it while it is open and
//! carries out what it asks for ([`Ask`]).

use super::theme::Theme;
use super::widgets::{clean, fmt_time, wrapped};
use crate::store::read::record::{Raw, Record, pretty_json};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear};
use std::cell::Cell;

/// What an item is, for copying and opening.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum What {
    Field,
    /// A line of a verbatim record: copying takes the whole record (index into `raws`).
    Raw(usize),
    Sha(usize),
    Origin(usize),
    /// An evidence record of a finding: Enter inspects it.
    Evidence(String, i64),
    Heading,
    Note,
}

/// One cursor stop.
#[derive(Clone, Debug)]
pub struct Entry {
    pub label: String,
    /// The stored value (what `y` copies for a field).
    pub value: String,
    /// Stored UTC time: shown in the display zone.
    pub is_time: bool,
    pub what: What,
}

/// The inspector's state for one record (a stack: Enter on evidence pushes).
#[derive(Clone, Debug)]
pub struct Page {
    pub tbl: String,
    pub id: i64,
    pub record: Option<Box<Record>>,
    pub missing: bool,
    pub entries: Vec<Entry>,
    /// The verbatim records shown (main, then further evidence), for `y` on any of their lines.
    pub raws: Vec<Raw>,
    pub cursor: usize,
    pub top: Cell<usize>,
    /// Items visible, recorded by the last draw (for page keys).
    pub height: Cell<usize>,
}

impl Page {
    pub fn new(tbl: &str, id: i64) -> Page {
        Page {
            tbl: tbl.to_string(),
            id,
            record: None,
            missing: false,
            entries: vec![],
            raws: vec![],
            cursor: 0,
            top: Cell::new(0),
            height: Cell::new(10),
        }
    }

    /// The record arrived: lay it out as cursor stops.
    pub fn set(&mut self, rec: Option<Box<Record>>) {
        let Some(rec) = rec else {
            self.missing = true;
            return;
        };
        let mut e = vec![];
        let field = |label: &str, value: String, what: What| Entry {
            is_time: crate::model::time::parse_time(&value).is_some() && value.ends_with('Z'),
            label: label.to_string(),
            value,
            what,
        };
        for (k, v) in &rec.fields {
            e.push(field(k, v.clone(), What::Field));
        }
        for n in &rec.notes {
            e.push(field("annotation", n.clone(), What::Note));
        }
        let mut raws = vec![];
        let mut raw_entries = |e: &mut Vec<Entry>, raw: &Raw, title: &str| {
            let i = raws.len();
            raws.push(raw.clone());
            e.push(field(title, String::new(), What::Heading));
            for (n, l) in pretty_json(&raw.text).lines().enumerate() {
                e.push(Entry {
                    label: if n == 0 { "raw".into() } else { String::new() },
                    value: l.to_string(),
                    is_time: false,
                    what: What::Raw(i),
                });
            }
            let sha = if raw.intact {
                format!("{} (verified: the bytes kept hash to it)", raw.sha256)
            } else {
                format!(
                    "{} MISMATCH: the bytes kept hash to {}; run `zoomlens verify`",
                    raw.sha256,
                    crate::util::sha256_hex(raw.text.as_bytes())
                )
            };
            e.push(field("sha256", sha, What::Sha(i)));
            e.push(field("provenance", raw.origin.describe(), What::Origin(i)));
        };
        match &rec.raw {
            Some(raw) => raw_entries(&mut e, raw, "as received"),
            None => e.push(field(
                "as received",
                "no verbatim record: zoomlens derived this row (see its evidence)".into(),
                What::Heading,
            )),
        }
        for (n, raw) in rec.extra.iter().enumerate() {
            raw_entries(
                &mut e,
                raw,
                &format!("also received ({}/{})", n + 1, rec.extra.len()),
            );
        }
        if !rec.evidence.is_empty() {
            e.push(field(
                "evidence",
                format!(
                    "{} records, in time order (Enter inspects one)",
                    rec.evidence.len()
                ),
                What::Heading,
            ));
            for ev in &rec.evidence {
                let mut text = format!("{} #{}  {}", ev.tbl, ev.id, ev.text);
                if !ev.notes.is_empty() {
                    text.push_str(&format!("  {}", ev.notes.join(" ")));
                }
                e.push(Entry {
                    label: ev.time.clone(),
                    value: text,
                    is_time: false,
                    what: What::Evidence(ev.tbl.clone(), ev.id),
                });
            }
        }
        self.entries = e;
        self.raws = raws;
        self.cursor = 0;
        self.record = Some(rec);
    }

    /// What `y` copies: a field's stored value, a whole verbatim record, a hash, a provenance.
    pub fn copy_text(&self) -> Option<(String, String)> {
        let e = self.entries.get(self.cursor)?;
        Some(match &e.what {
            What::Field | What::Note => (e.label.clone(), e.value.clone()),
            What::Raw(i) => ("the record as received".into(), self.raws[*i].text.clone()),
            What::Sha(i) => ("sha256".into(), self.raws[*i].sha256.clone()),
            What::Origin(i) => ("provenance".into(), self.raws[*i].origin.describe()),
            What::Evidence(t, id) => (format!("{t} #{id}"), e.value.clone()),
            What::Heading => return None,
        })
    }
}

/// What the inspector asks the app to do after a key.
#[derive(Debug, PartialEq, Eq)]
pub enum Ask {
    Nothing,
    /// Close the inspector (or go back to the record it was opened from).
    Back,
    Copy,
    Open(String, i64),
    ToggleTime,
}

/// Keys while the inspector is open.
pub fn on_key(p: &mut Page, k: &KeyEvent) -> Ask {
    let n = p.entries.len();
    let h = p.height.get().max(1);
    let mv = |p: &mut Page, d: i64| {
        if n > 0 {
            p.cursor = (p.cursor as i64 + d).clamp(0, n as i64 - 1) as usize;
        }
    };
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    match k.code {
        KeyCode::Char('d') | KeyCode::Char('f') if ctrl => {
            mv(p, h as i64 / 2);
            Ask::Nothing
        }
        KeyCode::Char('u') | KeyCode::Char('b') if ctrl => {
            mv(p, -(h as i64) / 2);
            Ask::Nothing
        }
        KeyCode::Esc | KeyCode::Backspace | KeyCode::Char('q') | KeyCode::Char('d') => Ask::Back,
        KeyCode::Char('j') | KeyCode::Down => {
            mv(p, 1);
            Ask::Nothing
        }
        KeyCode::Char('k') | KeyCode::Up => {
            mv(p, -1);
            Ask::Nothing
        }
        KeyCode::PageDown => {
            mv(p, h as i64);
            Ask::Nothing
        }
        KeyCode::PageUp => {
            mv(p, -(h as i64));
            Ask::Nothing
        }
        KeyCode::Char('g') | KeyCode::Home => {
            p.cursor = 0;
            Ask::Nothing
        }
        KeyCode::Char('G') | KeyCode::End => {
            p.cursor = n.saturating_sub(1);
            Ask::Nothing
        }
        KeyCode::Char('y') => Ask::Copy,
        KeyCode::Char('L') => Ask::ToggleTime,
        KeyCode::Enter => match p.entries.get(p.cursor).map(|e| &e.what) {
            Some(What::Evidence(t, id)) => Ask::Open(t.clone(), *id),
            _ => Ask::Nothing,
        },
        _ => Ask::Nothing,
    }
}

/// Draw the inspector over `area` (the pane), the trail of records it came through in the title.
pub fn draw(f: &mut Frame, area: Rect, stack: &[Page], local: bool, theme: &Theme) {
    let Some(p) = stack.last() else { return };
    f.render_widget(Clear, area);
    let trail = stack
        .iter()
        .map(|p| format!("{} #{}", p.tbl, p.id))
        .collect::<Vec<_>>()
        .join(" \u{203a} ");
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(
            format!(" record {} ", clean(&trail)),
            theme.accent().add_modifier(Modifier::BOLD),
        ))
        .title_bottom(Line::styled(
            " j/k move \u{b7} y copy the chosen field \u{b7} Enter inspect evidence \u{b7} L time \u{b7} Esc close ",
            theme.fg("dim"),
        ));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if p.record.is_none() {
        let msg = if p.missing {
            "this record is not in the case (gone since a later import or detect?)"
        } else {
            "loading\u{2026}"
        };
        f.render_widget(Span::styled(msg, theme.fg("dim")), inner);
        return;
    }
    let label_w = p
        .entries
        .iter()
        .filter(|e| !matches!(e.what, What::Evidence(..)))
        .map(|e| e.label.chars().count())
        .max()
        .unwrap_or(8)
        .clamp(8, 24)
        + 2;
    let has_evidence = p
        .entries
        .iter()
        .any(|e| matches!(e.what, What::Evidence(..)));
    let label_w = if has_evidence {
        label_w.max(21)
    } else {
        label_w
    };
    let items: Vec<wrapped::Item> = p
        .entries
        .iter()
        .map(|e| {
            let (label, label_style) = match &e.what {
                What::Heading => (e.label.clone(), theme.accent().add_modifier(Modifier::BOLD)),
                What::Evidence(..) => (
                    format!("\u{25c6} {}", fmt_time(&e.label, local)),
                    theme.fg("highlight"),
                ),
                _ => (e.label.clone(), theme.fg("dim")),
            };
            let text = match &e.what {
                _ if e.is_time => time_value(&e.value, local),
                _ => clean(&e.value),
            };
            let style = match &e.what {
                What::Raw(_) => theme.fg("chip"),
                What::Sha(_) if e.value.contains("MISMATCH") => theme.fg("error"),
                _ => ratatui::style::Style::default(),
            };
            wrapped::Item {
                label,
                label_style,
                text,
                style,
            }
        })
        .collect();
    p.height.set(inner.height as usize);
    wrapped::draw(
        f,
        inner,
        &items,
        label_w,
        Some(p.cursor),
        theme.selected(),
        &p.top,
    );
}

/// A stored time in the display zone: local with its offset, the stored value beside it.
pub fn time_value(v: &str, local: bool) -> String {
    if !local {
        return clean(v);
    }
    match crate::model::time::parse_time(v) {
        Some(d) => format!(
            "{} ({})",
            d.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M:%S %:z"),
            clean(v)
        ),
        None => clean(v),
    }
}
