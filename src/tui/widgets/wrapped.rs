//! A list of wrapped items with a cursor (the record inspector, the evidence box): every item
//! shown in full over as many lines as it needs, never cut off; the window scrolls by items so
//! the cursor's item is always wholly visible, and says how many items lie above and below.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use std::cell::Cell;
use unicode_width::UnicodeWidthChar;

/// One item: a label in a fixed-width column (first line only) and its text, wrapped.
#[derive(Clone, Debug, Default)]
pub struct Item {
    pub label: String,
    pub label_style: Style,
    /// Already sanitised for the terminal.
    pub text: String,
    pub style: Style,
}

/// Break `s` into lines of at most `w` display columns: at spaces where it can, inside a word
/// where a word is longer than a line (nothing is ever cut off).
pub fn wrap_hard(s: &str, w: usize) -> Vec<String> {
    let w = w.max(1);
    let width = |t: &str| t.chars().map(|c| c.width().unwrap_or(0)).sum::<usize>();
    let mut out = vec![];
    for para in s.split('\n') {
        // Leading indentation (pretty-printed JSON) is kept on every line of the paragraph.
        let body = para.trim_start_matches(' ');
        let indent = (para.len() - body.len()).min(w.saturating_sub(8));
        let w = w - indent;
        let first = out.len();
        let mut line = String::new();
        let mut lw = 0;
        for word in body.split(' ') {
            let ww = width(word);
            let sep = usize::from(!line.is_empty());
            if lw + sep + ww <= w {
                if sep == 1 {
                    line.push(' ');
                }
                line.push_str(word);
                lw += sep + ww;
                continue;
            }
            if ww <= w {
                out.push(std::mem::replace(&mut line, word.to_string()));
                lw = ww;
                continue;
            }
            // A word longer than a line: break it, starting where the line has room.
            if sep == 1 && lw + 1 < w {
                line.push(' ');
                lw += 1;
            } else if !line.is_empty() {
                out.push(std::mem::take(&mut line));
                lw = 0;
            }
            for c in word.chars() {
                let cw = c.width().unwrap_or(0);
                if lw + cw > w && lw > 0 {
                    out.push(std::mem::take(&mut line));
                    lw = 0;
                }
                line.push(c);
                lw += cw;
            }
        }
        out.push(line);
        if indent > 0 {
            let pad = " ".repeat(indent);
            for l in &mut out[first..] {
                l.insert_str(0, &pad);
            }
        }
    }
    out
}

fn lines_of(it: &Item, label_w: usize, text_w: usize) -> Vec<Line<'static>> {
    let mut out = vec![];
    for (i, l) in wrap_hard(&it.text, text_w).into_iter().enumerate() {
        let lab = if i == 0 {
            let pad = label_w.saturating_sub(
                it.label
                    .chars()
                    .map(|c| c.width().unwrap_or(0))
                    .sum::<usize>(),
            );
            format!("{}{}", it.label, " ".repeat(pad))
        } else {
            " ".repeat(label_w)
        };
        out.push(Line::from(vec![
            Span::styled(lab, it.label_style),
            Span::styled(l, it.style),
        ]));
    }
    out
}

/// Draw `items` in `area` with `sel` highlighted (or none); `top` is the first item shown, kept
/// so that the selection is wholly visible. Returns the window as (first item shown, the item
/// after the last one shown whole).
pub fn draw(
    f: &mut Frame,
    area: Rect,
    items: &[Item],
    label_w: usize,
    sel: Option<usize>,
    sel_style: Style,
    top: &Cell<usize>,
) -> (usize, usize) {
    let h = area.height as usize;
    if h == 0 || items.is_empty() {
        return (0, 0);
    }
    let text_w = (area.width as usize).saturating_sub(label_w).max(8);
    let height = |i: usize| wrap_hard(&items[i].text, text_w).len().max(1);
    let mut t = top.get().min(items.len() - 1);
    if let Some(s) = sel {
        let s = s.min(items.len() - 1);
        if s < t {
            t = s;
        }
        // Move the window down until the selected item's last line is on screen.
        loop {
            let used: usize = (t..=s).map(height).sum();
            if used <= h || t == s {
                break;
            }
            t += 1;
        }
    }
    top.set(t);
    let mut lines: Vec<Line> = vec![];
    let mut i = t;
    while i < items.len() && lines.len() < h {
        let mut ls = lines_of(&items[i], label_w, text_w);
        if Some(i) == sel {
            ls = ls.into_iter().map(|l| l.style(sel_style)).collect();
        }
        lines.extend(ls);
        i += 1;
    }
    let shown_whole = if lines.len() > h { i - 1 } else { i };
    lines.truncate(h);
    for (y, l) in lines.into_iter().enumerate() {
        f.render_widget(
            l,
            Rect {
                x: area.x,
                y: area.y + y as u16,
                width: area.width,
                height: 1,
            },
        );
    }
    (t, shown_whole)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_never_cuts_anything_off() {
        assert_eq!(
            wrap_hard("Kwame Campbell (CFO)", 8),
            ["Kwame", "Campbell", "(CFO)"]
        );
        // A word longer than the line is broken inside, not clipped.
        assert_eq!(
            wrap_hard("kwame.campbell@acme-corp.example", 10),
            ["kwame.camp", "bell@acme-", "corp.examp", "le"]
        );
        assert_eq!(wrap_hard("a b", 10), ["a b"]);
        assert_eq!(wrap_hard("", 10), [""]);
        assert_eq!(wrap_hard("x\ny", 10), ["x", "y"]);
        // Indentation survives, on continuation lines too.
        assert_eq!(
            wrap_hard("    \"a\": \"b c\"", 12),
            ["    \"a\": \"b", "    c\""]
        );
        let s = "the quick brown fox jumps over the lazy dog";
        let w = wrap_hard(s, 12);
        assert!(w.iter().all(|l| l.chars().count() <= 12), "{w:?}");
        assert_eq!(w.join(" "), s);
    }
}
