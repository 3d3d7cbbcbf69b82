//! Test support: real databases for the repository tests, and the repositories on them.
//!
//! - [`PostgresTestDb`]: a fresh PostgreSQL database per test (`kcost_test_<uuid>`),
//!   migrated with `RelationalMigrator`, dropped afterwards (`WITH (FORCE)`), even when
//!   the test panics. The server comes from `KCOST_TEST_DATABASE_URL` (default
//!   `postgres://postgres@127.0.0.1:5432/postgres`).
//! - [`sqlite_memory`]: an in-memory SQLite database migrated the same way.

#![allow(dead_code)] // each test binary uses a different part of the support code

use std::sync::Arc;
use std::time::Duration;

use kcost_ports::{ApiKeyRepository, PriceRepository, RecommendationRepository, TenantRepository};
use kcost_postgres_adapter::{
    SeaOrmApiKeyRepository, SeaOrmPriceRepository, SeaOrmRecommendationRepository,
    SeaOrmTenantRepository, connect, migrate,
};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use uuid::Uuid;

pub const DEFAULT_TEST_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const TIMEOUT: Duration = Duration::from_secs(10);

/// The four relational repositories, as the contract cases see them: trait objects, so the
/// same cases can run against any implementation.
#[derive(Clone)]
pub struct Repositories {
    pub tenants: Arc<dyn TenantRepository>,
    pub api_keys: Arc<dyn ApiKeyRepository>,
    pub prices: Arc<dyn PriceRepository>,
    pub recommendations: Arc<dyn RecommendationRepository>,
}

impl Repositories {
    /// The sea-orm repositories on `db`.
    pub fn on(db: &DatabaseConnection) -> Self {
        Self {
            tenants: Arc::new(SeaOrmTenantRepository::new(db.clone())),
            api_keys: Arc::new(SeaOrmApiKeyRepository::new(db.clone())),
            prices: Arc::new(SeaOrmPriceRepository::new(db.clone())),
            recommendations: Arc::new(SeaOrmRecommendationRepository::new(db.clone())),
        }
    }
}

/// The server URL the PostgreSQL tests use.
pub fn server_url() -> String {
    std::env::var("KCOST_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_TEST_DATABASE_URL.into())
}

/// `url` with its database name replaced by `database` (query parameters kept).
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let server = match base.rsplit_once('/') {
        Some((server, _)) if server.contains("//") && server != "postgres:/" => server,
        _ => base,
    };
    match query {
        Some(query) => format!("{server}/{database}?{query}"),
        None => format!("{server}/{database}"),
    }
}

/// A migrated, throw-away PostgreSQL database.
pub struct PostgresTestDb {
    pub db: DatabaseConnection,
    name: String,
    dropped: bool,
}

impl PostgresTestDb {
    pub async fn create() -> Self {
        let server = server_url();
        let name = format!("kcost_test_{}", Uuid::new_v4().simple());
        let admin = connect(&server, 1, TIMEOUT)
            .await
            .expect("PostgreSQL must be running (pg_ctlcluster 15 main start)");
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create the test database");
        admin.close().await.expect("close the admin pool");
        let db = connect(&with_database(&server, &name), 4, TIMEOUT)
            .await
            .expect("connect to the test database");
        migrate(&db).await.expect("migrate the test database");
        Self {
            db,
            name,
            dropped: false,
        }
    }

    /// This database's URL, for opening a second pool on it (a second replica).
    pub fn url(&self) -> String {
        with_database(&server_url(), &self.name)
    }

    pub fn repositories(&self) -> Repositories {
        Repositories::on(&self.db)
    }

    /// Closes the pool and drops the database.
    pub async fn finish(mut self) {
        let _ = self.db.close_by_ref().await;
        drop_database(&self.name).await;
        self.dropped = true;
    }
}

impl Drop for PostgresTestDb {
    /// A failed test never reaches `finish`: drop the database from a thread of its own,
    /// since no async runtime can be entered from here.
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                runtime.block_on(drop_database(&name));
            }
        })
        .join();
    }
}

async fn drop_database(name: &str) {
    if let Ok(admin) = connect(&server_url(), 1, TIMEOUT).await {
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await;
        let _ = admin.close().await;
    }
}

/// A migrated in-memory SQLite database (one connection: each would get its own memory).
pub async fn sqlite_memory() -> DatabaseConnection {
    let db = connect("sqlite::memory:", 1, TIMEOUT)
        .await
        .expect("open in-memory SQLite");
    migrate(&db).await.expect("migrate SQLite");
    db
}

#[test]
fn database_names_are_replaced_in_urls() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://u:p@h/db?sslmode=disable", "x"),
        "postgres://u:p@h/x?sslmode=disable"
    );
    assert_eq!(
        with_database("postgres://h:5432", "x"),
        "postgres://h:5432/x"
    );
}
