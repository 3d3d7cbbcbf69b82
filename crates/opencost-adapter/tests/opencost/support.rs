//! Shared test helpers: queries and the mock OpenCost server.

#![allow(dead_code)] // each test binary uses a different part

pub mod mock_opencost;

use chrono::{DateTime, Utc};
use kcost_domain::opencost::AllocationQuery;
use kcost_domain::window::TimeWindow;
use rust_decimal::Decimal;

pub fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .with_timezone(&Utc)
}

pub fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

/// A query over `[start, end)` aggregated by namespace.
pub fn namespace_query(start: &str, end: &str, step_seconds: u32) -> AllocationQuery {
    AllocationQuery {
        window: TimeWindow::new(at(start), at(end)).unwrap(),
        aggregate: vec!["namespace".to_owned()],
        step_seconds,
        include_idle: true,
    }
}
