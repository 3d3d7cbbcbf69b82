//! The stored API key and the authentication rule: a presented key against its record, with
//! revocation and expiry.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::authenticated::{AuthError, AuthenticatedKey};
use super::hashing::{Pepper, Salt, SecretHash};
use super::id::KeyId;
use super::scopes::Scopes;
use super::secret::PresentedApiKey;
use crate::cluster::ClusterName;
use crate::tenant::TenantId;

/// A refused expiry at key creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ExpiryError {
    #[error("expiry {expires_at} is not in the future (now is {now})")]
    NotInFuture {
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    },
}

/// An API key as the repository stores it. Holds no secret: only the salt and the hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKeyRecord {
    pub key_id: KeyId,
    pub tenant_id: TenantId,
    pub name: Option<String>,
    pub salt: Salt,
    pub secret_hash: SecretHash,
    pub scopes: Scopes,
    /// When set, the key may only ingest for this cluster.
    pub cluster: Option<ClusterName>,
    pub revoked: bool,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl ApiKeyRecord {
    /// Checks `presented` against this record at `now`.
    ///
    /// The hash is always computed and the key id and hash results are combined without
    /// branching, before revocation or expiry are looked at. So a caller without the secret
    /// always gets `InvalidCredentials` in the same time, and cannot learn whether a key id
    /// exists, is revoked or has expired. A key expires at `expires_at` itself.
    pub fn authenticate(
        &self,
        pepper: &Pepper,
        presented: &PresentedApiKey,
        now: DateTime<Utc>,
    ) -> Result<AuthenticatedKey, AuthError> {
        let same_key_id = self
            .key_id
            .as_uuid()
            .as_bytes()
            .ct_eq(presented.key_id.as_uuid().as_bytes());
        let same_secret = SecretHash::compute(pepper, &self.salt, &presented.secret)
            .as_bytes()
            .ct_eq(self.secret_hash.as_bytes());
        if !bool::from(same_key_id & same_secret) {
            return Err(AuthError::InvalidCredentials);
        }
        if self.revoked {
            return Err(AuthError::Revoked);
        }
        if self.is_expired_at(now) {
            return Err(AuthError::Expired);
        }
        Ok(AuthenticatedKey {
            key_id: self.key_id,
            tenant_id: self.tenant_id,
            scopes: self.scopes.clone(),
            cluster: self.cluster.clone(),
        })
    }

    /// Whether the key is past its expiry at `now` (`expires_at <= now`).
    pub fn is_expired_at(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|expires_at| expires_at <= now)
    }
}

/// Refuses, at key creation, an expiry that would make the key unusable from the start.
/// `None` means the key never expires.
pub fn validate_expiry(
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), ExpiryError> {
    match expires_at {
        // `<=` matches `is_expired_at`: a key expiring exactly now is already expired.
        Some(expires_at) if expires_at <= now => Err(ExpiryError::NotInFuture { expires_at, now }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::api_key::fixtures::{at, key_id, pepper, presented, record, secret};
    use crate::api_key::secret::ApiKeySecret;

    #[test]
    fn record_serde_round_trips_without_secrets() {
        let record = ApiKeyRecord {
            cluster: Some(ClusterName::new("prod-eu-1").unwrap()),
            expires_at: Some(at(12)),
            ..record()
        };
        let json = serde_json::to_string(&record).unwrap();
        assert!(!json.contains(secret().expose()));
        assert!(json.contains(&format!("\"salt\":\"{}\"", record.salt.to_base64())));
        assert!(json.contains(r#""scopes":["metrics:write"]"#));
        let back: ApiKeyRecord = serde_json::from_str(&json).unwrap();
        assert_eq!(back, record);
    }

    #[test]
    fn authenticate_accepts_the_right_secret() {
        let record = record();
        let key = record.authenticate(&pepper(), &presented(), at(1)).unwrap();
        assert_eq!(
            key,
            AuthenticatedKey {
                key_id: record.key_id,
                tenant_id: record.tenant_id,
                scopes: record.scopes.clone(),
                cluster: None,
            }
        );
    }

    #[test]
    fn authenticate_refuses_a_wrong_secret() {
        let wrong = PresentedApiKey::new(key_id(), ApiKeySecret::from_random_bytes(&[1; 32]));
        assert_eq!(
            record().authenticate(&pepper(), &wrong, at(1)),
            Err(AuthError::InvalidCredentials)
        );
    }

    #[test]
    fn authenticate_refuses_a_wrong_key_id() {
        let wrong = PresentedApiKey::new(KeyId::from_uuid(Uuid::from_u128(99)), secret());
        assert_eq!(
            record().authenticate(&pepper(), &wrong, at(1)),
            Err(AuthError::InvalidCredentials)
        );
    }

    #[test]
    fn authenticate_refuses_a_wrong_pepper() {
        let other = Pepper::new("a-different-server-pepper").unwrap();
        assert_eq!(
            record().authenticate(&other, &presented(), at(1)),
            Err(AuthError::InvalidCredentials)
        );
    }

    #[test]
    fn revoked_keys_are_refused_but_only_reported_to_secret_holders() {
        let record = ApiKeyRecord {
            revoked: true,
            ..record()
        };
        assert_eq!(
            record.authenticate(&pepper(), &presented(), at(1)),
            Err(AuthError::Revoked)
        );
        let wrong = PresentedApiKey::new(key_id(), ApiKeySecret::from_random_bytes(&[1; 32]));
        assert_eq!(
            record.authenticate(&pepper(), &wrong, at(1)),
            Err(AuthError::InvalidCredentials)
        );
    }

    #[test]
    fn expired_keys_are_refused_from_expires_at_on() {
        let record = ApiKeyRecord {
            expires_at: Some(at(5)),
            ..record()
        };
        assert!(record.authenticate(&pepper(), &presented(), at(4)).is_ok());
        let just_before = at(5) - chrono::Duration::nanoseconds(1);
        assert!(
            record
                .authenticate(&pepper(), &presented(), just_before)
                .is_ok()
        );
        assert_eq!(
            record.authenticate(&pepper(), &presented(), at(5)),
            Err(AuthError::Expired)
        );
        assert_eq!(
            record.authenticate(&pepper(), &presented(), at(6)),
            Err(AuthError::Expired)
        );
        let wrong = PresentedApiKey::new(key_id(), ApiKeySecret::from_random_bytes(&[1; 32]));
        assert_eq!(
            record.authenticate(&pepper(), &wrong, at(6)),
            Err(AuthError::InvalidCredentials)
        );
    }

    #[test]
    fn expiry_must_be_in_the_future() {
        assert_eq!(validate_expiry(None, at(3)), Ok(()));
        assert_eq!(validate_expiry(Some(at(4)), at(3)), Ok(()));
        assert_eq!(
            validate_expiry(Some(at(3)), at(3)),
            Err(ExpiryError::NotInFuture {
                expires_at: at(3),
                now: at(3)
            })
        );
        assert!(validate_expiry(Some(at(2)), at(3)).is_err());
    }
}
