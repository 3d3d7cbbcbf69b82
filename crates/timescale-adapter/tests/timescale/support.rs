//! Test support: a fresh PostgreSQL database per test (`kcost_test_support`'s throw-away
//! databases on `KCOST_TEST_DATABASE_URL`), migrated with `TimeseriesMigrator` and dropped
//! afterwards (`WITH (FORCE)`), even when the test panics.

use std::future::Future;

use kcost_migrations::{MigratorTrait, TimeseriesMigrator};
use kcost_test_support::postgres::ThrowawayDatabase;
use kcost_timescale_adapter::PgMetricsStore;
use sea_orm::Database;

/// A migrated, throw-away database.
pub struct TestDb {
    pub url: String,
    database: ThrowawayDatabase,
}

impl TestDb {
    pub async fn create() -> Self {
        Self::create_at(None).await
    }

    /// A database migrated by the first `steps` time-series migrations (all: `None`).
    pub async fn create_at(steps: Option<u32>) -> Self {
        let database = ThrowawayDatabase::create().await;
        let url = database.url();
        let db = Database::connect(&url)
            .await
            .expect("connect test database");
        TimeseriesMigrator::up(&db, steps).await.expect("migrate");
        db.close().await.expect("close migration connection");
        Self { url, database }
    }

    /// A store on a new pool of this database.
    pub async fn store(&self) -> PgMetricsStore {
        let db = Database::connect(&self.url)
            .await
            .expect("connect test database");
        PgMetricsStore::from_connection(&db).expect("postgres connection")
    }

    pub async fn destroy(self) {
        self.database.drop_now().await;
    }
}

/// Runs `test` against a store on a fresh database, then drops the database; a panic in
/// the test is re-raised after the cleanup.
pub async fn with_store<F, Fut>(test: F)
where
    F: FnOnce(PgMetricsStore) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let db = TestDb::create().await;
    let store = db.store().await;
    let pool = store.pool().clone();
    let outcome = tokio::spawn(test(store)).await;
    pool.close().await;
    db.destroy().await;
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}
