//! Plans and runs a pull from the Zoom API into a case, with checkpoints, so an interrupted
//! sync resumes where it stopped. The API client (`crate::zoom`) never touches the store; this
//! module glues its pages to `ingest::capture::store_page`.

pub mod checkpoint;
pub mod doctor;
pub mod login;
pub mod plan;
pub mod progress;
pub mod run;
