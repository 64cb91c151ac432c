//! Drive the real app state and the real query code synchronously: for snapshot tests and the
//! `ui` benchmark. Each step applies an action, runs the queries it asks for on the calling
//! thread (exactly what the workers would run) and feeds the replies back until nothing is
//! pending, then draws to a ratatui TestBackend.

use super::app::{self, Action, App, Effect};
use super::keymap::{Cmd, Keymap};
use super::theme::Theme;
use super::ui;
use super::worker::{Executor, Response};
use anyhow::Result;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::Path;
use std::time::{Duration, Instant};

pub struct Harness {
    pub app: App,
    pub exec: Executor,
    pub theme: Theme,
    pub term: Terminal<TestBackend>,
    /// Fake clock for debounce (ms).
    pub now: u64,
    pub copied: Vec<String>,
    /// When set, slow-lane requests (counts, histograms, SQL, exports) wait in `deferred` until
    /// [`Harness::flush_slow`], as they would arrive after the frame in the real console.
    pub defer_slow: bool,
    pub deferred: Vec<super::worker::Request>,
}

impl Harness {
    pub fn open(case: &Path, w: u16, h: u16) -> Result<Harness> {
        Harness::open_with(case, w, h, false)
    }

    /// Open; with `defer_slow`, the first frame is drawn without waiting for the slow lane.
    pub fn open_with(case: &Path, w: u16, h: u16, defer_slow: bool) -> Result<Harness> {
        let exec = Executor::open(case)?;
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let app = App::new(name, Keymap::builtin(), (w, h));
        let mut hs = Harness {
            app,
            exec,
            theme: Theme::builtin(false),
            term: Terminal::new(TestBackend::new(w, h))?,
            now: 0,
            copied: vec![],
            defer_slow,
            deferred: vec![],
        };
        // A first draw sets the list heights, as in the real loop.
        hs.draw()?;
        let fx = hs.app.start();
        hs.run(fx)?;
        hs.draw()?;
        Ok(hs)
    }

    /// Run effects until no request is outstanding.
    pub fn run(&mut self, mut fx: Vec<Effect>) -> Result<()> {
        while !fx.is_empty() {
            let mut next = vec![];
            for e in fx {
                match e {
                    Effect::Send(r) if self.defer_slow && r.slot.slow() => self.deferred.push(*r),
                    Effect::Send(r) => {
                        let t = Instant::now();
                        let reply = self
                            .exec
                            .run(&r.q)
                            .unwrap_or_else(|e| super::worker::Reply::Error(format!("{e:#}")));
                        let resp = Response {
                            slot: r.slot,
                            generation: r.generation,
                            reply,
                            took: t.elapsed(),
                        };
                        next.extend(app::update(&mut self.app, Action::Response(resp), self.now));
                    }
                    Effect::Copy(s) => self.copied.push(s),
                    // Queries run synchronously here: nothing is ever running to cancel.
                    Effect::Cancel(_) => {}
                    Effect::Quit => {}
                }
            }
            fx = next;
        }
        Ok(())
    }

    /// Run the deferred slow-lane requests (newest per slot), returning how long they took.
    pub fn flush_slow(&mut self) -> Result<Duration> {
        let t = Instant::now();
        let reqs = std::mem::take(&mut self.deferred);
        let was = self.defer_slow;
        self.defer_slow = false;
        self.run(
            reqs.into_iter()
                .map(|r| Effect::Send(Box::new(r)))
                .collect(),
        )?;
        self.defer_slow = was;
        self.draw()?;
        Ok(t.elapsed())
    }

    pub fn act(&mut self, a: Action) -> Result<()> {
        let fx = app::update(&mut self.app, a, self.now);
        self.run(fx)?;
        self.settle()
    }

    /// Let debounced input fire, then draw.
    fn settle(&mut self) -> Result<()> {
        if self.app.wants_tick() {
            self.now += app::DEBOUNCE_MS + 1;
            let fx = app::update(&mut self.app, Action::Tick, self.now);
            self.run(fx)?;
        }
        self.draw()
    }

    pub fn cmd(&mut self, c: Cmd) -> Result<()> {
        self.act(Action::Cmd(c))
    }

    pub fn key(&mut self, code: KeyCode) -> Result<()> {
        self.act(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
    }

    pub fn type_str(&mut self, s: &str) -> Result<()> {
        for c in s.chars() {
            let fx = app::update(
                &mut self.app,
                Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
                self.now,
            );
            self.run(fx)?;
        }
        self.settle()
    }

    /// Run a palette command (`:` then the line then Enter).
    pub fn command(&mut self, line: &str) -> Result<()> {
        self.cmd(Cmd::Palette)?;
        self.type_str(line)?;
        self.key(KeyCode::Enter)
    }

    pub fn draw(&mut self) -> Result<()> {
        let (app, theme) = (&self.app, &self.theme);
        self.term.draw(|f| ui::draw(f, app, theme))?;
        Ok(())
    }

    /// Time one action from input to a drawn frame.
    pub fn timed(&mut self, a: Action) -> Result<Duration> {
        let t = Instant::now();
        self.act(a)?;
        Ok(t.elapsed())
    }

    /// The screen as text, one line per row (trailing spaces trimmed).
    pub fn screen(&self) -> String {
        let buf = self.term.backend().buffer();
        let mut out = String::new();
        for y in 0..buf.area.height {
            let mut line = String::new();
            for x in 0..buf.area.width {
                line.push_str(buf[(x, y)].symbol());
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}
