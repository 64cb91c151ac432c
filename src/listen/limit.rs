//! The connection cap: the listener accepts a connection only while it holds one of
//! `max_connections` slots, and the slot is given back when the connection closes.
//!
//! The cap is on connections, not requests: a client that connects and sends its headers one
//! byte at a time holds a socket (and a file descriptor) without ever making a request, so a
//! limit on requests in flight would not stop it. At the cap the listener stops calling
//! `accept`: new connections wait in the kernel's backlog, costing the process no descriptor,
//! until a slot frees up, which the header timeout guarantees for slow clients.

use super::server::Stats;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tracing::{info, warn};

/// Descriptors kept free for everything that is not a client connection (the case file and its
/// WAL, the runtime, standard streams, the listening socket) when the cap is derived from the
/// open-file limit.
pub const RESERVED_FDS: u64 = 32;

/// Length of the kernel's queue of connections waiting to be accepted (capped by the system's
/// `net.core.somaxconn`). Rust's and tokio's listeners ask for 128; at the connection cap that
/// queue is where new connections wait, and once it is full the kernel drops further SYNs, which
/// clients retry only after 1, 3, 7, 15 s... A longer queue lets a burst of deliveries, or a
/// flood of slow clients, wait its turn instead.
pub const BACKLOG: i32 = 1024;

/// At most one "limit reached" (or accept error) line per this long while it persists.
const LOG_EVERY: Duration = Duration::from_secs(10);

/// The peer address of an accepted connection (the address type of the capped listener).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Peer(pub SocketAddr);

impl axum_server::Address for Peer {
    type Stream = Capped;
    type Listener = CappedListener;
}

impl axum::extract::connect_info::Connected<Peer> for SocketAddr {
    fn connect_info(peer: Peer) -> SocketAddr {
        peer.0
    }
}

/// `max_connections`, lowered if the process's open-file limit could not hold that many
/// connections besides the descriptors the listener needs anyway.
pub fn effective_cap(requested: usize) -> usize {
    let requested = requested.max(1);
    match open_file_limit() {
        Some(soft) if (requested as u64).saturating_add(RESERVED_FDS) > soft => {
            let cap = soft.saturating_sub(RESERVED_FDS).max(1) as usize;
            warn!(
                "the open-file limit is {soft}: serving at most {cap} connections at once instead \
                 of {requested} (raise it with `ulimit -n` to allow more)"
            );
            cap
        }
        _ => requested,
    }
}

/// Lengthen the accept queue of an already listening socket (calling `listen` again only
/// updates the backlog).
#[cfg(unix)]
pub fn lengthen_backlog(listener: &tokio::net::TcpListener) -> io::Result<()> {
    rustix::net::listen(listener, BACKLOG)?;
    Ok(())
}

#[cfg(not(unix))]
pub fn lengthen_backlog(_listener: &tokio::net::TcpListener) -> io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn open_file_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

#[cfg(not(unix))]
fn open_file_limit() -> Option<u64> {
    None
}

/// A TCP listener that accepts only while a connection slot is free.
pub struct CappedListener {
    inner: tokio::net::TcpListener,
    slots: Arc<Semaphore>,
    max: usize,
    header_timeout: Duration,
    stats: Arc<Stats>,
    last_full_log: Mutex<Option<Instant>>,
    last_error_log: Mutex<Option<Instant>>,
}

impl CappedListener {
    pub fn new(
        inner: tokio::net::TcpListener,
        max: usize,
        header_timeout: Duration,
        stats: Arc<Stats>,
    ) -> CappedListener {
        info!(
            max_connections = max,
            header_timeout_secs = header_timeout.as_secs_f64(),
            "connection limit set"
        );
        CappedListener {
            inner,
            slots: Arc::new(Semaphore::new(max)),
            max,
            header_timeout,
            stats,
            last_full_log: Mutex::new(None),
            last_error_log: Mutex::new(None),
        }
    }

    async fn slot(&self) -> OwnedSemaphorePermit {
        if let Ok(p) = self.slots.clone().try_acquire_owned() {
            return p;
        }
        self.stats.connection_limit_reached.fetch_add(1, Relaxed);
        if due(&self.last_full_log) {
            warn!(
                "connection limit reached: {} connections open; new connections wait until one \
                 closes, and clients that have not sent their request headers within {}s are cut \
                 off",
                self.max,
                self.header_timeout.as_secs_f64()
            );
        }
        // The semaphore is never closed.
        self.slots
            .clone()
            .acquire_owned()
            .await
            .expect("connection slots are never closed")
    }
}

/// True if the last line logged through `last` is older than [`LOG_EVERY`] (and records now).
fn due(last: &Mutex<Option<Instant>>) -> bool {
    let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
    let now = Instant::now();
    match *last {
        Some(t) if now.duration_since(t) < LOG_EVERY => false,
        _ => {
            *last = Some(now);
            true
        }
    }
}

impl axum_server::AddrListener<Capped, Peer> for CappedListener {
    async fn bind_to(_addr: Peer) -> io::Result<Self> {
        Err(io::Error::other(
            "the capped listener is built from a bound socket (CappedListener::new)",
        ))
    }

    async fn accept_stream(&self) -> io::Result<(Capped, Peer)> {
        let slot = self.slot().await;
        match self.inner.accept().await {
            Ok((stream, addr)) => {
                let open = self.stats.connections_open.fetch_add(1, Relaxed) + 1;
                self.stats.connections_peak.fetch_max(open, Relaxed);
                Ok((
                    Capped {
                        inner: stream,
                        stats: self.stats.clone(),
                        _slot: slot,
                    },
                    Peer(addr),
                ))
            }
            Err(e) => {
                // The server retries after a short pause; out of descriptors is the likely case.
                if due(&self.last_error_log) {
                    warn!(error = %e, "cannot accept a connection");
                }
                Err(e)
            }
        }
    }

    fn get_local_addr(&self) -> io::Result<Peer> {
        self.inner.local_addr().map(Peer)
    }
}

/// An accepted connection holding its slot until it is dropped.
pub struct Capped {
    inner: tokio::net::TcpStream,
    stats: Arc<Stats>,
    _slot: OwnedSemaphorePermit,
}

impl Drop for Capped {
    fn drop(&mut self) {
        self.stats.connections_open.fetch_sub(1, Relaxed);
    }
}

impl AsyncRead for Capped {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Capped {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
