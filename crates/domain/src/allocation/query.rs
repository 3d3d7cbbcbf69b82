//! An allocation question: how to group (`aggregate`), what to keep (`filter`), and what
//! to do with idle and shared costs — OpenCost's `/allocation` parameters as values.

use std::fmt;
use std::str::FromStr;

use chrono::TimeDelta;

use crate::window::TimeWindow;

use super::filter::{AllocationFilter, Field};
use super::properties::AllocationProperties;
use crate::money::Money;

/// One property allocations are grouped by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AggregateBy {
    Cluster,
    Node,
    Namespace,
    ControllerKind,
    /// `<kind>:<name>` of the owning controller.
    Controller,
    /// Pods owned by a controller of this kind (lower case); others are unallocated.
    ControllerOfKind(&'static str),
    Pod,
    Container,
    Label(String),
    /// kcost stores no annotations: every allocation is unallocated.
    Annotation(String),
}

/// Why an `aggregate` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AggregateError {
    #[error(
        "unknown aggregate {0:?}; use cluster, node, namespace, controllerKind, controller, \
         deployment, statefulset, daemonset, job, cronjob, replicaset, pod, container, \
         label:<key> or annotation:<key>"
    )]
    Unknown(String),
    #[error("aggregate {0:?} needs a key after the colon, e.g. label:team")]
    MissingKey(String),
}

impl FromStr for AggregateBy {
    type Err = AggregateError;

    /// OpenCost's names; property names are matched case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        for (prefix, make) in [
            ("label:", AggregateBy::Label as fn(String) -> AggregateBy),
            ("annotation:", AggregateBy::Annotation),
        ] {
            if let Some(head) = s.get(..prefix.len())
                && head.eq_ignore_ascii_case(prefix)
            {
                let key = s[prefix.len()..].trim();
                if key.is_empty() {
                    return Err(AggregateError::MissingKey(s.to_owned()));
                }
                return Ok(make(key.to_owned()));
            }
        }
        Ok(match s.to_ascii_lowercase().as_str() {
            "cluster" => Self::Cluster,
            "node" => Self::Node,
            "namespace" => Self::Namespace,
            "controllerkind" => Self::ControllerKind,
            "controller" => Self::Controller,
            "deployment" => Self::ControllerOfKind("deployment"),
            "statefulset" => Self::ControllerOfKind("statefulset"),
            "daemonset" => Self::ControllerOfKind("daemonset"),
            "job" => Self::ControllerOfKind("job"),
            "cronjob" => Self::ControllerOfKind("cronjob"),
            "replicaset" => Self::ControllerOfKind("replicaset"),
            "pod" => Self::Pod,
            "container" => Self::Container,
            _ => return Err(AggregateError::Unknown(s.to_owned())),
        })
    }
}

impl fmt::Display for AggregateBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cluster => f.write_str("cluster"),
            Self::Node => f.write_str("node"),
            Self::Namespace => f.write_str("namespace"),
            Self::ControllerKind => f.write_str("controllerKind"),
            Self::Controller => f.write_str("controller"),
            Self::ControllerOfKind(kind) => f.write_str(kind),
            Self::Pod => f.write_str("pod"),
            Self::Container => f.write_str("container"),
            Self::Label(key) => write!(f, "label:{key}"),
            Self::Annotation(key) => write!(f, "annotation:{key}"),
        }
    }
}

impl AggregateBy {
    /// Parses OpenCost's comma-separated `aggregate` list (blank: none).
    pub fn parse_list(list: &str) -> Result<Vec<Self>, AggregateError> {
        list.split(',')
            .filter(|part| !part.trim().is_empty())
            .map(str::parse)
            .collect()
    }

