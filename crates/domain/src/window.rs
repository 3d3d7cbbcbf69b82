//! Time windows for cost queries: a validated half-open UTC range `[start, end)`, parsed
//! from OpenCost's `window` expressions or from the REST API's `start_time`/`end_time`.
//!
//! The expression grammar and the placement of each window follow OpenCost's parser
//! (`core/pkg/opencost/window.go`, `parseWindow`, evaluated in UTC), so a query written for
//! OpenCost selects the same range here. Like OpenCost, some windows end in the future
//! (`today`, and every duration such as `24h` or `7d`, which run to the end of the current
//! minute, hour or day); samples simply do not exist there yet.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, SecondsFormat, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// Longest window accepted, in days. Matches the default data retention: a longer window
/// could only return a partial, misleading total.
pub const MAX_WINDOW_DAYS: i64 = 400;

const SECONDS_PER_MINUTE: i64 = 60;
const SECONDS_PER_HOUR: i64 = 60 * SECONDS_PER_MINUTE;
const SECONDS_PER_DAY: i64 = 24 * SECONDS_PER_HOUR;
const SECONDS_PER_WEEK: i64 = 7 * SECONDS_PER_DAY;
const MAX_WINDOW_SECONDS: i64 = MAX_WINDOW_DAYS * SECONDS_PER_DAY;

/// What the API accepts, repeated in error messages so a caller can fix the request
/// without reading the documentation.
const ACCEPTED_FORMS: &str = "today, yesterday, week, lastweek, month, lastmonth; \
     a duration Nm, Nh, Nd or Nw (e.g. 30m, 24h, 7d, 2w); \
     an RFC3339 pair start,end (e.g. 2024-05-01T00:00:00Z,2024-05-02T00:00:00Z); \
     or a unix-seconds pair start,end (e.g. 1714521600,1714608000)";

/// Error messages echo the caller's input; cap it so a huge query string is not
/// reflected back whole.
const MAX_ECHOED_CHARS: usize = 80;

/// Why a time window was refused. Every message names what was wrong and what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    /// The `window` expression matches none of the accepted forms.
    #[error("unrecognized window `{0}`; accepted: {ACCEPTED_FORMS}")]
    Unrecognized(String),

    /// A duration with a count of zero, such as `0h`.
    #[error("window `{0}` has zero length; use a count of at least 1, e.g. `1h` or `7d`")]
    ZeroDuration(String),

    /// A relative window that contains no time at the moment it was evaluated, e.g. `week`
    /// at exactly Sunday 00:00:00 UTC (it runs from Sunday 00:00 to now).
    #[error(
        "window `{expr}` is empty at {}: it starts exactly now; \
         use `lastweek`/`lastmonth` or an explicit range",
        .now.to_rfc3339_opts(SecondsFormat::AutoSi, true)
    )]
    Empty { expr: String, now: DateTime<Utc> },

    /// Explicit bounds where the start is not strictly before the end.
    #[error(
        "window start {} is not before its end {}; the start must be earlier than the end",
        .start.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        .end.to_rfc3339_opts(SecondsFormat::AutoSi, true)
    )]
    StartNotBeforeEnd {
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },

    /// The window spans more than [`MAX_WINDOW_DAYS`].
    #[error(
        "window `{0}` is longer than the maximum of {MAX_WINDOW_DAYS} days (the data retention)"
    )]
    TooLong(String),

    /// The window would start or end outside the range of representable dates.
    #[error("window `{0}` falls outside the supported date range")]
    OutOfRange(String),

    /// `end_time` was given without `start_time`.
    #[error(
        "`end_time` requires `start_time`; give both, `start_time` alone (the window then \
         ends now), or `window`"
    )]
    EndWithoutStart,

    /// `window` was combined with `start_time`/`end_time`.
    #[error(
        "`window` cannot be combined with `start_time`/`end_time`; give either `window` or \
         `start_time` (and optionally `end_time`)"
    )]
    Ambiguous,

    /// A timestamp that could not be parsed; `field` names where it came from.
    #[error("invalid {field} `{value}`: expected {expected}")]
    InvalidTimestamp {
        field: &'static str,
        value: String,
        expected: &'static str,
    },
}

/// Earliest and latest years a window may touch.
const MIN_YEAR: i32 = 1;
const MAX_YEAR: i32 = 9999;

/// A half-open time range `[start, end)` in UTC with `start < end` and a length of at most
/// [`MAX_WINDOW_DAYS`] days. Serializes as `{"start": "...", "end": "..."}`; deserializing
/// goes through [`TimeWindow::new`], so a stored or received window is checked again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "UncheckedTimeWindow")]
pub struct TimeWindow {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

/// The serialized shape of a [`TimeWindow`], before its invariants are checked.
#[derive(Deserialize)]
struct UncheckedTimeWindow {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl TryFrom<UncheckedTimeWindow> for TimeWindow {
    type Error = WindowError;

    fn try_from(raw: UncheckedTimeWindow) -> Result<Self, Self::Error> {
        Self::new(raw.start, raw.end)
    }
}

impl TimeWindow {
    /// The window `[start, end)`. Refuses `start >= end`, windows longer than
    /// [`MAX_WINDOW_DAYS`] days, and bounds outside the years 1–9999 (so arithmetic on a
    /// window — steps, days, rollup periods — can never leave chrono's range).
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self, WindowError> {
        if start >= end {
            return Err(WindowError::StartNotBeforeEnd { start, end });
        }
        let window = Self { start, end };
        if start.year() < MIN_YEAR || end.year() > MAX_YEAR {
            return Err(WindowError::OutOfRange(window.to_string()));
        }
        if window.duration() > TimeDelta::seconds(MAX_WINDOW_SECONDS) {
            return Err(WindowError::TooLong(window.to_string()));
        }
        Ok(window)
    }

    /// First instant inside the window.
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// First instant after the window (exclusive bound).
    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// Length of the window; always positive.
    pub fn duration(&self) -> TimeDelta {
        self.end - self.start
    }

