//! Fixtures: valid domain values with distinct, fixed, microsecond-precise timestamps.

use chrono::{DateTime, Duration, TimeZone, Utc};
use kcost_domain::api_key::{ApiKeyRecord, KeyId, Salt, Scope, Scopes, SecretHash};
use kcost_domain::cluster::ClusterName;
use kcost_domain::money::Money;
use kcost_domain::recommendation::{
    Confidence, Recommendation, RecommendationId, RecommendationStatus, RecommendationTarget,
    Resource,
};
use kcost_domain::tenant::{Tenant, TenantId, TenantName};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::support::Repositories;

/// `minutes` after a fixed instant, with a sub-second part that survives both backends.
pub fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0)
        .single()
        .expect("valid date")
        + Duration::minutes(minutes)
        + Duration::microseconds(123_456)
}

pub fn dec(text: &str) -> Decimal {
    text.parse().expect("decimal literal")
}

pub fn tenant(name: &str, created_minutes: i64) -> Tenant {
    Tenant {
        id: TenantId::from_uuid(Uuid::new_v4()),
        name: TenantName::new(name).expect("valid tenant name"),
        created_at: at(created_minutes),
    }
}

/// Creates a tenant through the repository.
pub async fn stored_tenant(repos: &Repositories, name: &str) -> Tenant {
    let tenant = tenant(name, 0);
    repos.tenants.create(&tenant).await.expect("create tenant");
    tenant
}

pub fn api_key(tenant: TenantId, created_minutes: i64) -> ApiKeyRecord {
    let seed = u8::try_from(created_minutes.rem_euclid(250)).expect("small seed");
    ApiKeyRecord {
        key_id: KeyId::from_uuid(Uuid::new_v4()),
        tenant_id: tenant,
        name: Some(format!("key-{created_minutes}")),
        salt: Salt::from_bytes([seed; 16]),
        secret_hash: SecretHash::from_bytes([seed.wrapping_add(1); 32]),
        scopes: Scopes::new([Scope::MetricsWrite, Scope::CostsRead]).expect("scopes"),
        cluster: Some(ClusterName::new("prod-eu-1").expect("cluster")),
        revoked: false,
        expires_at: Some(at(60 * 24 * 365)),
        created_at: at(created_minutes),
        last_used_at: None,
    }
}

pub fn target(cluster: &str, namespace: &str, workload: &str) -> RecommendationTarget {
    RecommendationTarget {
        cluster: ClusterName::new(cluster).expect("cluster"),
        namespace: namespace.into(),
        workload: Some(("Deployment".into(), workload.into())),
        pod: None,
        container: Some("app".into()),
    }
}

pub fn recommendation(
    tenant: TenantId,
    target: RecommendationTarget,
    savings: &str,
    created_minutes: i64,
) -> Recommendation {
    Recommendation {
        id: RecommendationId::from_uuid(Uuid::new_v4()),
        tenant_id: tenant,
        target,
        resource: Resource::Cpu,
        current: 1_000,
        recommended: 250,
        monthly_savings: Money::from_decimal(dec(savings)),
        confidence: Confidence::new(dec("0.85")).expect("confidence"),
        reason: "p95 usage 180m over 7 days".into(),
        status: RecommendationStatus::Open,
        created_at: at(created_minutes),
        updated_at: at(created_minutes),
        closed_by: None,
        close_reason: None,
    }
}
