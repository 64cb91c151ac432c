//! Zoom webhook authentication: `x-zm-signature` over the exact raw body, the replay window on
//! `x-zm-request-timestamp`, and the `endpoint.url_validation` challenge answer.
//!
//! Zoom signs `"v0:" + timestamp + ":" + body` with HMAC-SHA256 keyed by the app's Secret
//! Token and sends `v0=<lowercase hex>`. The comparison is constant-time (`verify_slice`), and
//! the body is the bytes received, never a re-serialisation.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::fmt;
use std::sync::Arc;

type HmacSha256 = Hmac<Sha256>;

/// How far the request timestamp may be from our clock, either way (seconds).
pub const DEFAULT_MAX_SKEW_SECS: i64 = 300;

/// Environment variable holding the current Secret Token.
pub const SECRET_ENV: &str = "ZOOM_WEBHOOK_SECRET_TOKEN";
/// Environment variable holding the previous Secret Token while Zoom's side is being rotated.
pub const OLD_SECRET_ENV: &str = "ZOOM_WEBHOOK_SECRET_TOKEN_OLD";

/// One Secret Token. Its bytes never appear in `Debug`, `Display` or logs.
#[derive(Clone)]
pub struct Secret(Arc<[u8]>);

impl Secret {
    pub fn new(token: &str) -> Secret {
        Secret(Arc::from(token.as_bytes()))
    }
    fn mac(&self) -> HmacSha256 {
        // HMAC takes keys of any length; this cannot fail.
        HmacSha256::new_from_slice(&self.0).expect("HMAC accepts any key length")
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// The current token and, during a rotation, the previous one.
#[derive(Clone, Debug)]
pub struct Secrets {
    pub current: Secret,
    pub old: Option<Secret>,
}

/// Which token verified a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyUsed {
    Current,
    Old,
}

impl Secrets {
    /// Read the tokens from the environment; a missing or blank current token is an error
    /// that says what to set (and never echoes a value).
    pub fn from_env() -> anyhow::Result<Secrets> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Same as [`Secrets::from_env`], with the lookup injected (tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Secrets> {
        let current = match get(SECRET_ENV) {
            Some(v) if !v.trim().is_empty() => Secret::new(v.trim()),
            _ => anyhow::bail!(
                "{SECRET_ENV} is not set: export the Secret Token from your Zoom app's \
                 Feature page (Event Subscriptions) in {SECRET_ENV} before running \
                 `zoomlens listen` (during a token rotation, put the previous token in \
                 {OLD_SECRET_ENV})"
            ),
        };
        let old = get(OLD_SECRET_ENV)
            .filter(|v| !v.trim().is_empty())
            .map(|v| Secret::new(v.trim()));
        Ok(Secrets { current, old })
    }
}

/// Why a request was refused (answered 401). Messages carry no secret and no request text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    MissingTimestamp,
    BadTimestamp,
    /// Outside the replay window; `skew_secs` is request time minus our time.
    StaleTimestamp {
        skew_secs: i64,
    },
    MissingSignature,
    MalformedSignature,
    WrongSignature,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::MissingTimestamp => f.write_str("missing x-zm-request-timestamp header"),
            Refusal::BadTimestamp => {
                f.write_str("x-zm-request-timestamp is not a Unix time in seconds")
            }
            Refusal::StaleTimestamp { skew_secs } if *skew_secs < 0 => write!(
                f,
                "x-zm-request-timestamp is {}s in the past (replay window is {DEFAULT_MAX_SKEW_SECS}s)",
                -skew_secs
            ),
            Refusal::StaleTimestamp { skew_secs } => write!(
                f,
                "x-zm-request-timestamp is {skew_secs}s in the future (replay window is {DEFAULT_MAX_SKEW_SECS}s)"
            ),
            Refusal::MissingSignature => f.write_str("missing x-zm-signature header"),
            Refusal::MalformedSignature => f.write_str("x-zm-signature is not v0=<hex>"),
            Refusal::WrongSignature => f.write_str("x-zm-signature does not match the body"),
        }
    }
}

impl Refusal {
    /// A short stable label for counters and logs.
    pub fn label(&self) -> &'static str {
        match self {
            Refusal::MissingTimestamp | Refusal::BadTimestamp => "bad_timestamp",
            Refusal::StaleTimestamp { .. } => "stale_timestamp",
            Refusal::MissingSignature | Refusal::MalformedSignature => "no_signature",
            Refusal::WrongSignature => "wrong_signature",
        }
    }
}

/// A clock returning Unix seconds; injectable so test vectors with fixed timestamps verify.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| chrono::Utc::now().timestamp())
}

