//! When snapshots are taken: back-fill sample times, every `interval` over a period
//! ending now, on interval boundaries (the way a long-running agent's samples line up).

use chrono::{DateTime, TimeZone, Utc};

/// Sample times, oldest first, covering `period` and ending at the last multiple of
/// `interval_seconds` not after `end`. Empty when the period is shorter than one interval.
pub fn backfill_times(
    end: DateTime<Utc>,
    period_seconds: u64,
    interval_seconds: u64,
) -> Vec<DateTime<Utc>> {
    let interval = i64::try_from(interval_seconds.max(1)).unwrap_or(i64::MAX);
    let count = i64::try_from(period_seconds / interval_seconds.max(1)).unwrap_or(0);
    let last = end.timestamp().div_euclid(interval) * interval;
    (0..count)
        .rev()
        .filter_map(|back| Utc.timestamp_opt(last - back * interval, 0).single())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_week_every_ten_minutes_ends_at_the_last_boundary() {
        let end = Utc
            .with_ymd_and_hms(2026, 11, 20, 9, 7, 31)
            .single()
            .unwrap();
        let times = backfill_times(end, 7 * 86_400, 600);
        assert_eq!(times.len(), 1008);
        assert_eq!(
            times.last().unwrap().to_rfc3339(),
            "2026-11-20T09:00:00+00:00"
        );
        assert!(times.windows(2).all(|w| (w[1] - w[0]).num_seconds() == 600));
        assert!(backfill_times(end, 300, 600).is_empty());
    }
}
