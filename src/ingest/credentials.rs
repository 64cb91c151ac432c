//! Credentials never reach a case: a record that holds an OAuth token, a client secret or a
//! webhook secret token is kept (in the rejects) only as a redacted copy.
//!
//! The `plainToken`/`encryptedToken` pair of a webhook URL validation is not a credential
//! (the encrypted token is an HMAC of a random challenge) and is left alone.

/// JSON keys whose values are credentials.
pub const SECRET_KEYS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "secret_token",
    "client_secret",
    "api_secret",
    "verification_token",
];

const REDACTED: &str = "[redacted]";

/// The text with every credential value replaced by `[redacted]`, and the keys found; `None`
/// when it holds none. Works on broken JSON too (a cut line still has its token in it): the
/// value after `"key":` is replaced up to its closing quote, or up to the next `,` or `}`.
pub fn redact(raw: &str) -> Option<(String, Vec<&'static str>)> {
    if !SECRET_KEYS.iter().any(|k| raw.contains(k)) {
        return None;
    }
    let mut out = raw.to_string();
    let mut found = Vec::new();
    for key in SECRET_KEYS {
        let quoted = format!("\"{key}\"");
        let mut from = 0;
        while let Some(i) = out[from..].find(&quoted) {
            let after_key = from + i + quoted.len();
            let rest = &out[after_key..];
            let colon = rest.len() - rest.trim_start().len();
            if !rest[colon..].starts_with(':') {
                from = after_key;
                continue;
            }
            let vstart = after_key + colon + 1;
            let vstart = vstart + (out[vstart..].len() - out[vstart..].trim_start().len());
            let bytes = out.as_bytes();
            let (a, b) = if bytes.get(vstart) == Some(&b'"') {
                // A string: up to its closing unescaped quote (or the end of a cut line).
                let mut j = vstart + 1;
                let mut esc = false;
                while j < bytes.len() {
                    match bytes[j] {
                        _ if esc => esc = false,
                        b'\\' => esc = true,
                        b'"' => break,
                        _ => {}
                    }
                    j += 1;
                }
                (vstart + 1, j)
            } else {
                let end = out[vstart..]
                    .find([',', '}', '\n'])
                    .map_or(out.len(), |k| vstart + k);
                (vstart, end)
            };
            if out[a..b] != *REDACTED && a < b {
                out.replace_range(a..b, REDACTED);
                if !found.contains(key) {
                    found.push(*key);
                }
            }
            from = (a + REDACTED.len()).min(out.len());
        }
    }
    (!found.is_empty()).then_some((out, found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_values_go_and_the_rest_stays() {
        let raw = r#"{"access_token": "eyJhbGciOiJIUzUxMiJ9.x\"y", "token_type":"bearer","refresh_token":"abc","expires_in":3599}"#;
        let (r, keys) = redact(raw).unwrap();
        assert_eq!(
            r,
            r#"{"access_token": "[redacted]", "token_type":"bearer","refresh_token":"[redacted]","expires_in":3599}"#
        );
        assert_eq!(keys, ["access_token", "refresh_token"]);
        assert!(!r.contains("eyJ"));
        // A cut line, and a secret token.
        let (r, _) = redact(r#"{"secret_token":"whsec_abcdef"#).unwrap();
        assert_eq!(r, r#"{"secret_token":"[redacted]"#);
        // Validation pairs are not credentials.
        assert!(redact(r#"{"plainToken":"a","encryptedToken":"b"}"#).is_none());
        assert!(redact(r#"{"note":"mentions access_token in text"}"#).is_none());
    }
}
