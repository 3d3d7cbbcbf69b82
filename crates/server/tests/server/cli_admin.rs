//! `kcost tenants …` and `kcost keys …` through the compiled binary, on SQLite and on
//! PostgreSQL: they run the admin API's use cases, and a key they create works against a
//! server started afterwards on the same database (same stored pepper).
use std::process::Command;

use crate::support::{Backend, FIXTURE_WINDOW, TestDb, TestServer};
use reqwest::StatusCode;

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn kcost(db: &TestDb, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_kcost"))
        .env_clear()
        .env("KCOST_DATABASE__URL", db.url())
        .current_dir(db.dir())
        .args(args)
        .output()
        .expect("run kcost");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn ok(run: Run) -> Run {
    assert_eq!(
        run.code,
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        run.stdout,
        run.stderr
    );
    run
}

/// Asserts `run` was refused (exit code 1) with `complaint` in its message.
fn refused(run: &Run, complaint: &str) {
    assert_eq!(run.code, Some(1), "stderr:\n{}", run.stderr);
    assert!(run.stderr.contains(complaint), "{}", run.stderr);
}

async fn tenants_and_keys_round_trip(backend: Backend) {
    let db = TestDb::create(backend).await;

    let created = ok(kcost(&db, &["tenants", "create", "acme"]));
    assert!(
        created.stderr.contains("kcost generated an admin token"),
        "first start"
    );
    let (tenant_id, name) = created.stdout.trim().split_once('\t').unwrap();
    assert_eq!(name, "acme");
    let tenant_id = tenant_id.to_owned();

    let duplicate = kcost(&db, &["tenants", "create", "acme"]);
    refused(&duplicate, "acme");
    assert!(!duplicate.stderr.contains("kcost generated an admin token"));

    let listed = ok(kcost(&db, &["tenants", "list"]));
    assert!(
        listed.stdout.starts_with(&format!("{tenant_id}\tacme\t")),
        "{}",
        listed.stdout
    );

    let key = ok(kcost(
        &db,
        &[
            "keys",
            "create",
            "--tenant",
            &tenant_id,
            "--scopes",
            "costs:read,metrics:write",
            "--name",
            "agent",
            "--cluster",
            "edge-cluster",
        ],
    ));
    let field = |name: &str| {
        key.stdout
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{name}\t")))
            .unwrap_or_else(|| panic!("no {name} in {}", key.stdout))
            .to_owned()
    };
    let (key_id, api_key) = (field("key_id"), field("api_key"));
    assert!(api_key.starts_with(&format!("{key_id}:")));
    assert!(key.stderr.contains("shown only this once"));

    let keys = ok(kcost(&db, &["keys", "list", "--tenant", &tenant_id]));
    let fields: Vec<&str> = keys.stdout.trim_end().split('\t').collect();
    let mut scopes: Vec<&str> = fields[2].split(',').collect();
    scopes.sort_unstable();
    assert_eq!(scopes, ["costs:read", "metrics:write"]);
    assert_eq!(
        [
            fields[0], fields[1], fields[3], fields[4], fields[5], fields[6]
        ],
        [key_id.as_str(), "agent", "edge-cluster", "active", "-", "-"],
        "{}",
        keys.stdout
    );
    assert!(!keys.stdout.contains(api_key.split_once(':').unwrap().1));

    // The key works on a server started afterwards on the same database.
    let server = TestServer::start(&db).await;
    let costs = format!("/v1/costs/namespaces?{FIXTURE_WINDOW}");
    assert_eq!(server.get_as(&api_key, &costs).await.0, StatusCode::OK);
    server.stop().await;

    ok(kcost(&db, &["keys", "revoke", &key_id]));
    let keys = ok(kcost(&db, &["keys", "list", "--tenant", &tenant_id]));
    assert!(keys.stdout.contains("\trevoked\t"), "{}", keys.stdout);
    let server = TestServer::start(&db).await;
    assert_eq!(
        server.get_as(&api_key, &costs).await.0,
        StatusCode::UNAUTHORIZED
    );
    server.stop().await;

    let unknown_tenant = uuid::Uuid::new_v4().to_string();
    for (tenant, scopes, complaint) in [
        (unknown_tenant.as_str(), "*", "tenant not found"),
        (tenant_id.as_str(), "costs:write", "--scopes"),
    ] {
        let create = ["keys", "create", "--tenant", tenant, "--scopes", scopes];
        refused(&kcost(&db, &create), complaint);
    }

    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_tenants_and_keys_round_trip() {
    tenants_and_keys_round_trip(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_tenants_and_keys_round_trip() {
    tenants_and_keys_round_trip(Backend::Postgres).await;
}
