//! OpenCost import tests over mock ports: which hours are asked, idempotency, back-fill,
//! failures and the status they leave.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use kcost_domain::cluster::ClusterName;
use kcost_domain::opencost::{Allocation, AllocationProperties, AllocationSet};
use kcost_ports::{
    AppendOutcome, MetricsStoreError, MockMetricsStore, MockOpenCostSource, OpenCostError,
};
use rust_decimal::Decimal;

use super::*;
use crate::test_support::{clock, invalidation_counting_cache, now, tenant};

fn hour(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, h, 0, 0)
        .single()
        .unwrap_or_default()
}

fn hourly_set(start: DateTime<Utc>, pods: usize) -> AllocationSet {
    let end = start + Duration::hours(1);
    let allocations = (0..pods)
        .map(|i| {
            let mut row = Allocation::zero(format!("web/p{i}"), start, end);
            row.properties = AllocationProperties {
                namespace: Some("web".into()),
                pod: Some(format!("p{i}")),
                ..AllocationProperties::default()
            };
            row.cpu_cost = Decimal::new(1, 2);
            row.ram_cost = Decimal::new(2, 3);
            row
        })
        .collect();
    AllocationSet {
        start,
        end,
        allocations,
    }
}

fn import(
    source: MockOpenCostSource,
    metrics: MockMetricsStore,
    invalidations: usize,
    backfill_hours: u32,
) -> OpenCostImport {
    OpenCostImport::new(
        ImportTarget {
            tenant: tenant(),
            tenant_name: "acme".into(),
            cluster: ClusterName::new("prod").unwrap(),
        },
        Arc::new(source),
        Arc::new(metrics),
        clock(),
        invalidation_counting_cache(invalidations),
        ImportSettings {
            backfill_hours,
            ..ImportSettings::default()
        },
    )
}

/// A metrics store whose latest hour of the cluster before the current one is `latest`;
/// appends are up to each test.
fn store_with_latest(latest: Option<DateTime<Utc>>) -> MockMetricsStore {
    let mut metrics = MockMetricsStore::new();
    metrics
        .expect_previous_snapshot_time()
        .withf(|t, cluster, before| {
            *t == tenant() && cluster.as_str() == "prod" && *before == hour(9)
        })
        .returning(move |_, _, _| Ok(latest));
    metrics
}

/// Expects `times` appends, each answered `outcome`.
fn expect_appends(metrics: &mut MockMetricsStore, times: usize, outcome: AppendOutcome) {
    metrics
        .expect_append()
        .times(times)
        .returning(move |_, _| Ok(outcome));
}

/// A source answering every question with `sets`.
fn source_answering(sets: Vec<AllocationSet>) -> MockOpenCostSource {
    let mut source = MockOpenCostSource::new();
    source
        .expect_allocations()
        .returning(move |_| Ok(sets.clone()));
    source
}

#[tokio::test]
async fn a_first_run_backfills_up_to_the_limit_and_stores_every_hour() {
    assert_eq!(now(), hour(9) + Duration::minutes(30));
    let mut source = MockOpenCostSource::new();
    source
        .expect_allocations()
        .withf(|q| {
            q.window.start() == hour(6)
                && q.window.end() == hour(9)
                && q.step_seconds == 3600
                && q.include_idle
                && q.aggregate == ["namespace", "pod"]
        })
        .times(1)
        .returning(|_| Ok((6..9).map(|h| hourly_set(hour(h), 2)).collect()));
    let mut metrics = store_with_latest(None);
    metrics
        .expect_append()
        .withf(|t, priced| {
            *t == tenant()
                && priced.snapshot().cluster().as_str() == "prod"
                && priced.snapshot().pods().len() == 2
                && priced.duration().seconds == 3600
        })
        .times(3)
        .returning(|_, _| Ok(AppendOutcome::Stored));
    let import = import(source, metrics, 1, 3);

    let report = import.run().await.unwrap();

    assert_eq!(report.stored, 3);
    let status = import.status();
    assert_eq!(status.connection, OpenCostConnection::Connected);
    assert_eq!(status.hours_imported, 3);
    assert_eq!(status.last_success, Some(now()));
    assert_eq!(status.latest_hour, Some(hour(8)));
    assert_eq!(status.last_error, None);
    assert_eq!(
        (status.tenant.as_str(), status.cluster.as_str()),
        ("acme", "prod")
    );
}

#[tokio::test]
async fn a_run_resumes_after_the_latest_stored_hour() {
    let mut source = MockOpenCostSource::new();
    source
        .expect_allocations()
        .withf(|q| q.window.start() == hour(8) && q.window.end() == hour(9))
        .times(1)
        .returning(|_| Ok(vec![hourly_set(hour(8), 1)]));
    let mut metrics = store_with_latest(Some(hour(7)));
    expect_appends(&mut metrics, 1, AppendOutcome::Stored);
    let report = import(source, metrics, 1, 48).run().await.unwrap();
    assert_eq!(report.stored, 1);
}

#[tokio::test]
async fn a_long_outage_is_backfilled_only_up_to_the_limit() {
    let mut source = MockOpenCostSource::new();
    source
        .expect_allocations()
        .withf(|q| q.window.start() == hour(7) && q.window.end() == hour(9))
        .times(1)
        .returning(|_| Ok(vec![]));
    let metrics = store_with_latest(Some(hour(1)));
    let report = import(source, metrics, 0, 2).run().await.unwrap();
    assert_eq!(report, ImportReport::default());
}

