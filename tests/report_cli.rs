//! `zoomlens report`: the demo case's report as a responder attaches it to a ticket, in
//! Markdown (snapshot) and self-contained HTML; deterministic; read-only; and every hostile
//! string the logs can carry comes out inert in both formats.

mod common;
use common::cli::*;
use std::path::Path;
use zoomlens::output::{html_text, is_hostile, md_text};

/// Write a report with the binary and read it back.
fn report(case: &Path, out: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "report",
        case.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let (stdout, err, ok) = zl(&args);
    assert!(ok, "{args:?}: {err}");
    assert!(stdout.starts_with("wrote "), "{stdout}");
    std::fs::read_to_string(out).unwrap()
}

fn sha(path: &Path) -> String {
    zoomlens::util::sha256_hex(&std::fs::read(path).unwrap())
}

/// The demo imports its generated files from a work folder beside the case, named after this
/// process; the report names them (provenance), so the snapshot names the folder `<work>`.
fn stable(md: &str, dir: &Path) -> String {
    let work = format!(
        "{}/.demo.zl.gen-{}",
        dir.canonicalize().unwrap().display(),
        std::process::id()
    );
    md.replace(&md_text(&work), "<work>")
}

/// In every GFM table, each row has as many unescaped `|` as the header: no cell broke out.
fn assert_tables_intact(md: &str) {
    fn pipes(line: &str) -> usize {
        let mut n = 0;
        let mut escaped = false;
        for c in line.chars() {
            match c {
                '\\' if !escaped => escaped = true,
                '|' if !escaped => n += 1,
                _ => escaped = false,
            }
            if c != '\\' {
                escaped = false;
            }
        }
        n
    }
    let mut header: Option<usize> = None;
    for line in md.lines() {
        if line.starts_with('|') {
            match header {
                None => header = Some(pipes(line)),
                Some(h) => assert_eq!(pipes(line), h, "a cell broke out of its table: {line}"),
            }
        } else {
            header = None;
        }
    }
}

