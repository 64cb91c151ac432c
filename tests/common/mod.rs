pub mod cli;
pub mod tenant;
