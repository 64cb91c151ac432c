//! `zoomlens sync` and `zoomlens auth login`.

use super::args::{AuthArgs, AuthCommand, DoctorArgs, SyncArgs};
use crate::output::sanitize;
use crate::store::Store;
use crate::sync::{login, plan, progress, run};
use crate::zoom::{Client, ClientConfig, auth};
use anyhow::{Context, Result, bail};
use chrono::Days;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

/// The options of a run from the command line (dates, sources, scope).
fn options(a: &SyncArgs) -> Result<run::SyncOptions> {
    let sources = plan::parse_sources(&a.sources)?;
    let to = match &a.to {
        Some(s) => plan::parse_day(s, "--to")?,
        None => chrono::Utc::now().date_naive(),
    };
    let from = match &a.from {
        Some(s) => plan::parse_day(s, "--from")?,
        None => to
            .checked_sub_days(Days::new(plan::MAX_WINDOW_DAYS - 1))
            .unwrap_or(to),
    };
    plan::check_range(from, to)?;
    if !a.users.is_empty() && !sources.iter().any(|s| s.per_user()) {
        bail!(
            "--users scopes per-user sources (meetings, participants, metrics, recordings, chat), but none is selected"
        );
    }
    Ok(run::SyncOptions {
        from,
        to,
        sources,
        users: a
            .users
            .iter()
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty())
            .collect(),
        since_last: a.since_last,
        capture: a.capture.clone(),
    })
}

/// `zoomlens sync`.
pub fn run(a: &SyncArgs) -> Result<ExitCode> {
    let opts = options(a)?;
    if !(a.rate_share > 0.0 && a.rate_share <= 1.0) {
        bail!("--rate-share must be in (0, 1]");
    }
    let creds = auth::load_credentials()?;
    let client = Arc::new(Client::new(
        ClientConfig {
            api_base: a.api_base.clone(),
            oauth_base: a.oauth_base.clone(),
            plan: a.plan.into(),
            rate_share: a.rate_share,
            daily_cap: a.on_daily_cap.into(),
            ..ClientConfig::default()
        },
        creds,
    )?);
    let store = Store::open(&a.case)?;
    let mode = if a.json {
        progress::Mode::Json
    } else if a.quiet || !std::io::stderr().is_terminal() {
        progress::Mode::Quiet
    } else {
        progress::Mode::Bars
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let report = rt.block_on(async {
        let progress = progress::Progress::new(mode, &opts.sources, client.clone());
        run::run(store, client.clone(), opts, progress).await
    })?;
    if a.json {
        println!("{}", serde_json::to_string(&report)?);
    } else if !a.quiet {
        print_summary(&a.case.display().to_string(), &report);
    } else {
        for f in &report.failed {
            eprintln!(
                "failed: {} {} {}..{}: {}",
                f.source,
                sanitize(&f.scope),
                f.win_from,
                f.win_to,
                sanitize(&f.detail)
            );
        }
    }
    if let Some(why) = &report.stopped {
        eprintln!("zoomlens: sync stopped early: {}", sanitize(why));
    }
    Ok(if report.complete {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_INCOMPLETE)
    })
}

