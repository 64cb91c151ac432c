//! The investigation console.
