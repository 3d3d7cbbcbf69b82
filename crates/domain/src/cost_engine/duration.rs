//! How long one snapshot stands for: the declared interval, else the gap to the previous
//! snapshot (capped), else the default.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Sample-duration settings (`ingest.default_interval_seconds`, `ingest.max_sample_gap_seconds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurationRules {
    /// Used when neither a declared interval nor a previous snapshot is known: the reference
    /// agent's period.
    pub default_seconds: u32,
    /// Cap on the gap to the previous snapshot, so an agent outage is not billed as one
    /// enormous sample.
    pub max_gap_seconds: u32,
}

impl Default for DurationRules {
    fn default() -> Self {
        Self {
            default_seconds: 600,
            max_gap_seconds: 1800,
        }
    }
}

/// How a sample's duration was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationBasis {
    Declared,
    GapToPrevious,
    Default,
}

/// The length of time one snapshot stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleDuration {
    pub seconds: u32,
    pub basis: DurationBasis,
}

/// The duration rule: the declared `interval_seconds`; else the gap to the cluster's
/// previous snapshot, capped; else the default.
pub fn sample_duration(
    declared_seconds: Option<u32>,
    previous: Option<DateTime<Utc>>,
    current: DateTime<Utc>,
    rules: &DurationRules,
) -> SampleDuration {
    if let Some(seconds) = declared_seconds.filter(|s| *s > 0) {
        return SampleDuration {
            seconds,
            basis: DurationBasis::Declared,
        };
    }
    let gap = previous
        .filter(|previous| *previous < current)
        .map(|previous| (current - previous).num_seconds())
        .and_then(|gap| u32::try_from(gap).ok());
    match gap {
        Some(gap) => SampleDuration {
            seconds: gap.min(rules.max_gap_seconds),
            basis: DurationBasis::GapToPrevious,
        },
        None => SampleDuration {
            seconds: rules.default_seconds,
            basis: DurationBasis::Default,
        },
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap()
    }

    #[test]
    fn sample_duration_rules() {
        let rules = DurationRules::default();
        let now = at();
        let declared = sample_duration(Some(300), Some(now - Duration::minutes(20)), now, &rules);
        assert_eq!(
            declared,
            SampleDuration {
                seconds: 300,
                basis: DurationBasis::Declared
            }
        );
        let gap = sample_duration(None, Some(now - Duration::minutes(10)), now, &rules);
        assert_eq!(
            gap,
            SampleDuration {
                seconds: 600,
                basis: DurationBasis::GapToPrevious
            }
        );
        let capped = sample_duration(None, Some(now - Duration::hours(5)), now, &rules);
        assert_eq!(
            capped,
            SampleDuration {
                seconds: 1800,
                basis: DurationBasis::GapToPrevious
            }
        );
        let first = sample_duration(None, None, now, &rules);
        assert_eq!(
            first,
            SampleDuration {
                seconds: 600,
                basis: DurationBasis::Default
            }
        );
        let out_of_order = sample_duration(None, Some(now + Duration::minutes(10)), now, &rules);
        assert_eq!(out_of_order.basis, DurationBasis::Default);
    }
}
