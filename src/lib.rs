//! zoomlens: a terminal investigation console for Zoom security telemetry.
//!
//! Data flows one way: the doors ([`ingest`] for files, [`sync`] over the API client
//! [`zoom`], [`listen`] for webhooks; fed for demos and tests by the synthetic tenant in
//! [`sim`]) produce normalised records ([`model`]) → [`store`] keeps them in a SQLite case
//! file → [`detect`] reads the store and writes findings → the console ([`tui`]) reads through
//! the store's query layer; [`report`] reads a case into a report (Markdown or HTML) for a
//! ticket. [`output`] is the one place log text is escaped for a terminal, JSON, CSV, Markdown
//! or HTML.
//!
//! [`cmd`] is the command layer on top: the only module that knows the command line. It turns
//! flags into the plain option structs defined here, calls the library, prints and picks the
//! exit code; nothing below it imports clap.

pub mod cmd;
pub mod detect;
pub mod ingest;
pub mod listen;
pub mod model;
pub mod output;
pub mod report;
pub mod sim;
pub mod store;
pub mod sync;
pub mod tui;
pub mod util;
pub mod zoom;
