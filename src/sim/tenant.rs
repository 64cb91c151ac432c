//! An in-memory synthetic tenant: every record in the exact JSON shape Zoom's API returns,
//! grouped the way the endpoints serve them. Built by the generator; served by the simulator.

use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Default, Clone)]
pub struct Tenant {
    pub account_id: String,
    /// `/users` records; each has "status": active | inactive | pending (pending: no "id").
    pub users: Vec<Value>,
    /// `/report/activities` records, in time order.
    pub activities: Vec<Value>,
    /// `/report/operationlogs` records, in time order.
    pub operations: Vec<Value>,
    /// `/report/users/{id}/meetings` records (one per instance), keyed by host user id.
    pub meetings_by_host: BTreeMap<String, Vec<Value>>,
    /// `/report/meetings/{uuid}/participants` rows, keyed by instance UUID.
    pub participants: BTreeMap<String, Vec<Value>>,
    /// `/metrics/meetings/{uuid}/participants?type=past` rows, keyed by instance UUID.
    pub metrics: BTreeMap<String, Vec<Value>>,
    /// `/users/{id}/recordings` meeting objects (with recording_files), keyed by host user id.
    pub recordings_by_host: BTreeMap<String, Vec<Value>>,
    /// The same endpoint with trash=true, keyed by host user id.
    pub trash_by_host: BTreeMap<String, Vec<Value>>,
    /// `/chat/users/{id}/messages` messages, keyed by user id.
    pub chat_by_user: BTreeMap<String, Vec<Value>>,
    /// Webhook events (full envelopes), in event_ts order.
    pub webhooks: Vec<Value>,
}
