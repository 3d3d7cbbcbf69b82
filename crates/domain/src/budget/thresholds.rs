//! Alert thresholds: whole percentages of a budget's amount (80 = 80 %), each alerting
//! once per period when spend (or its forecast) reaches it.

use crate::money::Money;
use rust_decimal::Decimal;

/// Most thresholds one budget may have.
pub const MAX_THRESHOLDS: usize = 10;
/// Highest threshold: ten times the amount.
pub const MAX_PERCENT: u32 = 1000;

/// One threshold, a percentage in 1..=[`MAX_PERCENT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Threshold(u32);

impl Threshold {
    pub fn new(percent: u32) -> Option<Self> {
        (1..=MAX_PERCENT)
            .contains(&percent)
            .then_some(Self(percent))
    }

    pub const fn percent(self) -> u32 {
        self.0
    }

    /// Whether `spend` has reached this share of `amount`.
    pub fn reached_by(self, spend: Money, amount: Money) -> bool {
        spend.amount() * Decimal::ONE_HUNDRED >= amount.amount() * Decimal::from(self.0)
    }
}

/// A budget's thresholds: 1 to [`MAX_THRESHOLDS`], ascending, distinct.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Thresholds(Vec<Threshold>);

/// Why a list of thresholds was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ThresholdsError {
    #[error("give at least one threshold")]
    Empty,
    #[error("at most {MAX_THRESHOLDS} thresholds")]
    TooMany,
    #[error("{0} is not a percentage between 1 and {MAX_PERCENT}")]
    OutOfRange(u32),
}

impl Thresholds {
    /// Sorts and de-duplicates `percents` (at most [`MAX_THRESHOLDS`] given, repeats
    /// included: a list is refused for its length as written).
    pub fn new(mut percents: Vec<u32>) -> Result<Self, ThresholdsError> {
        if percents.is_empty() {
            return Err(ThresholdsError::Empty);
        }
        if percents.len() > MAX_THRESHOLDS {
            return Err(ThresholdsError::TooMany);
        }
        percents.sort_unstable();
        percents.dedup();
        percents
            .into_iter()
            .map(|p| Threshold::new(p).ok_or(ThresholdsError::OutOfRange(p)))
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    pub fn iter(&self) -> impl Iterator<Item = Threshold> + '_ {
        self.0.iter().copied()
    }

    /// The thresholds `spend` has reached, lowest first.
    pub fn crossed_by(&self, spend: Money, amount: Money) -> impl Iterator<Item = Threshold> + '_ {
        self.iter().filter(move |t| t.reached_by(spend, amount))
    }
}

impl Default for Thresholds {
    /// 80 % and 100 %.
    fn default() -> Self {
        Self(vec![Threshold(80), Threshold(100)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(amount: &str) -> Money {
        Money::from_decimal(amount.parse().expect("decimal"))
    }

    #[test]
    fn thresholds_are_sorted_and_distinct() {
        let thresholds = Thresholds::new(vec![100, 50, 100, 80]).expect("valid");
        let percents: Vec<u32> = thresholds.iter().map(Threshold::percent).collect();
        assert_eq!(percents, [50, 80, 100]);
    }

    #[test]
    fn out_of_range_empty_and_too_many_are_refused() {
        assert_eq!(Thresholds::new(vec![]), Err(ThresholdsError::Empty));
        assert_eq!(
            Thresholds::new(vec![0]),
            Err(ThresholdsError::OutOfRange(0))
        );
        assert_eq!(
            Thresholds::new(vec![80, 1001]),
            Err(ThresholdsError::OutOfRange(1001))
        );
        assert_eq!(
            Thresholds::new((1..=11).collect()),
            Err(ThresholdsError::TooMany)
        );
        assert_eq!(Thresholds::new(vec![1; 11]), Err(ThresholdsError::TooMany));
    }

    #[test]
    fn a_threshold_is_reached_exactly_at_its_share() {
        let thresholds = Thresholds::default();
        let amount = usd("33.3333333333");
        // 80 % of 33.3333333333 is 26.66666666664.
        assert_eq!(
            thresholds.crossed_by(usd("26.6666666666"), amount).count(),
            0
        );
        assert_eq!(
            thresholds.crossed_by(usd("26.6666666667"), amount).count(),
            1
        );
        assert_eq!(thresholds.crossed_by(amount, amount).count(), 2);
    }
}
