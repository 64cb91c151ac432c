//! `--truth FILE`: what a complete pull of the served tenant must produce in the case file's
//! views, plus the planted incidents and near-misses. The counting lives with the tenant
//! ([`Tenant::truth`]), so `gen` and `sim` can never disagree.

use crate::sim::tenant::Tenant;
use serde_json::Value;

/// `{"counts": {view: rows, ...}, "incidents": [...], "near_misses": [...], ...}`.
pub fn truth(t: &Tenant) -> Value {
    serde_json::to_value(t.truth()).expect("the truth serialises")
}
