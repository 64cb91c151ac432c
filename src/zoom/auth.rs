//! Credentials and access tokens.
//!
//! Server-to-Server OAuth (`grant_type=account_credentials`) from ZOOM_ACCOUNT_ID /
//! ZOOM_CLIENT_ID / ZOOM_CLIENT_SECRET or `credentials.toml` in the config directory; or an OAuth
//! app signed in with `zoomlens auth login` (authorization code + refresh token, rotated on every
//! refresh and persisted atomically with mode 0600). Secrets are wrapped in [`Secret`], whose
//! Debug/Display never show the value, and never appear in URLs or error messages.

use super::ApiError;
use anyhow::{Context, Result, bail};
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A secret string that cannot leak through formatting.
#[derive(Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}
impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}
impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// How this run authenticates.
#[derive(Clone, Debug)]
pub enum Credentials {
    ServerToServer {
        account_id: String,
        client_id: String,
        client_secret: Secret,
    },
    /// An OAuth app signed in with `zoomlens auth login`; the refresh token lives in `token_file`.
    AuthorizationCode {
        client_id: String,
        client_secret: Secret,
        token_file: PathBuf,
    },
}

/// `credentials.toml`: `account_id` (Server-to-Server apps only), `client_id`, `client_secret`.
#[derive(Deserialize)]
struct CredentialsFile {
    account_id: Option<String>,
    client_id: Option<String>,
    client_secret: Option<Secret>,
}

/// The stored refresh token of an authorization-code app.
#[derive(Serialize, Deserialize)]
pub struct StoredToken {
    pub client_id: String,
    pub refresh_token: Secret,
    #[serde(default)]
    pub api_url: Option<String>,
    pub saved_at: String,
}

/// zoomlens's config directory (ZOOMLENS_CONFIG_DIR overrides, for tests and portable setups).
pub fn config_dir() -> Result<PathBuf> {
    if let Some(d) = std::env::var_os("ZOOMLENS_CONFIG_DIR") {
        return Ok(PathBuf::from(d));
    }
    directories::ProjectDirs::from("", "", "zoomlens")
        .map(|p| p.config_dir().to_path_buf())
        .context("cannot find the user's config directory (set ZOOMLENS_CONFIG_DIR)")
}

pub fn credentials_path(dir: &Path) -> PathBuf {
    dir.join("credentials.toml")
}
pub fn token_path(dir: &Path) -> PathBuf {
    dir.join("oauth_token.json")
}

/// Refuse a secrets file that other users can read (like ssh does with private keys).
pub fn check_private(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            bail!(
                "refusing to use {}: it holds secrets but is readable or writable by group/others \
                 (mode {:o}); run `chmod 600 {}`",
                path.display(),
                mode & 0o777,
                path.display()
            );
        }
    }
    Ok(())
}

fn env_nonempty(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.trim().is_empty())
}