    /// Whether `t` falls inside `[start, end)`.
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.end
    }

    /// Parses an OpenCost `window` expression relative to `now`, in UTC.
    ///
    /// Surrounding whitespace is ignored and keywords are case-insensitive. Semantics, as
    /// in OpenCost's `parseWindow` (`core/pkg/opencost/window.go`) with a UTC `now`:
    ///
    /// - `today`: `[00:00 today, 00:00 tomorrow)`; the end lies in the future.
    /// - `yesterday`: `[00:00 yesterday, 00:00 today)`.
    /// - `week`: `[00:00 on the most recent Sunday (today if Sunday), now)`.
    /// - `lastweek`: the seven days before that Sunday, `[Sunday 00:00 a week earlier,
    ///   this week's Sunday 00:00)`.
    /// - `month`: `[00:00 on the 1st of this month, now)`.
    /// - `lastmonth`: `[00:00 on the 1st of last month, 00:00 on the 1st of this month)`.
    /// - `Nm`, `Nh`, `Nd`: the current minute, hour or day counts as one whole unit:
    ///   `end` is the start of the *next* unit (now truncated to the unit, plus one unit)
    ///   and `start = end - N units`. So at 12:30, `24h` is `[13:00 yesterday, 13:00
    ///   today)` and `7d` is `[00:00 six days ago, 00:00 tomorrow)`. The end is always
    ///   after `now`, even when `now` is exactly on a boundary.
    /// - `Nw`: `N * 7` whole days ending at 00:00 tomorrow, i.e. the same as `{7N}d`.
    /// - `start,end` as RFC3339 timestamps (OpenCost takes only `YYYY-MM-DDTHH:MM:SSZ`;
    ///   any RFC3339 offset or fraction is accepted here and converted to UTC).
    /// - `start,end` as unix seconds; like OpenCost, `-` or `|` may separate them instead
    ///   of `,`.
    ///
    /// Duration units are lowercase only (`M` could be misread as months). Counts of zero
    /// are refused, as are windows longer than [`MAX_WINDOW_DAYS`] days. OpenCost's
    /// `"<duration> offset <duration>"` form is not supported. `week` and `month` are empty
    /// at exactly their first instant and are then refused with [`WindowError::Empty`].
    pub fn parse(expr: &str, now: DateTime<Utc>) -> Result<Self, WindowError> {
        let expr = expr.trim();
        let keyword = expr.to_ascii_lowercase();
        let midnight = now.date_naive().and_time(NaiveTime::MIN).and_utc();
        let out_of_range = || WindowError::OutOfRange(echo(expr));
        let days_before = |t: DateTime<Utc>, days: i64| {
            t.checked_sub_signed(TimeDelta::days(days))
                .ok_or_else(out_of_range)
        };

        match keyword.as_str() {
            "today" => {
                let end = midnight
                    .checked_add_signed(TimeDelta::days(1))
                    .ok_or_else(out_of_range)?;
                Self::new(midnight, end)
            }
            "yesterday" => Self::new(days_before(midnight, 1)?, midnight),
            "week" => {
                let since_sunday = i64::from(now.weekday().num_days_from_sunday());
                Self::relative(expr, days_before(midnight, since_sunday)?, now)
            }
            "lastweek" => {
                let since_sunday = i64::from(now.weekday().num_days_from_sunday());
                let end = days_before(midnight, since_sunday)?;
                Self::new(days_before(end, 7)?, end)
            }
            "month" => {
                let first = first_of_month(now.date_naive()).ok_or_else(out_of_range)?;
                Self::relative(expr, first, now)
            }
            "lastmonth" => {
                let end = first_of_month(now.date_naive()).ok_or_else(out_of_range)?;
                let start = end
                    .date_naive()
                    .pred_opt()
                    .and_then(first_of_month)
                    .ok_or_else(out_of_range)?;
                Self::new(start, end)
            }
            _ => {
                if let Some((count, unit)) = split_duration(expr) {
                    return Self::from_duration(expr, count, unit, now);
                }
                if let Some((start, end)) = split_pair(expr) {
                    let start = parse_bound(start, "window start")?;
                    let end = parse_bound(end, "window end")?;
                    return Self::new(start, end);
                }
                Err(WindowError::Unrecognized(echo(expr)))
            }
        }
    }

    /// The REST API's rule for `window`, `start_time` and `end_time` query parameters.
    ///
    /// - `window` alone: [`TimeWindow::parse`].
    /// - `start_time` and `end_time` (RFC3339): exactly that range.
    /// - `start_time` alone: from `start_time` to `now`.
    /// - `end_time` alone: refused ([`WindowError::EndWithoutStart`]).
    /// - `window` with either of the others: refused ([`WindowError::Ambiguous`]).
    /// - nothing: the last 24 hours ending at `now` (not aligned like `window=24h`).
    ///
    /// A blank parameter (e.g. `?window=` from a submitted form) counts as absent.
    pub fn from_query(
        window: Option<&str>,
        start_time: Option<&str>,
        end_time: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Self, WindowError> {
        match (present(window), present(start_time), present(end_time)) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err(WindowError::Ambiguous),
            (Some(window), None, None) => Self::parse(window, now),
            (None, None, Some(_)) => Err(WindowError::EndWithoutStart),
            (None, Some(start), end) => {
                let start = parse_rfc3339(start, "start_time")?;
                let end = match end {
                    Some(end) => parse_rfc3339(end, "end_time")?,
                    None => now,
                };
                Self::new(start, end)
            }
            (None, None, None) => {
                let start = now
                    .checked_sub_signed(TimeDelta::hours(24))
                    .ok_or_else(|| WindowError::OutOfRange("last 24h".to_owned()))?;
                Self::new(start, now)
            }
        }
    }

    /// The largest sub-window whose bounds fall on whole hours (start rounded up, end
    /// rounded down), or `None` if the window contains no whole hour. Lets the store sum
    /// hourly rollups for the middle and read raw samples only for the partial edge hours.
    pub fn whole_hours(&self) -> Option<TimeWindow> {
        let start = ceil_to(self.start, SECONDS_PER_HOUR)?;
        let end = floor_to(self.end, SECONDS_PER_HOUR)?;
        // A sub-range of a valid window: already within the maximum length.
        (start < end).then_some(TimeWindow { start, end })
    }

