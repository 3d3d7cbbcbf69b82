//! How domain values are stored in the SQLite schema, and back:
//! - money: INTEGER counts of 10⁻¹⁰ currency units (the domain's `COST_SCALE`), so SQLite
//!   sums them exactly as 64-bit integers;
//! - rates and resource-second sums: TEXT decimals (SQLite would sum them as floating
//!   point); resource-seconds are summed exactly in SQL by [`exact_sum_sql`];
//! - instants: INTEGER unix seconds (UTC).

use std::str::FromStr;

use anyhow::{Context, bail};
use chrono::{DateTime, TimeZone, Utc};
use kcost_domain::money::{COST_SCALE, Money};
use rust_decimal::Decimal;
use sea_orm::QueryResult;

/// `money` as an integer count of 10⁻¹⁰ units.
pub(crate) fn money_units(money: Money) -> anyhow::Result<i64> {
    let mut amount = money.amount();
    amount.rescale(COST_SCALE);
    if amount.scale() != COST_SCALE {
        bail!("amount {money} cannot be held at scale {COST_SCALE}");
    }
    i64::try_from(amount.mantissa())
        .with_context(|| format!("amount {money} exceeds the INTEGER range at scale {COST_SCALE}"))
}

/// An integer count of 10⁻¹⁰ units (a stored amount or SQLite's sum of them) as money.
pub(crate) fn money_from_units(units: i64) -> Money {
    Money::from_decimal(Decimal::new(units, COST_SCALE))
}