/// Find credentials: environment first, then the config directory.
pub fn load_credentials() -> Result<Credentials> {
    let (acc, id, sec) = (
        env_nonempty("ZOOM_ACCOUNT_ID"),
        env_nonempty("ZOOM_CLIENT_ID"),
        env_nonempty("ZOOM_CLIENT_SECRET"),
    );
    if let (Some(account_id), Some(client_id), Some(s)) = (&acc, &id, &sec) {
        return Ok(Credentials::ServerToServer {
            account_id: account_id.clone(),
            client_id: client_id.clone(),
            client_secret: Secret::new(s.clone()),
        });
    }
    let dir = config_dir()?;
    let cpath = credentials_path(&dir);
    let file = if cpath.exists() {
        check_private(&cpath)?;
        let text = std::fs::read_to_string(&cpath)
            .with_context(|| format!("cannot read {}", cpath.display()))?;
        // The parse error could quote the file (and its secret): say only where it is.
        let f: CredentialsFile = toml::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "{} is not valid TOML (expected account_id, client_id, client_secret){}",
                cpath.display(),
                e.span()
                    .map(|s| format!(" near byte {}", s.start))
                    .unwrap_or_default()
            )
        })?;
        Some(f)
    } else {
        None
    };
    let account_id = acc.or_else(|| file.as_ref().and_then(|f| f.account_id.clone()));
    let client_id = id.or_else(|| file.as_ref().and_then(|f| f.client_id.clone()));
    let client_secret = sec
        .map(Secret::new)
        .or_else(|| file.as_ref().and_then(|f| f.client_secret.clone()));
    let tpath = token_path(&dir);
    match (account_id, client_id, client_secret) {
        (Some(account_id), Some(client_id), Some(client_secret)) => {
            Ok(Credentials::ServerToServer {
                account_id,
                client_id,
                client_secret,
            })
        }
        (None, Some(client_id), Some(client_secret)) if tpath.exists() => {
            check_private(&tpath)?;
            Ok(Credentials::AuthorizationCode {
                client_id,
                client_secret,
                token_file: tpath,
            })
        }
        (a, c, s) => {
            let mut missing = vec![];
            if a.is_none() {
                missing.push("ZOOM_ACCOUNT_ID");
            }
            if c.is_none() {
                missing.push("ZOOM_CLIENT_ID");
            }
            if s.is_none() {
                missing.push("ZOOM_CLIENT_SECRET");
            }
            bail!(
                "no Zoom credentials: missing {} (set them in the environment, or put account_id, \
                 client_id and client_secret in {} with mode 600; for an OAuth app run \
                 `zoomlens auth login` first)",
                missing.join(", "),
                cpath.display()
            )
        }
    }
}

/// Write a file atomically with mode 0600: temp file in the same folder, fsync, rename.
pub fn write_private_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().context("token path has no folder")?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("token"),
        std::process::id()
    ));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(&tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// A token endpoint answer (S2S, code exchange and refresh share it).
#[derive(Deserialize)]
pub struct TokenResponse {
    pub access_token: Secret,
    #[serde(default)]
    pub expires_in: Option<u64>,
    #[serde(default)]
    pub refresh_token: Option<Secret>,
    #[serde(default)]
    pub api_url: Option<String>,
}

/// OAuth errors use `{"reason","error"}`; Zoom's API errors `{"code","message"}`.
#[derive(Deserialize, Default)]
struct OauthError {
    reason: Option<String>,
    error: Option<String>,
    message: Option<String>,
}

fn basic(client_id: &str, secret: &Secret) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD
            .encode(format!("{client_id}:{}", secret.expose()))
    )
}

/// POST to `{oauth_base}/oauth/token`, retrying transient failures a few times.
pub async fn token_request(
    http: &reqwest::Client,
    oauth_base: &str,
    client_id: &str,
    secret: &Secret,
    query: &[(&str, &str)],
    form: &[(&str, &str)],
) -> Result<TokenResponse, ApiError> {
    let url = format!("{}/oauth/token", oauth_base.trim_end_matches('/'));
    // A refresh token or an authorization code works once: if Zoom may already have acted on
    // a request (an answer cut short, a 5xx after processing, an unreadable body), sending it
    // again would present a spent token and fail. Such grants are resent only when the request
    // surely never arrived (no connection) or was turned away unprocessed (429).
    let single_use = query
        .iter()
        .chain(form.iter())
        .any(|(k, v)| *k == "grant_type" && matches!(*v, "refresh_token" | "authorization_code"));
    let mut last = String::new();
    let mut may_resend = true;
    for attempt in 1..=5u32 {
        if attempt > 1 && !may_resend {
            last.push_str(
                "; not retried, as Zoom may already have used this one-time grant \
                 (if it keeps failing, run `zoomlens auth login` again)",
            );
            break;
        }
        may_resend = !single_use;
        if attempt > 1 {
            tokio::time::sleep(super::retry::RetryPolicy::default().backoff(attempt)).await;
        }
        let resp = http
            .post(&url)
            .header(reqwest::header::AUTHORIZATION, basic(client_id, secret))
            .query(query)
            .form(form)
            .send()
            .await;
        let resp = match resp {
            Ok(r) => r,
            Err(e) => {
                // without_url: the query may name the account.
                may_resend |= e.is_connect();
                last = format!("token endpoint unreachable: {}", e.without_url());
                continue;
            }
        };
        let status = resp.status();
        let body = match resp.bytes().await {
            Ok(b) => b,
            Err(e) => {
                last = format!("token response cut short: {}", e.without_url());
                continue;
            }
        };
        may_resend |= status.as_u16() == 429;
        if status.is_server_error() || status.as_u16() == 429 {
            last = format!("token endpoint answered HTTP {}", status.as_u16());
            continue;
        }
        if status.is_success() {
            match serde_json::from_slice::<TokenResponse>(&body) {
                Ok(t) => return Ok(t),
                Err(_) => {
                    last = "token endpoint answered a body without access_token".into();
                    continue;
                }
            }
        }
        let e: OauthError = serde_json::from_slice(&body).unwrap_or_default();
        let why = [e.error, e.reason, e.message]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(": ");
        return Err(ApiError::Auth(format!(
            "token endpoint refused the credentials (HTTP {}{}); check the client id/secret, \
             the account id and the app's scopes",
            status.as_u16(),
            if why.is_empty() {
                String::new()
            } else {
                format!(", {}", crate::output::sanitize(&why))
            }
        )));
    }
    Err(ApiError::Auth(last))
}

