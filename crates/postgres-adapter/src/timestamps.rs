//! Timestamps as both backends can keep them.
//!
//! PostgreSQL's `timestamptz` keeps microseconds; SQLite keeps whatever text it is given.
//! Truncating before every write makes a value read back identical on both.

use chrono::{DateTime, Timelike, Utc};

/// `at` truncated to whole microseconds.
pub(crate) fn to_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    let nanos = at.nanosecond();
    at.with_nanosecond(nanos - nanos % 1_000).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn drops_sub_microsecond_digits() {
        let at = Utc.timestamp_opt(1_700_000_000, 123_456_789).unwrap();
        assert_eq!(to_micros(at).nanosecond(), 123_456_000);
    }
}
