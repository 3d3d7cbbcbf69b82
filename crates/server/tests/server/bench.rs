//! `kcost bench` smoke test: tiny counts against a real `Application` over SQLite, with a
//! fresh tenant made through the admin token and the seed's baseline on the test
//! PostgreSQL; every table is filled.

use std::time::Duration;

use crate::support::{ADMIN_TOKEN, Backend, TestDb, TestServer};
use kcost_simulator::bench::{self, BenchPlan, Target, target};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tiny_bench_measures_every_table() {
    let db = TestDb::create(Backend::Sqlite).await;
    let mut settings = db.settings();
    settings.server.rate_limit_per_minute = 0;
    let server = TestServer::start_with(settings).await;
    let key = target::fresh_tenant_key(&server.client, &server.base, ADMIN_TOKEN, "bench")
        .await
        .unwrap();
    let target = Target {
        http: server.client.clone(),
        base: server.base.clone(),
        authorization: target::api_key_header(&key).unwrap(),
    };
    let plan = BenchPlan {
        sizes: vec![10, 50],
        samples: 3,
        throughput_clusters: 2,
        throughput_snapshots: 10,
        throughput_pods: 40,
        queries: 2,
        max_duration: Duration::from_secs(60),
        // Other tests keep PostgreSQL busy: waiting for it to go quiet would only wait.
        settle_limit: Duration::ZERO,
        // The seed's storage on the test PostgreSQL, in a table of this run's own.
        baseline_database_url: Some(crate::support::postgres_server_url()),
        run_id: format!("smoke{}", uuid::Uuid::new_v4().simple()),
    };
    let results = bench::run(&target, &plan, Some(std::process::id()))
        .await
        .unwrap();

    assert_eq!(results.ingest.len(), 2);
    assert!(
        results
            .ingest
            .iter()
            .all(|(_, p)| p.is_some_and(|p| p.count == 3))
    );
    let throughput = results.throughput.clone().unwrap();
    assert_eq!((throughput.snapshots, throughput.pod_samples), (20, 800));
    assert_eq!(throughput.tenths.len(), 10);
    assert!(throughput.tenths.iter().all(|rate| *rate > 0.0));
    assert!(
        throughput.cpu.is_some(),
        "CPU accounted with the server's pid"
    );
    let baseline = throughput.baseline.as_ref().expect("baseline measured");
    assert_eq!((baseline.rows, baseline.connections), (800, 2));
    assert_eq!(baseline.baseline_namespace_sql.map(|p| p.count), Some(5));
    // Five cost endpoints and the team question three ways, over three windows each.
    assert_eq!(results.queries.len(), 24);
    assert!(
        results
            .queries
            .iter()
            .all(|(_, _, p)| p.is_some_and(|p| p.count == 2))
    );
    assert!(results.rss_after.is_some_and(|r| r.peak_kib > 0));
    assert!(!results.cut_short);
    let markdown = results.to_markdown();
    assert!(
        markdown.contains("| `/v1/costs/trends` | 30 d | 2 |"),
        "{markdown}"
    );
    assert!(
        markdown
            .contains("| `/v1/allocation?aggregate=label:team (asked again: cached)` | 30 d | 2 |"),
        "{markdown}"
    );
    assert!(!markdown.contains(&key), "the key is never printed");
    assert!(markdown.contains("bare COPY"), "{markdown}");
    assert!(
        markdown.contains("CPU per 1,000 pod samples")
            && markdown.contains("Bare COPY per 1,000 rows"),
        "{markdown}"
    );

    server.stop_and_finish(db).await;
}
