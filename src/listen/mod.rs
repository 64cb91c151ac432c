//! Webhook receiver: verifies Zoom's signatures and commits events before acknowledging them.
//! [`ws`] is the other way in: a WebSocket subscription, for a machine Zoom cannot reach.
//!
//! `zoomlens listen CASE --bind ADDR` serves `POST /webhook` (Zoom's event notification
//! endpoint) and `GET /healthz`. An event is answered 200 only after the transaction holding it
//! has committed (WAL, `synchronous=FULL`), so an acknowledged event survives a crash of the
//! listener or of the machine; Zoom retries what was not acknowledged, and retries are stored
//! once. Many requests share one commit (see [`writer`]), which is what makes this fast.
//!
//! Slow or too many clients cannot starve Zoom's deliveries (see [`ListenOptions`]): request
//! headers and bodies must arrive within a few seconds, connections beyond a cap wait in the
//! kernel's backlog instead of taking file descriptors ([`limit`]), and only HTTP/1.1 is spoken
//! (what Zoom sends), so no connection can idle in protocol detection.

pub mod limit;
pub mod server;
pub mod verify;
pub mod writer;
pub mod ws;

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

/// How the listener protects itself from slow or too many clients, and what `/healthz` shows.
/// `Default` is what `zoomlens listen` runs with.
#[derive(Clone, Debug)]
pub struct ListenOptions {
    /// A connection must deliver complete request headers within this long of being accepted
    /// (or of its previous answer, for a kept-alive connection), else it is closed. With TLS,
    /// the handshake must complete within this long too.
    pub header_timeout: Duration,
    /// A request's body must arrive within this long of its headers, else it is answered 408
    /// and the connection closed.
    pub body_timeout: Duration,
    /// Connections served at once; more wait in the kernel's backlog. Lowered at start if the
    /// open-file limit could not hold that many (see [`limit::effective_cap`]).
    pub max_connections: usize,
    /// `/healthz` shows the counters (events stored, refusals, connections) besides its status.
    /// Off by default: the route needs no authentication.
    pub healthz_counts: bool,
}

/// Zoom wants an answer within 3 s; a client that needs longer than this just to send its
/// request is not Zoom.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(5);
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(5);
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

impl Default for ListenOptions {
    fn default() -> Self {
        ListenOptions {
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            healthz_counts: false,
        }
    }
}

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
    pub options: ListenOptions,
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
    header_timeout: Duration,
    max_connections: usize,
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
            Some((cert, key)) => {
                let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
                    .await
                    .with_context(|| {
                        format!(
                            "cannot load TLS certificate {} and key {} (PEM files expected)",
                            cert.display(),
                            key.display()
                        )
                    })?;
                // Only HTTP/1.1 is served (see `run`): do not offer h2 in ALPN.
                let mut inner = (*tls.get_inner()).clone();
                inner.alpn_protocols = vec![b"http/1.1".to_vec()];
                tls.reload_from_config(Arc::new(inner));
                Some(tls)
            }
            None => None,
        };
        let opts = cfg.options;
        if opts.header_timeout.is_zero() || opts.body_timeout.is_zero() {
            bail!("the header and body timeouts must be longer than zero");
        }
        let max_connections = limit::effective_cap(opts.max_connections);
        limit::lengthen_backlog(&listener).context("cannot lengthen the listen queue")?;
        let stats = Arc::new(Stats::default());
        let (tx, writer) = open_writer(&cfg.case, cfg.path.clone(), stats.clone())?;
        let state = Arc::new(server::AppState {
            verifier: cfg.verifier,
            tx: tx.clone(),
            stats: stats.clone(),
            started: chrono::Utc::now(),
            body_timeout: opts.body_timeout,
            healthz_counts: opts.healthz_counts,
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
            header_timeout: opts.header_timeout,
            max_connections,
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
        let capped = limit::CappedListener::new(
            self.listener,
            self.max_connections,
            self.header_timeout,
            self.stats.clone(),
        );
        let server = axum_server::Server::<limit::Peer>::from_listener(capped);
        let served = match self.tls {
            Some(config) => {
                let tls = axum_server::tls_rustls::RustlsAcceptor::new(config)
                    .handshake_timeout(self.header_timeout);
                // The acceptor first: replacing it forgets `http1_only`.
                let mut server = server.acceptor(tls).http1_only();
                http1_timeouts(&mut server, self.header_timeout);
                server.handle(handle).serve(self.app).await
            }
            None => {
                let mut server = server.http1_only();
                http1_timeouts(&mut server, self.header_timeout);
                server.handle(handle).serve(self.app).await
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

/// Open (or create) the case for a listener and start its writer, filing events under the
/// origin `source`. Every commit is fsynced: an event counts as received only once it would
/// survive a power cut, and group commit keeps that cheap.
pub fn open_writer(
    case: &std::path::Path,
    source: String,
    stats: Arc<Stats>,
) -> Result<(
    tokio::sync::mpsc::Sender<writer::Msg>,
    std::thread::JoinHandle<Result<()>>,
)> {
    let store = crate::store::Store::open(case)?;
    store.conn.pragma_update(None, "synchronous", "FULL")?;
    let (tx, rx) = tokio::sync::mpsc::channel(QUEUE);
    let writer = writer::spawn(store, source, stats, rx)?;
    Ok((tx, writer))
}

/// Close connections whose request headers do not arrive within `header_timeout`. Only in
/// HTTP/1 mode does hyper start reading (and timing) the head as soon as a connection is
/// accepted; protocol detection would wait for the first bytes forever.
fn http1_timeouts<A: axum_server::Address, Acc>(
    server: &mut axum_server::Server<A, Acc>,
    header_timeout: Duration,
) {
    server
        .http_builder()
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(header_timeout);
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
