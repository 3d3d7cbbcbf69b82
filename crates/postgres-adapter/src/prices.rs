//! [`SeaOrmPriceRepository`]: tenant price overrides on PostgreSQL or SQLite.

use async_trait::async_trait;
use chrono::Utc;
use kcost_domain::money::COST_SCALE;
use kcost_domain::pricing::PriceOverride;
use kcost_domain::tenant::TenantId;
use kcost_ports::{PriceRepository, PriceRepositoryError};
use rust_decimal::RoundingStrategy;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

use crate::db_error::{DbFailure, port_error};
use crate::entities::price_override;
use crate::exact_decimal::ExactDecimal;
use crate::timestamps::to_micros;

/// Stores price overrides through sea-orm; backend-portable.
#[derive(Debug, Clone)]
pub struct SeaOrmPriceRepository {
    db: DatabaseConnection,
}

impl SeaOrmPriceRepository {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// A stored row as an override; `None` (logged) for one today's rules refuse, written
/// before them (a price of 0, or above the maximum): the tenant's nodes are then priced
/// from the catalog instead of every ingest failing on it.
fn to_domain(row: price_override::Model) -> Option<PriceOverride> {
    match PriceOverride::new(row.instance_type.clone(), row.hourly_cost.0) {
        Ok(price) => Some(price),
        Err(error) => {
            tracing::warn!(
                tenant = %row.tenant_id,
                instance_type = %row.instance_type,
                %error,
                "stored price override is invalid; ignored until replaced"
            );
            None
        }
    }
}

/// Maps a failed statement of `operation` to `Unavailable` or `Unexpected`.
fn failed(operation: &'static str) -> impl FnOnce(DbErr) -> PriceRepositoryError {
    move |error| port_error(operation, error)
}

#[async_trait]
impl PriceRepository for SeaOrmPriceRepository {
    #[tracing::instrument(skip(self), err)]
    async fn overrides(
        &self,
        tenant: TenantId,
    ) -> Result<Vec<PriceOverride>, PriceRepositoryError> {
        let rows = price_override::Entity::find()
            .filter(price_override::Column::TenantId.eq(*tenant.as_uuid()))
            .order_by_asc(price_override::Column::InstanceType)
            .all(&self.db)
            .await
            .map_err(failed("listing price overrides"))?;
        Ok(rows.into_iter().filter_map(to_domain).collect())
    }

    #[tracing::instrument(skip(self), err)]
    async fn put(
        &self,
        tenant: TenantId,
        price: &PriceOverride,
    ) -> Result<(), PriceRepositoryError> {
        // PostgreSQL's numeric(20,10) rounds half away from zero; doing it here too keeps
        // SQLite's stored text identical.
        let hourly_cost = price
            .hourly_cost()
            .round_dp_with_strategy(COST_SCALE, RoundingStrategy::MidpointAwayFromZero);
        let row = price_override::ActiveModel {
            tenant_id: Set(*tenant.as_uuid()),
            instance_type: Set(price.instance_type().to_owned()),
            hourly_cost: Set(ExactDecimal(hourly_cost)),
            updated_at: Set(to_micros(Utc::now())),
        };
        price_override::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    price_override::Column::TenantId,
                    price_override::Column::InstanceType,
                ])
                .update_columns([
                    price_override::Column::HourlyCost,
                    price_override::Column::UpdatedAt,
                ])
                .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await
            .map_err(|error| match DbFailure::classify(error) {
                DbFailure::ForeignKeyViolation(_) => PriceRepositoryError::TenantNotFound,
                other => other.into_port_error("storing a price override"),
            })?;
        Ok(())
    }

    #[tracing::instrument(skip(self), err)]
    async fn delete(
        &self,
        tenant: TenantId,
        instance_type: &str,
    ) -> Result<(), PriceRepositoryError> {
        let deleted = price_override::Entity::delete_many()
            .filter(price_override::Column::TenantId.eq(*tenant.as_uuid()))
            .filter(price_override::Column::InstanceType.eq(instance_type))
            .exec(&self.db)
            .await
            .map_err(failed("deleting a price override"))?;
        if deleted.rows_affected == 0 {
            return Err(PriceRepositoryError::NotFound(instance_type.to_owned()));
        }
        Ok(())
    }
}