    /// This property's value for `props`, or `None` when it has none.
    pub fn value_of<'a>(
        &self,
        props: &'a AllocationProperties,
    ) -> Option<std::borrow::Cow<'a, str>> {
        use std::borrow::Cow;
        let some = |s: &'a str| (!s.is_empty()).then_some(Cow::Borrowed(s));
        match self {
            Self::Cluster => some(&props.cluster),
            Self::Node => props.node.as_deref().and_then(some),
            Self::Namespace => some(&props.namespace),
            Self::ControllerKind => props.controller_kind.as_deref().and_then(some),
            Self::Controller => match (&props.controller_kind, &props.controller) {
                (Some(kind), Some(name)) => Some(Cow::Owned(format!("{kind}:{name}"))),
                _ => None,
            },
            Self::ControllerOfKind(kind) => match (&props.controller_kind, &props.controller) {
                (Some(k), Some(name)) if k == kind => some(name),
                _ => None,
            },
            Self::Pod => some(&props.pod),
            Self::Container => props.container.as_deref().and_then(some),
            Self::Label(key) => props.label(key).and_then(some),
            Self::Annotation(_) => None,
        }
    }
}

/// How shared costs are spread over the allocations that receive them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ShareSplit {
    /// In proportion to each allocation's own cost (OpenCost's default).
    #[default]
    Weighted,
    Even,
}

/// What to do with idle and shared costs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Sharing {
    /// Add an `__idle__` allocation (unless idle is shared).
    pub include_idle: bool,
    /// Share each node's idle over its own pods rather than each cluster's over the
    /// cluster's.
    pub idle_by_node: bool,
    /// Spread idle over the allocations, per resource and weighted by that resource's
    /// cost: no `__idle__` allocation, the same total.
    pub share_idle: bool,
    /// Namespaces whose cost is spread over all other allocations.
    pub share_namespaces: Vec<String>,
    /// `(key, value)` labels whose pods' cost is spread over all other allocations.
    pub share_labels: Vec<(String, String)>,
    /// A monthly overhead (730 hours) spread over the allocations, pro rata to the window.
    pub share_cost_monthly: Money,
    pub split: ShareSplit,
}

/// A whole allocation question over one window.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AllocationQuery {
    pub aggregate: Vec<AggregateBy>,
    pub filter: AllocationFilter,
    pub sharing: Sharing,
}

impl AllocationQuery {
    /// Whether the answer depends on containers (grouped or filtered by them), so pods
    /// with several containers are split into their containers'.
    pub fn needs_containers(&self) -> bool {
        fn mentions_container(filter: &AllocationFilter) -> bool {
            match filter {
                AllocationFilter::All => false,
                AllocationFilter::Not(inner) => mentions_container(inner),
                AllocationFilter::And(all) | AllocationFilter::Or(all) => {
                    all.iter().any(mentions_container)
                }
                AllocationFilter::Compare { field, .. } => *field == Field::Container,
            }
        }
        self.aggregate.contains(&AggregateBy::Container) || mentions_container(&self.filter)
    }
}

impl Default for AllocationQuery {
    fn default() -> Self {
        Self {
            aggregate: Vec::new(),
            filter: AllocationFilter::All,
            sharing: Sharing::default(),
        }
    }
}

/// How steps are merged in the answer (OpenCost's `accumulate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Accumulate {
    /// One set per step.
    None,
    /// One set for the whole window.
    All,
    Hour,
    Day,
    /// Weeks start on Sunday 00:00 UTC, as OpenCost's `week` window does.
    Week,
    Month,
    Quarter,
}

impl Accumulate {
    /// The step a query uses when none is given: the whole window, or for a period the
    /// period's own length up to a day (longer periods are built from days).
    pub fn default_step(self) -> Option<TimeDelta> {
        match self {
            Self::None | Self::All => None,
            Self::Hour => Some(TimeDelta::hours(1)),
            Self::Day | Self::Week | Self::Month | Self::Quarter => Some(TimeDelta::days(1)),
        }
    }
}

/// Most steps one query may ask for (a year of days; a month of hours is 744).
pub const MAX_STEPS: usize = 1_000;

/// Why a `step` was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    #[error("step must be a positive duration such as 1h or 1d (got {0:?})")]
    Invalid(String),
    #[error(
        "step {step} splits the window into {count} or more steps; at most {MAX_STEPS} are allowed"
    )]
    TooMany { step: String, count: i64 },
}

