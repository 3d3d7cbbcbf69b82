//! `kcost simulate` end to end: the simulator back-fills 26 hours of three clusters into
//! a real `Application` over SQLite, exactly as the reference agent would send them;
//! the cost endpoints then answer for all three clusters and right-sizing advice can be
//! generated from the history. Re-sending a stretch is answered as duplicates.

use std::sync::Arc;
use std::time::Duration;

use crate::support::{Backend, TestDb, TestServer, number};
use chrono::Utc;
use kcost_simulator::simulate::progress::Progress;
use kcost_simulator::simulate::run::{backfill, build_clusters};
use kcost_simulator::simulate::schedule::backfill_times;
use kcost_simulator::simulate::{AgentClient, RetryPolicy};
use reqwest::StatusCode;

const CLUSTERS: [&str; 3] = [
    "prod-aws-us-east-1",
    "staging-gcp-us-central1",
    "dev-azure-eastus",
];

fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        first_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(200),
        give_up_after: Duration::from_secs(5),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backfill_gives_costs_for_every_cluster_and_recommendations() {
    let db = TestDb::create(Backend::Sqlite).await;
    let mut settings = db.settings();
    // Rate limiting is per key; a back-fill is a burst by design.
    settings.server.rate_limit_per_minute = 0;
    let server = TestServer::start_with(settings).await;
    let (_, key) = server.tenant_with_key("simulated").await;
    let client = AgentClient::new(&server.base, &key, quick_retries()).unwrap();

    // Right-sizing needs a day of history: 26 hours, every 10 minutes, 3 clusters.
    let now = Utc::now();
    let times: Arc<[_]> = backfill_times(now, 26 * 3600, 600).into();
    let progress = Arc::new(Progress::default());
    let report = backfill(
        client.clone(),
        build_clusters(3, 42).unwrap(),
        Arc::clone(&times),
        4,
        Arc::clone(&progress),
    )
    .await
    .unwrap();
    assert_eq!(report.snapshots, 3 * 156);
    assert_eq!((report.duplicates, progress.sent()), (0, 3 * 156));
    assert!(report.pod_samples > 3 * 156 * 10, "{report:?}");

    let (status, clusters) = server.get_as(&key, "/v1/costs/clusters?window=48h").await;
    assert_eq!(status, StatusCode::OK, "{clusters}");
    let costs = clusters["costs"].as_array().unwrap();
    for name in CLUSTERS {
        let cluster = costs
            .iter()
            .find(|c| c["cluster_name"] == name)
            .unwrap_or_else(|| panic!("{name} missing from {clusters}"));
        assert!(number(cluster, "estimated_cost_usd") > 1.0, "{cluster}");
        assert!(number(cluster, "idle_cost_usd") > 0.0, "{cluster}");
        assert!(number(cluster, "pod_count") > 10.0, "{cluster}");
    }

    let (status, namespaces) = server.get_as(&key, "/v1/costs/namespaces?window=48h").await;
    assert_eq!(status, StatusCode::OK, "{namespaces}");
    let rows = namespaces["costs"].as_array().unwrap();
    for namespace in ["ml", "web", "payments", "search", "kube-system", "batch"] {
        let row = rows
            .iter()
            .find(|r| r["namespace"] == namespace)
            .unwrap_or_else(|| panic!("{namespace} missing from {namespaces}"));
        assert!(number(row, "estimated_cost_usd") > 0.0, "{row}");
    }
    for name in CLUSTERS {
        let (status, one) = server
            .get_as(
                &key,
                &format!("/v1/costs/namespaces?window=48h&cluster={name}"),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{one}");
        assert!(
            !one["costs"].as_array().unwrap().is_empty(),
            "{name}: {one}"
        );
    }

    let (status, generated) = crate::support::send(
        server
            .post("/v1/recommendations/generate?lookback_hours=48")
            .header("Authorization", format!("ApiKey {key}")),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{generated}");
    let recommendations = generated["recommendations"].as_array().unwrap();
    assert!(
        recommendations.iter().any(|r| r["namespace"] == "ml"),
        "the over-requested model server is advised: {generated}"
    );
    assert!(
        number(&generated, "total_monthly_savings_usd") > 0.0,
        "{generated}"
    );

    // The agent retries what it is not sure was stored: the server says "duplicate".
    let last_hour: Arc<[_]> = backfill_times(now, 3600, 600).into();
    let again = backfill(
        client,
        build_clusters(3, 42).unwrap(),
        last_hour,
        4,
        Arc::new(Progress::default()),
    )
    .await
    .unwrap();
    assert_eq!((again.snapshots, again.duplicates), (18, 18));

    server.stop_and_finish(db).await;
}
