//! `zoomlens listen`: receive webhook events (HTTP, or a WebSocket subscription with
//! `--websocket`) until SIGINT or SIGTERM.

use super::args::ListenArgs;
use crate::listen::{Config, ListenOptions, Listener, Secrets, Verifier, shutdown_signal, verify};
use anyhow::{Context, Result};
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;
use tracing::info;

/// `zoomlens listen`.
pub fn run(a: &ListenArgs) -> Result<ExitCode> {
    if a.websocket {
        return websocket(a);
    }
    let secrets = Secrets::from_env()?;
    if secrets.old.is_some() {
        info!(
            "previous secret token accepted too ({})",
            verify::OLD_SECRET_ENV
        );
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let stop = shutdown_signal()?;
        let listener = tokio::net::TcpListener::bind(&a.bind)
            .await
            .with_context(|| {
                format!(
                    "cannot listen on {} (is another process using it? try --bind 127.0.0.1:0 for any free port)",
                    a.bind
                )
            })?;
        let addr = listener.local_addr()?;
        let scheme = if a.tls_cert.is_some() { "https" } else { "http" };
        let cfg = Config {
            case: a.case.clone(),
            path: a.path.clone(),
            verifier: Verifier::new(secrets),
            tls: a.tls_cert.clone().zip(a.tls_key.clone()),
            grace: Duration::from_secs(a.grace_secs),
            options: ListenOptions {
                header_timeout: Duration::from_secs(a.header_timeout_secs.max(1)),
                body_timeout: Duration::from_secs(a.body_timeout_secs.max(1)),
                max_connections: a.max_connections.max(1),
                healthz_counts: a.healthz_counts,
            },
        };
        let ready = Listener::start(listener, cfg).await?;
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {scheme}://{addr}{}", a.path)?;
        writeln!(
            out,
            "health at {scheme}://{addr}/healthz; stop with Ctrl-C or SIGTERM"
        )?;
        out.flush()?;
        drop(out);
        let stats = ready.run(stop).await?;
        let s = stats.snapshot();
        println!(
            "stopped: {} events stored, {} duplicates, {} rejected, {} failed; {} requests refused",
            s["stored"],
            s["duplicates"],
            s["rejected"],
            s["failed"],
            stats.refused_total()
        );
        Ok(ExitCode::SUCCESS)
    })
}

/// `zoomlens listen --websocket`: progress goes to stderr as it happens; the summary to stdout.
fn websocket(a: &ListenArgs) -> Result<ExitCode> {
    use crate::listen::ws::{self, Progress, WsConfig, WsOptions};
    use crate::output::sanitize;
    let given = a
        .subscription
        .as_deref()
        .context("--websocket needs --subscription ID")?;
    let (subscription, url_base) = ws::parse_subscription(given)?;
    let ws_base = a
        .ws_base
        .clone()
        .or(url_base)
        .unwrap_or_else(|| ws::DEFAULT_WS_BASE.to_string());
    ws::check_base(&ws_base)?;
    anyhow::ensure!(
        a.heartbeat_secs > 0 && a.heartbeat_timeout_secs > 0 && a.progress_secs > 0,
        "--heartbeat-secs, --heartbeat-timeout-secs and --progress-secs must be at least 1"
    );
    let credentials = crate::zoom::auth::load_credentials()?;
    let cfg = WsConfig {
        case: a.case.clone(),
        subscription: subscription.clone(),
        ws_base: ws_base.clone(),
        oauth_base: a.oauth_base.clone(),
        credentials,
        options: WsOptions {
            heartbeat: Duration::from_secs(a.heartbeat_secs),
            heartbeat_timeout: Duration::from_secs(a.heartbeat_timeout_secs),
            progress_every: Duration::from_secs(a.progress_secs),
            ..WsOptions::default()
        },
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let stop = shutdown_signal()?;
        {
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "consuming WebSocket subscription {subscription} from {} into {}",
                sanitize(&ws_base),
                sanitize(&a.case.display().to_string())
            )?;
            writeln!(out, "stop with Ctrl-C or SIGTERM")?;
            out.flush()?;
        }
        // A tick is printed when something moved since the last one printed, so an idle
        // feed stays quiet (the case's health row is rewritten regardless).
        let last = std::sync::Mutex::new((u64::MAX, 0u64));
        let progress = std::sync::Arc::new(move |p: Progress| {
            if let Progress::Tick(h) = &p {
                let now = (h.stored + h.duplicates + h.rejected, h.reconnects);
                let mut l = last.lock().expect("progress lock");
                if *l == now {
                    return;
                }
                *l = now;
            }
            let line = match p {
                Progress::Connected { reconnect: false } => "websocket: connected".to_string(),
                Progress::Connected { reconnect: true } => "websocket: reconnected".to_string(),
                Progress::Disconnected { reason, retry_in } => format!(
                    "websocket: disconnected: {}; {}",
                    sanitize(&reason),
                    if retry_in.is_zero() {
                        "reconnecting now".to_string()
                    } else {
                        format!("reconnecting in {:.1} s", retry_in.as_secs_f64())
                    }
                ),
                Progress::Tick(h) => format!(
                    "websocket: {} events stored, {} redelivered, {} rejected; {:.1} events/s; \
                     {} reconnects; last event {}",
                    h.stored,
                    h.duplicates,
                    h.rejected,
                    h.events_per_sec,
                    h.reconnects,
                    h.last_event_at.as_deref().unwrap_or("none yet")
                ),
            };
            eprintln!("{line}");
        });
        let h = ws::run(cfg, stop, progress).await?;
        println!(
            "stopped: {} events stored, {} duplicates, {} rejected; {} reconnects ({} token \
             renewals); {} gaps in the feed so far (zoomlens status shows them)",
            h.stored, h.duplicates, h.rejected, h.reconnects, h.token_renewals, h.gap_count
        );
        Ok(ExitCode::SUCCESS)
    })
}
