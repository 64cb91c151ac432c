//! `zoomlens auth login`: the OAuth authorization-code flow with a loopback redirect.
//!
//! A random `state` ties the browser's redirect to this process (a redirect carrying any other
//! state is refused); the code is exchanged at once (it lives 5 minutes) and the refresh token
//! is stored with mode 0600, written atomically.

use crate::zoom::auth::{self, Secret, StoredToken};
use anyhow::{Context, Result, bail};
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse};
use rand::RngCore;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::mpsc;

pub struct LoginConfig {
    pub oauth_base: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// Loopback port (0 picks a free one).
    pub port: u16,
    pub open_browser: bool,
    pub timeout: Duration,
    pub token_file: PathBuf,
}

/// The client secret: ZOOM_CLIENT_SECRET, else `client_secret` in credentials.toml.
pub fn client_secret() -> Result<Secret> {
    if let Ok(s) = std::env::var("ZOOM_CLIENT_SECRET")
        && !s.trim().is_empty()
    {
        return Ok(Secret::new(s));
    }
    let p = auth::credentials_path(&auth::config_dir()?);
    if p.exists() {
        auth::check_private(&p)?;
        let t: toml::Table = std::fs::read_to_string(&p)?
            .parse()
            .map_err(|_| anyhow::anyhow!("{} is not valid TOML", p.display()))?;
        if let Some(s) = t.get("client_secret").and_then(|v| v.as_str()) {
            return Ok(Secret::new(s));
        }
    }
    bail!(
        "no client secret: set ZOOM_CLIENT_SECRET or put client_secret in {} (mode 600)",
        p.display()
    )
}

fn random_state() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// Constant-time comparison, so the state cannot be guessed byte by byte.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

type Callback = (Option<String>, Option<String>, Option<String>);

async fn callback(
    State((expect, tx)): State<(String, mpsc::Sender<Callback>)>,
    Query(q): Query<HashMap<String, String>>,
) -> impl IntoResponse {
    let state = q.get("state").cloned().unwrap_or_default();
    if !same(&state, &expect) {
        return (
            axum::http::StatusCode::BAD_REQUEST,
            Html(
                "<h1>zoomlens: this sign-in link does not belong to the waiting `zoomlens auth login`.</h1>",
            ),
        );
    }
    let _ = tx
        .send((
            q.get("code").cloned(),
            q.get("error").cloned(),
            q.get("error_description").cloned(),
        ))
        .await;
    (
        axum::http::StatusCode::OK,
        Html("<h1>zoomlens is signed in. You can close this tab.</h1>"),
    )
}

/// Run the flow; `show` receives the authorization URL to present to the user.
pub async fn login(cfg: &LoginConfig, show: impl FnOnce(&str)) -> Result<StoredToken> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", cfg.port))
        .await
        .with_context(|| {
            format!(
                "cannot listen on 127.0.0.1:{} for the redirect (pick another with --port)",
                cfg.port
            )
        })?;
    let port = listener.local_addr()?.port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let state = random_state();
    let mut url = url::Url::parse(&format!(
        "{}/oauth/authorize",
        cfg.oauth_base.trim_end_matches('/')
    ))
    .context("--oauth-base is not a URL")?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &cfg.client_id)
        .append_pair("redirect_uri", &redirect)
        .append_pair("state", &state);
    let (tx, mut rx) = mpsc::channel::<Callback>(1);
    let app = axum::Router::new()
        .route("/callback", axum::routing::get(callback))
        .with_state((state.clone(), tx));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    show(url.as_str());
    if cfg.open_browser {
        for opener in ["xdg-open", "open"] {
            if std::process::Command::new(opener)
                .arg(url.as_str())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .is_ok()
            {
                break;
            }
        }
    }
    let got = tokio::time::timeout(cfg.timeout, rx.recv()).await;
    server.abort();
    let (code, error, desc) = match got {
        Ok(Some(c)) => c,
        _ => bail!(
            "no authorization arrived within {} s; run `zoomlens auth login` again (register {redirect} as the app's redirect URL)",
            cfg.timeout.as_secs()
        ),
    };
    let Some(code) = code.filter(|c| !c.is_empty()) else {
        bail!(
            "authorization was refused: {}",
            crate::output::sanitize(
                &[error, desc]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(": ")
            )
        );
    };
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let resp = auth::token_request(
        &http,
        &cfg.oauth_base,
        &cfg.client_id,
        &cfg.client_secret,
        &[],
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &redirect),
        ],
    )
    .await?;
    let Some(refresh) = resp.refresh_token else {
        bail!(
            "the token endpoint returned no refresh_token; is this an OAuth (not Server-to-Server) app?"
        );
    };
    let stored = StoredToken {
        client_id: cfg.client_id.clone(),
        refresh_token: refresh,
        api_url: resp.api_url,
        saved_at: chrono::Utc::now().to_rfc3339(),
    };
    auth::save_token(&cfg.token_file, &stored)?;
    Ok(stored)
}
