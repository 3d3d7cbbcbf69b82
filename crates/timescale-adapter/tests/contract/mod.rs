//! Backend-agnostic contract tests of `MetricsStore`: each takes `&dyn MetricsStore` on an
//! empty, migrated store, so the same functions can run on every backend.

pub mod costs;
pub mod fixtures;
pub mod series;
pub mod windows;
