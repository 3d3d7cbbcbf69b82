//! Finding, at start-up, the tenant a setting names: one lookup and one "no such tenant"
//! message for every setting that names a tenant.

use anyhow::Context as _;
use kcost_domain::tenant::{Tenant, TenantName};
use kcost_ports::TenantRepository;

/// The tenant named `name` (as the setting `key` wrote it); none is an error naming the
/// key and saying how to fix it (`remedy`: what else the user may do than create it).
pub(crate) async fn tenant_by_name(
    tenants: &dyn TenantRepository,
    key: &str,
    name: &TenantName,
    remedy: &str,
) -> anyhow::Result<Tenant> {
    let value = name.as_str();
    tenants
        .find_by_name(name)
        .await
        .with_context(|| format!("{key}: looking up tenant `{value}`"))?
        .with_context(|| {
            format!("{key}: no tenant is named `{value}`; create it (`kcost tenants create`) or {remedy}")
        })
}
