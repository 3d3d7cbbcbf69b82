//! Clients of a running kcost server, for trying it out and measuring it:
//! - [`simulate`]: an agent simulator that pushes snapshots exactly as the reference agent
//!   does, in real time or as a fast back-fill (`kcost simulate`);
//! - [`bench`]: a bounded load test — ingest latency and throughput, query latency, RSS —
//!   reported as markdown (`kcost bench`);
//! - [`cli`]: both commands' arguments and runs, dispatched by the `kcost` binary;
//! - [`settings`]: `[agent]`, the configuration section of the bundled simulator.
//!
//! Nothing here is linked into the server's request path.

pub mod bench;
pub mod cli;
pub mod settings;
pub mod simulate;
