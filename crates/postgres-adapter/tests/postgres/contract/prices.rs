//! Price-override repository cases.

use kcost_domain::pricing::PriceOverride;
use kcost_domain::tenant::TenantId;
use kcost_ports::PriceRepositoryError;
use uuid::Uuid;

use super::fixtures::{dec, stored_tenant};
use crate::support::Repositories;

fn price(instance_type: &str, hourly: &str) -> PriceOverride {
    PriceOverride::new(instance_type, dec(hourly)).unwrap()
}

pub async fn price_overrides_are_put_replaced_listed_and_deleted(repos: &Repositories) {
    let tenant = stored_tenant(repos, "team-payments").await;
    assert_eq!(repos.prices.overrides(tenant.id).await.unwrap(), vec![]);

    repos
        .prices
        .put(tenant.id, &price("m5.xlarge", "0.15"))
        .await
        .unwrap();
    repos
        .prices
        .put(tenant.id, &price("c5.large", "0.0712345678"))
        .await
        .unwrap();
    // A second put of the same instance type replaces the price.
    repos
        .prices
        .put(tenant.id, &price("m5.xlarge", "0.1234567891"))
        .await
        .unwrap();
    assert_eq!(
        repos.prices.overrides(tenant.id).await.unwrap(),
        vec![
            price("c5.large", "0.0712345678"),
            price("m5.xlarge", "0.1234567891")
        ]
    );

    repos.prices.delete(tenant.id, "c5.large").await.unwrap();
    assert_eq!(
        repos.prices.overrides(tenant.id).await.unwrap(),
        vec![price("m5.xlarge", "0.1234567891")]
    );
    match repos.prices.delete(tenant.id, "c5.large").await {
        Err(PriceRepositoryError::NotFound(instance_type)) => assert_eq!(instance_type, "c5.large"),
        other => panic!("expected NotFound, got {other:?}"),
    }
}

pub async fn price_override_of_unknown_tenant_is_tenant_not_found(repos: &Repositories) {
    let unknown = TenantId::from_uuid(Uuid::new_v4());
    assert!(matches!(
        repos.prices.put(unknown, &price("m5.xlarge", "0.15")).await,
        Err(PriceRepositoryError::TenantNotFound)
    ));
}