/// Checks signatures and timestamps of incoming deliveries.
#[derive(Clone)]
pub struct Verifier {
    secrets: Secrets,
    max_skew_secs: i64,
    now: Clock,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("secrets", &self.secrets)
            .field("max_skew_secs", &self.max_skew_secs)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    pub fn new(secrets: Secrets) -> Verifier {
        Verifier {
            secrets,
            max_skew_secs: DEFAULT_MAX_SKEW_SECS,
            now: system_clock(),
        }
    }

    /// Replace the clock (tests, test vectors).
    pub fn with_clock(mut self, now: Clock) -> Verifier {
        self.now = now;
        self
    }

    /// Verify one delivery: the timestamp must be within the replay window and the signature
    /// must match `body` under the current token or, during rotation, the old one.
    pub fn verify(
        &self,
        timestamp: Option<&[u8]>,
        signature: Option<&[u8]>,
        body: &[u8],
    ) -> Result<KeyUsed, Refusal> {
        let ts_raw = timestamp.ok_or(Refusal::MissingTimestamp)?;
        let ts_str = std::str::from_utf8(ts_raw).map_err(|_| Refusal::BadTimestamp)?;
        let ts: i64 = ts_str
            .trim()
            .parse()
            .ok()
            .filter(|t: &i64| (0..=i64::MAX / 2).contains(t))
            .ok_or(Refusal::BadTimestamp)?;
        let skew = ts - (self.now)();
        if skew.abs() > self.max_skew_secs {
            return Err(Refusal::StaleTimestamp { skew_secs: skew });
        }
        let sig = signature.ok_or(Refusal::MissingSignature)?;
        let hex_part = sig
            .strip_prefix(b"v0=")
            .ok_or(Refusal::MalformedSignature)?;
        let tag = hex::decode(hex_part).map_err(|_| Refusal::MalformedSignature)?;
        // The timestamp as sent (not re-formatted) is part of the signed message.
        let check = |s: &Secret| {
            let mut m = s.mac();
            m.update(b"v0:");
            m.update(ts_raw);
            m.update(b":");
            m.update(body);
            m.verify_slice(&tag).is_ok()
        };
        if check(&self.secrets.current) {
            return Ok(KeyUsed::Current);
        }
        if let Some(old) = &self.secrets.old
            && check(old)
        {
            return Ok(KeyUsed::Old);
        }
        Err(Refusal::WrongSignature)
    }

    /// The `encryptedToken` answering an `endpoint.url_validation` challenge, computed with the
    /// token that verified the request.
    pub fn encrypted_token(&self, key: KeyUsed, plain_token: &str) -> String {
        let s = match (key, &self.secrets.old) {
            (KeyUsed::Old, Some(old)) => old,
            _ => &self.secrets.current,
        };
        let mut m = s.mac();
        m.update(plain_token.as_bytes());
        hex::encode(m.finalize().into_bytes())
    }
}