/// Parses OpenCost's `step`: a count (digits) and a unit `s`, `m`, `h`, `d` or `w` (`90m`,
/// `1h`, `1d`); empty means none.
pub fn parse_step(step: &str) -> Result<Option<TimeDelta>, StepError> {
    if step.is_empty() {
        return Ok(None);
    }
    let invalid = || StepError::Invalid(step.chars().take(40).collect());
    let (count, unit) = step.split_at(step.len() - step.chars().last().map_or(0, char::len_utf8));
    if count.is_empty() || !count.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let count: i64 = count.parse().map_err(|_| invalid())?;
    let delta = match unit {
        "s" => TimeDelta::try_seconds(count),
        "m" => TimeDelta::try_minutes(count),
        "h" => TimeDelta::try_hours(count),
        "d" => TimeDelta::try_days(count),
        "w" => TimeDelta::try_weeks(count),
        _ => None,
    }
    .ok_or_else(invalid)?;
    if delta <= TimeDelta::zero() {
        return Err(invalid());
    }
    Ok(Some(delta))
}

/// `window` cut into consecutive steps from its start (the last one cut at the end), or
/// the whole window without a step; no step crosses a boundary of `accumulate`'s period,
/// so every step falls in exactly one period (a `24h` window accumulated by day is two
/// sets, before and after midnight, as OpenCost answers).
pub fn split_steps(
    window: &TimeWindow,
    step: Option<TimeDelta>,
    accumulate: Accumulate,
) -> Result<Vec<TimeWindow>, StepError> {
    let invalid = || StepError::Invalid(format!("{step:?}"));
    if let Some(step) = step {
        let each = step.num_seconds().max(1);
        let count = (window.duration().num_seconds() + each - 1) / each;
        if count > MAX_STEPS as i64 {
            return Err(StepError::TooMany {
                step: format!("{}s", step.num_seconds()),
                count,
            });
        }
    }
    let mut steps = Vec::new();
    let mut start = window.start();
    while start < window.end() {
        let mut end = window.end();
        if let Some(step) = step {
            end = end.min(start.checked_add_signed(step).ok_or_else(invalid)?);
        }
        if let Some(boundary) = accumulate.next_boundary(start) {
            end = end.min(boundary);
        }
        steps.push(TimeWindow::new(start, end).map_err(|_| invalid())?);
        if steps.len() > MAX_STEPS {
            return Err(StepError::TooMany {
                step: step.map_or_else(
                    || format!("{accumulate:?}").to_lowercase(),
                    |s| format!("{}s", s.num_seconds()),
                ),
                count: steps.len() as i64,
            });
        }
        start = end;
    }
    Ok(steps)
}

