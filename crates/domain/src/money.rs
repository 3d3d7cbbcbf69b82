//! Money: exact decimal amounts at a fixed scale, and the currency they are in.
//!
//! Every cost the engine produces is rounded once, to [`COST_SCALE`] decimal places
//! (10⁻¹⁰ of a currency unit), and from then on only added and subtracted. Sums of values
//! at one fixed scale are exact in `rust_decimal`, which is what makes "Σ pod costs + Σ idle
//! = Σ node costs" hold to the last digit, not merely to the cent. Nothing rounds further:
//! the API answers these exact amounts and leaves display rounding to clients.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Sub};

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// Decimal places every stored cost is rounded to.
pub const COST_SCALE: u32 = 10;

/// An amount of money at [`COST_SCALE`]. Construction rounds (banker's rounding);
/// arithmetic between `Money` values is exact.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(Decimal);

impl Money {
    pub const ZERO: Self = Self(Decimal::ZERO);

    /// Rounds `amount` to [`COST_SCALE`] places.
    pub fn from_decimal(amount: Decimal) -> Self {
        Self(amount.round_dp_with_strategy(COST_SCALE, RoundingStrategy::MidpointNearestEven))
    }

    /// The cost of `seconds` at `hourly` per hour, rounded once.
    pub fn for_duration(hourly: Decimal, seconds: u32) -> Self {
        Self::from_decimal(hourly * Decimal::from(seconds) / Decimal::from(3600))
    }

