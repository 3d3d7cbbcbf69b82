//! Tenant repository cases.

use kcost_domain::tenant::{TenantId, TenantName};
use kcost_ports::TenantRepositoryError;
use uuid::Uuid;

use super::fixtures::tenant;
use crate::support::Repositories;

pub async fn tenants_are_created_read_and_listed_oldest_first(repos: &Repositories) {
    let newer = tenant("team-payments", 10);
    let older = tenant("team-search", 5);
    repos.tenants.create(&newer).await.unwrap();
    repos.tenants.create(&older).await.unwrap();

    assert_eq!(repos.tenants.get(newer.id).await.unwrap(), newer);
    let by_name = repos.tenants.find_by_name(&older.name).await.unwrap();
    assert_eq!(by_name, Some(older.clone()));
    let unknown = TenantName::new("nobody").unwrap();
    assert_eq!(repos.tenants.find_by_name(&unknown).await.unwrap(), None);
    assert_eq!(repos.tenants.list().await.unwrap(), vec![older, newer]);
    repos.tenants.ping().await.unwrap();
}

pub async fn duplicate_tenant_name_is_duplicate(repos: &Repositories) {
    let first = tenant("team-payments", 0);
    repos.tenants.create(&first).await.unwrap();
    let same_name = tenant("team-payments", 1);
    match repos.tenants.create(&same_name).await {
        Err(TenantRepositoryError::Duplicate(name)) => assert_eq!(name, first.name),
        other => panic!("expected Duplicate, got {other:?}"),
    }
    assert_eq!(repos.tenants.list().await.unwrap(), vec![first]);
}

pub async fn unknown_tenant_is_not_found(repos: &Repositories) {
    let unknown = TenantId::from_uuid(Uuid::new_v4());
    assert!(matches!(
        repos.tenants.get(unknown).await,
        Err(TenantRepositoryError::NotFound)
    ));
}
