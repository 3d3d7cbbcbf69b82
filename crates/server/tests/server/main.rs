//! The server's integration tests, one binary (one link instead of ten): the HTTP API end
//! to end on SQLite and PostgreSQL (`api`), the `kcost` binary's commands (`cli`,
//! `cli_admin`, `config`, `migrate`, `serve`, `simulate`, `bench`), configuration loading
//! (`config::loading`), the OpenCost import against a mock OpenCost (`opencost_import`),
//! Redis outages (`redis`) and the operations guide against the configuration
//! (`operations_doc`). Shared fixtures and servers: `support`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api;
mod bench;
mod cli;
mod cli_admin;
mod config;
mod migrate;
mod opencost_import;
mod operations_doc;
mod redis;
mod serve;
mod simulate;
mod support;