struct Token {
    access: Secret,
    /// Treated as expired 60 s early, as Zoom's SDK does.
    refresh_at: Instant,
}

/// Hands out a valid access token, fetching a fresh one when it expires or is refused.
pub struct TokenSource {
    http: reqwest::Client,
    oauth_base: String,
    creds: Credentials,
    current: tokio::sync::Mutex<Option<Token>>,
    api_url: std::sync::Mutex<Option<String>>,
    fetched: std::sync::atomic::AtomicU64,
    /// Try `grant_type=client_credentials` first (what Zoom's WebSocket page documents), and
    /// fall back to `account_credentials` once the token endpoint refuses it.
    client_grant: std::sync::atomic::AtomicBool,
}

impl TokenSource {
    pub fn new(http: reqwest::Client, oauth_base: &str, creds: Credentials) -> TokenSource {
        TokenSource {
            http,
            oauth_base: oauth_base.to_string(),
            creds,
            current: tokio::sync::Mutex::new(None),
            api_url: std::sync::Mutex::new(None),
            fetched: Default::default(),
            client_grant: Default::default(),
        }
    }

    /// Ask for Server-to-Server tokens with the `client_credentials` grant first, as Zoom's
    /// WebSocket documentation does; older apps only know `account_credentials`, which is used
    /// from the first refusal on.
    pub fn prefer_client_credentials(self) -> TokenSource {
        self.client_grant
            .store(true, std::sync::atomic::Ordering::Relaxed);
        self
    }

    /// `api_url` from the last token response, when Zoom sent one.
    pub fn api_url(&self) -> Option<String> {
        self.api_url.lock().unwrap().clone()
    }

