//! The investigation console (`zoomlens open CASE`, `zoomlens CASE`).
//!
//! Architecture (after gitui/csvlens/television): [`app`] holds the state and a pure step
//! function; [`worker`] threads own read-only connections and answer windowed queries, newest
//! request wins; [`ui`] draws from the state only; the loop here just moves events between
//! them. [`harness`] runs the same app and queries synchronously for tests and the benchmark.

pub mod app;
pub mod export;
pub mod harness;
pub mod inspector;
pub mod keymap;
pub mod panes;
pub mod theme;
pub mod ui;
pub mod widgets;
pub mod worker;

use anyhow::{Context, Result};
use app::{Action, App, Effect};
use crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use std::io::Write;
use std::path::Path;
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::{Duration, Instant};

enum Msg {
    Input(Event),
    Reply(worker::Response),
}

fn wrap_reply(r: worker::Response) -> Msg {
    Msg::Reply(r)
}

/// Run the console on `case` until the analyst quits; the terminal is restored on every exit.
/// `cfg`: the analyst's detection config (geolocation, aliases, the rules' SQL helpers).
pub fn run(case: &Path, cfg: &crate::detect::Config) -> Result<()> {
    // Open (and, for an older case, upgrade) before touching the terminal, so errors print plainly.
    drop(crate::store::Store::open_readonly(case).map_err(|e| {
        if format!("{e:#}").contains("not a database") {
            anyhow::anyhow!(
                "{} is not a zoomlens case file (expected SQLite); create a case with `zoomlens import CASE FILE...`",
                case.display()
            )
        } else {
            e
        }
    })?);
    let keymap = keymap::Keymap::load()?;
    let theme = theme::Theme::load()?;
    let (tx, rx) = channel::<Msg>();
    let worker = worker::Worker::spawn(case, cfg, tx.clone(), wrap_reply)
        .context("starting the query worker")?;
    let name = case
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();

    install_panic_hook();
    let mut terminal = ratatui::init();
    let _ = crossterm::execute!(std::io::stdout(), EnableMouseCapture);
    let size = terminal
        .size()
        .map(|s| (s.width, s.height))
        .unwrap_or((120, 40));
    let mut app = App::new(name, keymap, size);

    // Input thread: terminal events into the same channel as query replies.
    let tx_in = tx.clone();
    std::thread::Builder::new()
        .name("zoomlens-input".into())
        .spawn(move || {
            while let Ok(ev) = event::read() {
                if tx_in.send(Msg::Input(ev)).is_err() {
                    break;
                }
            }
        })?;

    let t0 = Instant::now();
    let now = || t0.elapsed().as_millis() as u64;
    let result = (|| -> Result<()> {
        let fx = app.start();
        apply(&worker, fx)?;
        terminal.draw(|f| ui::draw(f, &app, &theme))?;
        loop {
            let timeout = if app.wants_tick() {
                Duration::from_millis(30)
            } else {
                Duration::from_millis(500)
            };
            let mut dirty = false;
            let handle = |m: Msg, app: &mut App| -> Result<bool> {
                let action = match m {
                    Msg::Input(Event::Key(k)) => Action::Key(k),
                    Msg::Input(Event::Mouse(me)) => Action::Mouse(me),
                    Msg::Input(Event::Resize(w, h)) => Action::Resize(w, h),
                    Msg::Input(_) => return Ok(false),
                    Msg::Reply(r) => Action::Response(r),
                };
                let fx = app::update(app, action, now());
                apply(&worker, fx)
            };
            match rx.recv_timeout(timeout) {
                Ok(m) => {
                    if handle(m, &mut app)? {
                        return Ok(());
                    }
                    dirty = true;
                    // Drain whatever else is queued before drawing once.
                    while let Ok(m) = rx.try_recv() {
                        if handle(m, &mut app)? {
                            return Ok(());
                        }
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            }
            if app.wants_tick() {
                let fx = app::update(&mut app, Action::Tick, now());
                dirty |= !fx.is_empty();
                apply(&worker, fx)?;
            }
            if app.quit {
                return Ok(());
            }
            if dirty {
                terminal.draw(|f| ui::draw(f, &app, &theme))?;
            }
        }
    })();
    let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
    result
}

/// Carry out effects; true when the app asked to quit.
fn apply(worker: &worker::Worker, fx: Vec<Effect>) -> Result<bool> {
    let mut quit = false;
    for e in fx {
        match e {
            Effect::Send(r) => worker.send(*r),
            Effect::Cancel(slot) => worker.cancel(slot),
            Effect::Copy(text) => osc52(&text)?,
            Effect::Quit => quit = true,
        }
    }
    Ok(quit)
}

/// Copy to the clipboard through the terminal (OSC 52). The text is base64-encoded, so case
/// data cannot inject escape sequences here.
fn osc52(text: &str) -> Result<()> {
    use base64::Engine;
    let b = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let mut out = std::io::stdout();
    write!(out, "\x1b]52;c;{b}\x07")?;
    out.flush()?;
    Ok(())
}

/// Restore the terminal (mouse capture, raw mode, alternate screen) before the panic message
/// prints; ratatui::init adds its own restore hook on top of this one.
fn install_panic_hook() {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
        ratatui::restore();
        prev(info);
    }));
}
