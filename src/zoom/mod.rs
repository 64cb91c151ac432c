//! The Zoom API client: auth, rate limiting, retries, pagination, one function per endpoint.
//! Never touches the store: it hands verbatim pages to its caller (`sync`).

pub mod auth;
pub mod client;
pub mod endpoints;
pub mod paging;
pub mod ratelimit;
pub mod retry;

pub use client::{Client, ClientConfig, Page, Request};
pub use ratelimit::{Category, DailyCapPolicy, Plan};

use std::time::Duration;

/// Why a request could not produce a page. Messages never carry credentials.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Zoom answered with an error body (`{"code", "message"}`) that retrying will not fix.
    #[error("Zoom answered HTTP {status} code {code}: {message}")]
    Zoom {
        status: u16,
        code: i64,
        message: String,
    },
    /// Code 300 on a follow-up page: the page token expired (15 min); restart the window.
    #[error("the next_page_token expired or was refused (Zoom code 300); the window must restart")]
    PageTokenExpired,
    /// The account's daily budget for this category is spent.
    #[error(
        "the daily {category:?} request cap is reached; Zoom resumes at {resume_at} \
         (run again then, or pass --on-daily-cap wait)"
    )]
    DailyCap {
        category: Category,
        resume_at: chrono::DateTime<chrono::Utc>,
    },
    /// The app's token lacks the scope an endpoint needs (Zoom says "does not contain scopes"
    /// with code 4711, 4700 or 201 and HTTP 400, 401 or 403); any one of `scopes` would do.
    #[error("the app lacks a scope for this source: grant one of {}", scopes.join(", "))]
    MissingScope { scopes: Vec<String> },
    /// Credentials refused or a token could not be obtained.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// Transient failures (5xx, timeouts, resets, malformed bodies, 429s) outlasted the retries.
    #[error("gave up after {attempts} attempts: {last}")]
    Exhausted { attempts: u32, last: String },
}

impl ApiError {
    /// Zoom code 200 on a dashboard endpoint: the plan has no Dashboard API.
    /// The scopes named by a missing-scope message ("Invalid access token, does not contain
    /// scopes:[a, b]."), or `None` when the message is not one.
    pub fn missing_scopes(message: &str) -> Option<Vec<String>> {
        let at = message.find("does not contain scopes")?;
        let rest = &message[at..];
        let list = rest
            .find('[')
            .and_then(|i| rest[i + 1..].find(']').map(|j| &rest[i + 1..i + 1 + j]))
            .unwrap_or("");
        let scopes: Vec<String> = list
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        Some(if scopes.is_empty() {
            vec!["(Zoom did not name it)".into()]
        } else {
            scopes
        })
    }
    pub fn is_no_permission(&self) -> bool {
        matches!(self, ApiError::Zoom { code: 200, .. })
    }
    /// A per-entity answer that means "nothing to fetch here" rather than a broken pull:
    /// user does not exist (1001), meeting not found or not ended (3001), older than a year
    /// (12702), user outside the account (1010).
    pub fn is_entity_unavailable(&self) -> bool {
        matches!(
            self,
            ApiError::Zoom {
                // 3301: recording analytics of a meeting without a cloud recording.
                code: 1001 | 3001 | 12702 | 1010 | 3301,
                ..
            }
        )
    }
}

/// Default per-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
