//! Following `next_page_token` to the end: an empty string or an absent field ends the list.

use super::{ApiError, Client, Page, Request};

/// The page token to ask for next, if the body says there is more.
pub fn next_token(body: &serde_json::Value) -> Option<String> {
    match body.get("next_page_token") {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// Walks one request's pages in order. Every other query parameter stays identical between
/// pages, as Zoom requires.
pub struct Pager {
    req: Request,
    token: Option<String>,
    done: bool,
    pub pages: u32,
}

impl Pager {
    pub fn new(req: Request) -> Pager {
        Pager {
            req,
            token: None,
            done: false,
            pages: 0,
        }
    }

    pub fn request(&self) -> &Request {
        &self.req
    }

    /// The next page, or None after the last one.
    pub async fn next(&mut self, client: &Client) -> Result<Option<Page>, ApiError> {
        if self.done {
            return Ok(None);
        }
        let page = client.get(&self.req, self.token.as_deref()).await?;
        // A server echoing the same token forever would loop: treat a repeat as the end.
        if page.next_page_token.is_some() && page.next_page_token == self.token {
            tracing::warn!(path = %self.req.path, "Zoom repeated the same next_page_token; stopping");
            self.done = true;
        } else {
            self.token = page.next_page_token.clone();
            self.done = self.token.is_none();
        }
        self.pages += 1;
        Ok(Some(page))
    }

    /// Whether the page just returned was the last one.
    pub fn finished(&self) -> bool {
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_or_absent_token_ends() {
        assert_eq!(next_token(&json!({"next_page_token": ""})), None);
        assert_eq!(next_token(&json!({"x": 1})), None);
        assert_eq!(next_token(&json!({"next_page_token": null})), None);
        assert_eq!(
            next_token(&json!({"next_page_token": "abc"})),
            Some("abc".into())
        );
    }
}
