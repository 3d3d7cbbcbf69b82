//! What every crate's tests need from the outside world, in one place, so each test binary
//! sets up PostgreSQL, Redis, ports and time the same way:
//! - [`postgres`]: a fresh PostgreSQL database per test (`kcost_test_<uuid>`), dropped
//!   afterwards (`WITH (FORCE)`), even when the test panics; the server comes from
//!   `KCOST_TEST_DATABASE_URL`;
//! - [`redis`]: the shared test Redis (`KCOST_TEST_REDIS_URL`), key prefixes no other test
//!   uses, and a `redis-server` of a test's own to stop, freeze or restart;
//! - [`free_port`]: a port free on 127.0.0.1;
//! - [`csv::records`]: the records of an exported CSV;
//! - [`webhook_receiver`]: a scripted webhook receiver for alert-delivery tests;
//! - [`FixedClock`], [`ManualClock`]: a stopped clock, and one the test moves instead of
//!   waiting for the real one.
//!
//! Migrating a database is the caller's business: each crate knows its own migrator.

#![allow(clippy::expect_used, clippy::panic)] // Test support: a failure here is a failed test.

mod clock;
pub mod csv;
pub mod postgres;
pub mod redis;
pub mod webhook_receiver;

pub use clock::{FixedClock, ManualClock};

/// A port free on 127.0.0.1 when asked (bound, then released; the caller binds it next).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind port 0")
        .local_addr()
        .expect("local address")
        .port()
}
