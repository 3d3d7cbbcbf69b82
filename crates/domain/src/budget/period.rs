//! Budget periods: UTC days, ISO weeks (Monday to Monday) and calendar months.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// How often a budget starts again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BudgetPeriod {
    Daily,
    /// ISO weeks: Monday 00:00 UTC to the next Monday.
    Weekly,
    /// Calendar months, from the 1st 00:00 UTC.
    Monthly,
}

impl BudgetPeriod {
    pub const ALL: [BudgetPeriod; 3] = [Self::Daily, Self::Weekly, Self::Monthly];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::Weekly => "weekly",
            Self::Monthly => "monthly",
        }
    }

    /// The period containing `at`: `(start, end)`, end exclusive.
    pub fn bounds(self, at: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let day = at.date_naive();
        let (first, next) = match self {
            Self::Daily => (day, day + Days::new(1)),
            Self::Weekly => {
                let monday = day - Days::new(u64::from(day.weekday().num_days_from_monday()));
                (monday, monday + Days::new(7))
            }
            Self::Monthly => {
                let first = day.with_day(1).unwrap_or(day);
                (first, first + Months::new(1))
            }
        };
        (midnight(first), midnight(next))
    }

    /// Whole days in the period containing `at`.
    pub fn days(self, at: DateTime<Utc>) -> i64 {
        let (start, end) = self.bounds(at);
        (end - start).num_days()
    }
}

fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc()
}

impl fmt::Display for BudgetPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `period` is not one of `daily`, `weekly`, `monthly`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be one of daily, weekly, monthly")]
pub struct UnknownPeriod;

impl FromStr for BudgetPeriod {
    type Err = UnknownPeriod;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == text)
            .ok_or(UnknownPeriod)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
            .single()
            .expect("valid time")
    }

    #[test]
    fn a_day_is_its_utc_day() {
        assert_eq!(
            BudgetPeriod::Daily.bounds(at(2026, 12, 7, 13)),
            (at(2026, 12, 7, 0), at(2026, 12, 8, 0))
        );
    }

    #[test]
    fn a_week_runs_monday_to_monday() {
        // 2026-12-06 is a Sunday: it belongs to the week that began on Monday the 30th.
        assert_eq!(
            BudgetPeriod::Weekly.bounds(at(2026, 12, 6, 23)),
            (at(2026, 11, 30, 0), at(2026, 12, 7, 0))
        );
        assert_eq!(
            BudgetPeriod::Weekly.bounds(at(2026, 12, 7, 0)),
            (at(2026, 12, 7, 0), at(2026, 12, 14, 0))
        );
    }

    #[test]
    fn a_month_is_a_calendar_month_even_across_years_and_in_february() {
        assert_eq!(
            BudgetPeriod::Monthly.bounds(at(2026, 12, 31, 23)),
            (at(2026, 12, 1, 0), at(2027, 1, 1, 0))
        );
        assert_eq!(BudgetPeriod::Monthly.days(at(2028, 2, 10, 0)), 29);
    }

    #[test]
    fn periods_parse_from_their_names_only() {
        for period in BudgetPeriod::ALL {
            assert_eq!(period.as_str().parse::<BudgetPeriod>(), Ok(period));
        }
        assert_eq!("Monthly".parse::<BudgetPeriod>(), Err(UnknownPeriod));
        assert_eq!("yearly".parse::<BudgetPeriod>(), Err(UnknownPeriod));
    }
}
