//! A fresh SQLite file per test: a temporary directory (deleted on drop), opened with
//! `open`, migrated with `TimeseriesMigrator`.

use kcost_migrations::{MigratorTrait, TimeseriesMigrator};
use kcost_sqlite_adapter::{SqliteMetricsStore, open};
use sea_orm::DatabaseConnection;
use tempfile::TempDir;

// Each test binary uses a different subset of the fields.
#[allow(dead_code)]
pub struct TestDb {
    pub dir: TempDir,
    pub db: DatabaseConnection,
    pub store: SqliteMetricsStore,
}

impl TestDb {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = open(&Self::url_in(&dir)).await.unwrap();
        TimeseriesMigrator::up(&db, None).await.unwrap();
        let store = SqliteMetricsStore::new(db.clone()).unwrap();
        Self { dir, db, store }
    }

    /// The URL of the test database file inside `dir`.
    pub fn url_in(dir: &TempDir) -> String {
        format!("sqlite://{}", dir.path().join("kcost.db").display())
    }
}
