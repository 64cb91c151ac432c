//! End to end: the real `zoomlens` binary in a pseudo-terminal, read back through a terminal
//! emulator (vt100). Follows the triage path on the fixture case, checks that the hostile
//! display name never reaches the terminal as escape sequences, and that rows written while the
//! console is open show up without a restart.

mod tui_support;

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Term {
    raw: Arc<Mutex<Vec<u8>>>,
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Term {
    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }
    fn wait_for(&self, what: &str, cond: impl Fn(&str) -> bool) -> String {
        let t = Instant::now();
        loop {
            let s = self.screen();
            if cond(&s) {
                return s;
            }
            if t.elapsed() > Duration::from_secs(20) {
                panic!("timed out waiting for {what}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(30));
        }
    }
    /// `f` with `text`: the list filtered, once its chip shows (and `also` holds); the screen.
    fn filter(&mut self, text: &str, also: impl Fn(&str) -> bool) -> String {
        self.send("f");
        self.send(&format!("{text}\r"));
        let chip = format!("[text \"{text}\"]");
        self.wait_for(&format!("the list filtered by {text}"), |s| {
            s.contains(&chip) && also(s)
        })
    }
    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        // Let a lone ESC be read as the Esc key, not the start of a sequence.
        std::thread::sleep(Duration::from_millis(80));
    }
}

fn crumb(s: &str) -> String {
    s.lines().nth(1).unwrap_or("").trim().to_string()
}

fn spawn(case: &std::path::Path, home: &std::path::Path) -> Term {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 36,
            cols: 130,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_zoomlens"));
    cmd.arg(case);
    cmd.env("TERM", "xterm-256color");
    cmd.env("HOME", home);
    cmd.env("XDG_CONFIG_HOME", home);
    cmd.env("NO_COLOR", "1");
    let child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let writer = pair.master.take_writer().unwrap();
    let raw = Arc::new(Mutex::new(Vec::new()));
    let parser = Arc::new(Mutex::new(vt100::Parser::new(36, 130, 0)));
    let (r2, p2) = (raw.clone(), parser.clone());
    std::thread::spawn(move || {
        let _keep = pair.master;
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            r2.lock().unwrap().extend_from_slice(&buf[..n]);
            p2.lock().unwrap().process(&buf[..n]);
        }
    });
    Term {
        raw,
        parser,
        writer,
        child,
    }
}

#[test]
fn triage_path_in_a_real_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("incident.case");
    tui_support::build(&case);
    let mut t = spawn(&case, dir.path());

    t.wait_for("the incidents", |s| s.contains("Incidents · row 1"));
    t.send("2");
    t.wait_for("the findings queue", |s| {
        s.contains("Findings · row 1") && s.contains("critical") && s.contains("eve@evil.example")
    });
    t.send("\r");
    t.wait_for("eve's timeline", |s| {
        crumb(s).ends_with("user eve@evil.example   (Esc back)") && s.contains("joined")
    });
    t.send("\r");
    let s = t.wait_for("the meeting", |s| {
        crumb(s).contains("meeting \"Q3 Board Review\"") && s.contains("presence")
    });
    assert!(
        s.contains("Mallory\\x1b]0;p"),
        "hostile name shown as text:\n{s}"
    );
    t.send("r");
    let s = t.wait_for("the recording", |s| s.contains("who touched it"));
    assert!(
        s.lines()
            .any(|l| l.contains("dave@acme.com") && l.contains("Delete") && l.contains("NO")),
        "{s}"
    );
    t.send("\r");
    t.wait_for("the deleter's timeline", |s| {
        crumb(s).contains("› user dave@acme.com")
    });
    for depth in (1..=4).rev() {
        t.send("\x1b");
        t.wait_for("one step back", |s| {
            crumb(s).matches('›').count() == depth - 1
        });
    }
    let s = t.wait_for("the start", |s| crumb(s) == "⌂ Findings");
    assert!(s.contains("critical"));
    // Esc at the start does not quit.
    t.send("\x1b");
    t.wait_for("a hint instead of quitting", |s| {
        s.contains("at the start of the trail")
    });

    // Live: rows written by another process show up without a restart.
    t.send("6");
    t.wait_for("the ledger", |s| s.contains("Operation ledger"));
    {
        let mut store = zoomlens::store::Store::open(&case).unwrap();
        let mut w = store.writer().unwrap();
        let o = w
            .origin(&zoomlens::model::Origin::new("webhook", "live"))
            .unwrap();
        let op = zoomlens::model::Operation {
            time: "2024-06-08T09:00:00Z".into(),
            operator: "mallet@acme.com".into(),
            category_type: "Account".into(),
            action: "Update".into(),
            operation_detail: "Security  - Only authenticated users can join: from On to Off"
                .into(),
            via: "webhook".into(),
        };
        w.operation(
            &op,
            &zoomlens::model::Evidence::new(o, None, "{\"live\":1}"),
        )
        .unwrap();
        w.commit().unwrap();
    }
    t.wait_for("the new operation", |s| {
        s.contains("mallet@acme.com") && s.contains("4 total")
    });

    t.send("q");
    let t0 = Instant::now();
    loop {
        if let Some(st) = t.child.try_wait().unwrap() {
            assert!(st.success(), "exit status {st:?}");
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(10), "q did not quit");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The hostile name never reached the terminal as control sequences.
    let raw = t.raw.lock().unwrap().clone();
    let find = |needle: &[u8]| raw.windows(needle.len()).any(|w| w == needle);
    assert!(!find(b"\x1b]0;pwned"), "window title sequence leaked");
    assert!(
        !find(b"\x1b[2J\x1b[H\xe2\x80\xae"),
        "cursor/bidi sequence leaked"
    );
    assert!(!find("\u{202e}".as_bytes()), "bidi override leaked");
    assert!(find(b"Mallory\\x1b]0;p"), "the name was shown, escaped");
}

