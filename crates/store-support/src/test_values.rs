//! Values the unit tests of this crate share.

use chrono::{DateTime, TimeZone, Utc};
use rust_decimal::Decimal;

use kcost_domain::cluster::ClusterName;
use kcost_domain::money::Money;

/// 2026-11-20 at `hour:minute` UTC.
pub fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, hour, minute, 0).unwrap()
}

/// November `day`, 2026, at `hour:00` UTC.
pub fn on(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
}

/// `cents` hundredths of a currency unit.
pub fn money(cents: i64) -> Money {
    Money::from_decimal(Decimal::new(cents, 2))
}

pub fn cluster(name: &str) -> ClusterName {
    ClusterName::new(name).unwrap()
}
