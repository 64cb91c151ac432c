//! Keymap: key → command, loaded from `assets/keymap.toml` (built in) and overridden by the
//! user's `keymap.toml` in the config directory. The help screen is generated from it.

use anyhow::{Context, Result, bail};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;

macro_rules! commands {
    ($($v:ident = $name:literal : $help:literal,)*) => {
        /// Everything a key can do.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Cmd { $($v,)* }
        /// (command, config name, help text), in help order.
        pub const COMMANDS: &[(Cmd, &str, &str)] = &[$((Cmd::$v, $name, $help),)*];
    };
}

commands! {
    Down = "down": "move down",
    Up = "up": "move up",
    Top = "top": "first row",
    Bottom = "bottom": "last row",
    HalfDown = "half_down": "half a screen down",
    HalfUp = "half_up": "half a screen up",
    PageDown = "page_down": "a screen down",
    PageUp = "page_up": "a screen up",
    NextPane = "next_pane": "next pane (keeps the linked user/meeting)",
    PrevPane = "prev_pane": "previous pane",
    PaneIncidents = "pane_incidents": "Incidents (Enter opens one's story)",
    PaneFindings = "pane_findings": "Findings queue",
    PaneTimeline = "pane_timeline": "User timeline",
    PaneMeeting = "pane_meeting": "Meeting",
    PaneGraph = "pane_graph": "Collaboration graph",
    PaneLedger = "pane_ledger": "Operation ledger",
    PaneRecordings = "pane_recordings": "Recordings",
    PaneSql = "pane_sql": "SQL prompt",
    Pivot = "pivot": "pivot to the selected row's entity",
    Back = "back": "back along the breadcrumb (never quits)",
    Quit = "quit": "quit",
    Help = "help": "this help",
    Palette = "palette": "command palette",
    Search = "search": "fuzzy search users, names, emails, IPs, devices, topics, ids",
    NextHit = "next_hit": "next search hit",
    PrevHit = "prev_hit": "previous search hit",
    FilterText = "filter_text": "free-text filter (applied as you type)",
    ToggleExternal = "toggle_external": "chip: external / guest only",
    ToggleSuspicious = "toggle_suspicious": "chip: only rows behind findings",
    ToggleOpen = "toggle_open": "chip: open only (new or investigating)",
    Triage = "triage": "verdict on the selected finding or incident",
    CycleSeverity = "cycle_severity": "chip: minimum severity",
    ClearFilters = "clear_filters": "clear every chip",
    ZoomIn = "zoom_in": "time range: zoom in around the selected row",
    ZoomOut = "zoom_out": "time range: zoom out",
    ZoomReset = "zoom_reset": "time range: whole case",
    Bookmark = "bookmark": "bookmark the selected record",
    Tag = "tag": "tag the selected record",
    Note = "note": "note on the selected record",
    Copy = "copy": "copy the selected value (OSC 52)",
    ToggleTime = "toggle_time": "UTC / local time",
    PivotUser = "pivot_user": "pivot: the row's user",
    PivotMeeting = "pivot_meeting": "pivot: the row's meeting",
    PivotIp = "pivot_ip": "pivot: the row's IP address",
    PivotDomain = "pivot_domain": "pivot: the row's email domain",
    PivotDevice = "pivot_device": "pivot: the row's device",
    PivotRecording = "pivot_recording": "pivot: the row's recording",
    PivotOperator = "pivot_operator": "pivot: ledger of the row's operator",
    Bookmarks = "bookmarks": "bookmarked records",
    Inspect = "inspect": "describe the selected record: every field, raw JSON, provenance, SHA-256",
    InspectEvidence = "inspect_evidence": "describe the evidence record chosen in the evidence box",
    EvidenceDown = "evidence_down": "evidence box: next record",
    EvidenceUp = "evidence_up": "evidence box: previous record",
    Refresh = "refresh": "reload the view",
    ScrollLeft = "scroll_left": "table wider than the screen: columns to the left",
    ScrollRight = "scroll_right": "table wider than the screen: columns to the right",
    PaneLandscape = "pane_landscape": "Landscape: the endpoint landscape (stacks)",
    PaneExposure = "pane_exposure": "Exposure: outsiders per department or host",
    NextBy = "next_by": "Landscape: next dimension; Exposure: department / host",
    PrevBy = "prev_by": "Landscape: previous dimension; Exposure: department / host",
    CycleGroup = "cycle_group": "Landscape: split by department, domain, role or nothing; Timeline: by country",
    ToggleRarest = "toggle_rarest": "Landscape: rarest first / most common first",
    GraphLevel = "graph_level": "Graph: the organisation (departments) / around the linked person",
}

impl Cmd {
    pub fn name(self) -> &'static str {
        COMMANDS
            .iter()
            .find(|c| c.0 == self)
            .map(|c| c.1)
            .unwrap_or("?")
    }
    pub fn from_name(s: &str) -> Option<Cmd> {
        COMMANDS.iter().find(|c| c.1 == s).map(|c| c.0)
    }
}

