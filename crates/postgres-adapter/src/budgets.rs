//! [`SeaOrmBudgetRepository`]: budgets on PostgreSQL or SQLite, always scoped to a tenant.

use std::collections::BTreeMap;

use anyhow::{Context as _, anyhow};
use async_trait::async_trait;
use kcost_domain::budget::{
    Budget, BudgetId, BudgetPeriod, BudgetScope, BudgetSpec, Thresholds, WebhookUrl,
};
use kcost_domain::cluster::ClusterName;
use kcost_domain::money::Money;
use kcost_domain::tenant::TenantId;
use kcost_ports::{BudgetRepository, BudgetRepositoryError, MAX_BUDGETS_PER_TENANT};
use sea_orm::ActiveValue::{NotSet, Set, Unchanged};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::db_error::{DbFailure, port_error};
use crate::entities::budget::{self, Column};
use crate::exact_decimal::ExactDecimal;
use crate::timestamps::to_micros;

/// Stores budgets through sea-orm; backend-portable.
#[derive(Debug, Clone)]
pub struct SeaOrmBudgetRepository {
    db: DatabaseConnection,
}

impl SeaOrmBudgetRepository {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn to_row(budget: &Budget) -> Result<budget::ActiveModel, BudgetRepositoryError> {
    let spec = &budget.spec;
    let labels = serde_json::to_string(&spec.scope.labels).context("encoding scope labels")?;
    let percents: Vec<u32> = spec.thresholds.iter().map(|t| t.percent()).collect();
    let thresholds = serde_json::to_string(&percents).context("encoding thresholds")?;
    Ok(budget::ActiveModel {
        id: Set(*budget.id.as_uuid()),
        tenant_id: Set(*budget.tenant_id.as_uuid()),
        name: Set(spec.name.clone()),
        amount: Set(ExactDecimal(spec.amount.amount())),
        period: Set(spec.period.as_str().to_owned()),
        scope_cluster: Set(spec.scope.cluster.as_ref().map(|c| c.as_str().to_owned())),
        scope_namespace: Set(spec.scope.namespace.clone()),
        scope_labels: Set(labels),
        thresholds: Set(thresholds),
        webhook_url: Set(spec.webhook.as_ref().map(|u| u.as_str().to_owned())),
        forecast_alerts: Set(spec.forecast_alerts),
        anomaly_alerts: Set(spec.anomaly_alerts),
        created_at: Set(to_micros(budget.created_at)),
        updated_at: Set(to_micros(budget.updated_at)),
    })
}

/// Reads a stored row back; a row that fails validation is corrupt, hence `Unexpected`.
fn to_domain(row: budget::Model) -> Result<Budget, BudgetRepositoryError> {
    let id = row.id;
    let corrupt = |what: &str| format!("stored budget {id} has an invalid {what}");
    let labels: BTreeMap<String, String> =
        serde_json::from_str(&row.scope_labels).with_context(|| corrupt("scope"))?;
    let percents: Vec<u32> =
        serde_json::from_str(&row.thresholds).with_context(|| corrupt("threshold list"))?;
    let webhook = row
        .webhook_url
        .map(|url| WebhookUrl::stored(&url).map_err(|e| anyhow!(e)))
        .transpose()
        .with_context(|| corrupt("webhook URL"))?;
    let cluster = row
        .scope_cluster
        .map(ClusterName::new)
        .transpose()
        .with_context(|| corrupt("cluster"))?;
    Ok(Budget {
        id: BudgetId::from_uuid(row.id),
        tenant_id: TenantId::from_uuid(row.tenant_id),
        spec: BudgetSpec {
            name: row.name,
            amount: Money::from_decimal(row.amount.0),
            period: row
                .period
                .parse::<BudgetPeriod>()
                .with_context(|| corrupt("period"))?,
            scope: BudgetScope {
                cluster,
                namespace: row.scope_namespace,
                labels,
            },
            thresholds: Thresholds::new(percents).with_context(|| corrupt("threshold list"))?,
            webhook,
            forecast_alerts: row.forecast_alerts,
            anomaly_alerts: row.anomaly_alerts,
        },
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn owned_by(tenant: TenantId, id: BudgetId) -> Condition {
    Condition::all()
        .add(Column::Id.eq(*id.as_uuid()))
        .add(Column::TenantId.eq(*tenant.as_uuid()))
}

/// Maps a failed statement of `operation` to `Unavailable` or `Unexpected`.
fn failed(operation: &'static str) -> impl FnOnce(DbErr) -> BudgetRepositoryError {
    move |error| port_error(operation, error)
}

#[async_trait]
impl BudgetRepository for SeaOrmBudgetRepository {
    #[tracing::instrument(skip(self, budget), fields(id = %budget.id, tenant_id = %budget.tenant_id), err)]
    async fn create(&self, budget: &Budget) -> Result<(), BudgetRepositoryError> {
        budget::Entity::insert(to_row(budget)?)
            .exec_without_returning(&self.db)
            .await
            .map_err(|error| match DbFailure::classify(error) {
                DbFailure::ForeignKeyViolation(_) => BudgetRepositoryError::TenantNotFound,
                other => other.into_port_error("inserting a budget"),
            })?;
        Ok(())
    }

    #[tracing::instrument(skip(self), err)]
    async fn get(&self, tenant: TenantId, id: BudgetId) -> Result<Budget, BudgetRepositoryError> {
        let row = budget::Entity::find()
            .filter(owned_by(tenant, id))
            .one(&self.db)
            .await
            .map_err(failed("reading a budget"))?
            .ok_or(BudgetRepositoryError::NotFound)?;
        to_domain(row)
    }

    #[tracing::instrument(skip(self), err)]
    async fn list(&self, tenant: TenantId) -> Result<Vec<Budget>, BudgetRepositoryError> {
        budget::Entity::find()
            .filter(Column::TenantId.eq(*tenant.as_uuid()))
            .order_by_asc(Column::CreatedAt)
            .order_by_asc(Column::Id)
            .limit(MAX_BUDGETS_PER_TENANT as u64)
            .all(&self.db)
            .await
            .map_err(failed("listing budgets"))?
            .into_iter()
            .map(to_domain)
            .collect()
    }

    #[tracing::instrument(skip(self, budget), fields(id = %budget.id, tenant_id = %budget.tenant_id), err)]
    async fn update(&self, budget: &Budget) -> Result<(), BudgetRepositoryError> {
        let mut row = to_row(budget)?;
        row.id = Unchanged(*budget.id.as_uuid());
        row.tenant_id = NotSet;
        row.created_at = NotSet;
        let result = budget::Entity::update_many()
            .set(row)
            .filter(owned_by(budget.tenant_id, budget.id))
            .exec(&self.db)
            .await
            .map_err(failed("updating a budget"))?;
        if result.rows_affected == 0 {
            return Err(BudgetRepositoryError::NotFound);
        }
        Ok(())
    }

    #[tracing::instrument(skip(self), err)]
    async fn delete(&self, tenant: TenantId, id: BudgetId) -> Result<(), BudgetRepositoryError> {
        let result = budget::Entity::delete_many()
            .filter(owned_by(tenant, id))
            .exec(&self.db)
            .await
            .map_err(failed("deleting a budget"))?;
        if result.rows_affected == 0 {
            return Err(BudgetRepositoryError::NotFound);
        }
        Ok(())
    }

    #[tracing::instrument(skip(self), err)]
    async fn tenants_with_budgets(&self) -> Result<Vec<TenantId>, BudgetRepositoryError> {
        let tenants: Vec<uuid::Uuid> = budget::Entity::find()
            .select_only()
            .column(Column::TenantId)
            .distinct()
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(failed("listing tenants with budgets"))?;
        Ok(tenants.into_iter().map(TenantId::from_uuid).collect())
    }
}
