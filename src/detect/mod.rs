//! Detection engine and rules (one file per rule); rules read the store and write findings.