#[derive(Clone, Debug)]
pub struct Keymap {
    /// key descriptor ("j", "ctrl-d", "enter") → command
    pub keys: BTreeMap<String, Cmd>,
}

const DEFAULT: &str = include_str!("../../assets/keymap.toml");

#[derive(serde::Deserialize)]
struct File {
    #[serde(default)]
    keys: BTreeMap<String, String>,
}

impl Keymap {
    /// The built-in keymap.
    pub fn builtin() -> Keymap {
        let mut k = Keymap {
            keys: BTreeMap::new(),
        };
        k.overlay(DEFAULT).expect("built-in keymap is valid");
        k
    }

    /// The built-in keymap with the user's overrides (config dir `keymap.toml`) applied.
    pub fn load() -> Result<Keymap> {
        let mut k = Keymap::builtin();
        if let Some(dirs) = directories::ProjectDirs::from("", "", "zoomlens") {
            let p = dirs.config_dir().join("keymap.toml");
            if p.exists() {
                let text = std::fs::read_to_string(&p)
                    .with_context(|| format!("reading {}", p.display()))?;
                k.overlay(&text)
                    .with_context(|| format!("in keymap {}", p.display()))?;
            }
        }
        Ok(k)
    }

    pub fn overlay(&mut self, text: &str) -> Result<()> {
        let f: File = toml::from_str(text)
            .context("the keymap is not valid TOML (expected [keys] \"j\" = \"down\")")?;
        for (key, cmd) in f.keys {
            if cmd.is_empty() {
                self.keys.remove(&key);
                continue;
            }
            let Some(c) = Cmd::from_name(&cmd) else {
                bail!(
                    "unknown command {cmd:?} for key {key:?}; see `?` in the console for the list"
                );
            };
            self.keys.insert(key, c);
        }
        Ok(())
    }

    pub fn lookup(&self, k: &KeyEvent) -> Option<Cmd> {
        self.keys.get(&describe(k)?).copied()
    }

    /// Keys bound to a command, for help and hints.
    pub fn keys_for(&self, c: Cmd) -> Vec<&str> {
        self.keys
            .iter()
            .filter(|(_, v)| **v == c)
            .map(|(k, _)| k.as_str())
            .collect()
    }

    /// Help lines generated from the keymap: "keys   command   what it does".
    pub fn help_lines(&self) -> Vec<(String, &'static str)> {
        COMMANDS
            .iter()
            .map(|(c, _, help)| {
                let keys = self.keys_for(*c);
                (
                    if keys.is_empty() {
                        "(unbound)".into()
                    } else {
                        keys.join(" ")
                    },
                    *help,
                )
            })
            .collect()
    }
}

/// A key event's descriptor in keymap syntax.
pub fn describe(k: &KeyEvent) -> Option<String> {
    let base = match k.code {
        KeyCode::Char(c) => {
            if k.modifiers.contains(KeyModifiers::CONTROL) {
                return Some(format!("ctrl-{}", c.to_ascii_lowercase()));
            }
            c.to_string()
        }
        KeyCode::Enter => "enter".into(),
        KeyCode::Esc => "esc".into(),
        KeyCode::Tab => "tab".into(),
        KeyCode::BackTab => "backtab".into(),
        KeyCode::Backspace => "backspace".into(),
        KeyCode::Up => "up".into(),
        KeyCode::Down => "down".into(),
        KeyCode::Left => "left".into(),
        KeyCode::Right => "right".into(),
        KeyCode::PageUp => "pgup".into(),
        KeyCode::PageDown => "pgdn".into(),
        KeyCode::Home => "home".into(),
        KeyCode::End => "end".into(),
        KeyCode::F(n) => format!("f{n}"),
        _ => return None,
    };
    if k.modifiers.contains(KeyModifiers::CONTROL) {
        return Some(format!("ctrl-{base}"));
    }
    Some(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_binds_the_conventions() {
        let k = Keymap::builtin();
        let key = |c: KeyCode, m: KeyModifiers| k.lookup(&KeyEvent::new(c, m));
        assert_eq!(key(KeyCode::Char('j'), KeyModifiers::NONE), Some(Cmd::Down));
        assert_eq!(
            key(KeyCode::Char('d'), KeyModifiers::CONTROL),
            Some(Cmd::HalfDown)
        );
        assert_eq!(key(KeyCode::Esc, KeyModifiers::NONE), Some(Cmd::Back));
        assert_eq!(
            key(KeyCode::Char('G'), KeyModifiers::SHIFT),
            Some(Cmd::Bottom)
        );
        // Every command is either bound or reported as unbound in help.
        assert_eq!(k.help_lines().len(), COMMANDS.len());
    }

    #[test]
    fn overrides_rebind_and_bad_names_are_explained() {
        let mut k = Keymap::builtin();
        k.overlay("[keys]\n\"J\" = \"down\"\n\"j\" = \"\"\n")
            .unwrap();
        assert_eq!(k.keys.get("J"), Some(&Cmd::Down));
        assert!(!k.keys.contains_key("j"));
        let e = k
            .overlay("[keys]\n\"z\" = \"fly\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown command"), "{e}");
    }
}
