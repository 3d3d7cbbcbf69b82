//! [`Columns`]: a PostgreSQL result row as `kcost_store_support`'s shared decoders read it:
//! money, rates and resource-second sums as NUMERIC, instants as timestamptz.

use chrono::{DateTime, Utc};
use kcost_domain::money::Money;
use kcost_store_support::ResultRow;
use rust_decimal::Decimal;
use sqlx::Row;
use sqlx::postgres::PgRow;

/// The columns of one PostgreSQL result row.
pub(crate) struct Columns<'a>(pub &'a PgRow);

impl ResultRow for Columns<'_> {
    type Error = anyhow::Error;

    fn text(&self, column: &str) -> anyhow::Result<Option<String>> {
        Ok(self.0.try_get(column)?)
    }

    fn integer(&self, column: &str) -> anyhow::Result<Option<i64>> {
        Ok(self.0.try_get(column)?)
    }

    fn decimal(&self, column: &str) -> anyhow::Result<Decimal> {
        Ok(self.0.try_get(column)?)
    }

    fn money(&self, column: &str) -> anyhow::Result<Money> {
        let amount: Option<Decimal> = self.0.try_get(column)?;
        Ok(Money::from_decimal(amount.unwrap_or_default()))
    }

    fn resource_seconds(&self, column: &str) -> anyhow::Result<Decimal> {
        let sum: Option<Decimal> = self.0.try_get(column)?;
        Ok(sum.unwrap_or_default())
    }

    fn instant(&self, column: &str) -> anyhow::Result<Option<DateTime<Utc>>> {
        Ok(self.0.try_get(column)?)
    }

    /// `duration_seconds` is an `integer` column.
    fn seconds(&self, column: &str) -> anyhow::Result<u32> {
        Ok(u32::try_from(self.0.try_get::<i32, _>(column)?)?)
    }
}
