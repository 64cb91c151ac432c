//! Webhook events: normalised into the same tables as the reports, and kept whole.

use crate::store::{Outcome, Writer};
use anyhow::Result;

/// Store one webhook delivery (its raw body bytes as text) and normalise what it describes.
/// The same delivery stored again is `Outcome::Present`.
pub fn store_event(
    _w: &mut Writer,
    _origin_id: i64,
    _line: Option<i64>,
    _raw: &str,
) -> Result<Outcome> {
    anyhow::bail!("webhook events are not built yet (issue 2)")
}
