//! The shared store contract suites (`kcost_ports::contract::{metrics, detail}`, the ones
//! every metrics backend must pass) against `SqliteMetricsStore`, one fresh temporary file
//! per test.

// Test helpers outside #[test] functions may unwrap and panic too.

/// Runs one contract function on a fresh temporary SQLite file.
macro_rules! on_fresh_store {
    ($suite:ident, $name:ident) => {{
        let test = crate::support::TestDb::new().await;
        kcost_ports::contract::$suite::$name(&test.store).await;
    }};
}

kcost_ports::metrics_store_contract_tests!(on_fresh_store);
