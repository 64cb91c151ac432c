//! `page_size` / `next_page_token` paging as Zoom does it.
//!
//! Tokens are opaque and stateless: base64url of (offset, issue time, a fingerprint of the
//! request's other parameters) sealed with an HMAC under a key drawn at start-up. A token that
//! was tampered with, issued by another run, older than the page-token lifetime (Zoom: 15 min),
//! or sent with different parameters than the request that produced it is rejected with code 300.
//! `page_size` is not part of the fingerprint: changing it between pages is harmless here.
//! A `page_size` above the endpoint's maximum is clamped to the maximum (answered with the
//! clamped value in `page_size`); zero, negative or non-numeric values are a 300 error.

use super::ApiError;
use axum::http::StatusCode;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

type HmacSha256 = Hmac<Sha256>;

/// An endpoint's page-size rule.
#[derive(Debug, Clone, Copy)]
pub struct PageRule {
    pub default: usize,
    pub max: usize,
}

/// Most endpoints: default 30, max 300.
pub const STANDARD: PageRule = PageRule {
    default: 30,
    max: 300,
};
/// Chat messages: default 10, max 50.
pub const CHAT: PageRule = PageRule {
    default: 10,
    max: 50,
};

/// Query parameters of one request (last value wins, like most servers).
#[derive(Debug, Default, Clone)]
pub struct Params(pub BTreeMap<String, String>);

/// A request's query string as name → value (last value wins); empty without one.
pub fn query_pairs(raw: Option<&str>) -> BTreeMap<String, String> {
    raw.map(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .into_owned()
            .collect()
    })
    .unwrap_or_default()
}

impl Params {
    pub fn parse(raw: Option<&str>) -> Params {
        Params(query_pairs(raw))
    }
    /// A non-empty parameter.
    pub fn get(&self, k: &str) -> Option<&str> {
        self.0.get(k).map(String::as_str).filter(|v| !v.is_empty())
    }
    pub fn flag(&self, k: &str) -> bool {
        self.get(k).is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }
    /// What must stay identical between pages: path and every parameter except the token and
    /// the page size.
    fn fingerprint(&self, path: &str) -> [u8; 8] {
        let mut h = Sha256::new();
        h.update(path.as_bytes());
        for (k, v) in &self.0 {
            if k == "next_page_token" || k == "page_size" {
                continue;
            }
            h.update([0]);
            h.update(k.as_bytes());
            h.update([1]);
            h.update(v.as_bytes());
        }
        let d = h.finalize();
        let mut out = [0u8; 8];
        out.copy_from_slice(&d[..8]);
        out
    }
}

/// One page's window into a result list.
#[derive(Debug, Clone)]
pub struct Page {
    pub start: usize,
    pub end: usize,
    pub page_size: usize,
    pub total: usize,
    /// "" on the last page.
    pub next_page_token: String,
}

impl Page {
    pub fn page_count(&self) -> usize {
        self.total.div_ceil(self.page_size)
    }
    /// The deprecated `page_number` that matches this window.
    pub fn page_number(&self) -> usize {
        self.start / self.page_size + 1
    }
}

/// Issues and checks page tokens.
pub struct Pager {
    key: [u8; 32],
    ttl: Duration,
}

fn invalid_token() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        300,
        "The next page token is invalid or expired.",
    )
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl Pager {
    pub fn new(ttl: Duration) -> Pager {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        Pager { key, ttl }
    }

    fn mac(&self, payload: &[u8]) -> [u8; 16] {
        let mut m = <HmacSha256 as KeyInit>::new_from_slice(&self.key).expect("any key length");
        m.update(payload);
        let d = m.finalize().into_bytes();
        let mut out = [0u8; 16];
        out.copy_from_slice(&d[..16]);
        out
    }

    fn issue(&self, offset: usize, fp: [u8; 8]) -> String {
        let mut b = Vec::with_capacity(40);
        b.extend_from_slice(&(offset as u64).to_be_bytes());
        b.extend_from_slice(&now_ms().to_be_bytes());
        b.extend_from_slice(&fp);
        let mac = self.mac(&b);
        b.extend_from_slice(&mac);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
    }

    /// The offset a token points at, or 300 when it is invalid, expired or for other params.
    fn redeem(&self, token: &str, fp: [u8; 8]) -> Result<usize, ApiError> {
        let b = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token)
            .map_err(|_| invalid_token())?;
        if b.len() != 40 {
            return Err(invalid_token());
        }
        let (payload, mac) = b.split_at(24);
        let expected = self.mac(payload);
        // Constant-time compare is not needed for a simulator, but costs nothing.
        if expected
            .iter()
            .zip(mac)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            != 0
        {
            return Err(invalid_token());
        }
        let offset = u64::from_be_bytes(payload[0..8].try_into().expect("8 bytes")) as usize;
        let issued = u64::from_be_bytes(payload[8..16].try_into().expect("8 bytes"));
        if payload[16..24] != fp {
            return Err(invalid_token());
        }
        if now_ms().saturating_sub(issued) > self.ttl.as_millis() as u64 {
            return Err(invalid_token());
        }
        Ok(offset)
    }

    /// Work out the page `params` asks for in a list of `total` records.
    pub fn page(
        &self,
        path: &str,
        params: &Params,
        rule: PageRule,
        total: usize,
    ) -> Result<Page, ApiError> {
        let page_size = match params.get("page_size") {
            None => rule.default,
            Some(s) => match s.parse::<i64>() {
                Ok(n) if n >= 1 => (n as usize).min(rule.max),
                _ => {
                    return Err(ApiError::validation(
                        "page_size",
                        "Invalid field. page_size must be a positive number.",
                    ));
                }
            },
        };
        let fp = params.fingerprint(path);
        let start = match params.get("next_page_token") {
            None => 0,
            Some(t) => self.redeem(t, fp)?,
        };
        if start > total {
            return Err(invalid_token());
        }
        let end = (start + page_size).min(total);
        let next_page_token = if end < total {
            self.issue(end, fp)
        } else {
            String::new()
        };
        Ok(Page {
            start,
            end,
            page_size,
            total,
            next_page_token,
        })
    }
}
