//! How domain values are stored in the SQLite schema, and back:
//! - money: INTEGER counts of 10⁻¹⁰ currency units (the domain's `COST_SCALE`), so SQLite
//!   sums them exactly as 64-bit integers;
//! - rates and resource-second sums: TEXT decimals, parsed and summed with `rust_decimal`
//!   (SQLite would sum them as floating point);
//! - instants: INTEGER unix seconds (UTC).

use std::str::FromStr;

use anyhow::{Context, bail};
use chrono::{DateTime, TimeZone, Utc};
use kcost_domain::money::{COST_SCALE, Money};
use rust_decimal::Decimal;

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

/// The sum of the decimals in a `group_concat(column)` list (`None`: no rows, zero).
pub(crate) fn sum_listed(list: Option<&str>) -> anyhow::Result<Decimal> {
    let Some(list) = list else {
        return Ok(Decimal::ZERO);
    };
    list.split(',').try_fold(Decimal::ZERO, |sum, item| {
        sum.checked_add(decimal(item)?)
            .context("resource-second sum overflows a decimal")
    })
}

/// A resource quantity (millicores, bytes) as a SQLite INTEGER.
pub(crate) fn integer(value: u64) -> anyhow::Result<i64> {
    i64::try_from(value).with_context(|| format!("quantity {value} exceeds the INTEGER range"))
}

/// A stored non-negative INTEGER as a quantity or count.
pub(crate) fn unsigned(value: i64) -> anyhow::Result<u64> {
    u64::try_from(value).with_context(|| format!("stored value {value} is negative"))
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

    #[test]
    fn listed_decimals_sum_exactly() {
        assert_eq!(sum_listed(None).unwrap(), Decimal::ZERO);
        assert_eq!(
            sum_listed(Some("1,2.5,99999999999999999999")).unwrap(),
            Decimal::from_str("100000000000000000002.5").unwrap()
        );
        assert!(sum_listed(Some("1,x")).is_err());
    }
}
