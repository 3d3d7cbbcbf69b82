//! Backend-agnostic contract tests of `MetricsStore`: each function takes `&dyn
//! MetricsStore` on an empty, migrated store and panics on a breach, so the same functions
//! can run against every backend (SQLite here; PostgreSQL through the shared suite).

pub mod costs;
pub mod fixtures;
pub mod series;
pub mod windows;
