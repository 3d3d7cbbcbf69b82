//! The `snapshots` row of a priced snapshot and the conversions every table shares (hour
//! truncation, quantities as `bigint`, enum spellings). Pure; no I/O.

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Timelike, Utc};
use kcost_domain::cost_engine::PricedSnapshot;
use kcost_store_support::stored_duration_basis;
use rust_decimal::Decimal;

/// The `snapshots` row.
#[derive(Debug)]
pub(crate) struct SnapshotRow<'a> {
    pub cluster: &'a str,
    pub ts: DateTime<Utc>,
    /// `ts` truncated to the hour: the rollup key.
    pub hour: DateTime<Utc>,
    /// The UTC day of `ts`: the partition the samples land in.
    pub day: NaiveDate,
    pub duration_seconds: i32,
    pub duration_basis: &'static str,
    pub pod_count: i32,
    pub node_count: i32,
    pub node_cost: Decimal,
    pub idle: Decimal,
    pub off_node_pod_cost: Decimal,
}

impl<'a> SnapshotRow<'a> {
    pub fn new(priced: &'a PricedSnapshot) -> anyhow::Result<Self> {
        let snapshot = priced.snapshot();
        let ts = snapshot.timestamp();
        let totals = priced.totals();
        Ok(Self {
            cluster: snapshot.cluster().as_str(),
            ts,
            hour: hour_of(ts)?,
            day: ts.date_naive(),
            duration_seconds: i32::try_from(priced.duration().seconds)
                .context("sample duration out of range")?,
            duration_basis: stored_duration_basis(priced.duration().basis),
            pod_count: i32::try_from(snapshot.pods().len()).context("too many pods")?,
            node_count: i32::try_from(snapshot.nodes().len()).context("too many nodes")?,
            node_cost: totals.node_cost.amount(),
            idle: totals.idle.amount(),
            off_node_pod_cost: totals.off_node_pod_cost.amount(),
        })
    }
}

/// `t` truncated to the start of its UTC hour.
pub(crate) fn hour_of(t: DateTime<Utc>) -> anyhow::Result<DateTime<Utc>> {
    t.with_nanosecond(0)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_minute(0))
        .context("timestamp cannot be truncated to the hour")
}

/// A resource quantity as a PostgreSQL `bigint`.
pub(crate) fn big(value: u64) -> anyhow::Result<i64> {
    i64::try_from(value).with_context(|| format!("quantity {value} exceeds the bigint range"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn hours_truncate_minutes_seconds_and_fractions() {
        let t = Utc.with_ymd_and_hms(2026, 11, 20, 9, 59, 59).unwrap()
            + chrono::Duration::milliseconds(999);
        assert_eq!(
            hour_of(t).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap()
        );
    }

    #[test]
    fn quantities_beyond_bigint_are_refused() {
        assert_eq!(big(42).unwrap(), 42);
        assert!(big(u64::MAX).is_err());
    }
}