impl Accumulate {
    /// The start of the period after the one `t` is in (UTC; weeks from Sunday, as
    /// OpenCost's), or `None` without periods.
    pub fn next_boundary(
        self,
        t: chrono::DateTime<chrono::Utc>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        use chrono::{Datelike, NaiveDate, NaiveTime};
        let day = t.date_naive();
        let midnight = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc();
        let first_of = |year: i32, month: u32| {
            let (year, month) = if month > 12 {
                (year + 1, month - 12)
            } else {
                (year, month)
            };
            NaiveDate::from_ymd_opt(year, month, 1).map(midnight)
        };
        match self {
            Self::None | Self::All => None,
            Self::Hour => {
                let hour = t.timestamp() - t.timestamp().rem_euclid(3_600);
                chrono::DateTime::from_timestamp(hour + 3_600, 0)
            }
            Self::Day => day.succ_opt().map(midnight),
            Self::Week => {
                let to_sunday = 7 - i64::from(day.weekday().num_days_from_sunday());
                day.checked_add_signed(TimeDelta::days(to_sunday))
                    .map(midnight)
            }
            Self::Month => first_of(day.year(), day.month() + 1),
            Self::Quarter => first_of(day.year(), (day.month() - 1) / 3 * 3 + 4),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregates_parse_opencosts_names() {
        assert_eq!(
            AggregateBy::parse_list("cluster, namespace,label:team,controllerKind"),
            Ok(vec![
                AggregateBy::Cluster,
                AggregateBy::Namespace,
                AggregateBy::Label("team".to_owned()),
                AggregateBy::ControllerKind,
            ])
        );
        assert_eq!(AggregateBy::parse_list(""), Ok(vec![]));
        assert_eq!(
            "deployment".parse::<AggregateBy>(),
            Ok(AggregateBy::ControllerOfKind("deployment"))
        );
        assert!(matches!(
            "label: ".parse::<AggregateBy>(),
            Err(AggregateError::MissingKey(_))
        ));
        assert!(matches!(
            "teams".parse::<AggregateBy>(),
            Err(AggregateError::Unknown(_))
        ));
    }

    #[test]
    fn any_text_parses_or_is_refused_without_panicking() {
        // Multi-byte characters across the length of `label:` (found by Schemathesis).
        for text in [
            "0\u{80}\u{10000}",
            "label\u{e9}x",
            "\u{10000}\u{10000}",
            "annotatio\u{e9}",
        ] {
            assert!(text.parse::<AggregateBy>().is_err(), "{text:?}");
        }
    }

    #[test]
    fn steps_split_the_window_and_are_bounded() {
        use chrono::TimeZone;
        let start = chrono::Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let window = TimeWindow::new(start, start + TimeDelta::hours(25)).unwrap();
        let steps = split_steps(&window, parse_step("1d").unwrap(), Accumulate::None).unwrap();
        assert_eq!(steps.len(), 2);
        assert_eq!(
            steps[1].duration(),
            TimeDelta::hours(1),
            "the last step is cut"
        );
        assert_eq!(
            split_steps(&window, None, Accumulate::All).unwrap(),
            vec![window]
        );
        assert!(matches!(
            split_steps(&window, parse_step("1m").unwrap(), Accumulate::None),
            Err(StepError::TooMany { count: 1500, .. })
        ));
        for bad in ["0h", "h", "1y", "-1d", "1\u{e9}", "99999999999999999d"] {
            assert!(parse_step(bad).is_err(), "{bad:?}");
        }
        assert_eq!(parse_step(""), Ok(None));
    }

    #[test]
    fn steps_never_cross_a_period_boundary() {
        use chrono::TimeZone;
        let at = |d: u32, h: u32| chrono::Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap();
        // A 24-hour window from 15:00 accumulated by day: before and after midnight.
        let window = TimeWindow::new(at(20, 15), at(21, 15)).unwrap();
        let steps = split_steps(&window, None, Accumulate::Day).unwrap();
        assert_eq!(
            steps
                .iter()
                .map(|s| (s.start(), s.end()))
                .collect::<Vec<_>>(),
            [(at(20, 15), at(21, 0)), (at(21, 0), at(21, 15))]
        );
        // A week step accumulated by day is cut at every midnight.
        let window = TimeWindow::new(at(1, 0), at(8, 0)).unwrap();
        assert_eq!(
            split_steps(&window, parse_step("1w").unwrap(), Accumulate::Day)
                .unwrap()
                .len(),
            7
        );
        // Months and quarters from their first day; weeks from Sunday (2026-11-01 is one).
        assert_eq!(
            Accumulate::Month.next_boundary(at(20, 15)),
            Some(chrono::Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap())
        );
        assert_eq!(
            Accumulate::Quarter.next_boundary(at(20, 15)),
            Some(chrono::Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap())
        );
        assert_eq!(Accumulate::Week.next_boundary(at(1, 5)), Some(at(8, 0)));
        assert_eq!(
            Accumulate::Hour.next_boundary(at(1, 5) + TimeDelta::minutes(30)),
            Some(at(1, 6))
        );
        assert_eq!(Accumulate::All.next_boundary(at(1, 5)), None);
        assert!(parse_step(" 1d").is_err() && parse_step("+1d").is_err());
    }
}
