//! Tenant price overrides (admin API): a tenant's own hourly price per instance type,
//! which beats the built-in catalog for that tenant's future ingests.

use std::sync::Arc;

use kcost_domain::pricing::PriceOverride;
use kcost_domain::tenant::TenantId;
use kcost_ports::{PriceRepository, PriceRepositoryError};

/// Price-override administration.
pub struct PriceAdmin {
    prices: Arc<dyn PriceRepository>,
}

impl std::fmt::Debug for PriceAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PriceAdmin").finish_non_exhaustive()
    }
}

impl PriceAdmin {
    pub fn new(prices: Arc<dyn PriceRepository>) -> Self {
        Self { prices }
    }

    /// Sets (or replaces) the tenant's price for an instance type. Unknown tenant:
    /// `TenantNotFound`. Already-stored snapshots keep the price they were priced at.
    #[tracing::instrument(skip(self))]
    pub async fn put(
        &self,
        tenant: TenantId,
        price: PriceOverride,
    ) -> Result<PriceOverride, PriceRepositoryError> {
        self.prices.put(tenant, &price).await?;
        Ok(price)
    }

    /// The tenant's overrides, by instance type.
    pub async fn list(&self, tenant: TenantId) -> Result<Vec<PriceOverride>, PriceRepositoryError> {
        self.prices.overrides(tenant).await
    }

    /// Removes an override; `NotFound` when there is none.
    #[tracing::instrument(skip(self))]
    pub async fn delete(
        &self,
        tenant: TenantId,
        instance_type: &str,
    ) -> Result<(), PriceRepositoryError> {
        self.prices.delete(tenant, instance_type).await
    }
}

#[cfg(test)]
mod tests {
    use kcost_ports::MockPriceRepository;
    use mockall::predicate::eq;
    use rust_decimal::Decimal;

    use super::*;
    use crate::test_support::tenant;

    #[tokio::test]
    async fn put_stores_the_override_for_the_tenant() {
        let price = PriceOverride::new("m5.xlarge", Decimal::new(15, 2)).unwrap();
        let mut repo = MockPriceRepository::new();
        repo.expect_put()
            .with(eq(tenant()), eq(price.clone()))
            .times(1)
            .returning(|_, _| Ok(()));
        let stored = PriceAdmin::new(Arc::new(repo))
            .put(tenant(), price.clone())
            .await
            .unwrap();
        assert_eq!(stored, price);
    }

    #[tokio::test]
    async fn deleting_a_missing_override_is_not_found() {
        let mut repo = MockPriceRepository::new();
        repo.expect_delete()
            .returning(|_, t| Err(PriceRepositoryError::NotFound(t.to_owned())));
        let err = PriceAdmin::new(Arc::new(repo))
            .delete(tenant(), "x1.large")
            .await
            .unwrap_err();
        assert!(matches!(err, PriceRepositoryError::NotFound(t) if t == "x1.large"));
    }
}
