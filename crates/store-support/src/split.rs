//! Where a query reads from: a window split into whole hours (read from hourly rollups)
//! and partial edge hours (read from raw samples), the whole UTC days inside those hours
//! (read from daily rollups), and when an hour is closed, so that its rollup may be built.

use chrono::{DateTime, Duration, NaiveTime, Utc};

use kcost_domain::window::TimeWindow;

/// A window `[start, end)` split at its whole hours `[whole_start, whole_end)`: rollups
/// cover `whole_start ≤ hour < whole_end`, raw samples cover `start ≤ ts < whole_start`
/// and `whole_end ≤ ts < end`. A rollup's hour is its samples' timestamp truncated to the
/// hour, so the three ranges are disjoint and together count exactly the samples with
/// `start ≤ ts < end`. Without any whole hour, `whole_start = whole_end = end`: everything
/// comes from raw samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HourSplit {
    pub start: DateTime<Utc>,
    pub whole_start: DateTime<Utc>,
    pub whole_end: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl HourSplit {
    pub fn of(window: &TimeWindow) -> Self {
        let (whole_start, whole_end) = window
            .whole_hours()
            .map_or((window.end(), window.end()), |w| (w.start(), w.end()));
        Self {
            start: window.start(),
            whole_start,
            whole_end,
            end: window.end(),
        }
    }

    /// The split of `window` when rollups exist only for hours before `rolled_until` (the
    /// tenant's rollup watermark; `None`: no rollup at all): whole hours at or past it are
    /// read from raw samples like the edges. Shrinks only `whole_end`, so the three ranges
    /// still cover exactly `[start, end)`.
    pub fn rolled_up_before(window: &TimeWindow, rolled_until: Option<DateTime<Utc>>) -> Self {
        let mut split = Self::of(window);
        let limit = rolled_until.unwrap_or(split.whole_start);
        if limit < split.whole_end {
            split.whole_end = limit.max(split.whole_start);
        }
        split
    }

    /// The whole UTC days `[first, end)` inside the whole hours, if there is one: a day's
    /// daily rollup row is the sum of its hourly rows (built when its last hour is), so it
    /// may stand for them where answers do not bucket by hour.
    pub fn whole_days(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let first = floor_day(self.whole_start);
        let first = if first < self.whole_start {
            first + Duration::days(1)
        } else {
            first
        };
        let end = floor_day(self.whole_end);
        (first < end).then_some((first, end))
    }
}

/// Rollups are built for an hour once it has closed: its cluster has sent a later
/// snapshot, or this long has passed since its end (agents send every 10 minutes and
/// retry for 2).
pub const ROLLUP_GRACE_SECONDS: i64 = 15 * 60;

/// The end of the closed hours of a cluster whose latest snapshot is at `latest`, at `now`:
/// every hour before it is closed.
pub fn closed_until(latest: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    let grace = Duration::seconds(ROLLUP_GRACE_SECONDS);
    floor_hour(latest).max(floor_hour(now - grace))
}

/// `t` truncated to its UTC hour.
pub fn floor_hour(t: DateTime<Utc>) -> DateTime<Utc> {
    let secs = t.timestamp().div_euclid(3600) * 3600;
    DateTime::from_timestamp(secs, 0).unwrap_or(t)
}

/// `t` truncated to its UTC midnight.
pub fn floor_day(t: DateTime<Utc>) -> DateTime<Utc> {
    t.date_naive().and_time(NaiveTime::MIN).and_utc()
}

/// Hours rebuilt per rollup transaction: short enough that appends waiting on it are not
/// delayed long, long enough that a back-log is caught up in few transactions.
pub const ROLLUP_BATCH_HOURS: i64 = 6;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_values::{at, on};

    #[test]
    fn a_window_splits_into_edges_and_whole_hours() {
        let split = HourSplit::of(&TimeWindow::new(at(9, 30), at(12, 15)).unwrap());
        assert_eq!(
            (split.start, split.whole_start, split.whole_end, split.end),
            (at(9, 30), at(10, 0), at(12, 0), at(12, 15))
        );
    }

    #[test]
    fn a_window_without_whole_hours_is_all_edge() {
        let split = HourSplit::of(&TimeWindow::new(at(9, 10), at(9, 50)).unwrap());
        assert_eq!((split.whole_start, split.whole_end), (at(9, 50), at(9, 50)));
    }

    #[test]
    fn the_watermark_shrinks_only_the_whole_hours() {
        let window = TimeWindow::new(at(8, 30), at(14, 15)).unwrap();
        let all = HourSplit::of(&window);
        assert_eq!((all.whole_start, all.whole_end), (at(9, 0), at(14, 0)));
        let split = HourSplit::rolled_up_before(&window, Some(at(11, 0)));
        assert_eq!((split.whole_start, split.whole_end), (at(9, 0), at(11, 0)));
        let none = HourSplit::rolled_up_before(&window, None);
        assert_eq!((none.whole_start, none.whole_end), (at(9, 0), at(9, 0)));
        let early = HourSplit::rolled_up_before(&window, Some(at(3, 0)));
        assert_eq!(early.whole_end, at(9, 0));
        let late = HourSplit::rolled_up_before(&window, Some(at(20, 0)));
        assert_eq!(late, all);
    }

    #[test]
    fn whole_days_are_those_inside_the_rolled_up_hours() {
        // (window, watermark, whole days)
        let cases = [
            (
                (on(17, 5), on(22, 12)),
                on(21, 3),
                Some((on(18, 0), on(21, 0))),
            ),
            (
                (on(18, 5), on(22, 9)),
                on(21, 7),
                Some((on(19, 0), on(21, 0))),
            ),
            // Days starting at the window's start.
            (
                (on(18, 0), on(20, 0)),
                on(22, 0),
                Some((on(18, 0), on(20, 0))),
            ),
            // No whole day rolled up yet.
            ((on(18, 0), on(20, 0)), on(18, 23), None),
            ((on(18, 5), on(22, 9)), on(19, 7), None),
        ];
        for ((start, end), watermark, days) in cases {
            let window = TimeWindow::new(start, end).unwrap();
            let split = HourSplit::rolled_up_before(&window, Some(watermark));
            assert_eq!(split.whole_days(), days, "{window:?} up to {watermark}");
        }
    }

    #[test]
    fn hours_close_with_a_later_snapshot_or_after_the_grace() {
        assert_eq!(closed_until(at(10, 0), at(10, 1)), at(10, 0));
        assert_eq!(closed_until(at(10, 50), at(10, 51)), at(10, 0));
        assert_eq!(closed_until(at(9, 50), at(10, 14)), at(9, 0));
        assert_eq!(closed_until(at(9, 50), at(10, 15)), at(10, 0));
    }

    #[test]
    fn instants_truncate_to_their_hour_and_day() {
        assert_eq!(floor_hour(at(9, 59)), at(9, 0));
        assert_eq!(floor_day(at(23, 59)), at(0, 0));
        assert_eq!(floor_day(on(20, 0)), on(20, 0));
    }
}
