pub mod case;
pub mod cli;
pub mod listen;
pub mod sync;
pub mod tenant;
pub mod ws;
