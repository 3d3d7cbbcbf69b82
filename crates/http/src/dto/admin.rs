//! Bodies of the admin API: tenants, API keys and price overrides.

use chrono::{DateTime, Utc};
use kcost_app::auth::CreatedApiKey;
use kcost_domain::api_key::{ApiKeyRecord, Scope, Scopes};
use kcost_domain::pricing::PriceOverride;
use kcost_domain::tenant::Tenant;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::price;
use super::query::{ClusterFilter, Rfc3339Time};
use crate::error::FieldIssue;

/// `POST /v1/admin/tenants`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreateTenantRequest {
    /// Unique, 1–128 characters, no surrounding whitespace, no control characters.
    #[schema(
        example = "payments",
        pattern = "^[^\\s\\x00-\\x1F\\x7F-\\x9F]([^\\x00-\\x1F\\x7F-\\x9F]{0,126}[^\\s\\x00-\\x1F\\x7F-\\x9F])?$"
    )]
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TenantDto {
    pub tenant_id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

impl From<&Tenant> for TenantDto {
    fn from(tenant: &Tenant) -> Self {
        Self {
            tenant_id: *tenant.id.as_uuid(),
            name: tenant.name.as_str().to_owned(),
            created_at: tenant.created_at,
        }
    }
}

/// `GET /v1/admin/tenants`, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TenantListResponse {
    pub tenants: Vec<TenantDto>,
}

/// What a key created without `scopes` may do: everything a seed 1 key could (ingest, cost
/// queries, right-sizing recommendations), named one by one so that scopes added later
/// are not granted silently.
pub const DEFAULT_KEY_SCOPES: [&str; 4] = [
    "metrics:write",
    "costs:read",
    "recommendations:read",
    "recommendations:write",
];

/// `POST /v1/admin/api_keys`: seed 1's `{tenant_id, scopes, expires_at}` plus `name` and
/// `cluster_name`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreateApiKeyRequest {
    pub tenant_id: Uuid,
    /// Any of `metrics:write`, `costs:read`, `recommendations:read`,
    /// `recommendations:write`, `budgets:read`, `budgets:write`, `*`. Absent (seed 1's clients send none): the access seed
    /// 1's keys had, [`DEFAULT_KEY_SCOPES`].
    #[schema(example = json!(["metrics:write"]), value_type = Option<Vec<ScopeName>>, min_items = 1)]
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// When the key stops working (RFC3339, in the future, else 422); never if absent.
    #[serde(default)]
    #[schema(value_type = Option<Rfc3339Time>)]
    pub expires_at: Option<DateTime<Utc>>,
    /// A label for people (e.g. "prod-eu-1 agent").
    #[serde(default)]
    pub name: Option<String>,
    /// Binds the key to one cluster: it may only ingest snapshots of that cluster.
    #[serde(default)]
    #[schema(value_type = Option<ClusterFilter>)]
    pub cluster_name: Option<String>,
}

/// A scope's name (documentation of `scopes`' items).
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // Documentation only.
pub enum ScopeName {
    #[schema(rename = "metrics:write")]
    MetricsWrite,
    #[schema(rename = "costs:read")]
    CostsRead,
    #[schema(rename = "recommendations:read")]
    RecommendationsRead,
    #[schema(rename = "recommendations:write")]
    RecommendationsWrite,
    #[schema(rename = "budgets:read")]
    BudgetsRead,
    #[schema(rename = "budgets:write")]
    BudgetsWrite,
    #[schema(rename = "*")]
    All,
}

/// Parses scope names, naming each unknown one by its index.
pub fn parse_scopes(names: &[String]) -> Result<Scopes, Vec<FieldIssue>> {
    let mut scopes = Vec::with_capacity(names.len());
    let mut issues = Vec::new();
    for (i, name) in names.iter().enumerate() {
        match name.parse::<Scope>() {
            Ok(scope) => scopes.push(scope),
            Err(error) => issues.push(FieldIssue::new(format!("scopes[{i}]"), error.to_string())),
        }
    }
    if !issues.is_empty() {
        return Err(issues);
    }
    Scopes::new(scopes).map_err(|error| vec![FieldIssue::new("scopes", error.to_string())])
}

/// An API key as listed: never the secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiKeyDto {
    pub key_id: Uuid,
    pub tenant_id: Uuid,
    pub name: Option<String>,
    pub scopes: Vec<String>,
    pub cluster_name: Option<String>,
    pub revoked: bool,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Updated in batches, so up to a minute or so behind.
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<&ApiKeyRecord> for ApiKeyDto {
    fn from(record: &ApiKeyRecord) -> Self {
        Self {
            key_id: *record.key_id.as_uuid(),
            tenant_id: *record.tenant_id.as_uuid(),
            name: record.name.clone(),
            scopes: record
                .scopes
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
            cluster_name: record.cluster.as_ref().map(|c| c.as_str().to_owned()),
            revoked: record.revoked,
            expires_at: record.expires_at,
            created_at: record.created_at,
            last_used_at: record.last_used_at,
        }
    }
}

/// `201 Created`: the key, shown this once. Send `api_key` as
/// `Authorization: ApiKey <api_key>`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedApiKeyResponse {
    /// The secret half; not stored and not retrievable later.
    pub secret: String,
    /// `<key_id>:<secret>`, ready to use.
    pub api_key: String,
    #[serde(flatten)]
    pub key: ApiKeyDto,
}

impl From<&CreatedApiKey> for CreatedApiKeyResponse {
    fn from(created: &CreatedApiKey) -> Self {
        let api_key = created.api_key.expose().to_owned();
        let secret = api_key
            .split_once(':')
            .map(|(_, secret)| secret.to_owned())
            .unwrap_or_default();
        // `key_id` comes with the flattened key, once.
        Self {
            secret,
            api_key,
            key: (&created.record).into(),
        }
    }
}

/// `GET /v1/admin/api_keys?tenant_id=`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApiKeyListParams {
    pub tenant_id: Uuid,
}

/// The tenant's keys, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiKeyListResponse {
    pub api_keys: Vec<ApiKeyDto>,
}

/// `PUT /v1/admin/tenants/{tenant_id}/prices/{instance_type}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PutPriceRequest {
    /// Hourly price of one node of this instance type (a JSON number or a decimal string):
    /// above 0, at most 100,000, at most 10 decimal places (else 422).
    #[schema(value_type = f64, example = 0.0832, exclusive_minimum = 0, maximum = 100000)]
    pub hourly_cost_usd: Decimal,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PriceOverrideDto {
    #[schema(example = "m5.large")]
    pub instance_type: String,
    #[schema(example = 0.0832)]
    pub hourly_cost_usd: f64,
}

impl From<&PriceOverride> for PriceOverrideDto {
    fn from(price_override: &PriceOverride) -> Self {
        Self {
            instance_type: price_override.instance_type().to_owned(),
            hourly_cost_usd: price(price_override.hourly_cost()),
        }
    }
}

/// `GET /v1/admin/tenants/{tenant_id}/prices`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PriceListResponse {
    pub tenant_id: Uuid,
    pub prices: Vec<PriceOverrideDto>,
}
