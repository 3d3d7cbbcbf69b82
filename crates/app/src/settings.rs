//! The configuration sections the use cases own, each declared (serde, defaults equal to
//! `config/default.toml`) and validated beside the others the use cases read:
//!
//! - [`ingest`]: `[ingest]` (snapshot intake) and `[pricing]` (the default rates), turned
//!   into what [`crate::ingest::IngestSnapshot`] takes;
//! - [`security`]: `[security]` (the API-key pepper, the key cache, the admin token);
//! - [`kubecent`]: `[kubecent]` (anonymous `/api/v1` access, cache warming);
//! - [`allocation`]: `[allocation]` (anonymous access to the allocation API);
//! - [`anonymous_tenant`]: the `anonymous_tenant` both of them have;
//! - [`opencost`]: `[opencost]` (the OpenCost sources to import from);
//! - [`budgets`]: `[budgets]` (budget evaluation, alert delivery, webhook targets).
//!
//! Each section's `validate` keys its problems within the section (`sources[1].url`); the
//! server prefixes the section's name and reports every problem at once. Rules that need
//! another section or the environment (a pepper required in production) are the server's.
//! What needs a store is resolved at start-up ([`AnonymousTenant::resolve`]).

pub mod allocation;
pub mod anonymous_tenant;
pub mod budgets;
pub mod ingest;
pub mod kubecent;
pub mod opencost;
pub mod security;
mod tenant_by_name;

pub use allocation::AllocationSettings;
pub use anonymous_tenant::AnonymousTenant;
pub use budgets::BudgetSettings;
pub use ingest::{IngestSettings, PricingSettings};
pub use kubecent::KubecentSettings;
pub use opencost::{OPENCOST_AGGREGATES, OpenCostSettings, OpenCostSourceSettings};
pub use security::{MIN_PEPPER_BYTES, SecuritySettings};
