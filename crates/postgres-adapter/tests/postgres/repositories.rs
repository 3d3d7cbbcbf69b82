//! The relational repositories against real databases: every contract case runs once on
//! PostgreSQL (a fresh database per test) and once on in-memory SQLite, with no mocks.

// Tests state their expectations with unwrap/expect/panic; the workspace denies them only
// in production code.

use std::time::Duration;

use kcost_postgres_adapter::connect;

/// For each case, a `postgres::<case>` and a `sqlite::<case>` test on a fresh, migrated,
/// empty store.
macro_rules! on_both_backends {
    ($($module:ident::$case:ident),* $(,)?) => {
        mod postgres {
            $(
                #[tokio::test]
                async fn $case() {
                    let store = crate::support::PostgresTestDb::create().await;
                    crate::contract::$module::$case(&store.repositories()).await;
                    store.finish().await;
                }
            )*
        }

        mod sqlite {
            $(
                #[tokio::test]
                async fn $case() {
                    let db = crate::support::sqlite_memory().await;
                    crate::contract::$module::$case(&crate::support::Repositories::on(&db)).await;
                }
            )*
        }
    };
}

on_both_backends!(
    tenants::tenants_are_created_read_and_listed_oldest_first,
    tenants::duplicate_tenant_name_is_duplicate,
    tenants::unknown_tenant_is_not_found,
    api_keys::keys_are_inserted_found_and_listed_newest_first,
    api_keys::revoke_is_idempotent_and_unknown_keys_are_not_found,
    api_keys::key_of_unknown_tenant_is_tenant_not_found,
    api_keys::duplicate_key_id_is_duplicate,
    api_keys::last_use_is_recorded_in_batches_and_never_goes_back,
    prices::price_overrides_are_put_replaced_listed_and_deleted,
    prices::price_override_of_unknown_tenant_is_tenant_not_found,
    recommendations::recommendations_are_saved_read_and_replaced_exactly,
    recommendations::recommendations_are_listed_by_savings_with_filters_and_pages,
    recommendations::latest_for_target_is_the_newest_open_or_dismissed,
    recommendations::transitions_are_compare_and_set,
    isolation::tenants_never_see_each_others_rows,
    budgets::budgets_are_created_read_listed_replaced_and_deleted,
    budgets::budget_of_unknown_tenant_is_tenant_not_found,
    budgets::alerts_are_recorded_once_per_budget_kind_threshold_and_period,
    budgets::due_alerts_and_delivery_outcomes_are_compare_and_set,
);

/// A price stored before today's rules (0, above the maximum) is passed over, not an error
/// on every ingest of its tenant.
async fn invalid_stored_prices_are_passed_over(
    db: &sea_orm::DatabaseConnection,
    repos: &crate::support::Repositories,
) {
    use sea_orm::ConnectionTrait;
    let tenant = crate::contract::fixtures::stored_tenant(repos, "team-legacy").await;
    let valid =
        kcost_domain::pricing::PriceOverride::new("m5.large", "0.096".parse().unwrap()).unwrap();
    repos.prices.put(tenant.id, &valid).await.unwrap();
    for (instance_type, price) in [("zero.large", "0"), ("huge.large", "1000000")] {
        let sql = format!(
            "INSERT INTO tenant_price_overrides (tenant_id, instance_type, hourly_cost, updated_at)
             SELECT tenant_id, '{instance_type}', {}, updated_at FROM tenant_price_overrides
             WHERE instance_type = 'm5.large'",
            match db.get_database_backend() {
                sea_orm::DbBackend::Sqlite => format!("'{price}'"),
                _ => price.to_owned(),
            }
        );
        db.execute_unprepared(&sql).await.unwrap();
    }
    assert_eq!(
        repos.prices.overrides(tenant.id).await.unwrap(),
        vec![valid]
    );
}

#[tokio::test]
async fn postgres_invalid_stored_prices_are_passed_over() {
    let store = crate::support::PostgresTestDb::create().await;
    invalid_stored_prices_are_passed_over(&store.db, &store.repositories()).await;
    store.finish().await;
}

#[tokio::test]
async fn sqlite_invalid_stored_prices_are_passed_over() {
    let db = crate::support::sqlite_memory().await;
    invalid_stored_prices_are_passed_over(&db, &crate::support::Repositories::on(&db)).await;
}

#[tokio::test]
async fn postgres_closed_pool_is_unavailable() {
    let store = crate::support::PostgresTestDb::create().await;
    let repos = store.repositories();
    store.db.close_by_ref().await.unwrap();
    crate::contract::availability::closed_store_is_unavailable(&repos).await;
    store.finish().await;
}

#[tokio::test]
async fn sqlite_closed_pool_is_unavailable() {
    let db = crate::support::sqlite_memory().await;
    let repos = crate::support::Repositories::on(&db);
    db.close_by_ref().await.unwrap();
    crate::contract::availability::closed_store_is_unavailable(&repos).await;
}

#[tokio::test]
async fn unreachable_server_is_unavailable_at_connect() {
    let error = connect(
        "postgres://postgres@127.0.0.1:1/postgres",
        1,
        Duration::from_secs(2),
    )
    .await
    .unwrap_err();
    assert!(error.is_unavailable(), "{error:?}");
}

#[tokio::test]
async fn migrations_are_idempotent() {
    let store = crate::support::PostgresTestDb::create().await;
    kcost_postgres_adapter::migrate(&store.db).await.unwrap();
    store.finish().await;
    let db = crate::support::sqlite_memory().await;
    kcost_postgres_adapter::migrate(&db).await.unwrap();
}
