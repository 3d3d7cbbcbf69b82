//! [`ExactDecimal`]: a decimal column that round-trips exactly on both backends.
//!
//! On PostgreSQL the column is `numeric` and sqlx decodes it as a `Decimal`. sea-orm reads
//! a `Decimal` from SQLite through an `f64`, which would turn money into a binary float; so
//! the relational migrations declare these columns as text on SQLite (see
//! `kcost_migrations::relational::columns`) and this type reads that text back exactly.
//! Writes go through `Value::Decimal`, which sea-orm binds as `numeric` on PostgreSQL and as
//! the decimal's text on SQLite.

use std::str::FromStr;
use std::sync::Arc;

use rust_decimal::Decimal;
use sea_orm::sea_query::{ArrayType, ColumnType, Nullable, ValueType, ValueTypeErr};
use sea_orm::{
    ActiveValue, ColIdx, DbErr, IntoActiveValue, QueryResult, TryGetError, TryGetable, Value,
};

/// A decimal stored as `numeric` on PostgreSQL and as canonical text on SQLite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExactDecimal(pub Decimal);

impl From<ExactDecimal> for Value {
    fn from(value: ExactDecimal) -> Self {
        Value::from(value.0)
    }
}

impl TryGetable for ExactDecimal {
    fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
        if res.try_as_sqlite_row().is_none() {
            return Decimal::try_get_by(res, index).map(Self);
        }
        let text = String::try_get_by(res, index)?;
        Decimal::from_str(&text).map(Self).map_err(|error| {
            TryGetError::DbErr(DbErr::TryIntoErr {
                from: "decimal text",
                into: "Decimal",
                source: Arc::new(error),
            })
        })
    }
}

impl ValueType for ExactDecimal {
    fn try_from(value: Value) -> Result<Self, ValueTypeErr> {
        <Decimal as ValueType>::try_from(value).map(Self)
    }

    fn type_name() -> String {
        "ExactDecimal".to_owned()
    }

    fn array_type() -> ArrayType {
        ArrayType::Decimal
    }

    fn column_type() -> ColumnType {
        ColumnType::Decimal(None)
    }
}

impl Nullable for ExactDecimal {
    fn null() -> Value {
        <Decimal as Nullable>::null()
    }
}

impl IntoActiveValue<ExactDecimal> for ExactDecimal {
    fn into_active_value(self) -> ActiveValue<ExactDecimal> {
        ActiveValue::Set(self)
    }
}
