//! Test support: a fresh PostgreSQL database per test (`kcost_test_<uuid>`), migrated with
//! `TimeseriesMigrator` and dropped afterwards (`WITH (FORCE)`), even when the test panics.
//! URL from `KCOST_TEST_DATABASE_URL` (default: local trust-auth `postgres`).

use std::future::Future;

use kcost_migrations::{MigratorTrait, TimeseriesMigrator};
use kcost_timescale_adapter::PgMetricsStore;
use sea_orm::Database;
use sqlx::{AssertSqlSafe, PgPool};

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn admin_url() -> String {
    std::env::var("KCOST_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

/// `url` with its database name replaced by `name` (query parameters kept).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let slash = base.rfind('/').expect("database URL has a path");
    let mut out = format!("{}/{name}", &base[..slash]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// A migrated, throw-away database.
pub struct TestDb {
    pub name: String,
    pub url: String,
}

impl TestDb {
    pub async fn create() -> Self {
        Self::create_at(None).await
    }

    /// A database migrated by the first `steps` time-series migrations (all: `None`).
    pub async fn create_at(steps: Option<u32>) -> Self {
        let name = format!("kcost_test_{}", uuid::Uuid::new_v4().simple());
        let admin = PgPool::connect(&admin_url())
            .await
            .expect("admin connection");
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&admin)
            .await
            .expect("create test database");
        admin.close().await;
        let url = with_database(&admin_url(), &name);
        let db = Database::connect(&url)
            .await
            .expect("connect test database");
        TimeseriesMigrator::up(&db, steps).await.expect("migrate");
        db.close().await.expect("close migration connection");
        Self { name, url }
    }

    /// A store on a new pool of this database.
    pub async fn store(&self) -> PgMetricsStore {
        let db = Database::connect(&self.url)
            .await
            .expect("connect test database");
        PgMetricsStore::from_connection(&db).expect("postgres connection")
    }

    pub async fn destroy(self) {
        let admin = PgPool::connect(&admin_url())
            .await
            .expect("admin connection");
        sqlx::query(AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.name
        )))
        .execute(&admin)
        .await
        .expect("drop test database");
        admin.close().await;
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