    pub const fn amount(self) -> Decimal {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    pub fn max(self, other: Self) -> Self {
        if other > self { other } else { self }
    }
}

impl Add for Money {
    type Output = Self;
    fn add(self, rhs: Self) -> Self {
        Self(self.0 + rhs.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Self) {
        self.0 += rhs.0;
    }
}

impl Sub for Money {
    type Output = Self;
    fn sub(self, rhs: Self) -> Self {
        Self(self.0 - rhs.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Money> for Money {
    fn sum<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
        iter.copied().sum()
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.normalize().fmt(f)
    }
}

/// Splits `total` into parts proportional to `weights` whose sum is exactly `total`.
///
/// Each part is first truncated to [`COST_SCALE`]; the units left over are handed out by
/// largest remainder (ties to the earlier index), so the result is deterministic. Zero
/// total weight splits evenly. Negative weights count as zero.
pub fn apportion(total: Money, weights: &[Decimal]) -> Vec<Money> {
    if weights.is_empty() {
        return Vec::new();
    }
    let weights: Vec<Decimal> = if weights.iter().all(|w| *w <= Decimal::ZERO) {
        vec![Decimal::ONE; weights.len()]
    } else {
        weights.iter().map(|w| (*w).max(Decimal::ZERO)).collect()
    };
    let weight_sum: Decimal = weights.iter().sum();
    let exact: Vec<Decimal> = weights.iter().map(|w| total.0 * *w / weight_sum).collect();
    let mut parts: Vec<Decimal> = exact
        .iter()
        .map(|e| e.round_dp_with_strategy(COST_SCALE, RoundingStrategy::ToZero))
        .collect();

    let unit = Decimal::new(1, COST_SCALE);
    let assigned: Decimal = parts.iter().sum();
    let mut leftover = total.0 - assigned;

    let mut by_remainder: Vec<usize> = (0..parts.len()).collect();
    by_remainder.sort_by(|&a, &b| {
        (exact[b] - parts[b])
            .cmp(&(exact[a] - parts[a]))
            .then(a.cmp(&b))
    });
    let mut cursor = by_remainder.iter().cycle();
    while leftover >= unit {
        if let Some(&i) = cursor.next() {
            parts[i] += unit;
            leftover -= unit;
        }
    }
    // Division rounding can overshoot by a unit; take it back from the largest part.
    while leftover <= -unit {
        if let Some(i) = (0..parts.len()).max_by(|&a, &b| parts[a].cmp(&parts[b]).then(b.cmp(&a))) {
            parts[i] -= unit;
            leftover += unit;
        }
    }
    parts.into_iter().map(Money).collect()
}

/// Why a currency code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("currency must be a three-letter ISO 4217 code in capitals, e.g. USD (got {0:?})")]
pub struct CurrencyError(pub String);

/// An ISO 4217 currency code such as `USD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    pub const USD: Self = Self(*b"USD");

    pub fn new(code: &str) -> Result<Self, CurrencyError> {
        match code.as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|ch| ch.is_ascii_uppercase()) => {
                Ok(Self([*a, *b, *c]))
            }
            _ => Err(CurrencyError(code.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        // Constructed only from ASCII capitals.
        std::str::from_utf8(&self.0).unwrap_or("USD")
    }
}

impl Default for Currency {
    fn default() -> Self {
        Self::USD
    }
}

impl TryFrom<String> for Currency {
    type Error = CurrencyError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(&value)
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.as_str().to_owned()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn construction_rounds_to_cost_scale() {
        assert_eq!(
            Money::from_decimal(d("0.123456789012345")).amount(),
            d("0.1234567890")
        );
        assert_eq!(
            Money::from_decimal(d("0.00000000005")).amount(),
            d("0.0000000000")
        );
        assert_eq!(
            Money::from_decimal(d("0.00000000015")).amount(),
            d("0.0000000002")
        );
    }

    #[test]
    fn for_duration_prices_seconds_at_an_hourly_rate() {
        // m5.large at $0.096/h for the agent's 600 s period.
        assert_eq!(Money::for_duration(d("0.096"), 600).amount(), d("0.016"));
        assert_eq!(Money::for_duration(d("1"), 1).amount(), d("0.0002777778"));
    }

    #[test]
    fn apportion_is_proportional_and_exact() {
        let parts = apportion(Money::from_decimal(d("1")), &[d("1"), d("1"), d("1")]);
        assert_eq!(parts.iter().sum::<Money>(), Money::from_decimal(d("1")));
        assert_eq!(parts[0].amount(), d("0.3333333334"));
        assert_eq!(parts[1].amount(), d("0.3333333333"));
        let parts = apportion(Money::from_decimal(d("10")), &[d("3"), d("1")]);
        assert_eq!(
            parts,
            vec![Money::from_decimal(d("7.5")), Money::from_decimal(d("2.5"))]
        );
    }

    #[test]
    fn apportion_handles_zero_and_empty_weights() {
        assert!(apportion(Money::from_decimal(d("1")), &[]).is_empty());
        let parts = apportion(Money::from_decimal(d("1")), &[Decimal::ZERO, Decimal::ZERO]);
        assert_eq!(parts, vec![Money::from_decimal(d("0.5")); 2]);
    }

    #[test]
    fn currency_codes_are_validated() {
        assert_eq!(Currency::new("EUR").unwrap().as_str(), "EUR");
        assert!(Currency::new("usd").is_err());
        assert!(Currency::new("DOLLAR").is_err());
        assert!(serde_json::from_str::<Currency>("\"GBP\"").is_ok());
        assert!(serde_json::from_str::<Currency>("\"gb\"").is_err());
    }

    proptest! {
        #[test]
        fn apportion_conserves_the_total(
            total_units in 0i64..10_000_000_000_000,
            weights in prop::collection::vec(0u64..5_000_000, 1..40),
        ) {
            let total = Money::from_decimal(Decimal::new(total_units, 6));
            let weights: Vec<Decimal> = weights.into_iter().map(|w| Decimal::new(w as i64, 3)).collect();
            let parts = apportion(total, &weights);
            prop_assert_eq!(parts.len(), weights.len());
            prop_assert_eq!(parts.iter().sum::<Money>(), total);
            prop_assert!(parts.iter().all(|p| !p.is_negative()));
            prop_assert!(parts.iter().all(|p| p.amount().scale() <= COST_SCALE));
        }
    }
}
