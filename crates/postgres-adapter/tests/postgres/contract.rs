//! Backend-agnostic contract cases for the relational repositories.
//!
//! Each case is an `async fn` taking [`Repositories`](crate::support::Repositories) (trait
//! objects) on a freshly migrated, empty store, and panics on a broken contract. The test
//! binary runs every case once per backend; a shared contract suite can call them too.

pub mod api_keys;
pub mod availability;
pub mod budgets;
pub mod fixtures;
pub mod isolation;
pub mod prices;
pub mod recommendations;
pub mod tenants;
