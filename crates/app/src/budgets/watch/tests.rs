//! Budget evaluation over mocked stores: which alerts each budget raises, once.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Days, NaiveTime, Utc};
use kcost_analytics::anomaly::AnomalySettings;
use kcost_domain::alert::{Alert, AlertKind, DeliveryState};
use kcost_domain::allocation::sums::{NodeIdleSums, WindowSums};
use kcost_domain::budget::{
    Budget, BudgetId, BudgetPeriod, BudgetScope, BudgetSpec, Thresholds, WebhookUrl,
};
use kcost_domain::cluster::ClusterName;
use kcost_domain::money::Money;
use kcost_domain::tenant::TenantId;
use kcost_ports::{
    BackendFailure, BudgetRepositoryError, MockAlertRepository, MockBudgetRepository,
    MockMetricsStore,
};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::*;
use crate::allocations::AllocationQueries;
use crate::budgets::spend::ScopeSpend;
use crate::test_support::{clock, empty_cache, now, tenant};

fn usd(text: &str) -> Money {
    Money::from_decimal(text.parse().unwrap())
}

fn midnight_days_ago(days: u64) -> DateTime<Utc> {
    (now().date_naive() - Days::new(days))
        .and_time(NaiveTime::MIN)
        .and_utc()
}

/// A store where every window holds `daily` of idle, except the window starting
/// yesterday, which holds `yesterday`.
fn store(daily: &'static str, yesterday: &'static str) -> Arc<MockMetricsStore> {
    let mut metrics = MockMetricsStore::new();
    metrics.expect_window_sums().returning(move |_, window| {
        let amount = if window.start() == midnight_days_ago(1) {
            yesterday
        } else {
            daily
        };
        Ok(WindowSums {
            pods: Vec::new(),
            nodes: vec![NodeIdleSums {
                cluster: ClusterName::new("prod").unwrap(),
                node: "n1".into(),
                idle_cpu: usd(amount),
                idle_ram: Money::ZERO,
            }],
            containers: Vec::new(),
        })
    });
    Arc::new(metrics)
}

fn budget(amount: &str, thresholds: &[u32], webhook: bool) -> Budget {
    Budget {
        id: BudgetId::from_uuid(Uuid::from_u128(0xb0d9)),
        tenant_id: tenant(),
        spec: BudgetSpec {
            name: "platform".into(),
            amount: usd(amount),
            period: BudgetPeriod::Daily,
            scope: BudgetScope::default(),
            thresholds: Thresholds::new(thresholds.to_vec()).unwrap(),
            webhook: webhook.then(|| WebhookUrl::stored("https://example.com/hook").unwrap()),
            forecast_alerts: false,
            anomaly_alerts: false,
        },
        created_at: now(),
        updated_at: now(),
    }
}

/// An alert store that keeps each (budget, kind, threshold, period) once, as the real
/// one's unique index does.
fn alert_store(recorded: Arc<Mutex<Vec<Alert>>>) -> MockAlertRepository {
    let seen = Mutex::new(HashSet::new());
    let mut alerts = MockAlertRepository::new();
    alerts.expect_record().returning(move |alert| {
        let key = (
            alert.budget_id,
            alert.kind,
            alert.threshold_percent,
            alert.period_start,
        );
        if !seen.lock().unwrap().insert(key) {
            return Ok(false);
        }
        recorded.lock().unwrap().push(alert.clone());
        Ok(true)
    });
    alerts
}

fn watch(
    budgets: Vec<Budget>,
    metrics: Arc<MockMetricsStore>,
    recorded: Arc<Mutex<Vec<Alert>>>,
) -> BudgetWatch {
    let mut repo = MockBudgetRepository::new();
    repo.expect_list().returning(move |t| {
        Ok(budgets
            .iter()
            .filter(|b| b.tenant_id == t)
            .cloned()
            .collect())
    });
    repo.expect_tenants_with_budgets()
        .returning(|| Ok(vec![tenant()]));
    let allocations = Arc::new(AllocationQueries::new(metrics, empty_cache()));
    BudgetWatch::new(
        Arc::new(repo),
        Arc::new(alert_store(recorded)),
        ScopeSpend::new(allocations),
        clock(),
    )
}

#[tokio::test]
async fn each_threshold_reached_raises_one_alert_once() {
    let recorded = Arc::default();
    let watch = watch(
        vec![budget("1.25", &[50, 80, 100], true)],
        store("1", "1"),
        Arc::clone(&recorded),
    );
    let first = watch.evaluate_all().await.unwrap();
    assert_eq!((first.budgets, first.alerts), (1, 2));
    let again = watch.evaluate_all().await.unwrap();
    assert_eq!((again.budgets, again.alerts), (1, 0));

    let alerts = recorded.lock().unwrap().clone();
    let thresholds: Vec<u32> = alerts.iter().map(|a| a.threshold_percent).collect();
    assert_eq!(thresholds, [50, 80]);
    for alert in &alerts {
        assert_eq!(alert.kind, AlertKind::Budget);
        assert_eq!(alert.spend, usd("1"));
        assert_eq!(alert.amount, usd("1.25"));
        assert_eq!(alert.period_start, midnight_days_ago(0));
        assert_eq!(alert.delivery.state, DeliveryState::Pending);
        assert_eq!(alert.delivery.next_attempt_at, Some(now()));
        assert!(alert.message.contains("platform"), "{}", alert.message);
    }
}