/// An instant as stored: whole unix seconds (sub-second precision is dropped; agents send
/// whole seconds).
pub(crate) fn unix_seconds(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

/// A window bound as a unix-second bound for `ts >= bound` / `ts < bound` on whole-second
/// timestamps: rounded up, since an integer `ts` is ≥ (or <) a fractional `t` exactly when
/// it is ≥ (or <) `ceil(t)`.
pub(crate) fn bound_seconds(t: DateTime<Utc>) -> i64 {
    t.timestamp() + i64::from(t.timestamp_subsec_nanos() > 0)
}

/// A stored unix-second INTEGER as an instant.
pub(crate) fn instant(seconds: i64) -> anyhow::Result<DateTime<Utc>> {
    Utc.timestamp_opt(seconds, 0)
        .single()
        .with_context(|| format!("stored timestamp {seconds} is out of range"))
}

/// The start of the UTC hour containing `seconds`.
pub(crate) fn hour_start(seconds: i64) -> i64 {
    seconds - seconds.rem_euclid(3600)
}

/// A stored TEXT decimal.
pub(crate) fn decimal(text: &str) -> anyhow::Result<Decimal> {
    Decimal::from_str(text).with_context(|| format!("stored decimal {text:?} does not parse"))
}

/// SQL summing `column` exactly: its values are non-negative integers stored as TEXT because
/// they may exceed SQLite's 64-bit INTEGER (resource-seconds), and SQLite's own `SUM` of
/// them would be floating point. Two INTEGER sums instead — of each value's digits above
/// its last nine (`{column}_hi`) and of its last nine (`{column}_lo`) — which [`exact_sum`]
/// adds up; neither can overflow below ~10⁹ rows of 10¹⁸. Listing the values with
/// `group_concat` and summing them in Rust held a window's every value as text at once.
pub(crate) fn exact_sum_sql(column: &str) -> String {
    format!(
        "SUM(CAST(substr({column}, 1, max(length({column}) - 9, 0)) AS INTEGER)) AS {column}_hi, \
         SUM(CAST(substr({column}, -9) AS INTEGER)) AS {column}_lo"
    )
}

/// The resource-second columns of the pod rollups (TEXT integers).
pub(crate) const RESOURCE_SECONDS: [&str; 4] = [
    "cpu_usage_mcs",
    "cpu_request_mcs",
    "mem_usage_bs",
    "mem_request_bs",
];

/// The allocated resource-second columns of the pod rollups, `Σ max(request, usage) ·
/// seconds` (TEXT integers), which the allocation API reads beside [`RESOURCE_SECONDS`].
pub(crate) const ALLOCATED_SECONDS: [&str; 2] = ["cpu_alloc_mcs", "mem_alloc_bs"];

/// [`exact_sum_sql`] of every [`RESOURCE_SECONDS`] column, for a SELECT list.
pub(crate) fn resource_second_sums_sql() -> String {
    RESOURCE_SECONDS.map(exact_sum_sql).join(", ")
}

/// [`exact_sum_sql`] of every [`ALLOCATED_SECONDS`] column, for a SELECT list.
pub(crate) fn allocated_second_sums_sql() -> String {
    ALLOCATED_SECONDS.map(exact_sum_sql).join(", ")
}

/// The sum [`exact_sum_sql`] selected as `column` (no rows: zero).
pub(crate) fn exact_sum(row: &QueryResult, column: &str) -> anyhow::Result<Decimal> {
    let part = |suffix: &str| -> anyhow::Result<Decimal> {
        let name = format!("{column}_{suffix}");
        let value = row
            .try_get_by::<Option<i64>, _>(name.as_str())
            .with_context(|| format!("column {name}"))?;
        Ok(Decimal::from(value.unwrap_or_default()))
    };
    let (high, low) = (part("hi")?, part("lo")?);
    high.checked_mul(Decimal::from(LOW_DIGITS))
        .and_then(|high| high.checked_add(low))
        .with_context(|| format!("the sum of {column} overflows a decimal"))
}

/// SQL for the decimal text of `high × 10⁹ + low`, two INTEGER expressions as
/// [`exact_sum_sql`] sums them (`low` may exceed nine digits: it carries into `high`); the
/// text has no leading zeros, as `Decimal`'s `Display` writes an integer.
pub(crate) fn joined_digits_sql(high: &str, low: &str) -> String {
    format!(
        "CASE WHEN ({high}) + ({low}) / 1000000000 > 0 \
         THEN CAST(({high}) + ({low}) / 1000000000 AS TEXT) || printf('%09d', ({low}) % 1000000000) \
         ELSE CAST(({low}) AS TEXT) END"
    )
}

/// The split of [`exact_sum_sql`]: nine low digits.
const LOW_DIGITS: i64 = 1_000_000_000;

/// A resource quantity (millicores, bytes) as a SQLite INTEGER.
pub(crate) fn integer(value: u64) -> anyhow::Result<i64> {
    i64::try_from(value).with_context(|| format!("quantity {value} exceeds the INTEGER range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_round_trips_through_units() {
        let money = Money::from_decimal(Decimal::new(16, 3));
        assert_eq!(money_units(money).unwrap(), 160_000_000);
        assert_eq!(money_from_units(160_000_000), money);
        let tiny = Money::from_decimal(Decimal::new(1, 10));
        assert_eq!(money_units(tiny).unwrap(), 1);
        assert_eq!(money_units(Money::ZERO).unwrap(), 0);
    }

    #[test]
    fn fractional_bounds_round_up() {
        let t = Utc.timestamp_opt(100, 0).unwrap();
        assert_eq!(bound_seconds(t), 100);
        assert_eq!(bound_seconds(t + chrono::Duration::milliseconds(1)), 101);
    }

    #[test]
    fn hours_truncate() {
        assert_eq!(hour_start(7199), 3600);
        assert_eq!(hour_start(7200), 7200);
    }

    #[tokio::test]
    async fn resource_second_sums_are_exact_beyond_sqlite_integers() {
        use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
        let db = Database::connect("sqlite::memory:").await.unwrap();
        db.execute_unprepared("CREATE TABLE t (g INTEGER, v TEXT)")
            .await
            .unwrap();
        // Group 1 sums past i64::MAX (9223372036854775807); group 2 has short values.
        db.execute_unprepared(
            "INSERT INTO t VALUES (1, '9223372036854775807'), (1, '9223372036854775807'),
                                  (1, '123456789012'), (2, '7'), (2, '999999999'), (3, '0')",
        )
        .await
        .unwrap();
        let sql = format!(
            "SELECT g, {} FROM t GROUP BY g ORDER BY g",
            exact_sum_sql("v")
        );
        let rows = db
            .query_all_raw(Statement::from_string(DbBackend::Sqlite, sql))
            .await
            .unwrap();
        let sums: Vec<String> = rows
            .iter()
            .map(|row| exact_sum(row, "v").unwrap().to_string())
            .collect();
        assert_eq!(sums, ["18446744197166340626", "1000000006", "0"]);
        // The same sums as stored text, joined in SQL.
        let joined = joined_digits_sql("v_hi", "v_lo");
        let sql = format!(
            "SELECT {joined} AS total FROM (SELECT g, {} FROM t GROUP BY g) ORDER BY g",
            exact_sum_sql("v")
        );
        let rows = db
            .query_all_raw(Statement::from_string(DbBackend::Sqlite, sql))
            .await
            .unwrap();
        let texts: Vec<String> = rows
            .iter()
            .map(|row| row.try_get_by::<String, _>("total").unwrap())
            .collect();
        assert_eq!(texts, sums);
    }
}
