//! The trace format (`crates/recommender/data/traces/README.md`): CSV with the header
//! `vm,timestamp,cpu_request_millicores,cpu_usage_millicores,memory_request_bytes,memory_usage_bytes`,
//! timestamps in unix seconds, rows grouped by VM and sorted by time.

use chrono::{DateTime, Utc};
use kcost_domain::costs::UsagePoint;
use kcost_domain::quantity::{Bytes, Millicores};
use kcost_domain::snapshot::ResourceFigures;

/// Sample durations are the gap to the previous sample, capped at this (twice the trace's
/// 5-minute period) so monitoring gaps do not count as usage.
pub const MAX_SAMPLE_SECONDS: u32 = 600;
/// Duration of a series' first sample: the trace's period.
pub const FIRST_SAMPLE_SECONDS: u32 = 300;

const HEADER: [&str; 6] = [
    "vm",
    "timestamp",
    "cpu_request_millicores",
    "cpu_usage_millicores",
    "memory_request_bytes",
    "memory_usage_bytes",
];

/// One VM or pod of a trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceSeries {
    pub name: String,
    pub points: Vec<UsagePoint>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TraceError {
    #[error("the header must be `{}`", HEADER.join(","))]
    Header,
    #[error("line {line}: {message}")]
    Row { line: usize, message: String },
}

/// Parses a whole trace. Rows of one series must be contiguous and in time order.
pub fn parse_trace(text: &str) -> Result<Vec<TraceSeries>, TraceError> {
    let mut lines = text.lines().enumerate();
    let header: Vec<&str> = lines
        .next()
        .map(|(_, h)| h.trim().split(',').collect())
        .unwrap_or_default();
    if header != HEADER {
        return Err(TraceError::Header);
    }
    let mut series: Vec<TraceSeries> = Vec::new();
    for (index, line) in lines {
        let line_number = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        let row = |message: String| TraceError::Row {
            line: line_number,
            message,
        };
        let fields: Vec<&str> = line.trim().split(',').collect();
        let [
            name,
            timestamp,
            cpu_request,
            cpu_usage,
            memory_request,
            memory_usage,
        ] = fields.as_slice()
        else {
            return Err(row(format!("expected 6 fields, got {}", fields.len())));
        };
        let number = |field: &str, what: &str| {
            field
                .parse::<u64>()
                .map_err(|_| row(format!("{what} is not a non-negative integer: {field:?}")))
        };
        let mut seconds = number(timestamp, "timestamp")?;
        if seconds > 100_000_000_000 {
            seconds /= 1000;
        }
        let at = i64::try_from(seconds)
            .ok()
            .and_then(|s| DateTime::<Utc>::from_timestamp(s, 0))
            .ok_or_else(|| row(format!("timestamp out of range: {timestamp}")))?;
        let figures = ResourceFigures {
            cpu_usage: Millicores::new(number(cpu_usage, "cpu_usage_millicores")?),
            memory_usage: Bytes::new(number(memory_usage, "memory_usage_bytes")?),
            cpu_request: Millicores::new(number(cpu_request, "cpu_request_millicores")?),
            memory_request: Bytes::new(number(memory_request, "memory_request_bytes")?),
            cpu_limit: None,
            memory_limit: None,
        };
        if series.last().is_none_or(|s| s.name != *name) {
            if series.iter().any(|s| s.name == *name) {
                return Err(row(format!("rows of {name} are not contiguous")));
            }
            series.push(TraceSeries {
                name: (*name).to_owned(),
                points: Vec::new(),
            });
        }
        let Some(current) = series.last_mut() else {
            continue;
        };
        let seconds = match current.points.last() {
            None => FIRST_SAMPLE_SECONDS,
            Some(previous) if previous.at < at => {
                let gap = (at - previous.at).num_seconds();
                u32::try_from(gap)
                    .unwrap_or(u32::MAX)
                    .min(MAX_SAMPLE_SECONDS)
            }
            Some(_) => return Err(row(format!("timestamps of {name} do not increase"))),
        };
        current.points.push(UsagePoint {
            at,
            seconds,
            figures,
        });
    }
    Ok(series)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "vm,timestamp,cpu_request_millicores,cpu_usage_millicores,memory_request_bytes,memory_usage_bytes\n";

    #[test]
    fn parses_series_with_capped_durations() {
        let text = format!(
            "{HEAD}a,1000,2000,30,100,10\na,1300,2000,40,100,11\na,9000,2000,50,100,12\nb,1372629804000,1000,1,5,1\n"
        );
        let series = parse_trace(&text).unwrap();
        assert_eq!(series.len(), 2);
        let seconds: Vec<u32> = series[0].points.iter().map(|p| p.seconds).collect();
        assert_eq!(seconds, vec![300, 300, 600]);
        assert_eq!(series[0].points[1].figures.cpu_usage.get(), 40);
        assert_eq!(series[1].points[0].at.timestamp(), 1_372_629_804);
    }

    #[test]
    fn rejects_bad_headers_rows_and_order() {
        assert_eq!(parse_trace("a,b\n"), Err(TraceError::Header));
        let bad = format!("{HEAD}a,1000,x,1,1,1\n");
        assert!(matches!(
            parse_trace(&bad),
            Err(TraceError::Row { line: 2, .. })
        ));
        let backwards = format!("{HEAD}a,1000,1,1,1,1\na,900,1,1,1,1\n");
        assert!(parse_trace(&backwards).is_err());
        let split = format!("{HEAD}a,1000,1,1,1,1\nb,900,1,1,1,1\na,2000,1,1,1,1\n");
        assert!(parse_trace(&split).is_err());
    }
}
