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

use kcost_ports::{
    AlertRepository, ApiKeyRepository, BudgetRepository, PriceRepository, RecommendationRepository,
    TenantRepository,
};
use kcost_postgres_adapter::{
    SeaOrmAlertRepository, SeaOrmApiKeyRepository, SeaOrmBudgetRepository, SeaOrmPriceRepository,
    SeaOrmRecommendationRepository, SeaOrmTenantRepository, connect, migrate,
};
use kcost_test_support::postgres::ThrowawayDatabase;
use sea_orm::DatabaseConnection;

const TIMEOUT: Duration = Duration::from_secs(10);

/// The four relational repositories, as the contract cases see them: trait objects, so the
/// same cases can run against any implementation.
#[derive(Clone)]
pub struct Repositories {
    pub tenants: Arc<dyn TenantRepository>,
    pub api_keys: Arc<dyn ApiKeyRepository>,
    pub prices: Arc<dyn PriceRepository>,
    pub recommendations: Arc<dyn RecommendationRepository>,
    pub budgets: Arc<dyn BudgetRepository>,
    pub alerts: Arc<dyn AlertRepository>,
}

impl Repositories {
    /// The sea-orm repositories on `db`.
    pub fn on(db: &DatabaseConnection) -> Self {
        Self {
            tenants: Arc::new(SeaOrmTenantRepository::new(db.clone())),
            api_keys: Arc::new(SeaOrmApiKeyRepository::new(db.clone())),
            prices: Arc::new(SeaOrmPriceRepository::new(db.clone())),
            recommendations: Arc::new(SeaOrmRecommendationRepository::new(db.clone())),
            budgets: Arc::new(SeaOrmBudgetRepository::new(db.clone())),
            alerts: Arc::new(SeaOrmAlertRepository::new(db.clone())),
        }
    }
}

/// A migrated, throw-away PostgreSQL database.
pub struct PostgresTestDb {
    pub db: DatabaseConnection,
    database: ThrowawayDatabase,
}

impl PostgresTestDb {
    pub async fn create() -> Self {
        let database = ThrowawayDatabase::create().await;
        let db = connect(&database.url(), 4, TIMEOUT)
            .await
            .expect("connect to the test database");
        migrate(&db).await.expect("migrate the test database");
        Self { db, database }
    }

    /// This database's URL, for opening a second pool on it (a second replica).
    pub fn url(&self) -> String {
        self.database.url()
    }

    pub fn repositories(&self) -> Repositories {
        Repositories::on(&self.db)
    }

    /// Closes the pool and drops the database (a failed test drops it on `Drop`).
    pub async fn finish(self) {
        let _ = self.db.close_by_ref().await;
        self.database.drop_now().await;
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
