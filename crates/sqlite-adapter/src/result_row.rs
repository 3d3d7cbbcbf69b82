//! [`Columns`]: a SQLite result row as `kcost_store_support`'s shared decoders read it,
//! each value in its SQLite encoding (`encoding`): money as INTEGER units, rates as TEXT
//! decimals, resource-second sums in the two parts of `encoding::exact_sum_sql`, instants
//! as unix seconds.

use chrono::{DateTime, Utc};
use kcost_domain::money::Money;
use kcost_store_support::ResultRow;
use rust_decimal::Decimal;
use sea_orm::QueryResult;

use crate::encoding::{decimal, exact_sum, instant, money_from_units};

/// The columns of one SQLite result row.
pub(crate) struct Columns<'a>(pub &'a QueryResult);

impl ResultRow for Columns<'_> {
    type Error = anyhow::Error;

    fn text(&self, column: &str) -> anyhow::Result<Option<String>> {
        Ok(self.0.try_get_by(column)?)
    }

    fn integer(&self, column: &str) -> anyhow::Result<Option<i64>> {
        Ok(self.0.try_get_by(column)?)
    }

    fn decimal(&self, column: &str) -> anyhow::Result<Decimal> {
        decimal(&self.0.try_get_by::<String, _>(column)?)
    }

    fn money(&self, column: &str) -> anyhow::Result<Money> {
        let units: Option<i64> = self.0.try_get_by(column)?;
        Ok(money_from_units(units.unwrap_or_default()))
    }

    fn resource_seconds(&self, column: &str) -> anyhow::Result<Decimal> {
        exact_sum(self.0, column)
    }

    fn instant(&self, column: &str) -> anyhow::Result<Option<DateTime<Utc>>> {
        let seconds: Option<i64> = self.0.try_get_by(column)?;
        seconds.map(instant).transpose()
    }

    fn seconds(&self, column: &str) -> anyhow::Result<u32> {
        Ok(u32::try_from(self.0.try_get_by::<i64, _>(column)?)?)
    }
}
