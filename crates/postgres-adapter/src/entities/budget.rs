//! `budgets` rows. The scope is flattened into columns; its labels and the thresholds are
//! JSON text (read back and validated by the repository).

use sea_orm::entity::prelude::*;

use crate::exact_decimal::ExactDecimal;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "budgets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    #[sea_orm(column_type = "Decimal(Some((20, 10)))")]
    pub amount: ExactDecimal,
    /// `daily`, `weekly` or `monthly`.
    #[sea_orm(column_type = "Text")]
    pub period: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub scope_cluster: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub scope_namespace: Option<String>,
    /// A JSON object of label → value.
    #[sea_orm(column_type = "Text")]
    pub scope_labels: String,
    /// A JSON array of whole percentages.
    #[sea_orm(column_type = "Text")]
    pub thresholds: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub webhook_url: Option<String>,
    pub forecast_alerts: bool,
    pub anomaly_alerts: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
