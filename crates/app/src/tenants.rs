//! Tenant administration (admin API): create and list tenants.

use std::sync::Arc;

use kcost_domain::tenant::{Tenant, TenantId, TenantName};
use kcost_ports::{Clock, TenantRepository, TenantRepositoryError};
use uuid::Uuid;

/// Tenant administration.
pub struct TenantAdmin {
    tenants: Arc<dyn TenantRepository>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for TenantAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantAdmin").finish_non_exhaustive()
    }
}

impl TenantAdmin {
    pub fn new(tenants: Arc<dyn TenantRepository>, clock: Arc<dyn Clock>) -> Self {
        Self { tenants, clock }
    }

    /// Creates a tenant with a fresh id. A taken name is `Duplicate`.
    #[tracing::instrument(skip(self))]
    pub async fn create(&self, name: TenantName) -> Result<Tenant, TenantRepositoryError> {
        let tenant = Tenant {
            id: TenantId::from_uuid(Uuid::new_v4()),
            name,
            created_at: self.clock.now(),
        };
        self.tenants.create(&tenant).await?;
        Ok(tenant)
    }

    pub async fn list(&self) -> Result<Vec<Tenant>, TenantRepositoryError> {
        self.tenants.list().await
    }

    pub async fn get(&self, id: TenantId) -> Result<Tenant, TenantRepositoryError> {
        self.tenants.get(id).await
    }
}

#[cfg(test)]
mod tests {
    use kcost_ports::MockTenantRepository;

    use super::*;
    use crate::test_support::{clock, now};

    #[tokio::test]
    async fn creates_a_tenant_with_a_fresh_id_and_the_current_time() {
        let mut repo = MockTenantRepository::new();
        repo.expect_create()
            .withf(|t| t.name.as_str() == "payments" && t.created_at == now())
            .times(1)
            .returning(|_| Ok(()));
        let admin = TenantAdmin::new(Arc::new(repo), clock());
        let tenant = admin
            .create(TenantName::new("payments").unwrap())
            .await
            .unwrap();
        assert_eq!(tenant.name.as_str(), "payments");
        assert_ne!(tenant.id.as_uuid(), &Uuid::nil());
    }

    #[tokio::test]
    async fn a_taken_name_is_a_duplicate() {
        let mut repo = MockTenantRepository::new();
        repo.expect_create()
            .returning(|t| Err(TenantRepositoryError::Duplicate(t.name.clone())));
        let admin = TenantAdmin::new(Arc::new(repo), clock());
        let err = admin
            .create(TenantName::new("payments").unwrap())
            .await
            .unwrap_err();
        assert!(
            matches!(err, TenantRepositoryError::Duplicate(name) if name.as_str() == "payments")
        );
    }
}
