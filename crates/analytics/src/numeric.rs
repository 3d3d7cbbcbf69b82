//! Conversions between the exact decimals at the crate's boundary and the `f64` its
//! algorithms compute in.

use kcost_domain::money::Money;
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};

/// Largest magnitude converted back to a decimal. Far above any real cost, and far below
/// `Decimal::MAX` (about 7.9e28), so a runaway value saturates instead of failing.
const LARGEST_AMOUNT: f64 = 1e20;

/// `amount` as `f64` (every decimal converts; the fallback only keeps this total).
pub(crate) fn to_f64(amount: Decimal) -> f64 {
    amount.to_f64().unwrap_or(0.0)
}

/// `value` as money at the cost scale; not-a-number counts as zero and huge values
/// saturate, so callers never see a conversion failure.
pub(crate) fn to_money(value: f64) -> Money {
    let value = if value.is_nan() {
        0.0
    } else {
        value.clamp(-LARGEST_AMOUNT, LARGEST_AMOUNT)
    };
    Money::from_decimal(Decimal::from_f64(value).unwrap_or(Decimal::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn round_trips_a_cost_at_the_cost_scale() {
        let amount = Decimal::from_str("123.4567891234").unwrap();
        assert_eq!(to_money(to_f64(amount)).amount(), amount);
    }

    #[test]
    fn nan_and_infinities_never_fail() {
        assert_eq!(to_money(f64::NAN), Money::ZERO);
        assert!(to_money(f64::INFINITY).amount() > Decimal::from(1_000_000_000_000u64));
        assert!(to_money(f64::NEG_INFINITY).is_negative());
    }
}