#[tokio::test]
async fn a_budget_without_a_webhook_records_its_alerts_only() {
    let recorded = Arc::default();
    let watch = watch(
        vec![budget("1", &[100], false)],
        store("1", "1"),
        Arc::clone(&recorded),
    );
    watch.evaluate_tenant(tenant()).await.unwrap();
    let alerts = recorded.lock().unwrap().clone();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].delivery.state, DeliveryState::Recorded);
    assert_eq!(alerts[0].delivery.next_attempt_at, None);
}

#[tokio::test]
async fn forecast_alerts_fire_when_the_periods_forecast_reaches_a_threshold() {
    // $1 a day for four weeks; $1 so far today at 09:30, so about $1.60 by midnight.
    let mut forecast = budget("1.5", &[100], true);
    forecast.spec.forecast_alerts = true;
    let recorded = Arc::default();
    let watch = watch(vec![forecast], store("1", "1"), Arc::clone(&recorded));
    let done = watch.evaluate_tenant(tenant()).await.unwrap();
    assert_eq!(done.alerts, 1);
    let alert = recorded.lock().unwrap()[0].clone();
    assert_eq!(alert.kind, AlertKind::Forecast);
    assert_eq!(alert.threshold_percent, 100);
    let expected = alert.forecast.unwrap().amount();
    assert!(
        expected > Decimal::new(15, 1) && expected < Decimal::new(17, 1),
        "{expected}"
    );
}

#[tokio::test]
async fn an_anomalous_day_raises_an_anomaly_alert_and_a_steady_one_does_not() {
    let mut watched = budget("1000", &[100], true);
    watched.spec.anomaly_alerts = true;

    let recorded = Arc::default();
    let steady = watch(
        vec![watched.clone()],
        store("10", "10"),
        Arc::clone(&recorded),
    );
    assert_eq!(steady.evaluate_tenant(tenant()).await.unwrap().alerts, 0);

    let recorded = Arc::default();
    let spiking = watch(vec![watched], store("10", "40"), Arc::clone(&recorded));
    assert_eq!(spiking.evaluate_tenant(tenant()).await.unwrap().alerts, 1);
    let alert = recorded.lock().unwrap()[0].clone();
    assert_eq!(alert.kind, AlertKind::Anomaly);
    assert_eq!(alert.period_start, midnight_days_ago(1));
    assert_eq!(alert.spend, usd("40"));
    assert_eq!(alert.amount, usd("10"));
    assert!(alert.message.contains("above"), "{}", alert.message);
}

#[test]
fn days_before_the_scope_existed_are_not_history() {
    let budget = budget("1000", &[100], true);
    // Two weeks of nothing, then two steady weeks: most of yesterday's weekday peers
    // are empty days, which would make a steady day a spike.
    let mut history = vec![Money::ZERO; 14];
    history.extend(vec![usd("10"); 14]);
    assert_eq!(
        anomaly_alert(&budget, &history, now(), &AnomalySettings::default()),
        None
    );
}

#[test]
fn a_drop_reads_as_below_and_too_little_history_raises_nothing() {
    let budget = budget("1000", &[100], true);
    let mut history = vec![usd("10"); 27];
    history.push(usd("0"));
    let alert = anomaly_alert(&budget, &history, now(), &AnomalySettings::default()).unwrap();
    assert!(alert.message.contains("below"), "{}", alert.message);
    assert_eq!(
        anomaly_alert(
            &budget,
            &[usd("10"), usd("90")],
            now(),
            &AnomalySettings::default()
        ),
        None
    );
}

#[tokio::test]
async fn a_failing_tenant_is_counted_and_the_others_still_evaluated() {
    let other = TenantId::from_uuid(Uuid::from_u128(0x0ce));
    let mut repo = MockBudgetRepository::new();
    repo.expect_list().returning(move |t| {
        if t == other {
            Err(BudgetRepositoryError::Failed(BackendFailure::unavailable(
                anyhow::anyhow!("down"),
            )))
        } else {
            Ok(vec![budget("1", &[100], true)])
        }
    });
    let recorded = Arc::default();
    let watch = BudgetWatch::new(
        Arc::new(repo),
        Arc::new(alert_store(Arc::clone(&recorded))),
        ScopeSpend::new(Arc::new(AllocationQueries::new(
            store("1", "1"),
            empty_cache(),
        ))),
        clock(),
    );
    let done = watch.evaluate_tenants(&[other, tenant()]).await;
    assert_eq!((done.failed_tenants, done.budgets, done.alerts), (1, 1, 1));
}
