//! `zoomlens listen`: receive webhook events until SIGINT or SIGTERM.

use super::args::ListenArgs;
use crate::listen::{Config, ListenOptions, Listener, Secrets, Verifier, shutdown_signal, verify};
use anyhow::{Context, Result};
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;
use tracing::info;

/// `zoomlens listen`.
pub fn run(a: &ListenArgs) -> Result<ExitCode> {
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