    /// A keyword window running up to `now`, which is empty at exactly its first instant.
    fn relative(expr: &str, start: DateTime<Utc>, now: DateTime<Utc>) -> Result<Self, WindowError> {
        if start >= now {
            return Err(WindowError::Empty {
                expr: echo(expr),
                now,
            });
        }
        Self::new(start, now)
    }

    /// `N` units ending at the start of the unit after the current one (days for weeks).
    fn from_duration(
        expr: &str,
        count: &str,
        unit: DurationUnit,
        now: DateTime<Utc>,
    ) -> Result<Self, WindowError> {
        let too_long = || WindowError::TooLong(echo(expr));
        // More digits than fit in an i64 is certainly longer than the maximum.
        let count: i64 = count.parse().map_err(|_| too_long())?;
        if count == 0 {
            return Err(WindowError::ZeroDuration(echo(expr)));
        }
        let length = count
            .checked_mul(unit.seconds())
            .filter(|secs| *secs <= MAX_WINDOW_SECONDS)
            .ok_or_else(too_long)?;
        let out_of_range = || WindowError::OutOfRange(echo(expr));
        let alignment = unit.end_alignment_seconds();
        let end = floor_to(now, alignment)
            .and_then(|t| t.checked_add_signed(TimeDelta::seconds(alignment)))
            .ok_or_else(out_of_range)?;
        let start = end
            .checked_sub_signed(TimeDelta::seconds(length))
            .ok_or_else(out_of_range)?;
        Self::new(start, end)
    }
}

/// `start,end` in RFC3339 with seconds precision and a `Z` suffix, e.g.
/// `2024-05-01T00:00:00Z,2024-05-02T00:00:00Z`; itself a valid `window` expression.
impl fmt::Display for TimeWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{},{}",
            self.start.to_rfc3339_opts(SecondsFormat::Secs, true),
            self.end.to_rfc3339_opts(SecondsFormat::Secs, true)
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DurationUnit {
    Minute,
    Hour,
    Day,
    Week,
}

impl DurationUnit {
    fn from_suffix(suffix: char) -> Option<Self> {
        match suffix {
            'm' => Some(Self::Minute),
            'h' => Some(Self::Hour),
            'd' => Some(Self::Day),
            'w' => Some(Self::Week),
            _ => None,
        }
    }

    fn seconds(self) -> i64 {
        match self {
            Self::Minute => SECONDS_PER_MINUTE,
            Self::Hour => SECONDS_PER_HOUR,
            Self::Day => SECONDS_PER_DAY,
            Self::Week => SECONDS_PER_WEEK,
        }
    }

    /// The unit the window's end is rounded up to. OpenCost ends week windows at the end
    /// of today rather than at a week boundary.
    fn end_alignment_seconds(self) -> i64 {
        match self {
            Self::Week => SECONDS_PER_DAY,
            other => other.seconds(),
        }
    }
}

/// Splits `<digits><unit>` (OpenCost's `^(\d+)(m|h|d|w)$`) into its count and unit.
fn split_duration(expr: &str) -> Option<(&str, DurationUnit)> {
    let suffix = expr.chars().last()?;
    let unit = DurationUnit::from_suffix(suffix)?;
    let count = expr.strip_suffix(suffix)?;
    is_digits(count).then_some((count, unit))
}

/// Splits `start,end`; for two unix timestamps OpenCost also accepts `-` or `|` between
/// them (its `^(\d+)[,|-](\d+)$`).
fn split_pair(expr: &str) -> Option<(&str, &str)> {
    if let Some((start, end)) = expr.split_once(',') {
        return Some((start.trim(), end.trim()));
    }
    expr.split_once(['-', '|'])
        .filter(|(start, end)| is_digits(start) && is_digits(end))
}

/// One bound of a `start,end` pair: unix seconds if all digits, RFC3339 otherwise.
fn parse_bound(value: &str, field: &'static str) -> Result<DateTime<Utc>, WindowError> {
    if !is_digits(value) {
        return parse_rfc3339(value, field);
    }
    let invalid = || WindowError::InvalidTimestamp {
        field,
        value: echo(value),
        expected: "unix seconds within the supported date range",
    };
    let seconds: i64 = value.parse().map_err(|_| invalid())?;
    DateTime::from_timestamp(seconds, 0).ok_or_else(invalid)
}

fn parse_rfc3339(value: &str, field: &'static str) -> Result<DateTime<Utc>, WindowError> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| WindowError::InvalidTimestamp {
            field,
            value: echo(value),
            expected: "an RFC3339 timestamp such as 2024-05-01T00:00:00Z",
        })
}