/// The same path on the demo case (`zoomlens demo` + `zoomlens detect`, as an analyst would):
/// the recording-deleted finding → its user → the meeting → its recording → who deleted it →
/// back to the start.
/// A small demo case, detected, as an analyst would make it.
fn demo_case(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let case = dir.path().join("demo.case");
    let bin = env!("CARGO_BIN_EXE_zoomlens");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(bin)
            .args(args)
            .env("HOME", dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let c = case.to_str().unwrap();
    run(&[
        "demo",
        "--case",
        c,
        "--no-open",
        "--seed",
        "42",
        "--start",
        "2026-11-08",
    ]);
    run(&["detect", c]);
    case
}

fn quit(t: &mut Term) {
    t.send("q");
    let t0 = Instant::now();
    while t.child.try_wait().unwrap().is_none() {
        assert!(t0.elapsed() < Duration::from_secs(10), "q did not quit");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn triage_path_on_the_demo_case() {
    let dir = tempfile::tempdir().unwrap();
    let case = demo_case(&dir);
    let mut t = spawn(&case, dir.path());
    t.wait_for("the incidents", |s| s.contains("Incidents · row 1"));
    t.send("2");
    t.wait_for("the findings queue", |s| s.contains("Findings · row 1"));
    t.filter("recording-deleted", |s| s.contains("recording-deleted "));
    t.send("\r");
    let s = t.wait_for("the user's timeline", |s| {
        crumb(s).contains("› user ") && s.contains("Delete Recording")
    });
    let user = crumb(&s)
        .split("› user ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    // The evidence row (the delete operation) is selected: Enter opens the meeting it names.
    t.send("\r");
    t.wait_for("the meeting", |s| {
        crumb(s).contains("› meeting \"") && s.contains("presence")
    });
    t.send("r");
    let s = t.wait_for("the recording", |s| s.contains("who touched it"));
    assert!(
        s.lines().any(|l| l.contains(&user) && l.contains("Delete")),
        "the deleter is listed:\n{s}"
    );
    t.send("\r");
    t.wait_for("the deleter's timeline", |s| {
        crumb(s).contains("› recording ") && s.contains(&format!("Timeline · user {user} "))
    });
    for depth in (1..=4).rev() {
        t.send("\x1b");
        t.wait_for("one step back", |s| {
            crumb(s).matches('›').count() == depth - 1
        });
    }
    t.wait_for("the start, filter kept", |s| {
        crumb(s) == "⌂ Findings" && s.contains("[text \"recording-deleted\"]")
    });
    quit(&mut t);
}

/// From the incidents to a verdict on the demo case: open the top incident, mark its first
/// finding a false positive with a reason, quit; reopen: the verdict is still there.
#[test]
fn a_verdict_from_the_console_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let case = demo_case(&dir);
    let mut t = spawn(&case, dir.path());
    t.wait_for("the incidents", |s| {
        s.contains("Incidents · row 1") && s.contains("critical")
    });
    t.send("\r");
    t.wait_for("the top incident's story", |s| {
        crumb(s).starts_with("⌂ Incidents › incident I") && s.contains("Story · row 1")
    });
    t.send("T");
    t.wait_for("the verdict popup", |s| {
        s.contains("verdict on F") && s.contains("(•) new")
    });
    t.send("\x1b[B");
    t.send("\x1b[B");
    t.wait_for("false-positive chosen", |s| {
        s.contains("(•) false-positive")
    });
    t.send("lab test account, not a person");
    t.send("\r");
    let s = t.wait_for("the verdict shown", |s| {
        s.contains("marked false-positive")
            && s.contains("false-positive: lab test account, not a person")
    });
    assert!(s.contains("false-pos"), "the State column shows it:\n{s}");
    quit(&mut t);

    // The verdict is in the case, where `zoomlens triage` keeps them.
    {
        let c = rusqlite::Connection::open(&case).unwrap();
        let (state, reason): (String, String) = c
            .query_row(
                "SELECT state, reason FROM triage WHERE subject = 'finding'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(state, "false-positive");
        assert_eq!(reason, "lab test account, not a person");
    }

    let mut t = spawn(&case, dir.path());
    t.wait_for("the incidents again", |s| s.contains("Incidents · row 1"));
    t.send("\r");
    t.wait_for("the verdict kept after a restart", |s| {
        s.contains("Story · row 1") && s.contains("false-positive: lab test account, not a person")
    });
    quit(&mut t);
}

/// The issue's path on the demo: open the impersonation incident (the top one once filtered),
/// inspect the impersonator's session (the full display name, the raw JSON as received), mark
/// the finding a false positive with a reason, quit; reopen: the verdict is kept.
#[test]
fn inspect_the_impersonator_then_a_verdict_that_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let case = demo_case(&dir);
    let mut t = spawn(&case, dir.path());
    t.wait_for("the incidents", |s| s.contains("Incidents · row 1"));
    t.filter("impersonat", |s| s.contains("Incidents · row 1"));
    t.send("\r");
    t.wait_for("its story", |s| {
        crumb(s).starts_with("⌂ Incidents › incident I") && s.contains("display-name-impersonat")
    });
    // D: the evidence record, in full.
    t.send("D");
    let s = t.wait_for("the impersonator's session", |s| {
        s.contains("record participants #") && s.lines().any(|l| l.contains("│name "))
    });
    let name_line = s.lines().find(|l| l.contains("│name ")).unwrap();
    let name = name_line
        .trim_start_matches('│')
        .trim_start_matches("name")
        .trim()
        .trim_end_matches('│')
        .trim()
        .to_string();
    assert!(
        name.starts_with("Kwame Campbel"),
        "the display name, whole: {name:?}\n{s}"
    );
    // The raw JSON as received names the same display name, pretty-printed.
    t.send("G");
    t.wait_for("the raw record", |s| {
        s.contains(&format!("\"user_name\": \"{name}\"")) && s.contains("(verified: the")
    });
    t.send("\x1b");
    t.wait_for("the story again", |s| {
        s.contains("Story · row 1") && !s.contains("record participants")
    });
    t.send("T");
    t.wait_for("the verdict popup", |s| s.contains("(•) new"));
    t.send("\x1b[B");
    t.send("\x1b[B");
    t.wait_for("false-positive chosen", |s| {
        s.contains("(•) false-positive")
    });
    t.send("the CFO's own guest account");
    t.send("\r");
    t.wait_for("the verdict shown", |s| {
        s.contains("marked false-positive")
            && s.contains("false-positive: the CFO's own guest account")
    });
    quit(&mut t);

    let mut t = spawn(&case, dir.path());
    t.wait_for("the incidents again", |s| s.contains("Incidents · row 1"));
    t.filter("impersonat", |_| true);
    t.send("\r");
    t.wait_for("the verdict kept after a restart", |s| {
        s.contains("Story · row 1") && s.contains("false-positive: the CFO's own guest account")
    });
    quit(&mut t);
}
