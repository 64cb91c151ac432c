//! Webhook delivery as Zoom does it: each event POSTed as compact JSON with
//! `x-zm-request-timestamp` (Unix seconds), `x-zm-signature: v0=HMAC-SHA256(secret,
//! "v0:{ts}:{body}")`, `x-zm-trackingid`, Zoom's user-agent and content type.
//!
//! Events go out at a fixed rate (many in flight, so thousands per second are reachable), once
//! each, in the tenant's order. An answer of 200 or 204 within 3 seconds (Zoom's deadline) is an
//! acknowledgement; anything else is a failure. Zoom would retry failures after 5, 25 and 85
//! minutes; a test run does not, it reports them.

use anyhow::Context;
use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use serde_json::Value;
use sha2::Sha256;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Zoom's answer deadline.
const DEADLINE: Duration = Duration::from_secs(3);

#[derive(Debug, Clone)]
pub struct DeliverConfig {
    pub url: String,
    /// Events per second.
    pub rate: f64,
    /// Stop after this long even if events remain.
    pub seconds: Option<u64>,
    pub secret: String,
    /// Write `{"event","event_ts"}` lines of acknowledged events here.
    pub acks_out: Option<PathBuf>,
    pub concurrency: usize,
}

/// Totals of one delivery run.
#[derive(Debug, Clone, Default)]
pub struct DeliverReport {
    pub sent: u64,
    pub acknowledged: u64,
    pub failed: u64,
    pub elapsed: Duration,
}

impl DeliverReport {
    pub fn summary(&self) -> String {
        let secs = self.elapsed.as_secs_f64();
        format!(
            "delivered: sent {} acknowledged {} failed {} in {:.2} s ({:.0} events/s)",
            self.sent,
            self.acknowledged,
            self.failed,
            secs,
            if secs > 0.0 {
                self.sent as f64 / secs
            } else {
                0.0
            }
        )
    }
}

/// `v0=` + lowercase hex HMAC-SHA256(secret, "v0:{ts}:{body}").
pub fn signature(secret: &str, ts: &str, body: &[u8]) -> String {
    let mut m =
        <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("any key length");
    m.update(b"v0:");
    m.update(ts.as_bytes());
    m.update(b":");
    m.update(body);
    format!("v0={}", hex::encode(m.finalize().into_bytes()))
}

fn tracking_id() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    let h = hex::encode(b);
    format!("v=2.0;clid=aw1;rid={}", &h[..24])
}

/// POST `events` to `cfg.url` at `cfg.rate` per second.
pub async fn deliver(events: &[Value], cfg: &DeliverConfig) -> anyhow::Result<DeliverReport> {
    let client = reqwest::Client::builder()
        .timeout(DEADLINE)
        .pool_max_idle_per_host(cfg.concurrency)
        .build()
        .context("cannot build the HTTP client for webhook delivery")?;
    let bodies: Vec<Arc<String>> = events
        .iter()
        .map(|e| serde_json::to_string(e).map(Arc::new))
        .collect::<Result<_, _>>()?;
    let permits = Arc::new(tokio::sync::Semaphore::new(cfg.concurrency));
    let mut tasks = tokio::task::JoinSet::new();
    let mut acked: Vec<usize> = Vec::new();
    let mut report = DeliverReport::default();
    let start = Instant::now();
    let stop_at = cfg.seconds.map(|s| start + Duration::from_secs(s));
    let mut next = 0usize;
    let reap = |res: Result<(usize, bool), tokio::task::JoinError>,
                report: &mut DeliverReport,
                acked: &mut Vec<usize>| match res {
        Ok((i, true)) => {
            report.acknowledged += 1;
            acked.push(i);
        }
        _ => report.failed += 1,
    };
    while next < bodies.len() {
        let now = Instant::now();
        if stop_at.is_some_and(|t| now >= t) {
            break;
        }
        let due = ((now - start).as_secs_f64() * cfg.rate).floor() as usize + 1;
        while next < due.min(bodies.len()) {
            let permit = permits.clone().acquire_owned().await?;
            let body = bodies[next].clone();
            let client = client.clone();
            let url = cfg.url.clone();
            let secret = cfg.secret.clone();
            let i = next;
            tasks.spawn(async move {
                let _permit = permit;
                let ts = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0)
                    .to_string();
                let sig = signature(&secret, &ts, body.as_bytes());
                let res = client
                    .post(&url)
                    .header("content-type", "application/json; charset=utf-8")
                    .header("user-agent", "Zoom Marketplace/1.0a")
                    .header("x-zm-request-timestamp", &ts)
                    .header("x-zm-signature", sig)
                    .header("x-zm-trackingid", tracking_id())
                    .body(body.as_bytes().to_vec())
                    .send()
                    .await;
                let ok = matches!(res, Ok(r) if r.status().as_u16() == 200 || r.status().as_u16() == 204);
                (i, ok)
            });
            next += 1;
            report.sent += 1;
            while let Some(res) = tasks.try_join_next() {
                reap(res, &mut report, &mut acked);
            }
        }
        if next >= bodies.len() {
            break;
        }
        let next_due = start + Duration::from_secs_f64(next as f64 / cfg.rate);
        tokio::time::sleep_until(
            next_due
                .max(Instant::now() + Duration::from_micros(200))
                .into(),
        )
        .await;
    }
    while let Some(res) = tasks.join_next().await {
        reap(res, &mut report, &mut acked);
    }
    report.elapsed = start.elapsed();
    if let Some(path) = &cfg.acks_out {
        acked.sort_unstable();
        let f = std::fs::File::create(path)
            .with_context(|| format!("cannot write the acknowledgement list {}", path.display()))?;
        let mut w = std::io::BufWriter::new(f);
        for i in acked {
            let e = &events[i];
            let line = serde_json::json!({
                "event": e.get("event").cloned().unwrap_or(Value::Null),
                "event_ts": e.get("event_ts").cloned().unwrap_or(Value::Null),
            });
            writeln!(w, "{line}")?;
        }
        w.flush()?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_the_zoom_test_vector() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/zoom/samples/webhook_signature_test_vector.json"
        ))
        .expect("test vector (../shared)");
        let v: Value = serde_json::from_str(&text).unwrap();
        let got = signature(
            v["secret_token"].as_str().unwrap(),
            v["headers"]["x-zm-request-timestamp"].as_str().unwrap(),
            v["raw_body"].as_str().unwrap().as_bytes(),
        );
        assert_eq!(got, v["expected_signature"].as_str().unwrap());
        assert_ne!(
            signature(
                "another secret",
                "1718000000",
                v["raw_body"].as_str().unwrap().as_bytes()
            ),
            got
        );
    }
}