    /// How many tokens this run has fetched.
    pub fn tokens_fetched(&self) -> u64 {
        self.fetched.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// A valid access token.
    pub async fn token(&self) -> Result<Secret, ApiError> {
        Ok(self.token_until().await?.0)
    }

    /// A valid access token and when it should be replaced (a minute before it expires, or a
    /// quarter of its life for short-lived ones): a WebSocket carries its token in the URL, so
    /// it has to reconnect with a fresh one by then.
    pub async fn token_until(&self) -> Result<(Secret, Instant), ApiError> {
        let mut cur = self.current.lock().await;
        if let Some(t) = cur.as_ref()
            && Instant::now() < t.refresh_at
        {
            return Ok((t.access.clone(), t.refresh_at));
        }
        let resp = self.fetch().await?;
        let ttl = resp.expires_in.unwrap_or(3600);
        let early = if ttl > 120 { 60 } else { ttl / 4 };
        if let Some(u) = resp.api_url.clone().filter(|u| !u.trim().is_empty()) {
            *self.api_url.lock().unwrap() = Some(u);
        }
        self.fetched
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let refresh_at = Instant::now() + Duration::from_secs(ttl - early);
        *cur = Some(Token {
            access: resp.access_token.clone(),
            refresh_at,
        });
        Ok((resp.access_token, refresh_at))
    }

    /// The API refused `used` (401 / code 124): forget it unless another task already replaced it.
    pub async fn invalidate(&self, used: &Secret) {
        let mut cur = self.current.lock().await;
        if cur.as_ref().is_some_and(|t| &t.access == used) {
            *cur = None;
        }
    }

    async fn fetch(&self) -> Result<TokenResponse, ApiError> {
        match &self.creds {
            Credentials::ServerToServer {
                account_id,
                client_id,
                client_secret,
            } => {
                use std::sync::atomic::Ordering::Relaxed;
                if self.client_grant.load(Relaxed) {
                    let r = token_request(
                        &self.http,
                        &self.oauth_base,
                        client_id,
                        client_secret,
                        &[("grant_type", "client_credentials")],
                        &[],
                    )
                    .await;
                    match r {
                        Err(ApiError::Auth(why)) => {
                            tracing::info!(
                                reason = %why,
                                "client_credentials grant refused; using account_credentials"
                            );
                            self.client_grant.store(false, Relaxed);
                        }
                        other => return other,
                    }
                }
                token_request(
                    &self.http,
                    &self.oauth_base,
                    client_id,
                    client_secret,
                    &[
                        ("grant_type", "account_credentials"),
                        ("account_id", account_id),
                    ],
                    &[],
                )
                .await
            }
            Credentials::AuthorizationCode {
                client_id,
                client_secret,
                token_file,
            } => {
                refresh(
                    &self.http,
                    &self.oauth_base,
                    client_id,
                    client_secret,
                    token_file,
                )
                .await
            }
        }
    }
}

/// Use the stored refresh token and persist the rotated one before anything else happens:
/// Zoom invalidates the old refresh token as soon as it issues a new one.
pub async fn refresh(
    http: &reqwest::Client,
    oauth_base: &str,
    client_id: &str,
    client_secret: &Secret,
    token_file: &Path,
) -> Result<TokenResponse, ApiError> {
    let stored: StoredToken = std::fs::read(token_file)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| {
            ApiError::Auth(format!(
                "cannot read the stored refresh token {}; run `zoomlens auth login`",
                token_file.display()
            ))
        })?;
    let resp = token_request(
        http,
        oauth_base,
        client_id,
        client_secret,
        &[],
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", stored.refresh_token.expose()),
        ],
    )
    .await
    .map_err(|e| {
        ApiError::Auth(format!(
            "{e}; the refresh token may be revoked: run `zoomlens auth login`"
        ))
    })?;
    if let Some(new) = &resp.refresh_token {
        save_token(
            token_file,
            &StoredToken {
                client_id: client_id.to_string(),
                refresh_token: new.clone(),
                api_url: resp.api_url.clone().or(stored.api_url),
                saved_at: chrono::Utc::now().to_rfc3339(),
            },
        )
        .map_err(|e| ApiError::Auth(format!("cannot store the rotated refresh token: {e:#}")))?;
    }
    Ok(resp)
}

pub fn save_token(path: &Path, t: &StoredToken) -> Result<()> {
    write_private_atomic(path, &serde_json::to_vec_pretty(t)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_format() {
        let s = Secret::new("hunter2");
        assert!(!format!("{s:?} {s}").contains("hunter2"));
        let c = Credentials::ServerToServer {
            account_id: "a".into(),
            client_id: "b".into(),
            client_secret: s,
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[cfg(unix)]
    #[test]
    fn world_readable_secrets_are_refused_and_private_writes_are_0600() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("credentials.toml");
        std::fs::write(&p, "client_id='x'").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = check_private(&p).unwrap_err().to_string();
        assert!(e.contains("chmod 600"), "{e}");
        let t = d.path().join("sub/oauth_token.json");
        write_private_atomic(&t, b"{}").unwrap();
        let mode = std::fs::metadata(&t).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        check_private(&t).unwrap();
    }
}
