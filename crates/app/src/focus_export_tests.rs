//! Tests of [`super::FocusExport`]: the scope, the billing account, days cut at UTC
//! midnight and read one by one, and a failed read reported (not skipped).

use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone, Utc};
use kcost_domain::api_key::Scope;
use kcost_domain::money::Currency;
use kcost_domain::tenant::{Tenant, TenantName};
use kcost_domain::window::TimeWindow;
use kcost_ports::{
    BackendFailure, MetricsStoreError, MockMetricsStore, MockTenantRepository,
    TenantRepositoryError,
};

use super::FocusExport;
use crate::costs::QueryError;
use crate::test_support::{key_with, missing_scope, now, tenant};

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
}

fn tenants_naming(name: &'static str) -> MockTenantRepository {
    let mut tenants = MockTenantRepository::new();
    tenants.expect_get().returning(move |id| {
        Ok(Tenant {
            id,
            name: TenantName::new(name).unwrap(),
            created_at: now(),
        })
    });
    tenants
}

fn export(metrics: MockMetricsStore, tenants: MockTenantRepository) -> FocusExport {
    FocusExport::new(
        Arc::new(metrics),
        Arc::new(tenants),
        Currency::new("EUR").unwrap(),
    )
}

#[tokio::test]
async fn needs_the_read_scope() {
    let mut tenants = MockTenantRepository::new();
    tenants.expect_get().never();
    let export = export(MockMetricsStore::new(), tenants);
    let window = TimeWindow::new(at(19, 0), at(20, 0)).unwrap();
    let err = export
        .start(&key_with(&[Scope::MetricsWrite], None), &window)
        .await
        .unwrap_err();
    assert_eq!(missing_scope(&err), Some(Scope::CostsRead));
}

#[tokio::test]
async fn days_are_cut_at_utc_midnight_and_read_for_the_keys_tenant() {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let mut metrics = MockMetricsStore::new();
    let seen = asked.clone();
    metrics
        .expect_window_sums()
        .withf(|t, _| *t == tenant())
        .times(3)
        .returning(move |_, window| {
            seen.lock().unwrap().push((window.start(), window.end()));
            Ok(Default::default())
        });
    let export = export(metrics, tenants_naming("acme"));
    let window = TimeWindow::new(at(19, 18), at(21, 6)).unwrap();
    let mut days = export
        .start(&key_with(&[Scope::CostsRead], None), &window)
        .await
        .unwrap();
    assert_eq!(days.account().tenant, tenant());
    assert_eq!(days.account().name.as_deref(), Some("acme"));
    assert_eq!(days.account().currency.as_str(), "EUR");
    assert!(
        asked.lock().unwrap().is_empty(),
        "nothing read before asked"
    );

    let mut windows = Vec::new();
    while let Some(day) = days.next_day().await {
        let day = day.unwrap();
        windows.push((day.window.start(), day.window.end()));
    }
    let expected = [
        (at(19, 18), at(20, 0)),
        (at(20, 0), at(21, 0)),
        (at(21, 0), at(21, 6)),
    ];
    assert_eq!(windows, expected);
    assert_eq!(*asked.lock().unwrap(), expected);
    assert!(days.next_day().await.is_none(), "stays finished");
}

#[tokio::test]
async fn an_unknown_tenant_has_no_name_and_an_unavailable_one_is_an_error() {
    let window = TimeWindow::new(at(19, 0), at(20, 0)).unwrap();
    let key = key_with(&[Scope::All], None);

    let mut gone = MockTenantRepository::new();
    gone.expect_get()
        .returning(|_| Err(TenantRepositoryError::NotFound));
    let days = export(MockMetricsStore::new(), gone)
        .start(&key, &window)
        .await
        .unwrap();
    assert_eq!(days.account().name, None);

    let mut down = MockTenantRepository::new();
    down.expect_get()
        .returning(|_| Err(TenantRepositoryError::unavailable(anyhow::anyhow!("down"))));
    let err = export(MockMetricsStore::new(), down)
        .start(&key, &window)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        QueryError::Failed(BackendFailure::Unavailable(_))
    ));
}

#[tokio::test]
async fn a_failed_day_is_reported_and_asked_again() {
    let mut metrics = MockMetricsStore::new();
    let mut calls = 0;
    metrics
        .expect_window_sums()
        .times(2)
        .returning(move |_, _| {
            calls += 1;
            if calls == 1 {
                Err(MetricsStoreError::unavailable(anyhow::anyhow!("down")))
            } else {
                Ok(Default::default())
            }
        });
    let window = TimeWindow::new(at(19, 0), at(20, 0)).unwrap();
    let mut days = export(metrics, tenants_naming("acme"))
        .start(&key_with(&[Scope::CostsRead], None), &window)
        .await
        .unwrap();
    assert!(matches!(
        days.next_day().await,
        Some(Err(QueryError::Failed(BackendFailure::Unavailable(_))))
    ));
    let day = days.next_day().await.unwrap().unwrap();
    assert_eq!(day.window, window, "the same day again");
    assert!(days.next_day().await.is_none());
}
