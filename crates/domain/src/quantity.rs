//! Resource quantities as Kubernetes reports them: CPU in millicores, memory in bytes.
//! Both are non-negative by construction; conversions to cores and GiB are exact decimals.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Bytes in one GiB (2^30): the cost model prices memory per GiB-hour.
pub const BYTES_PER_GIB: u64 = 1 << 30;

/// CPU quantity in millicores (1000 = one core).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Millicores(u64);

impl Millicores {
    pub const ZERO: Self = Self(0);

    pub const fn new(value: u64) -> Self {
        Self(value)
    }

    pub const fn get(self) -> u64 {
        self.0
    }

    /// The quantity in cores (millicores / 1000), exact.
    pub fn cores(self) -> Decimal {
        Decimal::from(self.0) / Decimal::ONE_THOUSAND
    }
}

impl fmt::Display for Millicores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}m", self.0)
    }
}

/// Memory quantity in bytes.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Bytes(u64);

impl Bytes {
    pub const ZERO: Self = Self(0);

    pub const fn new(value: u64) -> Self {
        Self(value)
    }

    pub const fn get(self) -> u64 {
        self.0
    }

    /// The quantity in GiB (bytes / 2^30), rounded to Decimal's 28-digit precision.
    pub fn gib(self) -> Decimal {
        Decimal::from(self.0) / Decimal::from(BYTES_PER_GIB)
    }

    /// Whole MiB, rounded up: how memory requests are written in advice (`512Mi`).
    pub const fn mib_ceil(self) -> u64 {
        self.0.div_ceil(1 << 20)
    }
}

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}B", self.0)
    }
}

/// Millicore-seconds in a core-hour, and seconds in an hour: resource-seconds as
/// resource-hours.
pub const MILLICORE_SECONDS_PER_CORE_HOUR: rust_decimal::Decimal =
    rust_decimal::Decimal::from_parts(3_600_000, 0, 0, false, 0);
pub const SECONDS_PER_HOUR: rust_decimal::Decimal =
    rust_decimal::Decimal::from_parts(3_600, 0, 0, false, 0);

/// `amount` (a quantity times hours) averaged over `seconds` of running time; zero when
/// nothing ran.
pub fn per_hour(
    amount: rust_decimal::Decimal,
    seconds: rust_decimal::Decimal,
) -> rust_decimal::Decimal {
    if seconds.is_zero() {
        rust_decimal::Decimal::ZERO
    } else {
        amount * SECONDS_PER_HOUR / seconds
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn millicores_convert_to_cores() {
        assert_eq!(Millicores::new(1500).cores(), Decimal::new(15, 1));
        assert_eq!(Millicores::ZERO.cores(), Decimal::ZERO);
    }

    #[test]
    fn bytes_convert_to_gib() {
        assert_eq!(Bytes::new(BYTES_PER_GIB * 3).gib(), Decimal::from(3));
        assert_eq!(Bytes::new(BYTES_PER_GIB / 2).gib(), Decimal::new(5, 1));
    }

    #[test]
    fn mib_rounds_up() {
        assert_eq!(Bytes::new(1).mib_ceil(), 1);
        assert_eq!(Bytes::new(1 << 20).mib_ceil(), 1);
        assert_eq!(Bytes::new((1 << 20) + 1).mib_ceil(), 2);
    }
}
