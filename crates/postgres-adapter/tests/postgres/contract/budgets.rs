//! Budget and alert repository cases.

use std::collections::BTreeMap;

use kcost_domain::alert::{Alert, AlertId, AlertKind, Delivery, DeliveryState};
use kcost_domain::budget::{
    Budget, BudgetId, BudgetPeriod, BudgetScope, BudgetSpec, Thresholds, WebhookUrl,
};
use kcost_domain::cluster::ClusterName;
use kcost_domain::money::Money;
use kcost_domain::tenant::TenantId;
use kcost_ports::{AlertFilter, BudgetRepositoryError, Page};
use uuid::Uuid;

use super::fixtures::{at, dec, stored_tenant};
use crate::support::Repositories;

fn budget(tenant: TenantId, name: &str, created_minutes: i64) -> Budget {
    Budget {
        id: BudgetId::from_uuid(Uuid::new_v4()),
        tenant_id: tenant,
        spec: BudgetSpec {
            name: name.into(),
            amount: Money::from_decimal(dec("1500.0000000001")),
            period: BudgetPeriod::Weekly,
            scope: BudgetScope {
                cluster: Some(ClusterName::new("prod").unwrap()),
                namespace: Some("payments".into()),
                labels: BTreeMap::from([
                    ("app.kubernetes.io/part-of".into(), "shop".into()),
                    ("team".into(), "payments".into()),
                ]),
            },
            thresholds: Thresholds::new(vec![100, 50, 120]).unwrap(),
            webhook: Some(WebhookUrl::stored("https://hooks.slack.com/services/T/B/x").unwrap()),
            forecast_alerts: true,
            anomaly_alerts: false,
        },
        created_at: at(created_minutes),
        updated_at: at(created_minutes),
    }
}

fn alert(budget: &Budget, kind: AlertKind, threshold: u32, created_minutes: i64) -> Alert {
    Alert {
        id: AlertId::from_uuid(Uuid::new_v4()),
        tenant_id: budget.tenant_id,
        budget_id: budget.id,
        budget_name: budget.spec.name.clone(),
        kind,
        threshold_percent: threshold,
        period: budget.spec.period,
        period_start: at(0),
        spend: Money::from_decimal(dec("760.1234567891")),
        amount: budget.spec.amount,
        forecast: (kind == AlertKind::Forecast).then(|| Money::from_decimal(dec("1600.5"))),
        message: format!("reached {threshold}%"),
        created_at: at(created_minutes),
        delivery: Delivery::new(true, at(created_minutes)),
    }
}

pub async fn budgets_are_created_read_listed_replaced_and_deleted(repos: &Repositories) {
    let tenant = stored_tenant(repos, "team-budgets").await;
    let other = stored_tenant(repos, "team-other").await;
    assert_eq!(repos.budgets.tenants_with_budgets().await.unwrap(), vec![]);

    let second = budget(tenant.id, "second", 5);
    let first = budget(tenant.id, "first", 1);
    repos.budgets.create(&second).await.unwrap();
    repos.budgets.create(&first).await.unwrap();
    assert_eq!(repos.budgets.get(tenant.id, first.id).await.unwrap(), first);
    assert_eq!(
        repos.budgets.list(tenant.id).await.unwrap(),
        vec![first.clone(), second.clone()]
    );

    let mut replaced = first.clone();
    replaced.spec.name = "renamed".into();
    replaced.spec.scope = BudgetScope::default();
    replaced.spec.webhook = None;
    replaced.spec.period = BudgetPeriod::Daily;
    replaced.spec.thresholds = Thresholds::default();
    replaced.updated_at = at(30);
    repos.budgets.update(&replaced).await.unwrap();
    assert_eq!(
        repos.budgets.get(tenant.id, first.id).await.unwrap(),
        replaced
    );

    // Another tenant sees none of it and can change none of it.
    let mut stolen = replaced.clone();
    stolen.tenant_id = other.id;
    assert!(matches!(
        repos.budgets.get(other.id, first.id).await,
        Err(BudgetRepositoryError::NotFound)
    ));
    assert!(matches!(
        repos.budgets.update(&stolen).await,
        Err(BudgetRepositoryError::NotFound)
    ));
    assert!(matches!(
        repos.budgets.delete(other.id, first.id).await,
        Err(BudgetRepositoryError::NotFound)
    ));
    assert_eq!(repos.budgets.list(other.id).await.unwrap(), vec![]);
    assert_eq!(
        repos.budgets.tenants_with_budgets().await.unwrap(),
        vec![tenant.id]
    );

    repos.budgets.delete(tenant.id, first.id).await.unwrap();
    assert!(matches!(
        repos.budgets.delete(tenant.id, first.id).await,
        Err(BudgetRepositoryError::NotFound)
    ));
    assert_eq!(repos.budgets.list(tenant.id).await.unwrap(), vec![second]);
}

pub async fn budget_of_unknown_tenant_is_tenant_not_found(repos: &Repositories) {
    let orphan = budget(TenantId::from_uuid(Uuid::new_v4()), "orphan", 0);
    assert!(matches!(
        repos.budgets.create(&orphan).await,
        Err(BudgetRepositoryError::TenantNotFound)
    ));
}

