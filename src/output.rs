//! How zoomlens writes text that came from the logs: one sanitiser, one text table, one JSON
//! writer, one CSV writer and the Markdown and HTML escapes of reports, shared by every
//! command, the console and its exports.
//!
//! Log text is attacker-controlled (a display name, a topic, a chat message), so nothing from
//! the case reaches a terminal, a clipboard or a spreadsheet without passing through here:
//! * [`sanitize`] turns control characters, escape sequences, bidi overrides and invisible
//!   characters into visible escapes (`\x1b`, `\u{202e}`) — tables, the console, summaries;
//! * [`write_json`] writes those characters as JSON `\u` escapes: the parsed value is unchanged
//!   (faithful) and the bytes are inert on a terminal, so JSON needs no mode;
//! * [`CsvOut`] neutralises cells a spreadsheet would run as a formula (always), and escapes
//!   like [`sanitize`] when [`Safety::Inert`] (the default when stdout is a terminal);
//! * [`md_text`] and [`html_text`] make it inert text in a Markdown or HTML (and SVG) report:
//!   sanitised first, then the format's metacharacters escaped.

use serde::Serialize;
use std::borrow::Cow;
use std::io::{IsTerminal, Write};

/// Make untrusted log text safe for a terminal: control characters, escape sequences, bidi
/// overrides and invisible characters become visible escapes instead of acting on the terminal
/// or hiding in a name.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hostile) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_hostile(c) {
            if (c as u32) < 0x100 {
                out.push_str(&format!("\\x{:02x}", c as u32));
            } else {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Characters [`md_text`] backslash-escapes: every character with a meaning in CommonMark or
/// GitHub/GitLab Markdown inline text (emphasis, code, links, images, raw HTML, entities,
/// tables, strikethrough, headings, lists), plus `:` (so `https://` is not autolinked), `@`
/// (mentions) and `$` (math). CommonMark lets any ASCII punctuation be escaped this way.
const MD_SPECIAL: &[char] = &[
    '\\', '`', '*', '_', '{', '}', '[', ']', '<', '>', '(', ')', '#', '+', '-', '.', '!', '|', '~',
    '&', ':', '@', '$',
];

/// Untrusted log text as inert Markdown text (a paragraph, a heading or a table cell): first
/// [`sanitize`]d, so control and invisible characters become visible escapes, then every
/// Markdown metacharacter is backslash-escaped, so the text renders as written and can neither
/// format, link, embed, inject HTML nor break out of a table cell; URLs are [`defang`]ed.
/// Text Markdown cannot act on
/// wherever it stands (times, numbers, ids such as `2026-03-02T10:00:00Z`, `T1562.001`,
/// `security-setting-disabled`) is left as it is, so the source stays readable.
pub fn md_text(s: &str) -> String {
    if md_inert(s) {
        return s.to_string();
    }
    let s = defang(&sanitize(s)).into_owned();
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if MD_SPECIAL.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// URLs in log text made unclickable the way incident reports do (`https://x` → `hxxps://x`),
/// so a report pasted into a ticket, a chat or a mail client that links URLs by itself never
/// offers a link an attacker wrote into a topic or a display name. Case is kept (`HXXP://`).
pub fn defang(s: &str) -> Cow<'_, str> {
    let lower = s.to_ascii_lowercase();
    if !lower.contains("http://") && !lower.contains("https://") {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let rest = &lower[i..];
        if rest.starts_with("http://") || rest.starts_with("https://") {
            // "http" is ASCII in both strings, so the byte offsets agree.
            let t = &s[i..i + 4];
            out.push_str(&t[..1]);
            for c in t[1..3].chars() {
                out.push(if c == 'T' { 'X' } else { 'x' });
            }
            out.push_str(&t[3..]);
            i += 4;
        } else {
            let c = s[i..].chars().next().expect("inside the string");
            out.push(c);
            i += c.len_utf8();
        }
    }
    Cow::Owned(out)
}

/// Whether `s` means nothing to Markdown at any position: only ASCII letters and digits,
/// spaces (not first), `→`, `-` (not first), `:` between digits (a time, never a scheme or an
/// emoji code) and `.` before a digit (a version, never a domain; `www.` is not inert).
fn md_inert(s: &str) -> bool {
    let b: Vec<char> = s.chars().collect();
    let digit = |i: Option<usize>| i.and_then(|i| b.get(i)).is_some_and(|c| c.is_ascii_digit());
    !s.starts_with(['-', ' '])
        && !s.to_ascii_lowercase().contains("www.")
        && b.iter().enumerate().all(|(i, c)| match c {
            c if c.is_ascii_alphanumeric() => true,
            ' ' | '→' | '-' => true,
            ':' => digit(i.checked_sub(1)) && digit(Some(i + 1)),
            '.' => digit(Some(i + 1)),
            _ => false,
        })
}

/// Untrusted log text as inert HTML (element content or a quoted attribute value, SVG
/// included): first [`sanitize`]d and [`defang`]ed, then `& < > " '` become character
/// references.
pub fn html_text(s: &str) -> String {
    let s = defang(&sanitize(s)).into_owned();
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Characters that act on a terminal or are invisible: Unicode's Cc (controls, C0 and C1),
/// Cf (format: bidi controls, zero-width characters, soft hyphen, tags), Zl and Zp (line and
/// paragraph separators) and the Default_Ignorable_Code_Point set (fillers such as U+3164,
/// variation selectors, U+034F).
pub fn is_hostile(c: char) -> bool {
    c.is_control()
        || matches!(c as u32,
            0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F
            | 0x0600..=0x0605 | 0x06DD | 0x070F | 0x0890 | 0x0891 | 0x08E2
            | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x206F | 0x3164
            | 0xFE00..=0xFE0F | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFFB
            | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF)
}

/// Text with every hostile character removed (not escaped): what a name looks like on screen,
/// for comparing names (an impersonator hides a zero-width space inside "Kwame Campbell").
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hostile) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().filter(|c| !is_hostile(*c)).collect())
}

