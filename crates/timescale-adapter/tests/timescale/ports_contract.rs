//! The shared store contract suites (`kcost_ports::contract::{metrics, detail}`, the ones
//! every metrics backend runs) against `PgMetricsStore` on the real PostgreSQL, one fresh
//! database per test.

// Test helpers outside #[test] functions may unwrap and panic too.

/// Runs one contract function on a fresh PostgreSQL database.
macro_rules! on_fresh_store {
    ($suite:ident, $name:ident) => {
        crate::support::with_store(|store| async move {
            kcost_ports::contract::$suite::$name(&store).await
        })
        .await
    };
}

kcost_ports::metrics_store_contract_tests!(on_fresh_store);
