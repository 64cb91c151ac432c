//! A webhook listener running in-process on a loopback port, for tests that talk HTTP to it.

#![allow(dead_code)]

use rusqlite::Connection;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use zoomlens::listen::verify::{Clock, Secret, Secrets, sign};
use zoomlens::listen::{Config, ListenOptions, Stats, Verifier, serve};

pub struct Running {
    pub addr: SocketAddr,
    /// `http://ADDR/webhook`, where Zoom posts.
    pub url: String,
    /// `http://ADDR`, for the other routes (health).
    pub base: String,
    pub case: PathBuf,
    pub stop: Option<oneshot::Sender<()>>,
    pub task: Option<tokio::task::JoinHandle<anyhow::Result<Arc<Stats>>>>,
    _dir: tempfile::TempDir,
}

impl Running {
    /// Graceful stop (what SIGTERM does); the case stays readable afterwards.
    pub async fn stop(&mut self) -> Arc<Stats> {
        let _ = self.stop.take().unwrap().send(());
        let task = self.task.take().unwrap();
        task.await.unwrap().expect("listener stopped cleanly")
    }

    /// `GET /healthz`, as JSON.
    pub async fn health(&self) -> serde_json::Value {
        json_reply(reqwest::Client::new().get(format!("{}/healthz", self.base))).await
    }

    /// The case as the product opens it: `zl_raw` reads compressed evidence in views.
    pub fn db(&self) -> Connection {
        let c = Connection::open(&self.case).unwrap();
        zoomlens::store::raw::register(&c).unwrap();
        c
    }
}

/// A POST of `body` to `url`, signed now with `secret` as Zoom signs a delivery (to send, or
/// to add headers to first).
pub fn signed(
    c: &reqwest::Client,
    url: &str,
    secret: &str,
    body: Vec<u8>,
) -> reqwest::RequestBuilder {
    let ts = chrono::Utc::now().timestamp().to_string();
    let sig = sign(secret, &ts, &body);
    c.post(url)
        .header("x-zm-request-timestamp", ts)
        .header("x-zm-signature", sig)
        .body(body)
}

/// A client that opens a fresh connection for every request (so each one goes through the
/// listener's accept queue), giving up on a request after `timeout`.
pub fn fresh_connections(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(timeout)
        .build()
        .unwrap()
}

/// Send `rq` and read its answer as JSON.
pub async fn json_reply(rq: reqwest::RequestBuilder) -> serde_json::Value {
    rq.send().await.unwrap().json().await.unwrap()
}

/// One current secret, no old one.
pub fn secrets(current: &str) -> Secrets {
    Secrets {
        current: Secret::new(current),
        old: None,
    }
}

/// Start a listener on a fresh case in a temporary directory.
pub async fn start(secrets: Secrets, clock: Option<Clock>, options: ListenOptions) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("t.case");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut verifier = Verifier::new(secrets);
    if let Some(c) = clock {
        verifier = verifier.with_clock(c);
    }
    let cfg = Config {
        case: case.clone(),
        path: "/webhook".into(),
        verifier,
        tls: None,
        grace: Duration::from_secs(5),
        options,
    };
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, cfg, async move {
        let _ = rx.await;
    }));
    Running {
        addr,
        url: format!("http://{addr}/webhook"),
        base: format!("http://{addr}"),
        case,
        stop: Some(tx),
        task: Some(task),
        _dir: dir,
    }
}
