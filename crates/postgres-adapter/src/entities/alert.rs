//! `alerts` rows: the alert as raised, and its delivery state.

use sea_orm::entity::prelude::*;

use crate::exact_decimal::ExactDecimal;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alerts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub budget_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub budget_name: String,
    /// `budget`, `forecast` or `anomaly`.
    #[sea_orm(column_type = "Text")]
    pub kind: String,
    pub threshold_percent: i32,
    #[sea_orm(column_type = "Text")]
    pub period: String,
    pub period_start: DateTimeUtc,
    #[sea_orm(column_type = "Decimal(Some((20, 10)))")]
    pub spend: ExactDecimal,
    #[sea_orm(column_type = "Decimal(Some((20, 10)))")]
    pub amount: ExactDecimal,
    #[sea_orm(column_type = "Decimal(Some((20, 10)))", nullable)]
    pub forecast: Option<ExactDecimal>,
    #[sea_orm(column_type = "Text")]
    pub message: String,
    pub created_at: DateTimeUtc,
    /// `pending`, `delivered`, `failed` or `recorded`.
    #[sea_orm(column_type = "Text")]
    pub state: String,
    pub attempts: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub last_attempt_at: Option<DateTimeUtc>,
    pub next_attempt_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
