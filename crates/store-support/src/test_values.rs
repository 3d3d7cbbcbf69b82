//! Values the unit tests of this crate share.

use chrono::{DateTime, TimeZone, Utc};
use rust_decimal::Decimal;

use kcost_domain::cluster::ClusterName;
use kcost_domain::costs::UsagePoint;
use kcost_domain::money::Money;
use kcost_domain::pricing::ResourceRates;
use kcost_domain::quantity::{Bytes, Millicores};
use kcost_domain::snapshot::ResourceFigures;

use crate::usage::{PodUsageSample, owner_from_columns};

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

/// A raw usage sample of `pod` in `prod/web` at 09:`minute`, priced at `rate` per core-hour,
/// owned by Deployment `owner` when given; its CPU usage is `minute` millicores.
pub fn usage_sample(pod: &str, minute: u32, rate: i64, owner: Option<&str>) -> PodUsageSample {
    PodUsageSample {
        cluster: cluster("prod"),
        namespace: "web".into(),
        pod: pod.into(),
        owner: owner_from_columns(Some("Deployment".into()), owner.map(Into::into)),
        rates: ResourceRates {
            cpu_core_hourly: Decimal::from(rate),
            ram_gib_hourly: Decimal::ONE,
        },
        point: UsagePoint {
            at: at(9, minute),
            seconds: 600,
            figures: ResourceFigures {
                cpu_request: Millicores::new(100),
                cpu_usage: Millicores::new(u64::from(minute)),
                memory_request: Bytes::new(1),
                memory_usage: Bytes::new(1),
                cpu_limit: None,
                memory_limit: None,
            },
        },
    }
}