pub async fn alerts_are_recorded_once_per_budget_kind_threshold_and_period(repos: &Repositories) {
    let tenant = stored_tenant(repos, "team-alerts").await;
    let other = stored_tenant(repos, "team-quiet").await;
    let budget_a = budget(tenant.id, "a", 0);
    let budget_b = budget(tenant.id, "b", 0);
    repos.budgets.create(&budget_a).await.unwrap();
    repos.budgets.create(&budget_b).await.unwrap();

    let first = alert(&budget_a, AlertKind::Budget, 50, 1);
    assert!(repos.alerts.record(&first).await.unwrap());
    // Another evaluation (or replica) raising the same alert records nothing.
    assert!(
        !repos
            .alerts
            .record(&alert(&budget_a, AlertKind::Budget, 50, 2))
            .await
            .unwrap()
    );
    let forecast = alert(&budget_a, AlertKind::Forecast, 50, 3);
    let higher = alert(&budget_a, AlertKind::Budget, 100, 4);
    let of_b = alert(&budget_b, AlertKind::Budget, 50, 5);
    for new in [&forecast, &higher, &of_b] {
        assert!(repos.alerts.record(new).await.unwrap());
    }

    let page = repos
        .alerts
        .list(tenant.id, &AlertFilter::default(), Page::default())
        .await
        .unwrap();
    assert_eq!(page.total, 4);
    assert_eq!(
        page.items,
        vec![of_b, higher.clone(), forecast.clone(), first.clone()]
    );
    let of_a = repos
        .alerts
        .list(
            tenant.id,
            &AlertFilter {
                budget: Some(budget_a.id),
            },
            Page::new(2, 1).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(of_a.total, 3);
    assert_eq!(of_a.items, vec![forecast, first]);
    let none = repos
        .alerts
        .list(other.id, &AlertFilter::default(), Page::default())
        .await
        .unwrap();
    assert_eq!((none.total, none.items.len()), (0, 0));

    // Deleting a budget deletes its alerts; an alert raised while it was being deleted
    // is not recorded.
    repos.budgets.delete(tenant.id, budget_a.id).await.unwrap();
    let left = repos
        .alerts
        .list(tenant.id, &AlertFilter::default(), Page::default())
        .await
        .unwrap();
    assert_eq!(left.total, 1);
    assert!(
        !repos
            .alerts
            .record(&alert(&budget_a, AlertKind::Budget, 200, 9))
            .await
            .unwrap()
    );
}

pub async fn due_alerts_and_delivery_outcomes_are_compare_and_set(repos: &Repositories) {
    let tenant = stored_tenant(repos, "team-delivery").await;
    let budget = budget(tenant.id, "delivery", 0);
    repos.budgets.create(&budget).await.unwrap();
    let early = alert(&budget, AlertKind::Budget, 50, 1);
    let late = alert(&budget, AlertKind::Budget, 100, 10);
    let mut recorded_only = alert(&budget, AlertKind::Forecast, 50, 0);
    recorded_only.delivery = Delivery::new(false, at(0));
    for new in [&early, &late, &recorded_only] {
        assert!(repos.alerts.record(new).await.unwrap());
    }

    let ids = |alerts: Vec<Alert>| alerts.into_iter().map(|a| a.id).collect::<Vec<_>>();
    assert_eq!(
        ids(repos.alerts.due(at(5), 10).await.unwrap()),
        vec![early.id]
    );
    assert_eq!(
        ids(repos.alerts.due(at(10), 10).await.unwrap()),
        vec![early.id, late.id]
    );
    assert_eq!(
        ids(repos.alerts.due(at(10), 1).await.unwrap()),
        vec![early.id]
    );

    // One sender claims the attempt; a second, which read the same due time, does not.
    let lease = at(1) + chrono::TimeDelta::seconds(20);
    assert!(repos.alerts.claim(early.id, at(1), lease).await.unwrap());
    assert!(!repos.alerts.claim(early.id, at(1), lease).await.unwrap());
    assert_eq!(ids(repos.alerts.due(at(1), 10).await.unwrap()), vec![]);
    assert_eq!(
        ids(repos.alerts.due(lease, 10).await.unwrap()),
        vec![early.id]
    );

    let failed = early.delivery.after_attempt(at(6), Err("HTTP 500".into()));
    assert!(
        repos
            .alerts
            .save_delivery(early.id, 0, &failed)
            .await
            .unwrap()
    );
    // A second replica finishing the same attempt finds it already counted.
    assert!(
        !repos
            .alerts
            .save_delivery(early.id, 0, &failed)
            .await
            .unwrap()
    );
    let due_later = failed.next_attempt_at.unwrap();
    let before_retry = due_later - chrono::TimeDelta::seconds(1);
    assert_eq!(
        ids(repos.alerts.due(before_retry, 10).await.unwrap()),
        vec![]
    );
    let stored = repos.alerts.due(due_later, 10).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].delivery, failed);

    let delivered = failed.after_attempt(due_later, Ok(()));
    assert!(
        repos
            .alerts
            .save_delivery(early.id, 1, &delivered)
            .await
            .unwrap()
    );
    assert_eq!(
        ids(repos.alerts.due(at(60), 10).await.unwrap()),
        vec![late.id]
    );
    let page = repos
        .alerts
        .list(tenant.id, &AlertFilter::default(), Page::default())
        .await
        .unwrap();
    let stored = page.items.iter().find(|a| a.id == early.id).unwrap();
    assert_eq!(stored.delivery.state, DeliveryState::Delivered);
    assert_eq!(stored.delivery.attempts, 2);

    assert!(matches!(
        repos
            .alerts
            .save_delivery(AlertId::from_uuid(Uuid::new_v4()), 0, &delivered)
            .await,
        Err(kcost_ports::AlertRepositoryError::NotFound)
    ));
}
