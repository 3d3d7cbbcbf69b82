//! `kcost migrate` through the compiled binary: the embedded SQLite default from nothing, a
//! fresh PostgreSQL database, idempotence, and clear errors that never leak a password.
use std::path::Path;
use std::process::{Command, Output};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

use crate::support::{ThrowawayDatabase, postgres_server_url};

fn kcost(cwd: &Path, vars: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kcost"));
    cmd.env_clear().current_dir(cwd).args(args);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.output().expect("run kcost")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn tables(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap();
    let mut names: Vec<String> = rows
        .iter()
        .map(|row| row.try_get_by_index(0).unwrap())
        .collect();
    names.sort();
    names
}

const EXPECTED: [&str; 14] = [
    "api_keys",
    "container_samples",
    "node_idle_hourly",
    "node_samples",
    "nodes",
    "pod_costs_daily",
    "pod_costs_hourly",
    "pod_samples",
    "pods",
    "recommendations",
    "rollup_state",
    "snapshots",
    "tenant_price_overrides",
    "tenants",
];

fn assert_has_tables(found: &[String]) {
    for table in EXPECTED {
        assert!(
            found.iter().any(|t| t == table),
            "missing table {table} in {found:?}"
        );
    }
}

#[tokio::test]
async fn migrates_the_embedded_sqlite_default_from_nothing_and_is_idempotent() {
    let cwd = tempfile::tempdir().unwrap();
    // The default URL is relative (`sqlite://kcost.db`): the file appears in the working dir.
    let out = kcost(cwd.path(), &[], &["migrate"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("relational: applied m20260101_000001_create_tenants"),
        "{stdout}"
    );
    assert!(stdout.contains("time-series: applied m2026"), "{stdout}");
    let file = cwd.path().join("kcost.db");
    assert!(file.exists());

    let out = kcost(cwd.path(), &[], &["migrate"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "relational: up to date\ntime-series: up to date\n"
    );

    let db = Database::connect(format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    assert_has_tables(&tables(&db, "SELECT name FROM sqlite_master WHERE type = 'table'").await);
}

#[tokio::test]
async fn migrates_a_fresh_postgresql_database_with_partitioned_samples() {
    let database = ThrowawayDatabase::create().await;
    let url = database.url();

    let cwd = tempfile::tempdir().unwrap();
    let out = kcost(cwd.path(), &[("KCOST_DATABASE__URL", &url)], &["migrate"]);
    let again = kcost(cwd.path(), &[("KCOST_DATABASE__URL", &url)], &["migrate"]);

    let db = Database::connect(&url).await.unwrap();
    let found = tables(
        &db,
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'",
    )
    .await;
    let partitioned = tables(
        &db,
        "SELECT c.relname::text FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid",
    )
    .await;
    db.close().await.unwrap();
    database.drop_now().await;

    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("relational: applied"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        text(&again.stdout),
        "relational: up to date\ntime-series: up to date\n"
    );
    let mut with_parents = found.clone();
    with_parents.extend(partitioned.iter().cloned());
    assert_has_tables(&with_parents);
    assert_eq!(
        partitioned,
        vec![
            "container_samples".to_owned(),
            "node_samples".to_owned(),
            "pod_samples".to_owned()
        ]
    );
}

#[test]
fn an_unreachable_database_is_named_without_its_password() {
    let cwd = tempfile::tempdir().unwrap();
    let vars = [
        (
            "KCOST_DATABASE__URL",
            "postgres://kcost:hunter2-secret@127.0.0.1:1/kcost",
        ),
        ("KCOST_DATABASE__CONNECT_TIMEOUT_SECONDS", "2"),
    ];
    let out = kcost(cwd.path(), &vars, &["migrate"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("kcost migrate: database.url: cannot open"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2-secret"), "{stderr}");
}

#[test]
fn timescaledb_on_without_the_extension_is_refused_before_migrating() {
    let cwd = tempfile::tempdir().unwrap();
    let vars = [
        ("KCOST_DATABASE__URL", "sqlite://kcost.db"),
        ("KCOST_TIMESCALE__URL", "postgres://postgres@127.0.0.1:1/x"),
    ];
    // On an unreachable time-series database, opening fails first and names its key.
    let out = kcost(cwd.path(), &vars, &["migrate"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("timescale.url: cannot open"),
        "{}",
        text(&out.stderr)
    );

    let url = postgres_server_url();
    let vars = [
        ("KCOST_DATABASE__URL", "sqlite://kcost.db"),
        ("KCOST_TIMESCALE__URL", url.as_str()),
        ("KCOST_TIMESCALE__TIMESCALEDB", "on"),
    ];
    let out = kcost(cwd.path(), &vars, &["migrate"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("timescale.timescaledb = on"),
        "{}",
        text(&out.stderr)
    );
}
