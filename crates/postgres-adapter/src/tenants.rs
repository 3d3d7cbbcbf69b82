//! [`SeaOrmTenantRepository`]: tenants on PostgreSQL or SQLite.

use anyhow::Context as _;
use async_trait::async_trait;
use kcost_domain::tenant::{Tenant, TenantId, TenantName};
use kcost_ports::{TenantRepository, TenantRepositoryError};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

use crate::db_error::{DbFailure, port_error};
use crate::entities::tenant;
use crate::timestamps::to_micros;

/// Stores tenants through sea-orm; backend-portable.
#[derive(Debug, Clone)]
pub struct SeaOrmTenantRepository {
    db: DatabaseConnection,
}

impl SeaOrmTenantRepository {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn to_domain(row: tenant::Model) -> Result<Tenant, TenantRepositoryError> {
    let name = TenantName::new(row.name)
        .with_context(|| format!("stored tenant {} has an invalid name", row.id))?;
    Ok(Tenant {
        id: TenantId::from_uuid(row.id),
        name,
        created_at: row.created_at,
    })
}

/// Maps a failed statement of `operation` to `Unavailable` or `Unexpected`.
fn failed(operation: &'static str) -> impl FnOnce(DbErr) -> TenantRepositoryError {
    move |error| port_error(operation, error)
}

#[async_trait]
impl TenantRepository for SeaOrmTenantRepository {
    #[tracing::instrument(skip(self, tenant), fields(tenant_id = %tenant.id), err)]
    async fn create(&self, tenant: &Tenant) -> Result<(), TenantRepositoryError> {
        let row = tenant::ActiveModel {
            id: Set(*tenant.id.as_uuid()),
            name: Set(tenant.name.as_str().to_owned()),
            created_at: Set(to_micros(tenant.created_at)),
        };
        tenant::Entity::insert(row)
            .exec_without_returning(&self.db)
            .await
            .map_err(|error| match DbFailure::classify(error) {
                // The name is the only unique key a caller can collide on (ids are random).
                DbFailure::UniqueViolation(_) => {
                    TenantRepositoryError::Duplicate(tenant.name.clone())
                }
                other => other.into_port_error("creating a tenant"),
            })?;
        Ok(())
    }

    #[tracing::instrument(skip(self), err)]
    async fn get(&self, id: TenantId) -> Result<Tenant, TenantRepositoryError> {
        let row = tenant::Entity::find_by_id(*id.as_uuid())
            .one(&self.db)
            .await
            .map_err(failed("reading a tenant"))?
            .ok_or(TenantRepositoryError::NotFound)?;
        to_domain(row)
    }

    #[tracing::instrument(skip(self), err)]
    async fn find_by_name(
        &self,
        name: &TenantName,
    ) -> Result<Option<Tenant>, TenantRepositoryError> {
        tenant::Entity::find()
            .filter(tenant::Column::Name.eq(name.as_str()))
            .one(&self.db)
            .await
            .map_err(failed("finding a tenant by name"))?
            .map(to_domain)
            .transpose()
    }

    #[tracing::instrument(skip(self), err)]
    async fn list(&self) -> Result<Vec<Tenant>, TenantRepositoryError> {
        let rows = tenant::Entity::find()
            .order_by_asc(tenant::Column::CreatedAt)
            .order_by_asc(tenant::Column::Id)
            .all(&self.db)
            .await
            .map_err(failed("listing tenants"))?;
        rows.into_iter().map(to_domain).collect()
    }

    async fn ping(&self) -> Result<(), TenantRepositoryError> {
        self.db
            .ping()
            .await
            .map_err(failed("pinging the relational store"))
    }
}
