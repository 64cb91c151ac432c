//! SQL prompt: read-only queries on the documented views; results in a table (the first
//! [`SQL_ROW_CAP`] rows, said in its title; ←/→ scroll columns, ↑/↓ rows).

use crate::tui::app::{App, Effect, Mode, edit};
use crate::tui::keymap::Cmd;
use crate::tui::theme::Theme;
use crate::tui::widgets::clean;
use crate::tui::widgets::table::{self, Col};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

pub struct Sql;

impl super::Pane for Sql {
    fn enter(&self, _: &mut App, _: &crate::store::read::Row) -> Vec<Effect> {
        vec![]
    }
    /// `d` (Ctrl-D where keys type into the prompt): the record a result row names.
    fn on_cmd(&self, app: &mut App, c: Cmd) -> Option<Vec<Effect>> {
        (c == Cmd::Inspect).then(|| inspect_row(app))
    }
    fn draw(&self, f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
        draw(f, area, app, theme)
    }
}

fn inspect_row(app: &mut App) -> Vec<Effect> {
    match record(app) {
        Ok((t, id)) => app.inspect(t, id),
        Err(why) => app.say(&why),
    }
}

/// The record a SQL result row names: its `id` column, from the one table (or documented
/// view) the query reads FROM.
fn record(app: &App) -> Result<(String, i64), String> {
    let Some(res) = &app.sql.result else {
        return Err("run a query first".into());
    };
    let Some(ci) = res
        .columns
        .iter()
        .position(|c| c.eq_ignore_ascii_case("id"))
    else {
        return Err(
            "this result has no id column: SELECT id, ... FROM one table to inspect its rows"
                .into(),
        );
    };
    let lower = app.sql.input.to_ascii_lowercase();
    let table = lower
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .skip_while(|w| *w != "from")
        .nth(1)
        .map(|t| t.trim_matches('"'));
    let Some(tbl) = table.and_then(crate::store::read::record::table_of_view) else {
        return Err("cannot tell which table this row is from: query one table or view".into());
    };
    let id = res
        .rows
        .get(app.sql.list.sel)
        .and_then(|r| r.get(ci))
        .and_then(|v| v.as_i64())
        .ok_or_else(|| "the selected row has no numeric id".to_string())?;
    Ok((tbl.to_string(), id))
}

/// Keys while the prompt has them: they type into it, Enter runs, ↑/↓ and PgUp/PgDn move in
/// the result, ←/→ scroll its columns, Ctrl-D inspects the row, Tab leaves, Esc goes back.
pub(crate) fn on_key(app: &mut App, k: &KeyEvent, mut input: String, now: u64) -> Vec<Effect> {
    match k.code {
        // Keys type into the prompt here: Ctrl-D describes the selected result row.
        KeyCode::Char('d') if k.modifiers.contains(KeyModifiers::CONTROL) => inspect_row(app),
        KeyCode::Enter => {
            app.sql.input = input.clone();
            app.run_sql()
        }
        KeyCode::Esc => {
            app.mode = Mode::Normal;
            app.back()
        }
        KeyCode::Tab | KeyCode::BackTab => {
            app.mode = Mode::Normal;
            app.on_cmd(
                if k.code == KeyCode::Tab {
                    Cmd::NextPane
                } else {
                    Cmd::PrevPane
                },
                now,
            )
        }
        KeyCode::Down | KeyCode::Up | KeyCode::PageDown | KeyCode::PageUp => {
            let n = app.sql.result.as_ref().map(|r| r.rows.len()).unwrap_or(0);
            let h = app.sql.list.height.get().max(1) as i64;
            let d = match k.code {
                KeyCode::Down => 1,
                KeyCode::Up => -1,
                KeyCode::PageDown => h,
                _ => -h,
            };
            let l = &mut app.sql.list;
            if n > 0 {
                l.sel = (l.sel as i64 + d).clamp(0, n as i64 - 1) as usize;
                if l.sel < l.top {
                    l.top = l.sel;
                }
                if l.sel >= l.top + h as usize {
                    l.top = l.sel + 1 - h as usize;
                }
            }
            vec![]
        }
        KeyCode::Right => {
            let l = &mut app.sql.list;
            if l.hcol < l.hmax.get() {
                l.hcol += 1;
            }
            vec![]
        }
        KeyCode::Left => {
            app.sql.list.hcol = app.sql.list.hcol.saturating_sub(1);
            vec![]
        }
        _ => {
            edit(&mut input, k);
            app.sql.input = input.clone();
            app.mode = Mode::Sql { input };
            vec![]
        }
    }
}

fn draw(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
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
    // Columns as wide as what they hold (up to 60), the first kept when ←/→ scroll the rest.
    let cols: Vec<Col> = res
        .columns
        .iter()
        .map(|c| Col {
            // Column names come from the query: untrusted like any cell.
            header: clean(c).into(),
            min: (c.chars().count() as u16).clamp(3, 12),
            max: 60,
        })
        .collect();
    let shown: Vec<(usize, &Vec<serde_json::Value>)> = res
        .rows
        .iter()
        .enumerate()
        .skip(s.list.top)
        .take(h)
        .collect();
    let capped = res.rows.len() >= SQL_ROW_CAP;
    let title = format!(
        " {}{} \u{b7} {} \u{b7} \u{2191}/\u{2193} rows \u{b7} \u{2190}/\u{2192} columns \u{b7} Ctrl-D inspects a row (needs an id column) ",
        crate::output::plural(res.rows.len(), "row"),
        if capped {
            format!(
                " (the prompt stops at {}: `zoomlens sql CASE QUERY --format csv` has them all)",
                crate::tui::widgets::fmt_count(SQL_ROW_CAP as u64)
            )
        } else {
            String::new()
        },
        crate::output::plural(res.columns.len(), "column"),
    );
    let block = Block::default().borders(Borders::ALL).title(title);
    let rows: Vec<Vec<String>> = shown
        .iter()
        .map(|(_, r)| r.iter().map(|v| clean(&cell(v))).collect())
        .collect();
    let sel = s.list.sel;
    let top = s.list.top;
    let fit = table::draw(
        f,
        out,
        block,
        &cols,
        theme.accent(),
        &rows,
        1,
        s.list.hcol,
        |r: &Vec<String>| r.iter().map(|c| Line::from(c.clone())).collect(),
        |i, _| {
            if top + i == sel {
                theme.selected()
            } else {
                Style::default()
            }
        },
        0,
    );
    s.list.hmax.set(fit.hcol + fit.more_right);
}

/// Rows the SQL prompt keeps (the worker asks for no more).
pub const SQL_ROW_CAP: usize = 1000;

fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
