//! OpenCost HTTP client implementing `kcost_ports::OpenCostSource`: `/allocation/compute`,
//! `/allocation` and `/healthz` with timeouts, bounded retries and jittered backoff, and
//! the parser that turns OpenCost's allocation responses into kcost's `AllocationSet`s.
//!
//! - [`client`]: [`HttpOpenCostSource`], its constructors and the port implementation.
//! - [`config`], [`retry`]: how a source is reached and how patiently it is retried.
//! - [`response`]: the pure parser, usable without a client (fixtures, replays).
//! - internals: `request` (query string), `attempt` (one exchange), `fetch` (the retry
//!   loop), `wire` (the JSON shape), `number` (exact decimals), `mapping` (wire → domain).

mod attempt;
pub mod client;
pub mod config;
mod fetch;
mod mapping;
mod number;
mod request;
pub mod response;
pub mod retry;
mod wire;

pub use client::HttpOpenCostSource;
pub use config::{AllocationEndpoint, ConfigError, OpenCostClientConfig};
pub use mapping::MappingError;
pub use request::allocation_params;
pub use response::{ResponseError, parse_allocation_response};
pub use retry::RetryPolicy;
