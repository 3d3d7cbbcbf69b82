//! [`SeaOrmRecommendationRepository`]: right-sizing recommendations on PostgreSQL or
//! SQLite, always scoped to a tenant.

use anyhow::{Context as _, anyhow};
use async_trait::async_trait;
use kcost_domain::cluster::ClusterName;
use kcost_domain::money::Money;
use kcost_domain::recommendation::{
    Confidence, Recommendation, RecommendationId, RecommendationStatus, RecommendationTarget,
    Resource,
};
use kcost_domain::tenant::TenantId;
use kcost_ports::{
    Page, RecommendationFilter, RecommendationPage, RecommendationRepository,
    RecommendationRepositoryError,
};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, Condition, DatabaseConnection, DbBackend, DbErr, EntityTrait, Iterable, Order,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::db_error::{DbFailure, port_error};
use crate::entities::recommendation::{self, Column};
use crate::exact_decimal::ExactDecimal;
use crate::timestamps::to_micros;

/// Stores recommendations through sea-orm; backend-portable.
#[derive(Debug, Clone)]
pub struct SeaOrmRecommendationRepository {
    db: DatabaseConnection,
}

impl SeaOrmRecommendationRepository {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Largest savings first. SQLite keeps the exact decimal as text, so it is compared
    /// as a number there (ties beyond 15 digits are broken by id, as on PostgreSQL).
    fn savings_order(&self) -> Expr {
        let column = Expr::col((recommendation::Entity, Column::MonthlySavings));
        match self.db.get_database_backend() {
            DbBackend::Sqlite => column.cast_as("REAL"),
            _ => column,
        }
    }
}

fn to_row(
    rec: &Recommendation,
) -> Result<recommendation::ActiveModel, RecommendationRepositoryError> {
    let (workload_kind, workload_name) = match &rec.target.workload {
        Some((kind, name)) => (Some(kind.clone()), Some(name.clone())),
        None => (None, None),
    };
    let value = |v: u64| {
        i64::try_from(v)
            .with_context(|| format!("recommendation {} value {v} is out of range", rec.id))
    };
    Ok(recommendation::ActiveModel {
        id: Set(*rec.id.as_uuid()),
        tenant_id: Set(*rec.tenant_id.as_uuid()),
        cluster: Set(rec.target.cluster.as_str().to_owned()),
        namespace: Set(rec.target.namespace.clone()),
        workload_kind: Set(workload_kind),
        workload_name: Set(workload_name),
        pod: Set(rec.target.pod.clone()),
        container: Set(rec.target.container.clone()),
        resource: Set(rec.resource.as_str().to_owned()),
        current_value: Set(value(rec.current)?),
        recommended_value: Set(value(rec.recommended)?),
        monthly_savings: Set(ExactDecimal(rec.monthly_savings.amount())),
        confidence: Set(ExactDecimal(rec.confidence.value())),
        reason: Set(rec.reason.clone()),
        status: Set(rec.status.as_str().to_owned()),
        created_at: Set(to_micros(rec.created_at)),
        updated_at: Set(to_micros(rec.updated_at)),
        closed_by: Set(rec.closed_by.clone()),
        close_reason: Set(rec.close_reason.clone()),
    })
}

fn parse_resource(text: &str) -> anyhow::Result<Resource> {
    [Resource::Cpu, Resource::Memory]
        .into_iter()
        .find(|r| r.as_str() == text)
        .ok_or_else(|| anyhow!("unknown resource {text:?}"))
}