/// A query parameter's trimmed value, or `None` if absent or blank.
fn present(param: Option<&str>) -> Option<&str> {
    param.map(str::trim).filter(|value| !value.is_empty())
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// 00:00 UTC on the first day of `date`'s month.
fn first_of_month(date: NaiveDate) -> Option<DateTime<Utc>> {
    Some(date.with_day(1)?.and_time(NaiveTime::MIN).and_utc())
}

/// `t` rounded down to a multiple of `unit_seconds` since the unix epoch. The epoch is
/// 00:00 UTC, so this aligns to UTC minutes, hours and days.
fn floor_to(t: DateTime<Utc>, unit_seconds: i64) -> Option<DateTime<Utc>> {
    let seconds = t.timestamp();
    DateTime::from_timestamp(seconds - seconds.rem_euclid(unit_seconds), 0)
}

/// `t` rounded up to a multiple of `unit_seconds`; unchanged if already on one.
fn ceil_to(t: DateTime<Utc>, unit_seconds: i64) -> Option<DateTime<Utc>> {
    let floor = floor_to(t, unit_seconds)?;
    if floor == t {
        Some(floor)
    } else {
        floor.checked_add_signed(TimeDelta::seconds(unit_seconds))
    }
}

/// The caller's input for an error message, shortened if long.
fn echo(value: &str) -> String {
    match value.char_indices().nth(MAX_ECHOED_CHARS) {
        Some((cut, _)) => format!("{}…", &value[..cut]),
        None => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("test timestamp")
            .with_timezone(&Utc)
    }

    fn parse(expr: &str, now: &str) -> Result<TimeWindow, WindowError> {
        TimeWindow::parse(expr, at(now))
    }

    fn bounds(w: &TimeWindow) -> (String, String) {
        (
            w.start().to_rfc3339_opts(SecondsFormat::AutoSi, true),
            w.end().to_rfc3339_opts(SecondsFormat::AutoSi, true),
        )
    }

    fn assert_window(expr: &str, now: &str, start: &str, end: &str) {
        let w = parse(expr, now)
            .map_err(|e| format!("{expr} at {now}: {e}"))
            .unwrap();
        assert_eq!(
            bounds(&w),
            (start.to_owned(), end.to_owned()),
            "{expr} at {now}"
        );
    }

    // 2024-05-15 is a Wednesday.
    const WEDNESDAY_NOON: &str = "2024-05-15T12:34:56Z";

    // ---- constructor and accessors ----

    #[test]
    fn new_accepts_a_valid_range_and_exposes_it() {
        let w = TimeWindow::new(at("2024-05-01T00:00:00Z"), at("2024-05-02T06:00:00Z")).unwrap();
        assert_eq!(w.start(), at("2024-05-01T00:00:00Z"));
        assert_eq!(w.end(), at("2024-05-02T06:00:00Z"));
        assert_eq!(w.duration(), TimeDelta::hours(30));
    }

    #[test]
    fn new_refuses_start_equal_to_end() {
        let t = at("2024-05-01T00:00:00Z");
        assert_eq!(
            TimeWindow::new(t, t),
            Err(WindowError::StartNotBeforeEnd { start: t, end: t })
        );
    }

    #[test]
    fn new_refuses_start_after_end() {
        let (a, b) = (at("2024-05-02T00:00:00Z"), at("2024-05-01T00:00:00Z"));
        assert!(matches!(
            TimeWindow::new(a, b),
            Err(WindowError::StartNotBeforeEnd { .. })
        ));
    }

    #[test]
    fn new_accepts_exactly_the_maximum_and_refuses_one_second_more() {
        let start = at("2024-01-01T00:00:00Z");
        let max_end = start + TimeDelta::days(MAX_WINDOW_DAYS);
        assert!(TimeWindow::new(start, max_end).is_ok());
        assert!(matches!(
            TimeWindow::new(start, max_end + TimeDelta::seconds(1)),
            Err(WindowError::TooLong(_))
        ));
        assert!(matches!(
            TimeWindow::new(start, max_end + TimeDelta::nanoseconds(1)),
            Err(WindowError::TooLong(_))
        ));
    }

    #[test]
    fn contains_is_half_open() {
        let w = TimeWindow::new(at("2024-05-01T00:00:00Z"), at("2024-05-02T00:00:00Z")).unwrap();
        assert!(w.contains(at("2024-05-01T00:00:00Z")));
        assert!(w.contains(at("2024-05-01T23:59:59Z")));
        assert!(!w.contains(at("2024-05-02T00:00:00Z")));
        assert!(!w.contains(at("2024-04-30T23:59:59Z")));
    }

    #[test]
    fn display_is_an_rfc3339_pair_in_whole_seconds() {
        let w = TimeWindow::new(
            at("2024-05-01T00:00:00.750Z"),
            at("2024-05-02T02:00:00+02:00"),
        )
        .unwrap();
        assert_eq!(w.to_string(), "2024-05-01T00:00:00Z,2024-05-02T00:00:00Z");
    }

    #[test]
    fn display_round_trips_through_parse() {
        let w = TimeWindow::new(at("2024-05-01T01:02:03Z"), at("2024-05-03T04:05:06Z")).unwrap();
        assert_eq!(TimeWindow::parse(&w.to_string(), at(WEDNESDAY_NOON)), Ok(w));
    }

    #[test]
    fn serializes_start_and_end() {
        let w = TimeWindow::new(at("2024-05-01T00:00:00Z"), at("2024-05-02T00:00:00Z")).unwrap();
        let json = serde_json::to_value(w).unwrap();
        assert_eq!(json["start"], "2024-05-01T00:00:00Z");
        assert_eq!(json["end"], "2024-05-02T00:00:00Z");
    }

    #[test]
    fn deserializing_round_trips_and_validates() {
        let w = TimeWindow::new(at("2024-05-01T00:00:00Z"), at("2024-05-02T00:00:00Z")).unwrap();
        let json = serde_json::to_string(&w).unwrap();
        assert_eq!(serde_json::from_str::<TimeWindow>(&json).unwrap(), w);

        let reversed = r#"{"start":"2024-05-02T00:00:00Z","end":"2024-05-01T00:00:00Z"}"#;
        let error = serde_json::from_str::<TimeWindow>(reversed).unwrap_err();
        assert!(error.to_string().contains("is not before"), "{error}");
        let too_long = r#"{"start":"2020-01-01T00:00:00Z","end":"2024-01-01T00:00:00Z"}"#;
        assert!(serde_json::from_str::<TimeWindow>(too_long).is_err());
    }

    // ---- keywords ----

    #[test]
    fn today_is_the_whole_utc_day() {
        assert_window(
            "today",
            WEDNESDAY_NOON,
            "2024-05-15T00:00:00Z",
            "2024-05-16T00:00:00Z",
        );
    }

    #[test]
    fn today_at_exactly_midnight_is_the_day_starting_now() {
        assert_window(
            "today",
            "2024-05-15T00:00:00Z",
            "2024-05-15T00:00:00Z",
            "2024-05-16T00:00:00Z",
        );
    }

    #[test]
    fn yesterday_is_the_previous_utc_day() {
        assert_window(
            "yesterday",
            WEDNESDAY_NOON,
            "2024-05-14T00:00:00Z",
            "2024-05-15T00:00:00Z",
        );
        assert_window(
            "yesterday",
            "2024-03-01T00:00:00Z",
            "2024-02-29T00:00:00Z",
            "2024-03-01T00:00:00Z",
        );
    }

    #[test]
    fn week_runs_from_sunday_midnight_to_now() {
        assert_window(
            "week",
            WEDNESDAY_NOON,
            "2024-05-12T00:00:00Z",
            WEDNESDAY_NOON,
        );
    }

    #[test]
    fn week_on_a_sunday_starts_today() {
        assert_window(
            "week",
            "2024-05-12T08:00:00Z",
            "2024-05-12T00:00:00Z",
            "2024-05-12T08:00:00Z",
        );
    }

    #[test]
    fn week_on_a_saturday_starts_six_days_back() {
        assert_window(
            "week",
            "2024-05-18T23:59:59Z",
            "2024-05-12T00:00:00Z",
            "2024-05-18T23:59:59Z",
        );
    }

    #[test]
    fn week_at_exactly_sunday_midnight_is_empty() {
        let now = at("2024-05-12T00:00:00Z");
        assert_eq!(
            TimeWindow::parse("week", now),
            Err(WindowError::Empty {
                expr: "week".to_owned(),
                now
            })
        );
    }

    #[test]
    fn lastweek_is_the_previous_sunday_to_sunday() {
        assert_window(
            "lastweek",
            WEDNESDAY_NOON,
            "2024-05-05T00:00:00Z",
            "2024-05-12T00:00:00Z",
        );
    }

    #[test]
    fn lastweek_on_a_sunday_ends_today() {
        assert_window(
            "lastweek",
            "2024-05-12T00:00:00Z",
            "2024-05-05T00:00:00Z",
            "2024-05-12T00:00:00Z",
        );
    }

    #[test]
    fn lastweek_crosses_a_year_boundary() {
        // 2025-01-01 is a Wednesday; this week began Sunday 2024-12-29.
        assert_window(
            "lastweek",
            "2025-01-01T10:00:00Z",
            "2024-12-22T00:00:00Z",
            "2024-12-29T00:00:00Z",
        );
    }

    #[test]
    fn month_runs_from_the_first_to_now() {
        assert_window(
            "month",
            WEDNESDAY_NOON,
            "2024-05-01T00:00:00Z",
            WEDNESDAY_NOON,
        );
    }

    #[test]
    fn month_on_the_first_day_starts_today() {
        assert_window(
            "month",
            "2024-05-01T00:00:01Z",
            "2024-05-01T00:00:00Z",
            "2024-05-01T00:00:01Z",
        );
    }

    #[test]
    fn month_at_exactly_the_first_instant_is_empty() {
        assert!(matches!(
            parse("month", "2024-05-01T00:00:00Z"),
            Err(WindowError::Empty { .. })
        ));
    }

    #[test]
    fn lastmonth_is_the_whole_previous_month() {
        assert_window(
            "lastmonth",
            WEDNESDAY_NOON,
            "2024-04-01T00:00:00Z",
            "2024-05-01T00:00:00Z",
        );
    }

    #[test]
    fn lastmonth_in_january_is_last_december() {
        assert_window(
            "lastmonth",
            "2024-01-15T09:00:00Z",
            "2023-12-01T00:00:00Z",
            "2024-01-01T00:00:00Z",
        );
    }

    #[test]
    fn lastmonth_in_march_of_a_leap_year_is_29_days() {
        let w = parse("lastmonth", "2024-03-01T00:00:00Z").unwrap();
        assert_eq!(w.start(), at("2024-02-01T00:00:00Z"));
        assert_eq!(w.duration(), TimeDelta::days(29));
    }

    #[test]
    fn keywords_are_case_insensitive_and_trimmed() {
        let expected = parse("lastweek", WEDNESDAY_NOON).unwrap();
        assert_eq!(parse("  LastWeek\t", WEDNESDAY_NOON), Ok(expected));
        assert_eq!(
            parse("TODAY", WEDNESDAY_NOON),
            parse("today", WEDNESDAY_NOON)
        );
    }

    // ---- durations ----

    #[test]
    fn minutes_end_at_the_next_minute() {
        assert_window(
            "30m",
            WEDNESDAY_NOON,
            "2024-05-15T12:05:00Z",
            "2024-05-15T12:35:00Z",
        );
    }

    #[test]
    fn hours_end_at_the_next_hour() {
        assert_window(
            "24h",
            WEDNESDAY_NOON,
            "2024-05-14T13:00:00Z",
            "2024-05-15T13:00:00Z",
        );
        assert_window(
            "1h",
            WEDNESDAY_NOON,
            "2024-05-15T12:00:00Z",
            "2024-05-15T13:00:00Z",
        );
    }

    #[test]
    fn hours_on_an_exact_boundary_still_include_the_starting_hour() {
        assert_window(
            "2h",
            "2024-05-15T12:00:00Z",
            "2024-05-15T11:00:00Z",
            "2024-05-15T13:00:00Z",
        );
    }

    #[test]
    fn days_are_aligned_to_utc_midnight_and_include_today() {
        assert_window(
            "7d",
            WEDNESDAY_NOON,
            "2024-05-09T00:00:00Z",
            "2024-05-16T00:00:00Z",
        );
        assert_eq!(parse("1d", WEDNESDAY_NOON), parse("today", WEDNESDAY_NOON));
    }

    #[test]
    fn days_at_exactly_midnight_include_the_day_starting_now() {
        assert_window(
            "2d",
            "2024-05-15T00:00:00Z",
            "2024-05-14T00:00:00Z",
            "2024-05-16T00:00:00Z",
        );
    }

    #[test]
    fn weeks_are_whole_days_ending_tomorrow() {
        assert_window(
            "1w",
            WEDNESDAY_NOON,
            "2024-05-09T00:00:00Z",
            "2024-05-16T00:00:00Z",
        );
        assert_eq!(parse("2w", WEDNESDAY_NOON), parse("14d", WEDNESDAY_NOON));
    }

    #[test]
    fn durations_up_to_the_maximum_are_accepted() {
        for expr in ["400d", "9600h", "576000m", "57w"] {
            assert!(parse(expr, WEDNESDAY_NOON).is_ok(), "{expr}");
        }
        assert!(parse("0007d", WEDNESDAY_NOON).is_ok());
    }

    #[test]
    fn durations_beyond_the_maximum_are_too_long() {
        for expr in [
            "401d",
            "9601h",
            "576001m",
            "58w",
            "9223372036854775807w",
            "99999999999999999999999h",
        ] {
            assert_eq!(
                parse(expr, WEDNESDAY_NOON),
                Err(WindowError::TooLong(expr.to_owned())),
                "{expr}"
            );
        }
    }

    #[test]
    fn zero_durations_are_refused() {
        for expr in ["0m", "0h", "0d", "0w", "000h"] {
            assert_eq!(
                parse(expr, WEDNESDAY_NOON),
                Err(WindowError::ZeroDuration(expr.to_owned())),
                "{expr}"
            );
        }
    }

    #[test]
    fn malformed_durations_are_unrecognized() {
        for expr in [
            "h", "24", "24x", "24H", "1M", "-1h", "+1h", "1.5h", "24 h", "1h30m", "24hh", "٣h",
        ] {
            assert!(
                matches!(
                    parse(expr, WEDNESDAY_NOON),
                    Err(WindowError::Unrecognized(_))
                ),
                "{expr}"
            );
        }
    }

    #[test]
    fn the_offset_form_is_not_supported() {
        assert!(matches!(
            parse("24h offset 1h", WEDNESDAY_NOON),
            Err(WindowError::Unrecognized(_))
        ));
    }

    // ---- explicit pairs ----

    #[test]
    fn rfc3339_pair_is_taken_verbatim() {
        assert_window(
            "2024-04-01T00:00:00Z,2024-04-03T00:00:00Z",
            WEDNESDAY_NOON,
            "2024-04-01T00:00:00Z",
            "2024-04-03T00:00:00Z",
        );
    }

    #[test]
    fn rfc3339_pair_with_offsets_and_fractions_is_converted_to_utc() {
        assert_window(
            " 2024-04-01T02:00:00+02:00 , 2024-04-02T00:00:00.5-01:00 ",
            WEDNESDAY_NOON,
            "2024-04-01T00:00:00Z",
            "2024-04-02T01:00:00.500Z",
        );
    }

    #[test]
    fn unix_pair_with_any_opencost_separator() {
        for expr in [
            "1586822400,1586908800",
            "1586822400-1586908800",
            "1586822400|1586908800",
        ] {
            assert_window(
                expr,
                WEDNESDAY_NOON,
                "2020-04-14T00:00:00Z",
                "2020-04-15T00:00:00Z",
            );
        }
    }

    #[test]
    fn pairs_may_lie_in_the_future() {
        assert!(parse("2030-01-01T00:00:00Z,2030-01-02T00:00:00Z", WEDNESDAY_NOON).is_ok());
    }

    #[test]
    fn reversed_or_empty_pairs_are_refused() {
        assert!(matches!(
            parse("1586908800,1586822400", WEDNESDAY_NOON),
            Err(WindowError::StartNotBeforeEnd { .. })
        ));
        assert!(matches!(
            parse("2024-04-01T00:00:00Z,2024-04-01T00:00:00Z", WEDNESDAY_NOON),
            Err(WindowError::StartNotBeforeEnd { .. })
        ));
    }

    #[test]
    fn pairs_longer_than_the_maximum_are_refused() {
        assert!(matches!(
            parse("2020-01-01T00:00:00Z,2024-01-01T00:00:00Z", WEDNESDAY_NOON),
            Err(WindowError::TooLong(_))
        ));
    }

    #[test]
    fn bad_pair_halves_name_the_bound() {
        assert_eq!(
            parse("2024-13-01T00:00:00Z,2024-04-03T00:00:00Z", WEDNESDAY_NOON),
            Err(WindowError::InvalidTimestamp {
                field: "window start",
                value: "2024-13-01T00:00:00Z".to_owned(),
                expected: "an RFC3339 timestamp such as 2024-05-01T00:00:00Z",
            })
        );
        assert!(matches!(
            parse("2024-04-01T00:00:00Z,", WEDNESDAY_NOON),
            Err(WindowError::InvalidTimestamp {
                field: "window end",
                ..
            })
        ));
        assert!(matches!(
            parse("2024-04-01,2024-04-02", WEDNESDAY_NOON),
            Err(WindowError::InvalidTimestamp {
                field: "window start",
                ..
            })
        ));
    }

    #[test]
    fn out_of_range_unix_seconds_are_invalid() {
        let err = parse("1,99999999999999999999", WEDNESDAY_NOON).unwrap_err();
        assert!(matches!(
            err,
            WindowError::InvalidTimestamp { field: "window end", expected, .. }
                if expected.contains("unix seconds")
        ));
        assert!(matches!(
            parse("1,9223372036854775807", WEDNESDAY_NOON),
            Err(WindowError::InvalidTimestamp {
                field: "window end",
                ..
            })
        ));
    }

    #[test]
    fn empty_and_unknown_expressions_are_unrecognized() {
        for expr in ["", "   ", "tomorrow", "last week", "1586822400", "a-b"] {
            assert!(
                matches!(
                    parse(expr, WEDNESDAY_NOON),
                    Err(WindowError::Unrecognized(_))
                ),
                "{expr:?}"
            );
        }
    }

    // ---- error messages ----

    #[test]
    fn unrecognized_message_lists_the_accepted_forms() {
        let message = parse("fortnight", WEDNESDAY_NOON).unwrap_err().to_string();
        assert!(message.contains("`fortnight`"), "{message}");
        for form in ["today", "lastmonth", "24h", "7d", "RFC3339", "unix"] {
            assert!(message.contains(form), "{form} missing from: {message}");
        }
    }

    #[test]
    fn messages_name_the_problem() {
        let t = at("2024-05-01T00:00:00Z");
        let cases = [
            (
                WindowError::StartNotBeforeEnd { start: t, end: t },
                "2024-05-01T00:00:00Z is not before",
            ),
            (
                WindowError::TooLong("401d".to_owned()),
                "maximum of 400 days",
            ),
            (WindowError::ZeroDuration("0h".to_owned()), "at least 1"),
            (
                WindowError::Empty {
                    expr: "week".to_owned(),
                    now: t,
                },
                "`week` is empty",
            ),
            (
                WindowError::EndWithoutStart,
                "`end_time` requires `start_time`",
            ),
            (WindowError::Ambiguous, "cannot be combined"),
            (
                WindowError::OutOfRange("x".to_owned()),
                "supported date range",
            ),
        ];
        for (error, needle) in cases {
            let message = error.to_string();
            assert!(
                message.contains(needle),
                "{needle:?} missing from: {message}"
            );
        }
    }

    #[test]
    fn long_input_is_shortened_in_errors() {
        let long = "x".repeat(10_000);
        assert_eq!(
            parse(&long, WEDNESDAY_NOON),
            Err(WindowError::Unrecognized(format!(
                "{}…",
                "x".repeat(MAX_ECHOED_CHARS)
            )))
        );
        assert_eq!(echo("ünïcödé"), "ünïcödé");
    }

    #[test]
    fn extreme_now_is_out_of_range_not_a_panic() {
        let latest = DateTime::<Utc>::MAX_UTC;
        assert!(matches!(
            TimeWindow::parse("today", latest),
            Err(WindowError::OutOfRange(_))
        ));
        assert!(matches!(
            TimeWindow::parse("1h", latest),
            Err(WindowError::OutOfRange(_))
        ));
        assert!(matches!(
            TimeWindow::parse("yesterday", DateTime::<Utc>::MIN_UTC),
            Err(WindowError::OutOfRange(_))
        ));
        assert!(matches!(
            TimeWindow::from_query(None, None, None, DateTime::<Utc>::MIN_UTC),
            Err(WindowError::OutOfRange(_))
        ));
    }

    // ---- from_query ----

    fn query(
        window: Option<&str>,
        start: Option<&str>,
        end: Option<&str>,
    ) -> Result<TimeWindow, WindowError> {
        TimeWindow::from_query(window, start, end, at(WEDNESDAY_NOON))
    }

    #[test]
    fn query_defaults_to_the_last_24_hours_ending_now() {
        let w = query(None, None, None).unwrap();
        assert_eq!(w.end(), at(WEDNESDAY_NOON));
        assert_eq!(w.duration(), TimeDelta::hours(24));
    }

    #[test]
    fn query_blank_parameters_count_as_absent() {
        assert_eq!(query(Some(""), Some("  "), None), query(None, None, None));
        assert_eq!(
            query(Some(" "), Some("2024-05-15T00:00:00Z"), Some("")),
            query(None, Some("2024-05-15T00:00:00Z"), None)
        );
    }

    #[test]
    fn query_window_alone_is_parsed() {
        assert_eq!(query(Some("7d"), None, None), parse("7d", WEDNESDAY_NOON));
        assert!(matches!(
            query(Some("nope"), None, None),
            Err(WindowError::Unrecognized(_))
        ));
    }

    #[test]
    fn query_start_and_end_are_used_verbatim() {
        let w = query(
            None,
            Some("2024-05-01T00:00:00Z"),
            Some("2024-05-10T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(
            bounds(&w),
            (
                "2024-05-01T00:00:00Z".to_owned(),
                "2024-05-10T00:00:00Z".to_owned()
            )
        );
    }

    #[test]
    fn query_start_alone_ends_now() {
        let w = query(None, Some("2024-05-15T10:00:00Z"), None).unwrap();
        assert_eq!(w.start(), at("2024-05-15T10:00:00Z"));
        assert_eq!(w.end(), at(WEDNESDAY_NOON));
    }

    #[test]
    fn query_start_in_the_future_without_end_is_refused() {
        assert!(matches!(
            query(None, Some("2024-06-01T00:00:00Z"), None),
            Err(WindowError::StartNotBeforeEnd { .. })
        ));
    }

    #[test]
    fn query_end_alone_is_refused() {
        assert_eq!(
            query(None, None, Some("2024-05-10T00:00:00Z")),
            Err(WindowError::EndWithoutStart)
        );
    }

    #[test]
    fn query_window_with_start_or_end_is_ambiguous() {
        let t = Some("2024-05-10T00:00:00Z");
        assert_eq!(query(Some("7d"), t, None), Err(WindowError::Ambiguous));
        assert_eq!(query(Some("7d"), None, t), Err(WindowError::Ambiguous));
        assert_eq!(query(Some("7d"), t, t), Err(WindowError::Ambiguous));
    }

    #[test]
    fn query_invalid_timestamps_name_the_parameter() {
        assert_eq!(
            query(None, Some("yesterday"), None),
            Err(WindowError::InvalidTimestamp {
                field: "start_time",
                value: "yesterday".to_owned(),
                expected: "an RFC3339 timestamp such as 2024-05-01T00:00:00Z",
            })
        );
        assert!(matches!(
            query(None, Some("2024-05-01T00:00:00Z"), Some("1715000000")),
            Err(WindowError::InvalidTimestamp {
                field: "end_time",
                ..
            })
        ));
    }

    #[test]
    fn query_ranges_longer_than_the_maximum_are_refused() {
        assert!(matches!(
            query(None, Some("2020-01-01T00:00:00Z"), None),
            Err(WindowError::TooLong(_))
        ));
    }

    // ---- whole_hours ----

    fn window(start: &str, end: &str) -> TimeWindow {
        TimeWindow::new(at(start), at(end)).unwrap()
    }

    #[test]
    fn whole_hours_of_an_aligned_window_is_itself() {
        let w = window("2024-05-15T10:00:00Z", "2024-05-15T13:00:00Z");
        assert_eq!(w.whole_hours(), Some(w));
    }

    #[test]
    fn whole_hours_rounds_start_up_and_end_down() {
        let w = window("2024-05-15T10:00:00.001Z", "2024-05-15T13:59:59Z");
        assert_eq!(
            w.whole_hours(),
            Some(window("2024-05-15T11:00:00Z", "2024-05-15T13:00:00Z"))
        );
    }

    #[test]
    fn whole_hours_of_exactly_one_aligned_hour() {
        let w = window("2024-05-15T10:30:00Z", "2024-05-15T12:15:00Z");
        assert_eq!(
            w.whole_hours(),
            Some(window("2024-05-15T11:00:00Z", "2024-05-15T12:00:00Z"))
        );
    }

    #[test]
    fn whole_hours_of_a_sub_hour_window_is_none() {
        assert_eq!(
            window("2024-05-15T10:10:00Z", "2024-05-15T10:50:00Z").whole_hours(),
            None
        );
        // Crosses an hour boundary but holds no whole hour.
        assert_eq!(
            window("2024-05-15T10:30:00Z", "2024-05-15T11:30:00Z").whole_hours(),
            None
        );
    }

    #[test]
    fn whole_hours_of_keyword_windows() {
        let now = at(WEDNESDAY_NOON);
        let week = TimeWindow::parse("week", now).unwrap();
        assert_eq!(
            week.whole_hours(),
            Some(window("2024-05-12T00:00:00Z", "2024-05-15T12:00:00Z"))
        );
        let day = TimeWindow::parse("24h", now).unwrap();
        assert_eq!(day.whole_hours(), Some(day));
    }

    // ---- properties ----

    /// Any instant from 1970 to 2200, with sub-second precision.
    fn any_now() -> impl Strategy<Value = DateTime<Utc>> {
        (0_i64..7_258_118_400, 0_u32..1_000_000_000)
            .prop_map(|(secs, nanos)| DateTime::from_timestamp(secs, nanos).expect("in range"))
    }

    fn aligned(t: DateTime<Utc>, unit_seconds: i64) -> bool {
        t.timestamp_subsec_nanos() == 0 && t.timestamp().rem_euclid(unit_seconds) == 0
    }

    proptest! {
        #[test]
        fn hour_and_day_durations_follow_opencost(
            count in 1_i64..=MAX_WINDOW_DAYS * 24,
            daily in any::<bool>(),
            now in any_now(),
        ) {
            let (count, unit, suffix) = if daily {
                (count % MAX_WINDOW_DAYS + 1, SECONDS_PER_DAY, 'd')
            } else {
                (count, SECONDS_PER_HOUR, 'h')
            };
            let w = TimeWindow::parse(&format!("{count}{suffix}"), now).unwrap();
            prop_assert!(w.start() < w.end());
            // The current unit is included whole: now < end <= now + one unit.
            prop_assert!(now < w.end());
            prop_assert!(w.end() <= now + TimeDelta::seconds(unit));
            prop_assert!(aligned(w.end(), unit));
            prop_assert!(aligned(w.start(), unit));
            prop_assert_eq!(w.duration(), TimeDelta::seconds(count * unit));
            prop_assert!(w.duration() <= TimeDelta::days(MAX_WINDOW_DAYS));
        }

        #[test]
        fn keyword_windows_are_valid_and_near_now(
            keyword in prop::sample::select(
                vec!["today", "yesterday", "week", "lastweek", "month", "lastmonth"]
            ),
            now in any_now(),
        ) {
            match TimeWindow::parse(keyword, now) {
                Ok(w) => {
                    prop_assert!(w.start() < w.end());
                    prop_assert!(w.start() <= now);
                    prop_assert!(w.end() <= now + TimeDelta::days(1));
                    prop_assert!(aligned(w.start(), SECONDS_PER_DAY));
                    prop_assert!(w.duration() <= TimeDelta::days(31));
                }
                // Only at the exact first instant of a week or month.
                Err(WindowError::Empty { .. }) => prop_assert!(aligned(now, SECONDS_PER_DAY)),
                Err(other) => {
                    return Err(TestCaseError::fail(format!("{keyword} at {now}: {other}")));
                }
            }
        }

        #[test]
        fn whole_hours_is_the_largest_aligned_sub_window(
            start in any_now(),
            length_ms in 1_i64..=MAX_WINDOW_SECONDS * 1000,
        ) {
            let w = TimeWindow::new(start, start + TimeDelta::milliseconds(length_ms)).unwrap();
            let hour = TimeDelta::hours(1);
            match w.whole_hours() {
                Some(inner) => {
                    prop_assert!(w.start() <= inner.start() && inner.end() <= w.end());
                    prop_assert!(inner.start() < inner.end());
                    prop_assert!(aligned(inner.start(), SECONDS_PER_HOUR));
                    prop_assert!(aligned(inner.end(), SECONDS_PER_HOUR));
                    // Maximal: less than an hour is left at either edge.
                    prop_assert!(inner.start() - w.start() < hour);
                    prop_assert!(w.end() - inner.end() < hour);
                }
                None => {
                    // No aligned hour fits: the first boundary at or after start plus an
                    // hour lies beyond the end.
                    let first = ceil_to(w.start(), SECONDS_PER_HOUR).unwrap();
                    prop_assert!(first + hour > w.end());
                }
            }
        }

        #[test]
        fn display_round_trips_for_whole_second_windows(
            start_secs in 0_i64..7_000_000_000,
            length in 1_i64..=MAX_WINDOW_SECONDS,
        ) {
            let start = DateTime::from_timestamp(start_secs, 0).unwrap();
            let w = TimeWindow::new(start, start + TimeDelta::seconds(length)).unwrap();
            prop_assert_eq!(TimeWindow::parse(&w.to_string(), at(WEDNESDAY_NOON)), Ok(w));
        }
    }
}
