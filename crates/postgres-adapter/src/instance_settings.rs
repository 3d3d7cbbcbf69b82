//! [`SeaOrmInstanceSettingsRepository`]: the installation's write-once values
//! (`kcost_instance`) on PostgreSQL or SQLite.
//!
//! `insert_if_absent` is `INSERT … ON CONFLICT (name) DO NOTHING` followed by a read of the
//! row: whichever concurrent writer's insert lands first wins, and every writer reads that
//! winner back. Values may be secrets, so nothing here logs them (no `tracing` fields
//! carry a value).

use async_trait::async_trait;
use chrono::Utc;
use kcost_ports::{InstanceSettingsError, InstanceSettingsRepository};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, DatabaseConnection, DbErr, EntityTrait};

use crate::db_error::DbFailure;
use crate::timestamps::to_micros;

/// `kcost_instance` rows. Private: only this repository reads the table.
mod row {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "kcost_instance")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
        pub name: String,
        #[sea_orm(column_type = "Text")]
        pub value: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Stores instance settings through sea-orm; backend-portable.
#[derive(Debug, Clone)]
pub struct SeaOrmInstanceSettingsRepository {
    db: DatabaseConnection,
}

impl SeaOrmInstanceSettingsRepository {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn failed(operation: &'static str) -> impl FnOnce(DbErr) -> InstanceSettingsError {
    move |error| match DbFailure::classify(error) {
        DbFailure::Unavailable(e) => {
            InstanceSettingsError::Unavailable(anyhow::Error::new(e).context(operation))
        }
        DbFailure::UniqueViolation(e) | DbFailure::ForeignKeyViolation(e) | DbFailure::Other(e) => {
            InstanceSettingsError::Unexpected(anyhow::Error::new(e).context(operation))
        }
    }
}

#[async_trait]
impl InstanceSettingsRepository for SeaOrmInstanceSettingsRepository {
    #[tracing::instrument(skip(self), err)]
    async fn get(&self, name: &str) -> Result<Option<String>, InstanceSettingsError> {
        Ok(row::Entity::find_by_id(name.to_owned())
            .one(&self.db)
            .await
            .map_err(failed("reading an instance setting"))?
            .map(|row| row.value))
    }

    #[tracing::instrument(skip(self, value), err)]
    async fn insert_if_absent(
        &self,
        name: &str,
        value: &str,
    ) -> Result<String, InstanceSettingsError> {
        let candidate = row::ActiveModel {
            name: Set(name.to_owned()),
            value: Set(value.to_owned()),
            created_at: Set(to_micros(Utc::now())),
        };
        row::Entity::insert(candidate)
            .on_conflict(
                OnConflict::column(row::Column::Name)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await
            .map_err(failed("storing an instance setting"))?;
        self.get(name).await?.ok_or_else(|| {
            InstanceSettingsError::Unexpected(anyhow::anyhow!(
                "instance setting {name} vanished right after it was stored"
            ))
        })
    }
}
