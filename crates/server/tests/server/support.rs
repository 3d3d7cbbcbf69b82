//! End-to-end test support: a real database per test (an SQLite file in a temporary
//! directory, or a fresh PostgreSQL database `kcost_test_<uuid>` dropped afterwards), a
//! real `Application` on port 0, and an HTTP client with helpers for the admin API.
//!
//! PostgreSQL comes from `KCOST_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`).

#![allow(dead_code)] // each test binary uses a different part of the support code

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use kcost_server::Application;
use kcost_server::config::{ConnectionUrl, Secret, Settings};
use kcost_server::shutdown::Stopper;
use reqwest::{RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use tokio::task::JoinHandle;

pub use kcost_test_support::postgres::{ThrowawayDatabase, server_url as postgres_server_url};
pub use kcost_test_support::{ManualClock, free_port};

pub const ADMIN_TOKEN: &str = "e2e-admin-token-0123456789abcdefghijklmnop";
/// Largest body the test servers accept.
pub const MAX_PAYLOAD_BYTES: u64 = 256 * 1024;

/// The reference agent's payloads.
pub use kcost_agent_contract::fixtures::{LABELS, NODES_NULL, SMALL};
/// The fixtures' clusters.
pub const SMALL_CLUSTER: &str = "cost-dashboard-dev";
pub const NODES_NULL_CLUSTER: &str = "edge-cluster";
/// A window holding both fixtures (2026-11-20T09:00Z and 09:10Z).
pub const FIXTURE_WINDOW: &str = "start_time=2026-11-20T00:00:00Z&end_time=2026-11-21T00:00:00Z";

/// Which database backs a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database that outlives the servers started on it (restarts keep their data).
pub struct TestDb {
    pub backend: Backend,
    url: String,
    dir: tempfile::TempDir,
    postgres: Option<ThrowawayDatabase>,
}

impl TestDb {
    pub async fn create(backend: Backend) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        match backend {
            Backend::Sqlite => Self {
                url: format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("kcost.db").display()
                ),
                backend,
                dir,
                postgres: None,
            },
            Backend::Postgres => {
                let database = ThrowawayDatabase::create().await;
                Self {
                    url: database.url(),
                    backend,
                    dir,
                    postgres: Some(database),
                }
            }
        }
    }

    /// Settings for a test server on this database: port 0, one worker, a known admin
    /// token, a small body limit; the pepper is generated and stored, as on a first start.
    pub fn settings(&self) -> Settings {
        let mut settings = Settings::default();
        settings.server.host = "127.0.0.1".to_owned();
        settings.server.port = 0;
        settings.server.workers = Some(1);
        settings.server.shutdown_timeout_seconds = 5;
        settings.database.url = ConnectionUrl::new(self.url.clone());
        settings.database.max_connections = 4;
        settings.security.admin_token = Some(Secret::new(ADMIN_TOKEN));
        settings.ingest.max_payload_bytes = MAX_PAYLOAD_BYTES;
        settings
    }

    /// The database URL (for the `kcost` binary: `KCOST_DATABASE__URL`).
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Drops the PostgreSQL database (the SQLite directory goes with `self`; a test that
    /// fails before this drops it anyway).
    pub async fn finish(mut self) {
        if let Some(database) = self.postgres.take() {
            database.drop_now().await;
        }
    }
}

/// A running `Application` and a client for it.
pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    stopper: Stopper,
    running: JoinHandle<anyhow::Result<()>>,
}

impl TestServer {
    /// A server on a database of its own: how most tests begin.
    pub async fn on_new_db(backend: Backend) -> (TestDb, Self) {
        let db = TestDb::create(backend).await;
        let server = Self::start(&db).await;
        (db, server)
    }

    pub async fn start(db: &TestDb) -> Self {
        Self::start_with(db.settings()).await
    }

    pub async fn start_with(settings: Settings) -> Self {
        let app = Application::build(settings)
            .await
            .expect("build the application");
        Self::from_app(app)
    }

    /// A server reading the time from `clock`, which the test moves instead of waiting.
    pub async fn start_with_clock(db: &TestDb, clock: Arc<ManualClock>) -> Self {
        let app = Application::build_with_clock(db.settings(), clock)
            .await
            .expect("build the application");
        Self::from_app(app)
    }

    /// Runs an application the test built itself (to keep handles into it).
    pub fn from_app(app: Application) -> Self {
        let base = format!("http://127.0.0.1:{}", app.port());
        let stopper = app.stopper();
        let running = tokio::spawn(app.run_until_stopped());
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("HTTP client");
        Self {
            base,
            client,
            stopper,
            running,
        }
    }

