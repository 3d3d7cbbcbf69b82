//! The budget use cases over mocked stores: scopes, validation, limits, tenancy.

use std::sync::Arc;

use kcost_domain::api_key::{AuthError, Scope};
use kcost_domain::budget::{BudgetDraft, BudgetId, BudgetScopeDraft, WebhookPolicy};
use kcost_ports::{
    BudgetRepositoryError, MAX_BUDGETS_PER_TENANT, MockAlertRepository, MockBudgetRepository,
    MockMetricsStore, Page,
};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::*;
use crate::allocations::AllocationQueries;
use crate::test_support::{clock, empty_cache, key_with};

fn draft() -> BudgetDraft {
    BudgetDraft {
        name: "web".into(),
        amount_usd: Decimal::ONE_HUNDRED,
        period: "monthly".into(),
        scope: BudgetScopeDraft::default(),
        thresholds: None,
        webhook_url: None,
        forecast_alerts: false,
        anomaly_alerts: false,
    }
}

fn budgets(repo: MockBudgetRepository) -> Budgets {
    let allocations = Arc::new(AllocationQueries::new(
        Arc::new(MockMetricsStore::new()),
        empty_cache(),
    ));
    Budgets::new(
        Arc::new(repo),
        Arc::new(MockAlertRepository::new()),
        ScopeSpend::new(allocations),
        clock(),
        WebhookPolicy::default(),
    )
}

#[tokio::test]
async fn writing_needs_budgets_write_and_reading_budgets_read() {
    let use_case = budgets(MockBudgetRepository::new());
    let reader = key_with(&[Scope::BudgetsRead, Scope::CostsRead], None);
    let error = use_case.create(&reader, draft()).await.unwrap_err();
    assert!(matches!(
        error,
        BudgetError::Forbidden(AuthError::MissingScope(Scope::BudgetsWrite))
    ));
    let writer = key_with(&[Scope::BudgetsWrite], None);
    for error in [
        use_case.list(&writer).await.unwrap_err(),
        use_case
            .alerts(&writer, None, Page::default())
            .await
            .unwrap_err(),
    ] {
        assert!(matches!(
            error,
            BudgetError::Forbidden(AuthError::MissingScope(Scope::BudgetsRead))
        ));
    }
}

#[tokio::test]
async fn an_invalid_draft_is_refused_before_any_store_is_asked() {
    let use_case = budgets(MockBudgetRepository::new());
    let key = key_with(&[Scope::All], None);
    let invalid = BudgetDraft {
        period: "hourly".into(),
        ..draft()
    };
    match use_case.create(&key, invalid).await {
        Err(BudgetError::Invalid(invalid)) => assert_eq!(invalid.errors[0].path, "period"),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn a_tenant_at_the_limit_cannot_create_another() {
    let mut repo = MockBudgetRepository::new();
    repo.expect_list().returning(|tenant| {
        let key = key_with(&[Scope::All], None);
        let one = Budget {
            id: BudgetId::from_uuid(Uuid::new_v4()),
            tenant_id: tenant,
            spec: draft().validate(WebhookPolicy::default()).unwrap(),
            created_at: crate::test_support::now(),
            updated_at: crate::test_support::now(),
        };
        assert_eq!(key.tenant_id, tenant);
        Ok(vec![one; MAX_BUDGETS_PER_TENANT])
    });
    repo.expect_create().never();
    let use_case = budgets(repo);
    let error = use_case
        .create(&key_with(&[Scope::All], None), draft())
        .await
        .unwrap_err();
    assert!(matches!(error, BudgetError::TooMany));
}

#[tokio::test]
async fn another_tenants_budget_reads_as_not_found() {
    let mut repo = MockBudgetRepository::new();
    repo.expect_get()
        .returning(|_, _| Err(BudgetRepositoryError::NotFound));
    repo.expect_delete()
        .returning(|_, _| Err(BudgetRepositoryError::NotFound));
    repo.expect_update().never();
    let use_case = budgets(repo);
    let key = key_with(&[Scope::All], None);
    let id = BudgetId::from_uuid(Uuid::new_v4());
    assert!(matches!(
        use_case.get(&key, id).await,
        Err(BudgetError::NotFound)
    ));
    assert!(matches!(
        use_case.replace(&key, id, draft()).await,
        Err(BudgetError::NotFound)
    ));
    assert!(matches!(
        use_case.delete(&key, id).await,
        Err(BudgetError::NotFound)
    ));
    assert!(matches!(
        use_case.alerts(&key, Some(id), Page::default()).await,
        Err(BudgetError::NotFound)
    ));
}
