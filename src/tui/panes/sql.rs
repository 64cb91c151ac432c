//! SQL prompt: read-only queries on the documented views; results in a table (first 1000
//! rows; ←/→ scroll columns, ↑/↓ rows).

use crate::tui::app::App;
use crate::tui::theme::Theme;
use crate::tui::widgets::clean;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table};

pub fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let [input, out] = Layout::vertical([Constraint::Length(3), Constraint::Min(3)]).areas(area);
    let s = &app.sql;
    let prompt = Line::from(vec![
        Span::styled("sql> ", theme.accent()),
        Span::raw(clean(&s.input)),
        Span::raw("\u{2588}"),
    ]);
    f.render_widget(
        Paragraph::new(prompt).block(Block::default().borders(Borders::ALL).title(
            " SQL (read-only) \u{b7} views: zoom_meetings zoom_participants zoom_recordings zoom_operation_logs zoom_signins \u{b7} Enter runs ",
        )),
        input,
    );
    let block = Block::default().borders(Borders::ALL);
    if let Some(e) = &s.error {
        f.render_widget(
            Paragraph::new(Line::styled(clean(e), theme.fg("error"))).block(block.title(" error ")),
            out,
        );
        return;
    }
    let Some(res) = &s.result else {
        let msg = if s.running {
            "running\u{2026}"
        } else {
            "type a query, e.g. SELECT * FROM zoom_signins LIMIT 20"
        };
        f.render_widget(Paragraph::new(msg).block(block), out);
        return;
    };
    let h = out.height.saturating_sub(3) as usize;
    s.list.height.set(h.max(1));
    let cols: Vec<usize> =
        (s.col.min(res.columns.len().saturating_sub(1))..res.columns.len()).collect();
    let widths: Vec<Constraint> = cols
        .iter()
        .map(|&c| {
            let w = res
                .rows
                .iter()
                .take(200)
                .map(|r| cell(&r[c]).chars().count())
                .max()
                .unwrap_or(0)
                .max(res.columns[c].len());
            Constraint::Length(w.clamp(3, 40) as u16)
        })
        .collect();
    let rows: Vec<Row> = res
        .rows
        .iter()
        .enumerate()
        .skip(s.list.top)
        .take(h)
        .map(|(i, r)| {
            let row = Row::new(
                cols.iter()
                    .map(|&c| clean(&cell(&r[c])))
                    .collect::<Vec<_>>(),
            );
            if i == s.list.sel {
                row.style(theme.selected())
            } else {
                row
            }
        })
        .collect();
    let header = Row::new(
        cols.iter()
            .map(|&c| clean(&res.columns[c]))
            .collect::<Vec<_>>(),
    )
    .style(theme.accent());
    f.render_widget(
        Table::new(rows, widths)
            .header(header)
            .block(block.title(format!(
                " {} rows{} \u{b7} column {}/{} ",
                res.rows.len(),
                if res.rows.len() >= 1000 {
                    " (first 1000)"
                } else {
                    ""
                },
                s.col.min(res.columns.len().saturating_sub(1)) + 1,
                res.columns.len()
            ))),
        out,
    );
}

fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
