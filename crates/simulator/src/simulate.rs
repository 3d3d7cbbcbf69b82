//! `kcost simulate`: an agent simulator. The model ([`blueprint`], [`usage`], [`cluster`],
//! [`schedule`]) is pure and deterministic for a seed; [`agent_client`] pushes its
//! snapshots exactly as the reference agent does; [`run`] drives real-time and back-fill
//! runs; [`progress`] counts what was sent for the progress bar.

pub mod agent_client;
pub mod blueprint;
pub mod cluster;
pub mod progress;
pub mod rng;
pub mod run;
pub mod schedule;
pub mod usage;

pub use agent_client::{AgentClient, RetryPolicy};
pub use cluster::ClusterSim;