/// Sign a body as Zoom does: `v0=` + hex HMAC-SHA256(secret, "v0:{timestamp}:{body}").
/// Used by tests, the simulator and load generators.
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut m = Secret::new(secret).mac();
    m.update(b"v0:");
    m.update(timestamp.as_bytes());
    m.update(b":");
    m.update(body);
    format!("v0={}", hex::encode(m.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn sample(name: &str) -> Value {
        let p = format!(
            "{}/../shared/zoom/samples/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(&p).expect(&p)).unwrap()
    }

    fn fixed(t: i64) -> Clock {
        Arc::new(move || t)
    }

    fn verifier(secret: &str, old: Option<&str>, now: i64) -> Verifier {
        Verifier::new(Secrets {
            current: Secret::new(secret),
            old: old.map(Secret::new),
        })
        .with_clock(fixed(now))
    }

    #[test]
    fn zoom_test_vector_verifies_with_injected_clock() {
        let v = sample("webhook_signature_test_vector.json");
        let secret = v["secret_token"].as_str().unwrap();
        let ts = v["headers"]["x-zm-request-timestamp"].as_str().unwrap();
        let sig = v["headers"]["x-zm-signature"].as_str().unwrap();
        let body = v["raw_body"].as_str().unwrap();
        assert_eq!(sign(secret, ts, body.as_bytes()), sig);
        assert_eq!(v["expected_signature"].as_str().unwrap(), sig);
        let now: i64 = ts.parse().unwrap();
        let ver = verifier(secret, None, now + 10);
        assert_eq!(
            ver.verify(Some(ts.as_bytes()), Some(sig.as_bytes()), body.as_bytes()),
            Ok(KeyUsed::Current)
        );
        // One byte different in the body (re-serialised JSON would be) fails.
        let mut altered = body.as_bytes().to_vec();
        altered.push(b' ');
        assert_eq!(
            ver.verify(Some(ts.as_bytes()), Some(sig.as_bytes()), &altered),
            Err(Refusal::WrongSignature)
        );
        // The same vector with the real clock (2026) is a replay.
        let real = Verifier::new(Secrets {
            current: Secret::new(secret),
            old: None,
        });
        assert!(matches!(
            real.verify(Some(ts.as_bytes()), Some(sig.as_bytes()), body.as_bytes()),
            Err(Refusal::StaleTimestamp { skew_secs }) if skew_secs < 0
        ));
    }

    #[test]
    fn url_validation_sample_answer_matches() {
        let req = sample("webhook_endpoint.url_validation.json");
        let want = sample("webhook_endpoint.url_validation_response.json");
        let ts = req["_headers"]["x-zm-request-timestamp"].as_str().unwrap();
        let sig = req["_headers"]["x-zm-signature"].as_str().unwrap();
        let raw = req["_raw_body"].as_str().unwrap();
        let ver = verifier("EXAMPLE_WEBHOOK_SECRET_TOKEN", None, ts.parse().unwrap());
        let key = ver
            .verify(Some(ts.as_bytes()), Some(sig.as_bytes()), raw.as_bytes())
            .unwrap();
        let plain = want["plainToken"].as_str().unwrap();
        assert_eq!(
            ver.encrypted_token(key, plain),
            want["encryptedToken"].as_str().unwrap()
        );
    }

    #[test]
    fn replay_window_is_five_minutes_each_way() {
        let body = b"{}";
        let ver = verifier("s", None, 1_000_000);
        for (ts, ok) in [
            (1_000_000 - 300, true),
            (1_000_000 + 300, true),
            (1_000_000 - 301, false),
            (1_000_000 + 301, false),
        ] {
            let t = ts.to_string();
            let sig = sign("s", &t, body);
            let r = ver.verify(Some(t.as_bytes()), Some(sig.as_bytes()), body);
            assert_eq!(r.is_ok(), ok, "ts {ts}: {r:?}");
        }
    }

    #[test]
    fn refusals_are_specific() {
        let ver = verifier("s", None, 1_000_000);
        let t = b"1000000".as_slice();
        assert_eq!(
            ver.verify(None, Some(b"v0=00"), b"{}"),
            Err(Refusal::MissingTimestamp)
        );
        assert_eq!(
            ver.verify(Some(b"soon"), Some(b"v0=00"), b"{}"),
            Err(Refusal::BadTimestamp)
        );
        assert_eq!(
            ver.verify(Some(t), None, b"{}"),
            Err(Refusal::MissingSignature)
        );
        assert_eq!(
            ver.verify(Some(t), Some(b"sha256=abcd"), b"{}"),
            Err(Refusal::MalformedSignature)
        );
        assert_eq!(
            ver.verify(Some(t), Some(b"v0=zz"), b"{}"),
            Err(Refusal::MalformedSignature)
        );
        let other = sign("not-the-secret", "1000000", b"{}");
        assert_eq!(
            ver.verify(Some(t), Some(other.as_bytes()), b"{}"),
            Err(Refusal::WrongSignature)
        );
        // A truncated tag is wrong, not accepted as a prefix.
        let good = sign("s", "1000000", b"{}");
        assert_eq!(
            ver.verify(Some(t), Some(&good.as_bytes()[..23]), b"{}"),
            Err(Refusal::WrongSignature)
        );
        assert_eq!(
            ver.verify(Some(t), Some(good.as_bytes()), b"{}"),
            Ok(KeyUsed::Current)
        );
    }

    #[test]
    fn old_token_is_accepted_during_rotation_only() {
        let body = b"{\"event\":\"x\"}";
        let sig = sign("old", "1000000", body);
        let rotating = verifier("new", Some("old"), 1_000_000);
        assert_eq!(
            rotating.verify(Some(b"1000000"), Some(sig.as_bytes()), body),
            Ok(KeyUsed::Old)
        );
        let done = verifier("new", None, 1_000_000);
        assert_eq!(
            done.verify(Some(b"1000000"), Some(sig.as_bytes()), body),
            Err(Refusal::WrongSignature)
        );
    }

    #[test]
    fn secrets_come_from_env_and_never_print() {
        let err = Secrets::from_lookup(|_| None).unwrap_err().to_string();
        assert!(err.contains(SECRET_ENV), "{err}");
        let s = Secrets::from_lookup(|k| match k {
            SECRET_ENV => Some("TOPSECRETVALUE".into()),
            OLD_SECRET_ENV => Some("   ".into()),
            _ => None,
        })
        .unwrap();
        assert!(s.old.is_none());
        let shown = format!("{s:?} {:?}", verifier("TOPSECRETVALUE", None, 0));
        assert!(!shown.contains("TOPSECRETVALUE"), "{shown}");
    }
}
