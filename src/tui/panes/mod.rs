//! One file per pane; each draws from the app state only.

pub mod evidence;
pub mod findings;
pub mod graph;
pub mod incidents;
pub mod ledger;
pub mod meeting;
pub mod recordings;
pub mod sql;
pub mod timeline;
