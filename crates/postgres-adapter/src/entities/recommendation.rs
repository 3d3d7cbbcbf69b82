//! `recommendations` rows. The target is flattened into columns; a missing workload,
//! pod or container is NULL.

use sea_orm::entity::prelude::*;

use crate::exact_decimal::ExactDecimal;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recommendations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub cluster: String,
    #[sea_orm(column_type = "Text")]
    pub namespace: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub workload_kind: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub workload_name: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub pod: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub container: Option<String>,
    /// `cpu` (millicores) or `memory` (bytes).
    #[sea_orm(column_type = "Text")]
    pub resource: String,
    pub current_value: i64,
    pub recommended_value: i64,
    #[sea_orm(column_type = "Decimal(Some((20, 10)))")]
    pub monthly_savings: ExactDecimal,
    #[sea_orm(column_type = "Decimal(None)")]
    pub confidence: ExactDecimal,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    /// `open`, `applied` or `dismissed`.
    #[sea_orm(column_type = "Text")]
    pub status: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(column_type = "Text", nullable)]
    pub closed_by: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub close_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
