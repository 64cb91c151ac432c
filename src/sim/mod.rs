//! Synthetic Zoom tenant: deterministic generator, Zoom-compatible HTTP simulator, planted
//! incidents and the demo case. It feeds demos, tests and benchmarks through the same doors
//! (capture import, API sync, webhook delivery) that real data uses.

pub mod demo;
pub mod generator;
pub mod score;
pub mod server;
pub mod tenant;
