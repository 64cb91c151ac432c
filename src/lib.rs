//! zoomlens: a terminal investigation console for Zoom security telemetry.
//!
//! Data flows one way: doors (`ingest`, `sync`, `listen`, fed for demos and tests by `sim`)
//! produce normalised records → `store` keeps them in a SQLite case file → `detect` reads the
//! store and writes findings → `tui` and `report` read through the store's query layer.

pub mod cli;
pub mod detect;
pub mod ingest;
pub mod listen;
pub mod model;
pub mod report;
pub mod sim;
pub mod store;
pub mod sync;
pub mod tui;
pub mod util;
pub mod zoom;
