//! Capture files: NDJSON, one Zoom API response page per line
//! (`{"path", "query", "fetched_at", "body"}`), as `sync` writes them.

use crate::store::Writer;
use anyhow::Result;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// One API response page as captured.
#[derive(Debug, Serialize, Deserialize)]
pub struct CapturePage {
    /// Request path as sent (`/v2` prefix optional; UUIDs double-encoded as Zoom requires).
    pub path: String,
    #[serde(default)]
    pub query: serde_json::Map<String, serde_json::Value>,
    /// RFC 3339.
    #[serde(default)]
    pub fetched_at: String,
    /// The response body, verbatim.
    pub body: Box<RawValue>,
}

/// Normalise and store every record of one page; records that cannot be used become rejects.
/// The caller owns the transaction (sync stores a page and its checkpoint together).
pub fn store_page(
    _w: &mut Writer,
    _page: &CapturePage,
    _source: &str,
    _line: Option<i64>,
) -> Result<()> {
    anyhow::bail!("capture pages are not built yet (issue 2)")
}
