//! `zoomlens sim`: serve a synthetic tenant over a Zoom-compatible API, optionally delivering
//! its webhooks.

use super::args::SimArgs;
use crate::sim::server::deliver::{self, DeliverConfig};
use crate::sim::server::{FaultKind, SimConfig, serve_until, truth};
use crate::sim::tenant::Tenant;
use anyhow::{Context, Result};
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `zoomlens sim`.
pub fn run(a: &SimArgs) -> Result<ExitCode> {
    let cfg = sim_config(a)?;
    let deliver_cfg = match &a.deliver_to {
        None => None,
        Some(url) => Some(deliver_config(url, a)?),
    };
    let t0 = Instant::now();
    let tenant = Arc::new(Tenant::from_knobs(&super::knobs(&a.tenant))?);
    tracing::info!(
        seconds = t0.elapsed().as_secs_f64(),
        users = tenant.users.len(),
        webhooks = tenant.webhooks.len(),
        "tenant generated"
    );
    if let Some(path) = &a.truth {
        let truth = truth::truth(&tenant);
        let text = serde_json::to_string_pretty(&truth)? + "\n";
        std::fs::write(path, text)
            .with_context(|| format!("cannot write the truth file {}", path.display()))?;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&a.bind).await.with_context(|| {
            format!(
                "cannot listen on {}: is the port taken? Pick another with --bind (port 0 picks a free one)",
                a.bind
            )
        })?;
        let addr = listener.local_addr()?;
        {
            let mut out = std::io::stdout().lock();
            writeln!(out, "listening on http://{addr}")?;
            if let Some(w) = &cfg.ws {
                writeln!(
                    out,
                    "websocket at ws://{addr}/ws?subscriptionId={} ({} events at {}/s; \
                     ZOOM_WS_BASE=ws://{addr}/ws ZOOM_OAUTH_BASE=http://{addr})",
                    w.subscription,
                    tenant.webhooks.len(),
                    w.rate
                )?;
            }
            out.flush()?;
        }
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve_until(tenant.clone(), cfg, listener, async move {
            let _ = stop_rx.await;
        }));
        match deliver_cfg {
            Some(dc) => {
                tokio::select! {
                    r = deliver::deliver(&tenant.webhooks, &dc) => {
                        let report = r?;
                        println!("{}", report.summary());
                    }
                    _ = tokio::signal::ctrl_c() => eprintln!("interrupted; delivery stopped"),
                }
            }
            None => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
        let _ = stop_tx.send(());
        match tokio::time::timeout(Duration::from_secs(5), server).await {
            Ok(joined) => joined.context("the server task panicked")??,
            Err(_) => eprintln!("some requests were still running at shutdown"),
        }
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The simulator's configuration from the flags, validated.
fn sim_config(a: &SimArgs) -> Result<SimConfig> {
    anyhow::ensure!(
        (0.0..=1.0).contains(&a.fault_rate),
        "--fault-rate must be between 0 and 1 (got {})",
        a.fault_rate
    );
    anyhow::ensure!(
        a.rate_limit_scale > 0.0 && a.rate_limit_scale.is_finite(),
        "--rate-limit-scale must be a positive number (got {})",
        a.rate_limit_scale
    );
    if let Some(d) = a.daily_limit_scale {
        anyhow::ensure!(
            d > 0.0 && d.is_finite(),
            "--daily-limit-scale must be a positive number (got {d})"
        );
    }
    anyhow::ensure!(a.token_ttl > 0, "--token-ttl must be at least 1 second");
    let now = match &a.now {
        None => None,
        Some(s) => Some(crate::model::time::parse_time(s).with_context(|| {
            format!("--now {s:?} is not a date or time; use e.g. 2026-06-30T12:00:00Z")
        })?),
    };
    Ok(SimConfig {
        account_id: a.account_id.clone(),
        client_id: a.client_id.clone(),
        client_secret: a.client_secret.clone(),
        plan: a.plan.into(),
        token_ttl: Duration::from_secs(a.token_ttl),
        page_token_ttl: Duration::from_secs(a.page_token_ttl),
        rate_limit_scale: a.rate_limit_scale,
        daily_limit_scale: a.daily_limit_scale,
        fault_rate: a.fault_rate,
        fault_kinds: if a.fault_kinds.is_empty() {
            FaultKind::ALL.to_vec()
        } else {
            a.fault_kinds.iter().map(|k| (*k).into()).collect()
        },
        seed: a.tenant.seed,
        slow_delay: Duration::from_millis(a.slow_ms),
        ws: ws_config(a)?,
        missing_scopes: a
            .missing_scope
            .iter()
            .map(|s| crate::sync::plan::Source::parse(s))
            .collect::<Result<_>>()?,
        now,
    })
}

/// Webhook delivery from the flags, validated.
fn deliver_config(url: &str, a: &SimArgs) -> Result<DeliverConfig> {
    let parsed = url::Url::parse(url).with_context(|| {
        format!("--deliver-to {url:?} is not a URL; use e.g. http://127.0.0.1:8090/webhook")
    })?;
    anyhow::ensure!(
        matches!(parsed.scheme(), "http" | "https"),
        "--deliver-to must be an http:// or https:// URL"
    );
    anyhow::ensure!(
        a.deliver_rate > 0.0 && a.deliver_rate.is_finite(),
        "--deliver-rate must be a positive number of events per second"
    );
    let secret = a.webhook_secret.clone().context(
        "--deliver-to needs --webhook-secret (or ZOOM_WEBHOOK_SECRET_TOKEN) to sign the events",
    )?;
    Ok(DeliverConfig {
        url: url.to_string(),
        rate: a.deliver_rate,
        seconds: a.deliver_seconds,
        secret,
        acks_out: a.deliver_acks.clone(),
        concurrency: a.deliver_concurrency.max(1),
    })
}

/// The WebSocket endpoint from the flags, validated (`None` without `--ws`).
fn ws_config(a: &SimArgs) -> Result<Option<crate::sim::server::ws::WsSimConfig>> {
    use crate::sim::server::ws::{WsFault, WsSimConfig};
    if !a.ws {
        anyhow::ensure!(
            a.ws_faults.is_empty() && a.ws_fault_rate == 0.0,
            "--ws-faults and --ws-fault-rate apply to the WebSocket endpoint: add --ws"
        );
        return Ok(None);
    }
    anyhow::ensure!(
        a.ws_rate > 0.0 && a.ws_rate.is_finite(),
        "--ws-rate must be a positive number of events per second"
    );
    anyhow::ensure!(
        (0.0..=1.0).contains(&a.ws_fault_rate),
        "--ws-fault-rate must be between 0 and 1 (got {})",
        a.ws_fault_rate
    );
    anyhow::ensure!(a.ws_idle_secs > 0, "--ws-idle-secs must be at least 1");
    crate::listen::ws::parse_subscription(&a.ws_subscription)?;
    let faults: Vec<WsFault> = a.ws_faults.iter().map(|k| (*k).into()).collect();
    anyhow::ensure!(
        a.ws_fault_rate == 0.0 || faults.iter().any(|f| *f != WsFault::Duplicate),
        "--ws-fault-rate needs drop, silence or expire in --ws-faults"
    );
    Ok(Some(WsSimConfig {
        subscription: a.ws_subscription.clone(),
        rate: a.ws_rate,
        faults,
        fault_rate: a.ws_fault_rate,
        replay: a.ws_replay,
        idle_timeout: Duration::from_secs(a.ws_idle_secs),
        secret: a.webhook_secret.clone(),
    }))
}
