//! Property tests over hostile window expressions through the window parser: nothing may
//! panic (a panic is a 500). Bounded (a fixed number of cases per run, as `PROPTEST_CASES`
//! says).

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;

use crate::window::TimeWindow;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 9, 30, 0).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_window_expressions_never_panic(expr in "\\PC{0,40}") {
        let _ = TimeWindow::parse(&expr, now());
    }

    #[test]
    fn window_shaped_expressions_never_panic(
        count in any::<i64>(),
        unit in "[a-zA-Z]{0,2}",
        a in any::<i64>(),
        b in any::<i64>(),
    ) {
        for expr in [format!("{count}{unit}"), format!("{a},{b}"), format!("{a}|{b}")] {
            let _ = TimeWindow::parse(&expr, now());
        }
    }
}
