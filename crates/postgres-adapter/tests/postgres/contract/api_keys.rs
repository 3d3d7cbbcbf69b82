//! API-key repository cases.

use kcost_domain::api_key::{ApiKeyRecord, KeyId};
use kcost_domain::tenant::TenantId;
use kcost_ports::ApiKeyRepositoryError;
use uuid::Uuid;

use super::fixtures::{api_key, at, stored_tenant};
use crate::support::Repositories;

pub async fn keys_are_inserted_found_and_listed_newest_first(repos: &Repositories) {
    let tenant = stored_tenant(repos, "team-payments").await;
    let older = api_key(tenant.id, 1);
    let mut newer = api_key(tenant.id, 2);
    newer.name = None;
    newer.cluster = None;
    newer.expires_at = None;
    repos.api_keys.insert(&older).await.unwrap();
    repos.api_keys.insert(&newer).await.unwrap();

    assert_eq!(
        repos.api_keys.find(older.key_id).await.unwrap(),
        Some(older.clone())
    );
    assert_eq!(
        repos.api_keys.find(newer.key_id).await.unwrap(),
        Some(newer.clone())
    );
    let unknown = KeyId::from_uuid(Uuid::new_v4());
    assert_eq!(repos.api_keys.find(unknown).await.unwrap(), None);
    assert_eq!(
        repos.api_keys.list(tenant.id).await.unwrap(),
        vec![newer, older]
    );
}

pub async fn revoke_is_idempotent_and_unknown_keys_are_not_found(repos: &Repositories) {
    let tenant = stored_tenant(repos, "team-payments").await;
    let key = api_key(tenant.id, 1);
    repos.api_keys.insert(&key).await.unwrap();

    let revoked = repos.api_keys.revoke(key.key_id).await.unwrap();
    assert!(revoked.revoked);
    assert_eq!(revoked, marked_revoked(key.clone()));
    let again = repos.api_keys.revoke(key.key_id).await.unwrap();
    assert_eq!(again, revoked);
    assert_eq!(
        repos.api_keys.find(key.key_id).await.unwrap(),
        Some(revoked)
    );

    let unknown = KeyId::from_uuid(Uuid::new_v4());
    assert!(matches!(
        repos.api_keys.revoke(unknown).await,
        Err(ApiKeyRepositoryError::NotFound)
    ));
}

fn marked_revoked(mut key: ApiKeyRecord) -> ApiKeyRecord {
    key.revoked = true;
    key
}

pub async fn key_of_unknown_tenant_is_tenant_not_found(repos: &Repositories) {
    let key = api_key(TenantId::from_uuid(Uuid::new_v4()), 1);
    assert!(matches!(
        repos.api_keys.insert(&key).await,
        Err(ApiKeyRepositoryError::TenantNotFound)
    ));
    assert_eq!(repos.api_keys.find(key.key_id).await.unwrap(), None);
}

pub async fn duplicate_key_id_is_duplicate(repos: &Repositories) {
    let tenant = stored_tenant(repos, "team-payments").await;
    let key = api_key(tenant.id, 1);
    repos.api_keys.insert(&key).await.unwrap();
    let mut again = api_key(tenant.id, 2);
    again.key_id = key.key_id;
    match repos.api_keys.insert(&again).await {
        Err(ApiKeyRepositoryError::Duplicate(id)) => assert_eq!(id, key.key_id),
        other => panic!("expected Duplicate, got {other:?}"),
    }
    assert_eq!(repos.api_keys.find(key.key_id).await.unwrap(), Some(key));
}

pub async fn last_use_is_recorded_in_batches_and_never_goes_back(repos: &Repositories) {
    let tenant = stored_tenant(repos, "team-payments").await;
    let first = api_key(tenant.id, 1);
    let second = api_key(tenant.id, 2);
    repos.api_keys.insert(&first).await.unwrap();
    repos.api_keys.insert(&second).await.unwrap();
    let unknown = KeyId::from_uuid(Uuid::new_v4());

    // One batch: several uses of one key (the newest wins), another key, an unknown key.
    repos
        .api_keys
        .record_last_used(&[
            (first.key_id, at(10)),
            (first.key_id, at(30)),
            (first.key_id, at(20)),
            (second.key_id, at(5)),
            (unknown, at(40)),
        ])
        .await
        .unwrap();
    let last_used = |key: KeyId| {
        let repos = repos.clone();
        async move {
            repos
                .api_keys
                .find(key)
                .await
                .unwrap()
                .unwrap()
                .last_used_at
        }
    };
    assert_eq!(last_used(first.key_id).await, Some(at(30)));
    assert_eq!(last_used(second.key_id).await, Some(at(5)));

    // An older time (a late batch from another replica) does not overwrite a newer one;
    // a newer one does, including a sub-second step.
    repos
        .api_keys
        .record_last_used(&[(first.key_id, at(25)), (second.key_id, at(6))])
        .await
        .unwrap();
    assert_eq!(last_used(first.key_id).await, Some(at(30)));
    assert_eq!(last_used(second.key_id).await, Some(at(6)));
    let a_moment_later = at(30) + chrono::Duration::microseconds(1);
    repos
        .api_keys
        .record_last_used(&[(first.key_id, a_moment_later)])
        .await
        .unwrap();
    assert_eq!(last_used(first.key_id).await, Some(a_moment_later));

    // An empty batch is a no-op.
    repos.api_keys.record_last_used(&[]).await.unwrap();
}