#[tokio::test]
async fn with_the_latest_hour_stored_only_health_is_probed() {
    let mut source = MockOpenCostSource::new();
    source.expect_allocations().times(0);
    source.expect_health().times(1).returning(|| {
        Err(OpenCostError::Unreachable(anyhow::anyhow!(
            "connection refused"
        )))
    });
    let metrics = store_with_latest(Some(hour(8)));
    let import = import(source, metrics, 0, 48);
    assert!(import.run().await.is_err());
    let status = import.status();
    assert_eq!(status.connection, OpenCostConnection::Unreachable);
    assert_eq!(status.failures, 1);
    assert_eq!(status.latest_hour, Some(hour(8)));
}

#[tokio::test]
async fn reimporting_stored_hours_is_duplicate_and_invalidates_nothing() {
    let source = source_answering(vec![hourly_set(hour(7), 1), hourly_set(hour(8), 1)]);
    let mut metrics = MockMetricsStore::new();
    expect_appends(&mut metrics, 2, AppendOutcome::Duplicate);
    let import = import(source, metrics, 0, 48);
    let window = TimeWindow::new(hour(7), hour(9)).unwrap();
    let report = import.import_window(window).await.unwrap();
    assert_eq!((report.stored, report.duplicate), (0, 2));
    assert_eq!(import.status().hours_duplicate, 2);
    assert_eq!(import.status().hours_imported, 0);
}

#[tokio::test]
async fn an_unreachable_source_is_recorded_and_cleared_by_the_next_success() {
    let mut source = MockOpenCostSource::new();
    let mut calls = 0;
    source.expect_allocations().times(2).returning(move |_| {
        calls += 1;
        if calls == 1 {
            Err(OpenCostError::Unreachable(anyhow::anyhow!("timed out")))
        } else {
            Ok(vec![hourly_set(hour(8), 1)])
        }
    });
    let mut metrics = store_with_latest(Some(hour(7)));
    expect_appends(&mut metrics, 1, AppendOutcome::Stored);
    let import = import(source, metrics, 1, 48);

    assert!(matches!(
        import.run().await,
        Err(ImportError::Source(OpenCostError::Unreachable(_)))
    ));
    let failed = import.status();
    assert_eq!(failed.connection, OpenCostConnection::Unreachable);
    assert_eq!(failed.last_success, None);
    assert!(
        failed
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("unreachable"))
    );

    import.run().await.unwrap();
    let recovered = import.status();
    assert_eq!(recovered.connection, OpenCostConnection::Connected);
    assert_eq!(recovered.last_error, None);
    assert_eq!(recovered.failures, 1);
    assert_eq!(recovered.hours_imported, 1);
}

#[tokio::test]
async fn a_store_failure_stops_the_run_before_later_hours() {
    let source = source_answering((6..9).map(|h| hourly_set(hour(h), 1)).collect());
    let mut metrics = store_with_latest(Some(hour(5)));
    let mut appends = 0;
    metrics.expect_append().times(2).returning(move |_, _| {
        appends += 1;
        if appends == 1 {
            Ok(AppendOutcome::Stored)
        } else {
            Err(MetricsStoreError::unavailable(anyhow::anyhow!("locked")))
        }
    });
    let import = import(source, metrics, 1, 48);
    assert!(matches!(import.run().await, Err(ImportError::Store(_))));
    let status = import.status();
    assert_eq!(status.hours_imported, 1);
    assert_eq!(status.latest_hour, Some(hour(6)));
    assert_eq!(status.connection, OpenCostConnection::Unknown);
}

#[tokio::test]
async fn empty_hours_and_hours_beyond_the_window_are_not_stored() {
    let source = source_answering(vec![hourly_set(hour(8), 0), hourly_set(hour(9), 1)]);
    let mut metrics = store_with_latest(Some(hour(7)));
    metrics.expect_append().times(0);
    let report = import(source, metrics, 0, 48).run().await.unwrap();
    assert_eq!((report.stored, report.empty), (0, 1));
}

#[tokio::test]
async fn a_rejected_request_is_an_error_of_a_connected_source() {
    let mut source = MockOpenCostSource::new();
    source.expect_allocations().returning(|_| {
        Err(OpenCostError::Rejected {
            status: 400,
            message: "bad window".into(),
        })
    });
    let metrics = store_with_latest(Some(hour(7)));
    let import = import(source, metrics, 0, 48);
    assert!(import.run().await.is_err());
    let status = import.status();
    assert_eq!(status.connection, OpenCostConnection::Connected);
    assert!(status.last_error.is_some());
}

#[test]
fn the_overall_connection_summarises_every_source() {
    let status = |connection| ImportStatus {
        connection,
        ..ImportStatus::not_yet_run("t".into(), "c".into())
    };
    use OpenCostConnection::{Connected, Unknown, Unreachable};
    assert_eq!(overall_connection(&[]), "not_configured");
    assert_eq!(overall_connection(&[status(Connected)]), "connected");
    assert_eq!(
        overall_connection(&[status(Connected), status(Unreachable)]),
        "unreachable"
    );
    assert_eq!(
        overall_connection(&[status(Connected), status(Unknown)]),
        "unknown"
    );
    assert_eq!(OpenCostImports::default().connection(), "not_configured");
}
