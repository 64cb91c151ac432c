//! `sync` against the in-process simulator: serve a tenant on loopback, a client of it, a quiet
//! pull into a case.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use zoomlens::sim::server::{SimConfig, serve};
use zoomlens::sim::tenant::Tenant;
use zoomlens::store::Store;
use zoomlens::sync::progress::{Mode, Progress};
use zoomlens::sync::run::{SyncOptions, SyncReport, run};
use zoomlens::zoom::{Client, ClientConfig, Plan};

/// Serve tenant `t` on a loopback port; its base URL.
pub async fn start_sim(t: Arc<Tenant>, cfg: SimConfig) -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(async move { serve(t, cfg, l).await.unwrap() });
    base
}

/// A Server-to-Server client of the simulator at `base` (the token's api_url points at it).
pub fn client(base: &str, plan: Plan) -> Client {
    Client::new(
        ClientConfig {
            api_base: None,
            oauth_base: base.to_string(),
            plan,
            ..ClientConfig::default()
        },
        super::ws::credentials(),
    )
    .unwrap()
}

/// Pull `o` into the case at `case` through `client`, quietly.
pub async fn pull(client: Arc<Client>, case: &Path, o: SyncOptions) -> SyncReport {
    let progress = Progress::new(Mode::Quiet, &o.sources, client.clone());
    run(Store::open(case).unwrap(), client, o, progress)
        .await
        .unwrap()
}

/// [`pull`] through a new [`client`] of the simulator at `base`.
pub async fn sync(base: &str, plan: Plan, case: &Path, o: SyncOptions) -> SyncReport {
    pull(Arc::new(client(base, plan)), case, o).await
}

/// A simulator serving a tenant, and a case path (`t.case`) in a fresh directory.
pub struct Sim {
    pub t: Arc<Tenant>,
    pub base: String,
    pub dir: tempfile::TempDir,
    pub case: PathBuf,
}

impl Sim {
    /// Serve `t` with `cfg`.
    pub async fn serve(t: Arc<Tenant>, cfg: SimConfig) -> Sim {
        let base = start_sim(t.clone(), cfg).await;
        let dir = tempfile::tempdir().unwrap();
        let case = dir.path().join("t.case");
        Sim { t, base, dir, case }
    }

    /// Serve a tenant built from `shape`.
    pub async fn start(shape: &super::tenant::Shape, cfg: SimConfig) -> Sim {
        Sim::serve(Arc::new(super::tenant::build(shape)), cfg).await
    }

    /// [`sync`] `o` into this case, as a client on `plan`.
    pub async fn sync(&self, plan: Plan, o: SyncOptions) -> SyncReport {
        sync(&self.base, plan, &self.case, o).await
    }
}
