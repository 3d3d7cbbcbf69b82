//! [`SeaOrmApiKeyRepository`]: API keys (salt and hash, never secrets) on PostgreSQL or
//! SQLite.

use std::collections::BTreeMap;

use anyhow::Context as _;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kcost_domain::api_key::{ApiKeyRecord, KeyId, Salt, Scopes, SecretHash};
use kcost_domain::cluster::ClusterName;
use kcost_domain::tenant::TenantId;
use kcost_ports::{ApiKeyRepository, ApiKeyRepositoryError};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};

use crate::db_error::{DbFailure, port_error};
use crate::entities::api_key;
use crate::timestamps::to_micros;

/// Stores API keys through sea-orm; backend-portable.
#[derive(Debug, Clone)]
pub struct SeaOrmApiKeyRepository {
    db: DatabaseConnection,
}

impl SeaOrmApiKeyRepository {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn to_row(record: &ApiKeyRecord) -> Result<api_key::ActiveModel, ApiKeyRepositoryError> {
    let scopes = serde_json::to_string(&record.scopes).context("encoding API key scopes")?;
    Ok(api_key::ActiveModel {
        key_id: Set(*record.key_id.as_uuid()),
        tenant_id: Set(*record.tenant_id.as_uuid()),
        name: Set(record.name.clone()),
        salt: Set(record.salt.to_base64()),
        secret_hash: Set(record.secret_hash.to_base64()),
        scopes: Set(scopes),
        cluster: Set(record.cluster.as_ref().map(|c| c.as_str().to_owned())),
        revoked: Set(record.revoked),
        expires_at: Set(record.expires_at.map(to_micros)),
        created_at: Set(to_micros(record.created_at)),
        last_used_at: Set(record.last_used_at.map(to_micros)),
    })
}

/// Reads a stored row back; a row that fails validation is corrupt, hence `Unexpected`.
fn to_domain(row: api_key::Model) -> Result<ApiKeyRecord, ApiKeyRepositoryError> {
    let key_id = row.key_id;
    let corrupt = |what: &str| format!("stored API key {key_id} has an invalid {what}");
    Ok(ApiKeyRecord {
        key_id: KeyId::from_uuid(row.key_id),
        tenant_id: TenantId::from_uuid(row.tenant_id),
        name: row.name,
        salt: Salt::from_base64(&row.salt).with_context(|| corrupt("salt"))?,
        secret_hash: SecretHash::from_base64(&row.secret_hash)
            .with_context(|| corrupt("secret hash"))?,
        scopes: serde_json::from_str::<Scopes>(&row.scopes)
            .with_context(|| corrupt("scope list"))?,
        cluster: row
            .cluster
            .map(ClusterName::new)
            .transpose()
            .with_context(|| corrupt("cluster"))?,
        revoked: row.revoked,
        expires_at: row.expires_at,
        created_at: row.created_at,
        last_used_at: row.last_used_at,
    })
}

/// Maps a failed statement of `operation` to `Unavailable` or `Unexpected`.
fn failed(operation: &'static str) -> impl FnOnce(DbErr) -> ApiKeyRepositoryError {
    move |error| port_error(operation, error)
}

#[async_trait]
impl ApiKeyRepository for SeaOrmApiKeyRepository {
    #[tracing::instrument(
        skip(self, record),
        fields(key_id = %record.key_id, tenant_id = %record.tenant_id),
        err
    )]
    async fn insert(&self, record: &ApiKeyRecord) -> Result<(), ApiKeyRepositoryError> {
        api_key::Entity::insert(to_row(record)?)
            .exec_without_returning(&self.db)
            .await
            .map_err(|error| match DbFailure::classify(error) {
                DbFailure::UniqueViolation(_) => ApiKeyRepositoryError::Duplicate(record.key_id),
                DbFailure::ForeignKeyViolation(_) => ApiKeyRepositoryError::TenantNotFound,
                other => other.into_port_error("inserting an API key"),
            })?;
        Ok(())
    }

    #[tracing::instrument(skip(self), err)]
    async fn find(&self, key_id: KeyId) -> Result<Option<ApiKeyRecord>, ApiKeyRepositoryError> {
        api_key::Entity::find_by_id(*key_id.as_uuid())
            .one(&self.db)
            .await
            .map_err(failed("finding an API key"))?
            .map(to_domain)
            .transpose()
    }

    #[tracing::instrument(skip(self), err)]
    async fn list(&self, tenant: TenantId) -> Result<Vec<ApiKeyRecord>, ApiKeyRepositoryError> {
        let rows = api_key::Entity::find()
            .filter(api_key::Column::TenantId.eq(*tenant.as_uuid()))
            .order_by_desc(api_key::Column::CreatedAt)
            .order_by_desc(api_key::Column::KeyId)
            .all(&self.db)
            .await
            .map_err(failed("listing API keys"))?;
        rows.into_iter().map(to_domain).collect()
    }

    #[tracing::instrument(skip(self), err)]
    async fn revoke(&self, key_id: KeyId) -> Result<ApiKeyRecord, ApiKeyRepositoryError> {
        const OPERATION: &str = "revoking an API key";
        let tx = self.db.begin().await.map_err(failed(OPERATION))?;
        // Setting `revoked` on an already revoked key still matches the row, so revoking
        // twice succeeds and an unknown id is the only way to update nothing.
        let updated = api_key::Entity::update_many()
            .col_expr(api_key::Column::Revoked, Expr::value(true))
            .filter(api_key::Column::KeyId.eq(*key_id.as_uuid()))
            .exec(&tx)
            .await
            .map_err(failed(OPERATION))?;
        if updated.rows_affected == 0 {
            return Err(ApiKeyRepositoryError::NotFound);
        }
        let row = api_key::Entity::find_by_id(*key_id.as_uuid())
            .one(&tx)
            .await
            .map_err(failed(OPERATION))?
            .ok_or(ApiKeyRepositoryError::NotFound)?;
        tx.commit().await.map_err(failed(OPERATION))?;
        to_domain(row)
    }

    #[tracing::instrument(skip(self, uses), fields(uses = uses.len()), err)]
    async fn record_last_used(
        &self,
        uses: &[(KeyId, DateTime<Utc>)],
    ) -> Result<(), ApiKeyRepositoryError> {
        const OPERATION: &str = "recording API key use";
        // The newest use per key, in key order: one statement per key, and concurrent
        // batches lock rows in the same order, so they cannot deadlock each other.
        let mut newest: BTreeMap<KeyId, DateTime<Utc>> = BTreeMap::new();
        for (key_id, at) in uses {
            let at = to_micros(*at);
            newest
                .entry(*key_id)
                .and_modify(|seen| *seen = (*seen).max(at))
                .or_insert(at);
        }
        if newest.is_empty() {
            return Ok(());
        }
        let tx = self.db.begin().await.map_err(failed(OPERATION))?;
        for (key_id, at) in newest {
            // Never move backwards: only a missing or older stored time is replaced.
            // Unknown ids simply match no row.
            api_key::Entity::update_many()
                .col_expr(api_key::Column::LastUsedAt, Expr::value(at))
                .filter(api_key::Column::KeyId.eq(*key_id.as_uuid()))
                .filter(
                    Condition::any()
                        .add(api_key::Column::LastUsedAt.is_null())
                        .add(api_key::Column::LastUsedAt.lt(at)),
                )
                .exec(&tx)
                .await
                .map_err(failed(OPERATION))?;
        }
        tx.commit().await.map_err(failed(OPERATION))
    }
}
