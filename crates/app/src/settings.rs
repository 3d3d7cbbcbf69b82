//! The configuration sections the use cases own, each declared (serde, defaults equal to
//! `config/default.toml`) and validated beside the others the use cases read:
//!
//! - [`ingest`]: `[ingest]` (snapshot intake) and `[pricing]` (the default rates), turned
//!   into what [`crate::ingest::IngestSnapshot`] takes;
//! - [`security`]: `[security]` (the API-key pepper, the key cache, the admin token);
//! - [`kubecent`]: `[kubecent]` (anonymous `/api/v1` access, cache warming);
//! - [`allocation`]: `[allocation]` (anonymous access to the allocation API);
//! - [`opencost`]: `[opencost]` (the OpenCost sources to import from).
//!
//! Each section's `validate` keys its problems within the section (`sources[1].url`); the
//! server prefixes the section's name and reports every problem at once. Rules that need
//! another section or the environment (a pepper required in production) are the server's.

pub mod allocation;
pub mod ingest;
pub mod kubecent;
pub mod opencost;
pub mod security;

pub use allocation::AllocationSettings;
pub use ingest::{IngestSettings, PricingSettings};
pub use kubecent::KubecentSettings;
pub use opencost::{OPENCOST_AGGREGATES, OpenCostSettings, OpenCostSourceSettings};
pub use security::{MIN_PEPPER_BYTES, SecuritySettings};

use kcost_domain::settings::SettingIssues;
use kcost_domain::tenant::TenantName;

/// An `anonymous_tenant` setting (`[kubecent]`, `[allocation]`): a tenant id (UUID) or a
/// valid tenant name.
fn check_anonymous_tenant(v: &mut SettingIssues, key: &str, value: Option<&String>) {
    if let Some(value) = value
        && uuid::Uuid::parse_str(value).is_err()
        && let Err(error) = TenantName::new(value.as_str())
    {
        v.push(
            key,
            format!("must be a tenant id or name ({error}); omit it to require API keys"),
        );
    }
}
