//! The Redis adapter's integration tests, one binary: the cache contract (`cache_contract`), the invalidation bus (`invalidation_bus`) and behaviour while Redis is down (`redis_resilience`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cache_contract;
mod invalidation_bus;
mod redis_resilience;
mod support;
