//! kcost's schema migrations (sea-orm-migration): relational tables and the time-series
//! tables, run at server start and by `kcost migrate`.
//!
//! Filled by the storage issue; until then this crate only reserves its place.