#[test]
fn demo_report_markdown_snapshot_html_and_determinism() {
    let dir = tempfile::tempdir().unwrap();
    let case = demo(dir.path());
    let before = sha(&case);

    let md = report(&case, &dir.path().join("r.md"), &[]);
    let md2 = report(&case, &dir.path().join("r2.md"), &[]);
    assert_eq!(md, md2, "two runs gave different Markdown");
    assert!(
        !md.contains("Generated at"),
        "wall-clock time without --now"
    );
    assert!(
        md.starts_with("# Case report: demo\\.zl\n"),
        "{}",
        &md[..80]
    );
    assert_tables_intact(&md);
    let snap = stable(&md, dir.path());
    let tmp = md_text(&dir.path().canonicalize().unwrap().display().to_string());
    assert!(
        !snap.contains(&tmp),
        "the case is named by its file name only"
    );
    insta::assert_snapshot!("demo_markdown", snap);

    let html = report(&case, &dir.path().join("r.html"), &[]);
    let html2 = report(&case, &dir.path().join("r2.html"), &[]);
    assert_eq!(html, html2, "two runs gave different HTML");
    for external in [
        "http://", "https://", "src=", "<script", "<link", "url(", "@import",
    ] {
        assert!(
            !html.to_ascii_lowercase().contains(external),
            "the HTML has an external reference ({external})"
        );
    }
    let incidents = md.matches("\n## Incident I").count();
    assert!(incidents > 3, "{incidents} incidents told");
    assert_eq!(html.matches("<svg").count(), incidents, "one timeline each");
    assert_eq!(
        html.matches("<section class=\"incident\"").count(),
        incidents
    );
    assert!(html.trim_end().ends_with("</html>"));

    // --now stamps the report; nothing else changes.
    let stamped = report(
        &case,
        &dir.path().join("s.md"),
        &["--now", "2026-03-16T09:00:00Z"],
    );
    assert!(stamped.contains("- **Generated at:** 2026-03-16T09:00:00Z\n"));
    assert_eq!(
        stamped.replace("- **Generated at:** 2026-03-16T09:00:00Z\n", ""),
        md
    );

    // One incident: its story only, with the provenance of its evidence only.
    let first = md
        .split("\n## Incident I")
        .nth(1)
        .and_then(|s| s.split('\n').next())
        .unwrap()
        .to_string();
    let one = report(
        &case,
        &dir.path().join("one.md"),
        &["--incident", &format!("I{first}")],
    );
    assert_eq!(one.matches("\n## Incident I").count(), 1);
    assert!(one.contains(&format!("\n## Incident I{first}\n")));
    assert!(one.contains(&format!("incident I{first} only")));
    assert!(!one.contains("## Findings outside any incident"));
    assert!(one.len() < md.len() / 2);

    // The format comes from the extension, or --format; anything else is refused.
    let (_, err, ok) = zl(&[
        "report",
        case.to_str().unwrap(),
        "--out",
        dir.path().join("r.txt").to_str().unwrap(),
    ]);
    assert!(!ok && err.contains("--format md|html"), "{err}");
    assert!(!dir.path().join("r.txt").exists());
    let txt = report(&case, &dir.path().join("r.txt"), &["--format", "md"]);
    assert_eq!(txt, md);
    let (_, err, ok) = zl(&[
        "report",
        case.to_str().unwrap(),
        "--out",
        dir.path().join("x.md").to_str().unwrap(),
        "--incident",
        "I9999",
    ]);
    assert!(!ok && err.contains("no incident I9999"), "{err}");
    // Never onto the case itself.
    let (_, err, ok) = zl(&[
        "report",
        case.to_str().unwrap(),
        "--out",
        case.to_str().unwrap(),
        "--format",
        "md",
    ]);
    assert!(!ok && err.contains("case file itself"), "{err}");

    // Reports only read.
    assert_eq!(sha(&case), before, "the report modified the case");
    // No temporary file left beside the reports.
    for e in std::fs::read_dir(dir.path()).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.contains(".tmp-"), "left behind: {name}");
    }
}

/// What an attacker can type into a display name, a topic, an operation detail or a note.
const HOSTILE: &str = "Eve\u{1b}]0;pwned\u{7}\u{1b}[2J \u{202e}gnp.exe\u{200b} \
    <script>alert(1)</script> <img src=x onerror=alert(2)> | *bold* _em_ `tick` \
    [click](javascript:alert(3)) ![i](https://evil.example/p.png) &#8238; @all $x$ ~~s~~ # h \\";

