//! Pod presence: which hours of a UTC month each pod had a sample in
//! (`pod_presence_monthly.hours`, `bit(744)`, bit 0 = the month's first hour), so distinct
//! pod counts over a long window read one row per pod and month instead of one per hour.
//!
//! Written on append (one bit per pod, only where not set yet); read by
//! [`presence_pods_sql`] for the window's whole hours; trimmed by retention.

use anyhow::Context;
use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// Bits per presence row: hours in the longest month.
pub(crate) const PRESENCE_BITS: usize = 744;

/// Sets the snapshot hour's bit for every pod of the snapshot. The `NOT EXISTS` filter
/// skips pods whose bit is already set (all but the hour's first snapshot), so those cost
/// an index probe and no row lock or new row version. Masks only ever gain bits, so
/// concurrent appends commute.
///
/// `$1` tenant, `$2` cluster, `$3` month, `$4` bit index, `$5` the bit as a `bit(744)`
/// literal, `$6`/`$7` namespaces and pods.
pub(crate) const UPSERT_PRESENCE: &str = "
INSERT INTO pod_presence_monthly AS r (tenant_id, month, cluster, namespace, pod, hours)
SELECT $1, $3, $2, u.namespace, u.pod, $5::text::bit(744)
FROM UNNEST($6::text[], $7::text[]) AS u(namespace, pod)
WHERE NOT EXISTS (
    SELECT 1 FROM pod_presence_monthly p
    WHERE p.tenant_id = $1 AND p.month = $3 AND p.cluster = $2
      AND p.namespace = u.namespace AND p.pod = u.pod AND get_bit(p.hours, $4) = 1)
ON CONFLICT (tenant_id, month, cluster, namespace, pod) DO UPDATE SET
    hours = r.hours | EXCLUDED.hours";

/// Where an hour's bit lives: its month and its index in the month's bit string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PresenceBit {
    pub month: DateTime<Utc>,
    pub index: i32,
}

impl PresenceBit {
    /// The bit of `hour` (an instant truncated to the hour).
    pub fn of(hour: DateTime<Utc>) -> anyhow::Result<Self> {
        let first_day = NaiveDate::from_ymd_opt(hour.year(), hour.month(), 1)
            .context("month of a valid timestamp")?;
        let month = first_day.and_time(chrono::NaiveTime::MIN).and_utc();
        let index = i32::try_from((hour - month).num_hours()).context("hour index")?;
        Ok(Self { month, index })
    }

    /// The `bit(744)` text with only this bit set.
    pub fn literal(&self) -> String {
        let index = usize::try_from(self.index).unwrap_or_default();
        (0..PRESENCE_BITS)
            .map(|i| if i == index { '1' } else { '0' })
            .collect()
    }
}

/// `(cluster, namespace, pod)` of every pod with a sample in the whole hours `[$3, $4)`,
/// for tenant `$1`, with `filters` (`AND …`) applied. A CTE `months` gives each month the
/// window touches a mask of the window's hours in it; a pod counts when its bits meet the
/// mask. Months are computed in UTC whatever the session's time zone.
///
/// `MATERIALIZED` builds each month's mask once: inlined, the planner substitutes the mask
/// expression into the join filter and rebuilds the 744-bit string for every presence row
/// (measured: the presence read of a 10,000-pod month went from 55 to 22 ms).
pub(crate) fn presence_pods_sql(filters: &str) -> String {
    format!(
        "WITH months AS MATERIALIZED (
            SELECT month, (repeat('0', a) || repeat('1', b - a) || repeat('0', 744 - b))::bit(744)
                          AS mask
            FROM (SELECT month, a, greatest(a, b) AS b
                  FROM (SELECT m AT TIME ZONE 'UTC' AS month,
                               greatest(0, least(744, (extract(epoch FROM $3::timestamptz
                                   - m AT TIME ZONE 'UTC') / 3600)::int)) AS a,
                               greatest(0, least(744, (extract(epoch FROM $4::timestamptz
                                   - m AT TIME ZONE 'UTC') / 3600)::int)) AS b
                        FROM generate_series(date_trunc('month', $3::timestamptz AT TIME ZONE 'UTC'),
                                             $4::timestamptz AT TIME ZONE 'UTC',
                                             interval '1 month') AS m) AS bounds) AS clamped
        )
        SELECT cluster, namespace, pod
        FROM pod_presence_monthly p JOIN months USING (month)
        WHERE tenant_id = $1 AND bit_count(p.hours & months.mask) > 0{filters}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn hours_map_to_their_month_and_index() {
        let bit = PresenceBit::of(Utc.with_ymd_and_hms(2026, 10, 31, 23, 0, 0).unwrap()).unwrap();
        assert_eq!(
            bit,
            PresenceBit {
                month: Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap(),
                index: 743
            }
        );
        let first = PresenceBit::of(Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()).unwrap();
        assert_eq!(first.index, 0);
        assert!(first.literal().starts_with("10"));
        assert_eq!(first.literal().len(), PRESENCE_BITS);
        assert_eq!(bit.literal().find('1'), Some(743));
        assert_eq!(bit.literal().matches('1').count(), 1);
    }
}