    /// Shuts down gracefully and waits for it.
    pub async fn stop(self) {
        self.stopper.stop();
        self.running
            .await
            .expect("server task")
            .expect("server stopped cleanly");
    }

    /// Stops the server, then drops its database: how most tests end.
    pub async fn stop_and_finish(self, db: TestDb) {
        self.stop().await;
        db.finish().await;
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.client.get(format!("{}{path}", self.base))
    }

    /// The `/metrics` page, as Prometheus scrapes it.
    pub async fn metrics_text(&self) -> String {
        self.get("/metrics")
            .send()
            .await
            .expect("GET /metrics")
            .text()
            .await
            .expect("/metrics text")
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.client.post(format!("{}{path}", self.base))
    }

    pub fn admin(&self, builder: RequestBuilder) -> RequestBuilder {
        builder.bearer_auth(ADMIN_TOKEN)
    }

    /// Creates a tenant through the admin API; returns its id.
    pub async fn create_tenant(&self, name: &str) -> String {
        let (status, body) = send(
            self.admin(self.post("/v1/admin/tenants"))
                .json(&json!({ "name": name })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["tenant_id"].as_str().expect("tenant_id").to_owned()
    }

    /// Creates a key through the admin API; returns `(key_id, api_key)`.
    pub async fn create_key(
        &self,
        tenant_id: &str,
        scopes: &[&str],
        cluster: Option<&str>,
    ) -> (String, String) {
        let mut request = json!({ "tenant_id": tenant_id, "scopes": scopes, "name": "e2e" });
        if let Some(cluster) = cluster {
            request["cluster_name"] = json!(cluster);
        }
        let (status, body) = send(self.admin(self.post("/v1/admin/api_keys")).json(&request)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        (
            body["key_id"].as_str().expect("key_id").to_owned(),
            body["api_key"].as_str().expect("api_key").to_owned(),
        )
    }

    /// A tenant and a key with every scope: `(tenant_id, api_key)`.
    pub async fn tenant_with_key(&self, name: &str) -> (String, String) {
        let tenant = self.create_tenant(name).await;
        let (_, key) = self.create_key(&tenant, &["*"], None).await;
        (tenant, key)
    }

    /// Posts `body` to /v1/ingest as the reference agent does.
    pub async fn ingest(&self, api_key: &str, body: &str) -> (StatusCode, Value) {
        send(
            self.post("/v1/ingest")
                .header("Authorization", format!("ApiKey {api_key}"))
                .header("Content-Type", "application/json")
                .body(body.to_owned()),
        )
        .await
    }

    /// Ingests the `SMALL` fixture as hourly snapshots for `hours` hours from its own
    /// timestamp (enough of them make a recommendation), each accepted.
    pub async fn ingest_hourly(&self, api_key: &str, hours: i64) {
        for hour in 0..hours {
            let mut snapshot: Value = serde_json::from_str(SMALL).expect("fixture");
            snapshot["timestamp"] =
                json!(snapshot["timestamp"].as_i64().expect("unix") + hour * 3600);
            snapshot["interval_seconds"] = json!(3600);
            let (status, body) = self.ingest(api_key, &snapshot.to_string()).await;
            assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        }
    }

    /// GET `path` with `api_key`.
    pub async fn get_as(&self, api_key: &str, path: &str) -> (StatusCode, Value) {
        send(
            self.get(path)
                .header("Authorization", format!("ApiKey {api_key}")),
        )
        .await
    }
}

/// Sends and returns the status and the JSON body (`Value::Null` when not JSON).
pub async fn send(builder: RequestBuilder) -> (StatusCode, Value) {
    let response: Response = builder.send().await.expect("request sent");
    let status = response.status();
    let bytes = response.bytes().await.expect("response body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// `body` gzip-compressed.
pub fn gzip(body: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(body).expect("compress");
    encoder.finish().expect("compress")
}

/// The value at `field` of a JSON number, as f64.
pub fn number(value: &Value, field: &str) -> f64 {
    value[field]
        .as_f64()
        .unwrap_or_else(|| panic!("{field} is not a number in {value}"))
}

/// A money field as the exact decimal the JSON wrote. The body went through an `f64`, which
/// keeps any decimal of at most 15 significant digits, and prints it back shortest-first:
/// every amount these tests produce (under 10⁵ dollars, 10 places) comes back digit for digit.
pub fn money(value: &Value, field: &str) -> rust_decimal::Decimal {
    let number = value[field]
        .as_number()
        .unwrap_or_else(|| panic!("{field} is not a number in {value}"));
    number
        .to_string()
        .parse()
        .unwrap_or_else(|error| panic!("{field} = {number} is not a plain decimal: {error}"))
}