/// Reads a stored row back; a row that fails validation is corrupt, hence `Unexpected`.
fn to_domain(row: recommendation::Model) -> Result<Recommendation, RecommendationRepositoryError> {
    let id = row.id;
    let corrupt = |what: &str| format!("stored recommendation {id} has an invalid {what}");
    let workload = match (row.workload_kind, row.workload_name) {
        (Some(kind), Some(name)) => Some((kind, name)),
        (None, None) => None,
        _ => return Err(anyhow!(corrupt("workload (kind without name or vice versa)")).into()),
    };
    Ok(Recommendation {
        id: RecommendationId::from_uuid(row.id),
        tenant_id: TenantId::from_uuid(row.tenant_id),
        target: RecommendationTarget {
            cluster: ClusterName::new(row.cluster).with_context(|| corrupt("cluster"))?,
            namespace: row.namespace,
            workload,
            pod: row.pod,
            container: row.container,
        },
        resource: parse_resource(&row.resource).with_context(|| corrupt("resource"))?,
        current: u64::try_from(row.current_value).with_context(|| corrupt("current value"))?,
        recommended: u64::try_from(row.recommended_value)
            .with_context(|| corrupt("recommended value"))?,
        monthly_savings: Money::from_decimal(row.monthly_savings.0),
        confidence: Confidence::new(row.confidence.0).with_context(|| corrupt("confidence"))?,
        reason: row.reason,
        status: row
            .status
            .parse::<RecommendationStatus>()
            .with_context(|| corrupt("status"))?,
        created_at: row.created_at,
        updated_at: row.updated_at,
        closed_by: row.closed_by,
        close_reason: row.close_reason,
    })
}

fn owned_by(tenant: TenantId, id: RecommendationId) -> Condition {
    Condition::all()
        .add(Column::Id.eq(*id.as_uuid()))
        .add(Column::TenantId.eq(*tenant.as_uuid()))
}

/// `column = value`, or `column IS NULL` for a missing part of a target.
fn same_part(column: Column, value: Option<&str>) -> Expr {
    match value {
        Some(value) => column.eq(value),
        None => column.is_null(),
    }
}

/// Maps a failed statement of `operation` to `Unavailable` or `Unexpected`.
fn failed(operation: &'static str) -> impl FnOnce(DbErr) -> RecommendationRepositoryError {
    move |error| port_error(operation, error)
}

#[async_trait]
impl RecommendationRepository for SeaOrmRecommendationRepository {
    #[tracing::instrument(skip(self), err)]
    async fn get(
        &self,
        tenant: TenantId,
        id: RecommendationId,
    ) -> Result<Recommendation, RecommendationRepositoryError> {
        let row = recommendation::Entity::find()
            .filter(owned_by(tenant, id))
            .one(&self.db)
            .await
            .map_err(failed("reading a recommendation"))?
            .ok_or(RecommendationRepositoryError::NotFound)?;
        to_domain(row)
    }

    #[tracing::instrument(skip(self), err)]
    async fn list(
        &self,
        tenant: TenantId,
        filter: &RecommendationFilter,
        page: Page,
    ) -> Result<RecommendationPage, RecommendationRepositoryError> {
        const OPERATION: &str = "listing recommendations";
        let mut condition = Condition::all().add(Column::TenantId.eq(*tenant.as_uuid()));
        if let Some(status) = filter.status {
            condition = condition.add(Column::Status.eq(status.as_str()));
        }
        if let Some(cluster) = &filter.cluster {
            condition = condition.add(Column::Cluster.eq(cluster.as_str()));
        }
        if let Some(namespace) = &filter.namespace {
            condition = condition.add(Column::Namespace.eq(namespace.as_str()));
        }
        let matching = recommendation::Entity::find().filter(condition);
        let total = matching
            .clone()
            .count(&self.db)
            .await
            .map_err(failed(OPERATION))?;
        let rows = matching
            .order_by(self.savings_order(), Order::Desc)
            .order_by_asc(Column::Id)
            .limit(u64::from(page.limit()))
            .offset(page.offset())
            .all(&self.db)
            .await
            .map_err(failed(OPERATION))?;
        let items = rows.into_iter().map(to_domain).collect::<Result<_, _>>()?;
        Ok(RecommendationPage { items, total })
    }

