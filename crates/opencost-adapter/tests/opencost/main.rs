//! The OpenCost client's integration tests, one binary: the client against a mock server (`client`), and parsing real and edge-case answers (`parse_fixtures`, `parse_edge_cases`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client;
mod parse_edge_cases;
mod parse_fixtures;
mod support;
