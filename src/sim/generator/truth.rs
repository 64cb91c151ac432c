//! Ground truth: what a complete import of the generated captures must produce in each view,
//! and the planted incidents and near-misses with the entities that identify them.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One planted incident or near-miss. Keys are blank when they do not apply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TruthItem {
    pub rule: String,
    pub planted: bool,
    /// Email of the person involved (operator, participant, signer-in); for guests, the
    /// display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting_uuid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    pub note: String,
}

/// `truth.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    /// Rows each view must hold after importing every capture page (webhooks excluded;
    /// `webhook_events` counts the lines of webhooks.ndjson).
    pub counts: BTreeMap<String, u64>,
    pub incidents: Vec<TruthItem>,
    pub near_misses: Vec<TruthItem>,
    /// Facts a rule needs to agree with the plant (thresholds assumed, window).
    #[serde(default)]
    pub assumptions: BTreeMap<String, String>,
}

impl Truth {
    /// Planted incidents of one rule.
    pub fn incidents_of(&self, rule: &str) -> Vec<&TruthItem> {
        self.incidents.iter().filter(|i| i.rule == rule).collect()
    }
}
