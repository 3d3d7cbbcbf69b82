//! How far back kcost keeps samples: the one rule both ingest (the oldest timestamp a
//! snapshot may carry) and the stores' retention (which days to drop) follow.

use chrono::NaiveDate;

/// The day (from 00:00 UTC) before which retention deletes: `retention_days` days before
/// `today` (the earliest representable day when that is further back than the calendar
/// goes: a huge setting keeps everything instead of panicking).
pub fn retention_cutoff(today: NaiveDate, retention_days: u32) -> NaiveDate {
    today
        .checked_sub_days(chrono::Days::new(u64::from(retention_days)))
        .unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_cuts_whole_days_back() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        assert_eq!(
            retention_cutoff(today, 400),
            NaiveDate::from_ymd_opt(2025, 10, 16).unwrap()
        );
        assert_eq!(retention_cutoff(today, 0), today);
    }
}