#[test]
fn hostile_strings_come_out_escaped_in_both_formats() {
    let dir = tempfile::tempdir().unwrap();
    let case = demo(dir.path());
    {
        let store = zoomlens::store::Store::open(&case).unwrap();
        let c = &store.conn;
        let inc: i64 = c
            .query_row("SELECT min(id) FROM incidents", [], |r| r.get(0))
            .unwrap();
        c.execute(
            "UPDATE incidents SET title = ?1, actors = json_array(?1) WHERE id = ?2",
            rusqlite::params![HOSTILE, inc],
        )
        .unwrap();
        c.execute(
            "UPDATE findings SET summary = ?1, user_email = ?1, technique = ?1",
            [HOSTILE],
        )
        .unwrap();
        for (tbl, col) in [
            ("participants", "name"),
            ("operations", "operation_detail"),
            ("op_changes", "setting"),
            ("chat_messages", "message"),
        ] {
            c.execute(
                &format!(
                    "UPDATE {tbl} SET {col} = ?1 WHERE id IN
                       (SELECT row_id FROM finding_evidence WHERE tbl = '{tbl}')"
                ),
                [HOSTILE],
            )
            .unwrap();
        }
        c.execute(
            "UPDATE origins SET source = ?1 || id WHERE kind = 'file'",
            [HOSTILE],
        )
        .unwrap();
        for kind in ["note", "tag", "bookmark"] {
            c.execute(
                "INSERT INTO annotations (tbl, row_id, kind, text, created_at)
                 SELECT 'findings', id, ?1, ?2, '2026-03-16T08:00:00Z' FROM findings LIMIT 1",
                rusqlite::params![kind, HOSTILE],
            )
            .unwrap();
        }
    }
    let inc = {
        let store = zoomlens::store::Store::open_readonly(&case).unwrap();
        store
            .conn
            .query_row("SELECT min(id) FROM incidents", [], |r| r.get::<_, i64>(0))
            .unwrap()
    };
    let (_, err, ok) = zl(&[
        "triage",
        case.to_str().unwrap(),
        &format!("I{inc}"),
        "--state",
        "investigating",
        "--reason",
        HOSTILE,
        "--analyst",
        HOSTILE,
    ]);
    assert!(ok, "{err}");

    let md = report(&case, &dir.path().join("h.md"), &[]);
    let html = report(&case, &dir.path().join("h.html"), &[]);
    let escaped_md = md_text(HOSTILE);
    let escaped_html = html_text(HOSTILE);
    // The hostile text is there, escaped, in every place it was planted.
    assert!(md.matches(&escaped_md).count() >= 10, "{md}");
    assert!(html.matches(&escaped_html).count() >= 10);
    // `raw` where its first character is not backslash-escaped.
    let unescaped = |doc: &str, raw: &str| {
        doc.match_indices(raw)
            .find(|(i, _)| !doc[..*i].ends_with('\\'))
            .map(|(i, _)| {
                doc[doc.floor_char_boundary(i.saturating_sub(200))..i + raw.len()].to_string()
            })
    };
    for doc in [&md, &html] {
        let bad: Vec<char> = doc
            .chars()
            .filter(|c| *c != '\n' && is_hostile(*c))
            .collect();
        assert!(
            bad.is_empty(),
            "raw control or invisible characters: {bad:?}"
        );
    }
    for raw in [
        "<script",
        "<img",
        "https",
        "&#8238;",
        "](javascript",
        "![i]",
        "*bold*",
        "_em_",
        "`tick`",
        "~~s~~",
        "$x$",
        "@all",
    ] {
        if let Some(at) = unescaped(&md, raw) {
            panic!("{raw:?} came through unescaped in the Markdown: {at}");
        }
    }
    for raw in [
        "<script",
        "<img",
        "https://",
        "&#8238;",
        "href=\"javascript",
    ] {
        if let Some(i) = html.find(raw) {
            panic!("{raw:?} came through unescaped in the HTML: {}", &html[i..]);
        }
    }
    assert!(escaped_md.contains("\\]\\(javascript\\:alert\\(3\\)\\)"));
    assert!(escaped_md.contains("\\`tick\\`") && escaped_md.contains("\\|"));
    assert!(escaped_md.contains("\\\\x1b\\]0;pwned\\\\x07"));
    assert!(escaped_md.contains("\\\\u\\{202e\\}") && escaped_md.contains("\\\\u\\{200b\\}"));
    assert!(escaped_html.contains("&lt;script&gt;") && escaped_html.contains("\\u{202e}"));
    assert_tables_intact(&md);
    // Markup from the logs never opens an element: every `<` in the HTML is this report's.
    for tag in html.split('<').skip(1) {
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
            .collect();
        assert!(
            [
                "!DOCTYPE",
                "html",
                "head",
                "meta",
                "title",
                "style",
                "body",
                "header",
                "h1",
                "h2",
                "h3",
                "h4",
                "ul",
                "li",
                "b",
                "p",
                "code",
                "nav",
                "a",
                "section",
                "div",
                "table",
                "thead",
                "tbody",
                "tr",
                "th",
                "td",
                "span",
                "dl",
                "dt",
                "dd",
                "figure",
                "figcaption",
                "svg",
                "line",
                "text",
                "circle",
                "article",
            ]
            .contains(&name.as_str()),
            "unexpected element <{name}"
        );
    }
}