    #[tracing::instrument(skip(self), err)]
    async fn latest_for_target(
        &self,
        tenant: TenantId,
        target: &RecommendationTarget,
        resource: Resource,
    ) -> Result<Option<Recommendation>, RecommendationRepositoryError> {
        let (kind, name) = match &target.workload {
            Some((kind, name)) => (Some(kind.as_str()), Some(name.as_str())),
            None => (None, None),
        };
        let condition = Condition::all()
            .add(Column::TenantId.eq(*tenant.as_uuid()))
            .add(Column::Cluster.eq(target.cluster.as_str()))
            .add(Column::Namespace.eq(target.namespace.as_str()))
            .add(same_part(Column::WorkloadKind, kind))
            .add(same_part(Column::WorkloadName, name))
            .add(same_part(Column::Pod, target.pod.as_deref()))
            .add(same_part(Column::Container, target.container.as_deref()))
            .add(Column::Resource.eq(resource.as_str()))
            .add(Column::Status.is_in([
                RecommendationStatus::Open.as_str(),
                RecommendationStatus::Dismissed.as_str(),
            ]));
        recommendation::Entity::find()
            .filter(condition)
            .order_by_desc(Column::CreatedAt)
            .order_by_desc(Column::UpdatedAt)
            .order_by_desc(Column::Id)
            .one(&self.db)
            .await
            .map_err(failed("finding the latest recommendation for a target"))?
            .map(to_domain)
            .transpose()
    }

    #[tracing::instrument(
        skip(self, recommendation),
        fields(id = %recommendation.id, tenant_id = %recommendation.tenant_id),
        err
    )]
    async fn save(
        &self,
        recommendation: &Recommendation,
    ) -> Result<(), RecommendationRepositoryError> {
        const OPERATION: &str = "saving a recommendation";
        let replaceable = Column::iter().filter(|c| !matches!(c, Column::Id | Column::TenantId));
        // Replace by id only within the same tenant: another tenant's row with this id is
        // left alone (the upsert's update is skipped and nothing is written).
        let upsert = OnConflict::column(Column::Id)
            .update_columns(replaceable)
            .action_and_where(
                Expr::col((recommendation::Entity, Column::TenantId))
                    .eq(Expr::col(("excluded", Column::TenantId))),
            )
            .to_owned();
        let written = recommendation::Entity::insert(to_row(recommendation)?)
            .on_conflict(upsert)
            .exec_without_returning(&self.db)
            .await
            .map_err(|error| match DbFailure::classify(error) {
                DbFailure::ForeignKeyViolation(e) => RecommendationRepositoryError::unexpected(
                    anyhow::Error::new(e).context("saving a recommendation of an unknown tenant"),
                ),
                other => other.into_port_error(OPERATION),
            })?;
        if written == 0 {
            return Err(RecommendationRepositoryError::NotFound);
        }
        Ok(())
    }

    #[tracing::instrument(
        skip(self, updated),
        fields(id = %updated.id, tenant_id = %updated.tenant_id, to = updated.status.as_str()),
        err
    )]
    async fn transition(
        &self,
        from: RecommendationStatus,
        updated: &Recommendation,
    ) -> Result<(), RecommendationRepositoryError> {
        const OPERATION: &str = "changing a recommendation's status";
        let mut row = to_row(updated)?;
        // Identity and creation time never change.
        row.id = NotSet;
        row.tenant_id = NotSet;
        row.created_at = NotSet;
        let ownership = owned_by(updated.tenant_id, updated.id);
        // Compare-and-set: the write happens only if nobody changed the status meanwhile.
        let result = recommendation::Entity::update_many()
            .set(row)
            .filter(ownership.clone())
            .filter(Column::Status.eq(from.as_str()))
            .exec(&self.db)
            .await
            .map_err(failed(OPERATION))?;
        if result.rows_affected > 0 {
            return Ok(());
        }
        let exists = recommendation::Entity::find()
            .filter(ownership)
            .count(&self.db)
            .await
            .map_err(failed(OPERATION))?
            > 0;
        Err(if exists {
            RecommendationRepositoryError::Conflict
        } else {
            RecommendationRepositoryError::NotFound
        })
    }
}
