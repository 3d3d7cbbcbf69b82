//! OpenCost import series for `/metrics`: per source (labels `tenant`, `cluster`) the hours
//! imported, the duplicate hours, the failed runs, whether OpenCost was reachable on the
//! last run and when the last successful run ended.

use std::fmt::Write as _;

use kcost_app::opencost_import::{ImportStatus, OpenCostConnection};

/// The series in Prometheus text format; empty without sources.
pub fn render(statuses: &[ImportStatus]) -> String {
    let mut out = String::new();
    if statuses.is_empty() {
        return out;
    }
    type Value = fn(&ImportStatus) -> String;
    let series: [(&str, &str, &str, Value); 5] = [
        (
            "kcost_opencost_import_hours_total",
            "counter",
            "Hours of OpenCost allocations stored, per source.",
            |s| s.hours_imported.to_string(),
        ),
        (
            "kcost_opencost_import_duplicate_hours_total",
            "counter",
            "Hours OpenCost sent again that were already stored (nothing changed).",
            |s| s.hours_duplicate.to_string(),
        ),
        (
            "kcost_opencost_import_failures_total",
            "counter",
            "OpenCost import runs that ended in an error.",
            |s| s.failures.to_string(),
        ),
        (
            "kcost_opencost_up",
            "gauge",
            "1 when OpenCost answered the last import run, 0 when unreachable or not asked yet.",
            |s| u8::from(s.connection == OpenCostConnection::Connected).to_string(),
        ),
        (
            "kcost_opencost_import_last_success_timestamp_seconds",
            "gauge",
            "Unix time of the last successful import run (0: none yet).",
            |s| s.last_success.map_or(0, |t| t.timestamp()).to_string(),
        ),
    ];
    for (name, kind, help, value) in series {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for status in statuses {
            let _ = writeln!(
                out,
                "{name}{{tenant=\"{}\",cluster=\"{}\"}} {}",
                escape(&status.tenant),
                escape(&status.cluster),
                value(status)
            );
        }
    }
    out
}

/// A label value as the exposition format wants it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn no_sources_no_series() {
        assert_eq!(render(&[]), "");
    }

    #[test]
    fn one_line_per_source_and_series() {
        let status = ImportStatus {
            tenant: "ac\"me".into(),
            cluster: "prod".into(),
            connection: OpenCostConnection::Connected,
            last_attempt: None,
            last_success: None,
            last_error: None,
            latest_hour: None,
            hours_imported: 3,
            hours_duplicate: 1,
            failures: 2,
        };
        let text = render(&[status]);
        assert!(text.contains(
            "kcost_opencost_import_hours_total{tenant=\"ac\\\"me\",cluster=\"prod\"} 3\n"
        ));
        assert!(text.contains(
            "kcost_opencost_import_failures_total{tenant=\"ac\\\"me\",cluster=\"prod\"} 2\n"
        ));
        assert!(text.contains("kcost_opencost_up{tenant=\"ac\\\"me\",cluster=\"prod\"} 1\n"));
        assert!(
            text.contains("# TYPE kcost_opencost_import_last_success_timestamp_seconds gauge\n")
        );
    }
}
