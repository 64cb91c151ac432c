//! Webhook receiver: verifies Zoom's signatures and commits events before acknowledging them.
//!
//! `zoomlens listen CASE --bind ADDR` serves `POST /webhook` (Zoom's event notification
//! endpoint) and `GET /healthz`. An event is answered 200 only after the transaction holding it
//! has committed (WAL, `synchronous=FULL`), so an acknowledged event survives a crash of the
//! listener or of the machine; Zoom retries what was not acknowledged, and retries are stored
//! once. Many requests share one commit (see [`writer`]), which is what makes this fast.

pub mod server;
pub mod verify;
pub mod writer;

use anyhow::{Context, Result, bail};
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tracing::info;

pub use server::Stats;
pub use verify::{Secrets, Verifier};

/// Capacity of the queue between handlers and the writer; a full queue slows senders down.
const QUEUE: usize = 16 * 1024;

/// Everything `serve` needs besides the socket.
pub struct Config {
    pub case: PathBuf,
    /// Route of the webhook, e.g. `/webhook`.
    pub path: String,
    pub verifier: Verifier,
    /// PEM certificate chain and private key: serve HTTPS directly.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// How long shutdown waits for requests in flight before closing their connections.
    pub grace: Duration,
}

/// Run the listener on `listener` until `shutdown` completes, then stop accepting, let requests
/// in flight finish (up to `grace`), store everything queued, and return the counters.
pub async fn serve(
    listener: tokio::net::TcpListener,
    cfg: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<Arc<Stats>> {
    Listener::start(listener, cfg).await?.run(shutdown).await
}

/// A listener whose case is open and whose writer is running, not yet serving requests.
pub struct Listener {
    listener: tokio::net::TcpListener,
    tls: Option<axum_server::tls_rustls::RustlsConfig>,
    app: axum::extract::connect_info::IntoMakeServiceWithConnectInfo<axum::Router, SocketAddr>,
    tx: tokio::sync::mpsc::Sender<writer::Msg>,
    writer: std::thread::JoinHandle<Result<()>>,
    stats: Arc<Stats>,
    grace: Duration,
}

impl Listener {
    /// Open the case, load TLS material, start the writer. Errors here are the user's to fix
    /// (bad path, unreadable certificate, case from a newer zoomlens).
    pub async fn start(listener: tokio::net::TcpListener, cfg: Config) -> Result<Listener> {
        if !cfg.path.starts_with('/') || cfg.path == "/healthz" {
            bail!(
                "--path must start with / and not be /healthz (got {:?})",
                crate::output::sanitize(&cfg.path)
            );
        }
        let tls = match &cfg.tls {
            Some((cert, key)) => Some(
                axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
                    .await
                    .with_context(|| {
                        format!(
                            "cannot load TLS certificate {} and key {} (PEM files expected)",
                            cert.display(),
                            key.display()
                        )
                    })?,
            ),
            None => None,
        };
        let store = crate::store::Store::open(&cfg.case)?;
        // An acknowledged event must survive a power cut, not only a crash: fsync each commit.
        // Group commit keeps this cheap.
        store.conn.pragma_update(None, "synchronous", "FULL")?;
        let stats = Arc::new(Stats::default());
        let (tx, rx) = tokio::sync::mpsc::channel(QUEUE);
        let writer = writer::spawn(store, cfg.path.clone(), stats.clone(), rx)?;
        let state = Arc::new(server::AppState {
            verifier: cfg.verifier,
            tx: tx.clone(),
            stats: stats.clone(),
            started: chrono::Utc::now(),
        });
        let app =
            server::router(state, &cfg.path).into_make_service_with_connect_info::<SocketAddr>();
        Ok(Listener {
            listener,
            tls,
            app,
            tx,
            writer,
            stats,
            grace: cfg.grace,
        })
    }

    pub fn local_addr(&self) -> Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// Serve until `shutdown` completes; then drain and return the counters.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<Arc<Stats>> {
        let handle = axum_server::Handle::new();
        let h2 = handle.clone();
        let grace = self.grace;
        tokio::spawn(async move {
            shutdown.await;
            info!("shutting down: no new connections; finishing requests in flight");
            h2.graceful_shutdown(Some(grace));
        });
        let std_listener = self.listener.into_std()?;
        let served = match self.tls {
            Some(config) => {
                axum_server::from_tcp_rustls(std_listener, config)?
                    .handle(handle)
                    .serve(self.app)
                    .await
            }
            None => {
                axum_server::from_tcp(std_listener)?
                    .handle(handle)
                    .serve(self.app)
                    .await
            }
        };
        // Whatever is queued is stored before we return; handlers still waiting get their answer.
        let _ = self.tx.send(writer::Msg::Drain).await;
        drop(self.tx);
        let writer = self.writer;
        let written = tokio::task::spawn_blocking(move || writer.join())
            .await?
            .map_err(|_| anyhow::anyhow!("the case writer panicked"))?;
        served.context("the HTTP server failed")?;
        written?;
        info!("stopped; everything acknowledged is in the case");
        Ok(self.stats)
    }
}

/// A future that resolves on SIGINT (Ctrl-C) or SIGTERM. The handlers are installed when this
/// is called (inside the runtime), so a signal that arrives right after the banner is never
/// the default "die now".
pub fn shutdown_signal() -> Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut int = signal(SignalKind::interrupt()).context("cannot watch SIGINT")?;
        let mut term = signal(SignalKind::terminate()).context("cannot watch SIGTERM")?;
        Ok(async move {
            tokio::select! {
                _ = int.recv() => {},
                _ = term.recv() => {},
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
