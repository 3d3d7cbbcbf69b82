//! How a window is cut to whole buckets before it is judged.

use chrono::{TimeZone, Utc};

use super::*;

fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, minute, 0).unwrap()
}

fn window(start: DateTime<Utc>, end: DateTime<Utc>) -> TimeWindow {
    TimeWindow::new(start, end).unwrap()
}

#[test]
fn a_window_is_cut_to_the_whole_buckets_that_have_ended() {
    let now = at(20, 14, 25);
    let last_day = window(at(19, 14, 25), now);
    let judged = whole_buckets(&last_day, Granularity::Hourly, now).unwrap();
    assert_eq!((judged.start(), judged.end()), (at(19, 15, 0), at(20, 14, 0)));

    let future = window(at(18, 0, 0), at(25, 0, 0));
    let judged = whole_buckets(&future, Granularity::Daily, now).unwrap();
    assert_eq!((judged.start(), judged.end()), (at(18, 0, 0), at(20, 0, 0)));
}

#[test]
fn a_window_without_a_whole_bucket_or_too_long_is_refused() {
    let now = at(20, 14, 25);
    let half_hour = window(at(20, 13, 10), at(20, 13, 40));
    let error = whole_buckets(&half_hour, Granularity::Hourly, now).unwrap_err();
    assert!(error.to_string().contains("no whole hour"), "{error}");
    let today = window(at(20, 0, 0), now);
    assert!(whole_buckets(&today, Granularity::Daily, now).is_err());
    let eight_days = window(at(10, 0, 0), at(18, 0, 0));
    let error = whole_buckets(&eight_days, Granularity::Hourly, now).unwrap_err();
    assert!(error.to_string().contains("at most 7 days"), "{error}");
    assert!(whole_buckets(&eight_days, Granularity::Daily, now).is_ok());
}