/// `s` cut to `w` characters, with an ellipsis when cut.
pub fn clip(s: &str, w: usize) -> String {
    if s.chars().count() <= w {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(w.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Words of `s` in lines of at most `w` characters (a longer word is clipped).
pub fn wrap(s: &str, w: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in s.split(' ') {
        let word = clip(word, w);
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > w {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(&word);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// 1234567 → "1,234,567": counts in sentences an analyst reads.
pub fn thousands(n: impl Into<i128>) -> String {
    let n: i128 = n.into();
    let s = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "1 record", "2 records".
pub fn plural(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// Counts as one block character each, scaled to the largest (`·` for none): a trend that
/// fits in a table cell.
pub fn sparkline(v: &[i64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = v.iter().copied().max().unwrap_or(0).max(1);
    v.iter()
        .map(|&n| match n {
            n if n <= 0 => '·',
            n => BARS[((n * 8 + max - 1) / max - 1).clamp(0, 7) as usize],
        })
        .collect()
}

/// A plain aligned text table; cells wider than 60 characters are cut with an ellipsis.
/// Cells must already be sanitised (callers know which cells came from the logs).
pub fn write_table(
    out: &mut dyn Write,
    headers: &[String],
    rows: &[Vec<String>],
) -> std::io::Result<()> {
    const MAX: usize = 60;
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(clip(c, MAX).chars().count());
        }
    }
    let line = |cells: Vec<String>| -> String {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{:<w$}", c, w = widths[i]))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    writeln!(out, "{}", line(headers.to_vec()))?;
    writeln!(
        out,
        "{}",
        line(widths.iter().map(|w| "-".repeat(*w)).collect())
    )?;
    for r in rows {
        writeln!(out, "{}", line(r.iter().map(|c| clip(c, MAX)).collect()))?;
    }
    Ok(())
}

/// Pretty JSON followed by a newline, with every hostile character inside strings written as
/// a `\u` escape: a JSON reader gets exactly the same value, a terminal gets nothing to act on.
pub fn write_json<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    out.write_all(inert_json(&text).as_bytes())?;
    writeln!(out)?;
    Ok(())
}

/// A JSON array written exactly as [`write_json`] writes a `Vec` of the items, one item at a
/// time: memory stays that of one item however many there are (`detect --format json` on a
/// large case writes hundreds of megabytes).
pub fn write_json_array<T: Serialize>(
    out: &mut dyn Write,
    items: impl IntoIterator<Item = anyhow::Result<T>>,
) -> anyhow::Result<()> {
    use serde::ser::{SerializeSeq, Serializer as _};
    let mut lines = InertLines {
        out: &mut *out,
        buf: Vec::new(),
    };
    {
        let mut ser = serde_json::Serializer::pretty(&mut lines);
        let mut seq = (&mut ser).serialize_seq(None)?;
        for item in items {
            seq.serialize_element(&item?)?;
        }
        seq.end()?;
    }
    lines.flush()?;
    writeln!(out)?;
    Ok(())
}

/// Passes pretty JSON on whole lines at a time through [`inert_json`] (a line break is never
/// inside a character, and escaping is per character, so this writes what escaping the whole
/// text at once would).
struct InertLines<'a> {
    out: &'a mut dyn Write,
    buf: Vec<u8>,
}

impl InertLines<'_> {
    fn pass(&mut self, upto: usize) -> std::io::Result<()> {
        let text = std::str::from_utf8(&self.buf[..upto]).map_err(std::io::Error::other)?;
        self.out.write_all(inert_json(text).as_bytes())?;
        self.buf.drain(..upto);
        Ok(())
    }
}

impl Write for InertLines<'_> {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(b);
        if self.buf.len() >= 1 << 16
            && let Some(nl) = self.buf.iter().rposition(|&c| c == b'\n')
        {
            self.pass(nl + 1)?;
        }
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.pass(self.buf.len())?;
        self.out.flush()
    }
}

/// One line of compact JSON (NDJSON), escaped as [`write_json`] does.
pub fn json_line<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<String> {
    Ok(inert_json(&serde_json::to_string(value)?).into_owned())
}

/// Hostile characters can only sit inside JSON strings (the syntax is ASCII), so replacing each
/// with its `\uXXXX` form (a surrogate pair above U+FFFF) keeps the document's value.
fn inert_json(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && is_hostile(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if c != '\n' && is_hostile(c) {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether output may carry log text as it is (to a file or a pipe) or must keep it inert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Safety {
    /// Values exactly as stored (formula-looking CSV cells are still neutralised).
    Faithful,
    /// Values escaped as on the console: nothing in them can act on a terminal.
    Inert,
}

impl Safety {
    /// Inert when asked, or when stdout is a terminal; faithful to a file or pipe.
    pub fn for_stdout(force_safe: bool) -> Safety {
        if force_safe || std::io::stdout().is_terminal() {
            Safety::Inert
        } else {
            Safety::Faithful
        }
    }
}

/// The one CSV writer: every cell goes through [`csv_cell`].
pub struct CsvOut<W: Write> {
    w: csv::Writer<W>,
    safety: Safety,
}

impl<W: Write> CsvOut<W> {
    pub fn new(out: W, safety: Safety) -> Self {
        CsvOut {
            w: csv::Writer::from_writer(out),
            safety,
        }
    }

    pub fn row<I, S>(&mut self, cells: I) -> anyhow::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let safety = self.safety;
        self.w.write_record(
            cells
                .into_iter()
                .map(|c| csv_cell(c.as_ref(), safety).into_owned()),
        )?;
        Ok(())
    }

    pub fn finish(mut self) -> anyhow::Result<W> {
        self.w.flush()?;
        self.w
            .into_inner()
            .map_err(|e| anyhow::anyhow!("cannot finish the CSV output: {}", e.error()))
    }
}

/// A cell a spreadsheet will not run: one that begins with `=`, `+`, `-`, `@`, a tab or a
/// carriage return gets a leading `'` (OWASP's CSV-injection rule), unless it is a plain
/// number such as `-12.5`; inert cells are also escaped like [`sanitize`].
pub fn csv_cell(s: &str, safety: Safety) -> Cow<'_, str> {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r'])
        && !(s.len() > 1
            && s[1..].bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && s.parse::<f64>().is_ok());
    let s: Cow<'_, str> = if risky {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    };
    match safety {
        Safety::Faithful => s,
        Safety::Inert => match sanitize(&s) {
            Cow::Borrowed(_) => s,
            Cow::Owned(o) => Cow::Owned(o),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_neutralises_escapes_bidi_and_invisibles() {
        assert_eq!(sanitize("Alice"), "Alice");
        assert_eq!(sanitize("A\x1b]0;pwned\x07"), "A\\x1b]0;pwned\\x07");
        assert_eq!(sanitize("ab\u{202e}cd"), "ab\\u{202e}cd");
        assert_eq!(sanitize("line\nnext"), "line\\x0anext");
        assert_eq!(sanitize("\u{9b}31m"), "\\x9b31m");
        for c in [
            '\u{2060}',
            '\u{ad}',
            '\u{e0041}',
            '\u{3164}',
            '\u{180e}',
            '\u{34f}',
            '\u{200d}',
        ] {
            let s = format!("Kwame{c}Campbell");
            assert!(!sanitize(&s).contains(c), "{c:?} passed through");
            assert_eq!(visible(&s), "KwameCampbell");
        }
        assert_eq!(sanitize("Zoë Ñandú 山田"), "Zoë Ñandú 山田");
    }

    /// Every character of the categories Cc, Zl, Zp and the format controls is escaped;
    /// ordinary letters, digits, punctuation and symbols are not.
    #[test]
    fn sanitize_covers_whole_ranges() {
        for cp in (0u32..0x20).chain(0x7f..0xa0).chain([0x2028, 0x2029]) {
            let c = char::from_u32(cp).unwrap();
            assert!(is_hostile(c), "U+{cp:04X}");
        }
        for cp in (0xE0000u32..=0xE007F)
            .chain(0x200B..=0x200F)
            .chain(0x2060..=0x2064)
        {
            assert!(is_hostile(char::from_u32(cp).unwrap()), "U+{cp:04X}");
        }
        for c in "aZ09 .,-_@()[]€£→é山😀".chars() {
            assert!(!is_hostile(c), "{c:?}");
        }
    }

    /// Strings an attacker can put in a display name, topic or chat message.
    const HOSTILE: &[&str] = &[
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        "![x](https://evil.example/p.png)",
        "a | b | c",
        "*bold* _em_ `code` ~~gone~~",
        "# heading",
        "&#8238;entity &lt;",
        "\u{1b}[31mred\u{1b}]0;title\u{7}",
        "abc\u{202e}fed",
        "Kwame\u{200b}Campbell",
        "line\nbreak",
        "back\\slash",
        "https://evil.example/login @everyone $x$",
    ];

    #[test]
    fn md_text_escapes_every_metacharacter() {
        assert_eq!(md_text("Alice Smith"), "Alice Smith");
        assert_eq!(md_text("a|b"), "a\\|b");
        assert_eq!(md_text("](javascript:x)"), "\\]\\(javascript\\:x\\)");
        assert_eq!(md_text("`x`"), "\\`x\\`");
        assert_eq!(md_text("a\\b"), "a\\\\b");
        assert_eq!(md_text("x\u{1b}[2J"), "x\\\\x1b\\[2J");
        assert_eq!(md_text("ab\u{202e}c"), "ab\\\\u\\{202e\\}c");
        assert_eq!(md_text("&lt;"), "\\&lt;");
        // Times, versions and ids stay readable; look-alikes of links and emoji do not.
        for plain in [
            "2026-03-02T10:00:00Z",
            "2026-03-02T10:00:00Z → 11:00:00Z",
            "T1562.001",
            "security-setting-disabled",
            "70",
            "",
        ] {
            assert_eq!(md_text(plain), plain);
        }
        assert_eq!(md_text("-1"), "\\-1");
        assert_eq!(md_text("a:b"), "a\\:b");
        assert_eq!(md_text(":smile:"), "\\:smile\\:");
        assert_eq!(md_text("www.1"), "www\\.1");
        assert_eq!(md_text("evil.example"), "evil\\.example");
        for h in HOSTILE {
            let m = md_text(h);
            assert!(m.chars().all(|c| !is_hostile(c)), "{m:?}");
            // Every metacharacter is preceded by an odd run of backslashes: escaped.
            let chars: Vec<char> = m.chars().collect();
            let mut i = 0;
            while i < chars.len() {
                if chars[i] == '\\' {
                    assert!(
                        i + 1 < chars.len() && MD_SPECIAL.contains(&chars[i + 1]),
                        "{m:?}"
                    );
                    i += 2;
                    continue;
                }
                assert!(
                    !MD_SPECIAL.contains(&chars[i]),
                    "{:?} unescaped in {m:?}",
                    chars[i]
                );
                i += 1;
            }
        }
    }

    #[test]
    fn urls_are_defanged() {
        assert_eq!(
            defang("see https://evil.example/x"),
            "see hxxps://evil.example/x"
        );
        assert_eq!(defang("HTTP://A and http://b"), "HXXP://A and hxxp://b");
        assert_eq!(defang("Zoë http:/ httpx://"), "Zoë http:/ httpx://");
        assert_eq!(defang("ÄÖhttps://é"), "ÄÖhxxps://é");
        assert_eq!(md_text("https://e.x"), "hxxps\\://e\\.x");
        assert_eq!(
            html_text("<a href=\"https://e.x\">"),
            "&lt;a href=&quot;hxxps://e.x&quot;&gt;"
        );
    }

    #[test]
    fn html_text_escapes_markup_and_invisibles() {
        assert_eq!(
            html_text("<script>alert('x')</script>"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
        );
        assert_eq!(html_text("a \"b\" & c"), "a &quot;b&quot; &amp; c");
        assert_eq!(html_text("ab\u{202e}c\u{200b}"), "ab\\u{202e}c\\u{200b}");
        assert_eq!(html_text("Zoë 山田"), "Zoë 山田");
        for h in HOSTILE {
            let t = html_text(h);
            assert!(!t.contains(['<', '>', '"', '\'']), "{t:?}");
            assert!(t.chars().all(|c| !is_hostile(c)), "{t:?}");
            // Every & starts a reference this function wrote.
            for (i, _) in t.match_indices('&') {
                let rest = &t[i..];
                assert!(
                    ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                        .iter()
                        .any(|r| rest.starts_with(r)),
                    "{t:?}"
                );
            }
        }
    }

    #[test]
    fn json_is_inert_and_faithful() {
        let v = serde_json::json!({"name": "Eve\u{1b}]52;c;AAAA\u{7}\u{9b}\u{202e}\u{e0041}x"});
        let mut out = Vec::new();
        write_json(&mut out, &v).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.chars().all(|c| c == '\n' || !is_hostile(c)),
            "{text:?}"
        );
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn json_array_streams_the_bytes_write_json_writes() {
        // Hostile characters, multi-byte text, nesting, and enough items to pass the
        // escaping buffer several times.
        let items: Vec<serde_json::Value> = (0..3000)
            .map(|i| {
                serde_json::json!({
                    "id": i,
                    "name": format!("Ève {i}\u{1b}]0;x\u{7}\u{202e}\u{e0041} 東京"),
                    "why": ["a", "b\nc"],
                    "evidence": [{"table": "participants", "fields": {"ip": null}}],
                })
            })
            .collect();
        for n in [0, 1, 2, items.len()] {
            let mut whole = Vec::new();
            write_json(&mut whole, &items[..n]).unwrap();
            let mut streamed = Vec::new();
            write_json_array(&mut streamed, items[..n].iter().map(Ok)).unwrap();
            assert_eq!(
                String::from_utf8(streamed).unwrap(),
                String::from_utf8(whole).unwrap(),
                "{n} items"
            );
        }
        let mut out = Vec::new();
        let failing = [Ok(1), Err(anyhow::anyhow!("no evidence"))];
        assert!(write_json_array(&mut out, failing).is_err());
    }

    #[test]
    fn csv_neutralises_formulas_and_keeps_numbers() {
        let f = Safety::Faithful;
        assert_eq!(csv_cell("=HYPERLINK(\"x\")", f), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_cell("+1+cmd|' /C calc'!A0", f), "'+1+cmd|' /C calc'!A0");
        assert_eq!(csv_cell("@SUM(A1)", f), "'@SUM(A1)");
        assert_eq!(csv_cell("\tx", f), "'\tx");
        assert_eq!(csv_cell("\rx", f), "'\rx");
        assert_eq!(csv_cell("-2+3", f), "'-2+3");
        assert_eq!(csv_cell("-12.5", f), "-12.5");
        assert_eq!(csv_cell("alice@example.com", f), "alice@example.com");
        assert_eq!(csv_cell("a\u{1b}[2J", f), "a\u{1b}[2J");
        assert_eq!(csv_cell("a\u{1b}[2J", Safety::Inert), "a\\x1b[2J");
    }
}
