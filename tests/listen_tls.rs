//! HTTPS served directly with --tls-cert/--tls-key (test CA in tests/listen_tls/).

mod common;

use common::listen;
use std::path::{Path, PathBuf};
use std::time::Duration;
use zoomlens::listen::{Config, ListenOptions, Verifier, serve};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/listen_tls")
        .join(name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_listener_verifies_and_stores() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("tls.case");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let cfg = Config {
        case: case.clone(),
        path: "/zoom/events".into(),
        verifier: Verifier::new(listen::secrets("tls-secret")),
        tls: Some((fixture("cert.pem"), fixture("key.pem"))),
        grace: Duration::from_secs(5),
        options: ListenOptions::default(),
    };
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, cfg, async move {
        let _ = rx.await;
    }));
    let ca = reqwest::Certificate::from_pem(&std::fs::read(fixture("ca.pem")).unwrap()).unwrap();
    let client = reqwest::Client::builder()
        .tls_certs_only([ca])
        .build()
        .unwrap();
    let body = br#"{"event":"user.signed_in","event_ts":1718000000999,"payload":{"account_id":"A","object":{"id":"u1","email":"a@example.com","client_type":"mac","version":"6.0.0","date_time":"2024-06-10T06:13:20Z","login_type":100}}}"#;
    let url = format!("https://localhost:{port}/zoom/events");
    let r = listen::signed(&client, &url, "tls-secret", body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Plain HTTP on the TLS port does not get through.
    let plain = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/zoom/events"))
        .body(body.to_vec())
        .send()
        .await;
    assert!(plain.is_err() || plain.unwrap().status() != 200);
    tx.send(()).unwrap();
    task.await.unwrap().unwrap();
    let db = rusqlite::Connection::open(&case).unwrap();
    let n: i64 = db
        .query_row("SELECT COUNT(*) FROM webhook_events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn unreadable_certificate_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let cfg = Config {
        case: dir.path().join("x.case"),
        path: "/webhook".into(),
        verifier: Verifier::new(listen::secrets("s")),
        tls: Some((dir.path().join("missing.pem"), fixture("key.pem"))),
        grace: Duration::from_secs(1),
        options: ListenOptions::default(),
    };
    let err = serve(listener, cfg, async {}).await.unwrap_err();
    let msg = format!("{err:#}");
    assert!(msg.contains("cannot load TLS certificate"), "{msg}");
}

/// A client that connects to the HTTPS port and never starts (or finishes) the TLS handshake is
/// cut off after the header timeout, like a slow client on plain HTTP.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_tls_handshake_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let cfg = Config {
        case: dir.path().join("tls.case"),
        path: "/webhook".into(),
        verifier: Verifier::new(listen::secrets("tls-secret")),
        tls: Some((fixture("cert.pem"), fixture("key.pem"))),
        grace: Duration::from_secs(1),
        options: ListenOptions {
            header_timeout: Duration::from_secs(1),
            ..ListenOptions::default()
        },
    };
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, cfg, async move {
        let _ = rx.await;
    }));
    // One connection silent, one that sends the first bytes of a ClientHello and stalls.
    let mut silent = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut partial = tokio::net::TcpStream::connect(addr).await.unwrap();
    partial
        .write_all(&[0x16, 0x03, 0x01, 0x02, 0x00])
        .await
        .unwrap();
    for (name, s) in [("silent", &mut silent), ("partial", &mut partial)] {
        let mut buf = vec![];
        // A bound well above the 1 s timeout (and below axum-server's own 10 s default).
        let r = tokio::time::timeout(Duration::from_secs(6), s.read_to_end(&mut buf)).await;
        assert!(r.is_ok(), "{name} handshake still open after 6 s");
    }
    tx.send(()).unwrap();
    task.await.unwrap().unwrap();
}