fn print_summary(case: &str, r: &run::SyncReport) {
    use std::fmt::Write;
    let mut s = String::new();
    let total: u64 = r.requests.values().sum();
    let _ = writeln!(
        s,
        "synced {} in {:.1} s: {} requests ({}), {} retries, {} rate-limited (429), {} access tokens",
        sanitize(case),
        r.elapsed_s,
        total,
        r.requests
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        r.retries,
        r.rate_limited,
        r.tokens_fetched
    );
    if let (Some(rate), Some(share)) = (r.heavy_req_per_s, r.heavy_share) {
        let _ = writeln!(
            s,
            "Heavy requests: {rate:.2}/s, {:.0}% of the plan's limit",
            share * 100.0
        );
    }
    let _ = writeln!(
        s,
        "{:<16} {:>8} {:>8} {:>8} {:>8}",
        "table", "added", "merged", "present", "rejected"
    );
    for (t, c) in &r.tables.0 {
        let _ = writeln!(
            s,
            "{t:<16} {:>8} {:>8} {:>8} {:>8}",
            c.added, c.merged, c.present, c.rejected
        );
    }
    let _ = writeln!(
        s,
        "{:<14} {:>7} {:>7} {:>7} {:>7} {:>8}",
        "source", "units", "failed", "n/a", "pages", "requests"
    );
    for l in &r.sources {
        let _ = writeln!(
            s,
            "{:<14} {:>7} {:>7} {:>7} {:>7} {:>8}",
            l.source.name(),
            format!("{}/{}", l.units_done, l.units_total),
            l.failed,
            l.unavailable,
            l.pages,
            l.requests
        );
    }
    if r.units_skipped > 0 {
        let _ = writeln!(
            s,
            "{} units were already complete from an earlier run",
            r.units_skipped
        );
    }
    let mut seen = std::collections::BTreeSet::new();
    for u in &r.unavailable {
        if u.scope.is_empty() || seen.insert((u.source, u.detail.clone())) {
            let _ = writeln!(
                s,
                "not available: {} {}: {}",
                u.source,
                sanitize(&u.scope),
                sanitize(&u.detail)
            );
        }
    }
    for f in &r.failed {
        let _ = writeln!(
            s,
            "FAILED: {} {} {}..{}: {}",
            f.source,
            sanitize(&f.scope),
            f.win_from,
            f.win_to,
            sanitize(&f.detail)
        );
    }
    if !r.failed.is_empty() {
        let _ = writeln!(
            s,
            "{} units failed after retries; they are recorded in the case's coverage table \
             (`zoomlens status`) and a new `zoomlens sync` fetches them again",
            r.failed.len()
        );
    }
    print!("{s}");
}

/// `zoomlens auth login`.
pub fn auth(a: &AuthArgs) -> Result<ExitCode> {
    match &a.command {
        AuthCommand::Login {
            client_id,
            port,
            oauth_base,
            no_browser,
            timeout,
        } => {
            let secret = login::client_secret()?;
            let dir = auth::config_dir()?;
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            let path = auth::token_path(&dir);
            rt.block_on(login::login(
                &login::LoginConfig {
                    oauth_base: oauth_base.clone(),
                    client_id: client_id.clone(),
                    client_secret: secret,
                    port: *port,
                    open_browser: !no_browser,
                    timeout: std::time::Duration::from_secs(*timeout),
                    token_file: path.clone(),
                },
                |url| {
                    eprintln!("Open this URL in a browser and authorize the app:\n\n  {url}\n");
                },
            ))?;
            eprintln!(
                "signed in; the refresh token is stored in {} (mode 600). `zoomlens sync` uses it \
                 when ZOOM_ACCOUNT_ID is not set (ZOOM_CLIENT_ID/ZOOM_CLIENT_SECRET or \
                 credentials.toml still provide the client).",
                path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `zoomlens doctor`.
pub fn doctor(a: &DoctorArgs) -> Result<ExitCode> {
    let creds = auth::load_credentials()?;
    let client = Client::new(
        ClientConfig {
            api_base: a.api_base.clone(),
            oauth_base: a.oauth_base.clone(),
            plan: a.plan.into(),
            ..ClientConfig::default()
        },
        creds,
    )?;
    let store = Store::open(&a.case)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let caps = rt.block_on(crate::sync::doctor::check(
        &client,
        chrono::Utc::now().date_naive(),
    ));
    crate::sync::doctor::store(&store.conn, &caps)?;
    if a.json {
        crate::output::write_json(&mut std::io::stdout().lock(), &caps)?;
    } else {
        println!("{:<13} {:<12} detail", "source", "state");
        for c in &caps.sources {
            println!("{:<13} {:<12} {}", c.source, c.state, sanitize(&c.detail));
        }
        println!("(kept in {}; `zoomlens status` shows it)", a.case.display());
    }
    Ok(if caps.sources.iter().all(|c| c.state == "ok") {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_INCOMPLETE)
    })
}
