//! `tenant_price_overrides` rows, keyed by (tenant, instance type).

use sea_orm::entity::prelude::*;

use crate::exact_decimal::ExactDecimal;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenant_price_overrides")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub instance_type: String,
    #[sea_orm(column_type = "Decimal(Some((20, 10)))")]
    pub hourly_cost: ExactDecimal,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
