pub mod case;
pub mod cli;
pub mod listen;
pub mod tenant;
pub mod ws;
