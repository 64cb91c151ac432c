//! Colours from `assets/theme.toml` (built in) overridden by the user's `theme.toml`;
//! NO_COLOR (any non-empty value) turns every colour off and keeps only bold/reverse.

use anyhow::{Context, Result};
use ratatui::style::{Color, Modifier, Style};
use std::collections::BTreeMap;
use std::str::FromStr;

const DEFAULT: &str = include_str!("../../assets/theme.toml");

#[derive(Clone, Debug)]
pub struct Theme {
    pub color: bool,
    colors: BTreeMap<String, Color>,
}

impl Theme {
    pub fn builtin(color: bool) -> Theme {
        let mut t = Theme {
            color,
            colors: BTreeMap::new(),
        };
        t.overlay(DEFAULT).expect("built-in theme is valid");
        t
    }

    /// Built-in theme, user overrides, NO_COLOR.
    pub fn load() -> Result<Theme> {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let mut t = Theme::builtin(!no_color);
        if let Some(dirs) = directories::ProjectDirs::from("", "", "zoomlens") {
            let p = dirs.config_dir().join("theme.toml");
            if p.exists() {
                let text = std::fs::read_to_string(&p)
                    .with_context(|| format!("reading {}", p.display()))?;
                t.overlay(&text)
                    .with_context(|| format!("in theme {}", p.display()))?;
            }
        }
        Ok(t)
    }

    pub fn overlay(&mut self, text: &str) -> Result<()> {
        let m: BTreeMap<String, String> =
            toml::from_str(text).context("the theme is not valid TOML (name = \"colour\")")?;
        for (k, v) in m {
            let c =
                Color::from_str(&v).map_err(|_| anyhow::anyhow!("unknown colour {v:?} for {k}"))?;
            self.colors.insert(k, c);
        }
        Ok(())
    }

    /// Foreground style for a named role.
    pub fn fg(&self, role: &str) -> Style {
        match (self.color, self.colors.get(role)) {
            (true, Some(c)) => Style::default().fg(*c),
            _ => Style::default(),
        }
    }

    pub fn selected(&self) -> Style {
        match (self.color, self.colors.get("selected_bg")) {
            (true, Some(c)) => Style::default().bg(*c).add_modifier(Modifier::BOLD),
            _ => Style::default().add_modifier(Modifier::REVERSED),
        }
    }

    /// A word a search found: underlined too, so it shows without colour.
    pub fn found(&self) -> Style {
        self.fg("highlight")
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn accent(&self) -> Style {
        self.fg("accent").add_modifier(Modifier::BOLD)
    }

    pub fn severity(&self, rank: i64) -> Style {
        let s = self.fg(crate::store::read::severity_name(rank));
        if rank >= 3 {
            s.add_modifier(Modifier::BOLD)
        } else {
            s
        }
    }

    /// Style for internal / external / guest badges.
    pub fn class(&self, class: &str) -> Style {
        self.fg(class)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_means_no_colour_at_all() {
        let t = Theme::builtin(false);
        assert_eq!(t.fg("critical").fg, None);
        assert_eq!(t.selected().bg, None);
        assert!(t.selected().add_modifier.contains(Modifier::REVERSED));
        let c = Theme::builtin(true);
        assert!(c.fg("critical").fg.is_some());
    }
}
