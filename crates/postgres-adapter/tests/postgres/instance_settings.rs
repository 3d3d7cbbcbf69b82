//! `SeaOrmInstanceSettingsRepository` on PostgreSQL (a fresh database per test) and SQLite
//! (a temporary file, so several pools can race like several replicas would).

use std::time::Duration;

use kcost_ports::InstanceSettingsRepository;
use kcost_postgres_adapter::{SeaOrmInstanceSettingsRepository, connect, migrate};
use sea_orm::DatabaseConnection;

/// Unknown names read as `None`; the first value stays, later ones are ignored.
async fn values_are_written_once(db: &DatabaseConnection) {
    let repo = SeaOrmInstanceSettingsRepository::new(db.clone());
    assert_eq!(repo.get("api_key_pepper").await.unwrap(), None);
    let first = repo
        .insert_if_absent("api_key_pepper", "first-value")
        .await
        .unwrap();
    assert_eq!(first, "first-value");
    let second = repo
        .insert_if_absent("api_key_pepper", "second-value")
        .await
        .unwrap();
    assert_eq!(second, "first-value");
    assert_eq!(
        repo.get("api_key_pepper").await.unwrap().as_deref(),
        Some("first-value")
    );
    // Names are independent.
    assert_eq!(repo.get("admin_token_hash").await.unwrap(), None);
    assert_eq!(
        repo.insert_if_absent("admin_token_hash", "hash")
            .await
            .unwrap(),
        "hash"
    );
}

/// Concurrent first starts on separate pools all read back one winning value.
async fn concurrent_first_writers_agree(pools: &[DatabaseConnection]) {
    let writers = pools.iter().enumerate().flat_map(|(p, db)| {
        (0..4).map(move |i| {
            let repo = SeaOrmInstanceSettingsRepository::new(db.clone());
            tokio::spawn(async move {
                repo.insert_if_absent("api_key_pepper", &format!("candidate-{p}-{i}"))
                    .await
                    .unwrap()
            })
        })
    });
    let mut seen = Vec::new();
    for writer in writers.collect::<Vec<_>>() {
        seen.push(writer.await.unwrap());
    }
    assert!(seen[0].starts_with("candidate-"));
    assert!(seen.iter().all(|v| v == &seen[0]), "{seen:?}");
    let repo = SeaOrmInstanceSettingsRepository::new(pools[0].clone());
    assert_eq!(
        repo.get("api_key_pepper").await.unwrap(),
        Some(seen[0].clone())
    );
}

#[tokio::test]
async fn postgres_values_are_written_once() {
    let store = crate::support::PostgresTestDb::create().await;
    values_are_written_once(&store.db).await;
    store.finish().await;
}

#[tokio::test]
async fn postgres_concurrent_first_writers_agree() {
    let store = crate::support::PostgresTestDb::create().await;
    let url = store.url();
    let other = connect(&url, 4, Duration::from_secs(10)).await.unwrap();
    concurrent_first_writers_agree(&[store.db.clone(), other.clone()]).await;
    other.close().await.unwrap();
    store.finish().await;
}

async fn sqlite_file(dir: &tempfile::TempDir) -> DatabaseConnection {
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("kcost.db").display()
    );
    connect(&url, 4, Duration::from_secs(10)).await.unwrap()
}

#[tokio::test]
async fn sqlite_values_are_written_once() {
    let db = crate::support::sqlite_memory().await;
    values_are_written_once(&db).await;
}

#[tokio::test]
async fn sqlite_concurrent_first_writers_agree() {
    let dir = tempfile::tempdir().unwrap();
    let first = sqlite_file(&dir).await;
    migrate(&first).await.unwrap();
    let second = sqlite_file(&dir).await;
    concurrent_first_writers_agree(&[first.clone(), second.clone()]).await;
    first.close().await.unwrap();
    second.close().await.unwrap();
}

#[tokio::test]
async fn a_closed_pool_is_unavailable() {
    let db = crate::support::sqlite_memory().await;
    let repo = SeaOrmInstanceSettingsRepository::new(db.clone());
    db.close_by_ref().await.unwrap();
    assert!(matches!(
        repo.get("x").await,
        Err(kcost_ports::InstanceSettingsError::Unavailable(_))
    ));
    assert!(matches!(
        repo.insert_if_absent("x", "y").await,
        Err(kcost_ports::InstanceSettingsError::Unavailable(_))
    ));
}
