//! `kcost bench` smoke test: tiny counts against a real `Application` over SQLite, with a
//! fresh tenant made through the admin token; every table is filled.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use kcost_server::bench::{self, BenchPlan, Target, target};
use support::{ADMIN_TOKEN, Backend, TestDb, TestServer};

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
        throughput_snapshots: 2,
        throughput_pods: 40,
        queries: 2,
        max_duration: Duration::from_secs(60),
        run_id: "smoke".to_owned(),
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
    let throughput = results.throughput.unwrap();
    assert_eq!((throughput.snapshots, throughput.pod_samples), (4, 160));
    assert_eq!(results.queries.len(), 15);
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
    assert!(!markdown.contains(&key), "the key is never printed");

    server.stop().await;
    db.finish().await;
}
