//! The query string of an allocation request, built from kcost's [`AllocationQuery`].

use chrono::SecondsFormat;
use kcost_domain::opencost::AllocationQuery;

/// OpenCost parameters for `query`: `window=<start>,<end>` (RFC3339, whole seconds),
/// `aggregate`, `step`, `accumulate=false` (one set per step) and `includeIdle`.
/// An empty `aggregate` is left out (OpenCost then returns unaggregated allocations); a
/// zero step is left out (one set for the whole window).
pub fn allocation_params(query: &AllocationQuery) -> Vec<(&'static str, String)> {
    let window = format!(
        "{},{}",
        query
            .window
            .start()
            .to_rfc3339_opts(SecondsFormat::Secs, true),
        query
            .window
            .end()
            .to_rfc3339_opts(SecondsFormat::Secs, true)
    );
    let mut params = vec![("window", window)];
    if !query.aggregate.is_empty() {
        params.push(("aggregate", query.aggregate.join(",")));
    }
    if query.step_seconds > 0 {
        params.push(("step", step_duration(query.step_seconds)));
    }
    params.push(("accumulate", "false".to_owned()));
    params.push(("includeIdle", query.include_idle.to_string()));
    params
}

/// A Go-style duration in the largest whole unit OpenCost's parser takes (`1h`, `90m`).
fn step_duration(seconds: u32) -> String {
    match seconds {
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use kcost_domain::window::TimeWindow;

    use super::*;

    fn query(aggregate: &[&str], step_seconds: u32, include_idle: bool) -> AllocationQuery {
        let start = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2024, 5, 1, 3, 0, 0).unwrap();
        AllocationQuery {
            window: TimeWindow::new(start, end).unwrap(),
            aggregate: aggregate.iter().map(|s| (*s).to_owned()).collect(),
            step_seconds,
            include_idle,
        }
    }

    #[test]
    fn hourly_import_query() {
        let params = allocation_params(&query(&["namespace", "pod"], 3600, true));
        let expected = [
            ("window", "2024-05-01T00:00:00Z,2024-05-01T03:00:00Z"),
            ("aggregate", "namespace,pod"),
            ("step", "1h"),
            ("accumulate", "false"),
            ("includeIdle", "true"),
        ];
        let expected: Vec<_> = expected
            .iter()
            .map(|(k, v)| (*k, (*v).to_owned()))
            .collect();
        assert_eq!(params, expected);
    }

    #[test]
    fn empty_aggregate_and_zero_step_are_left_out() {
        let params = allocation_params(&query(&[], 0, false));
        let keys: Vec<_> = params.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["window", "accumulate", "includeIdle"]);
        assert_eq!(params[2].1, "false");
    }

    #[test]
    fn steps_use_the_largest_whole_unit() {
        assert_eq!(step_duration(86_400), "24h");
        assert_eq!(step_duration(5_400), "90m");
        assert_eq!(step_duration(90), "90s");
    }
}
