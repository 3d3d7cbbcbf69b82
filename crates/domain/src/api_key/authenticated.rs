//! Who is calling once a key is authenticated, what they may do (scopes, a cluster binding),
//! and why a credential or an action is refused.

use super::id::KeyId;
use super::scopes::{Scope, Scopes};
use crate::cluster::ClusterName;
use crate::tenant::TenantId;

/// Why a well-formed credential was refused, or an authenticated key may not do something.
///
/// `InvalidCredentials` covers both an unknown key id and a wrong secret so that callers
/// cannot probe which key ids exist. `Revoked` and `Expired` are only reported to someone who
/// proved they hold the right secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("invalid API key")]
    InvalidCredentials,
    #[error("this API key has been revoked")]
    Revoked,
    #[error("this API key has expired")]
    Expired,
    #[error("this API key lacks the required scope `{0}`")]
    MissingScope(Scope),
    #[error("this API key is bound to cluster `{bound}` and may not act for another cluster")]
    ClusterNotAllowed { bound: ClusterName },
}

/// A key that proved its secret and is neither revoked nor expired: who is calling and what
/// they may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatedKey {
    pub key_id: KeyId,
    pub tenant_id: TenantId,
    pub scopes: Scopes,
    pub cluster: Option<ClusterName>,
}

impl AuthenticatedKey {
    pub fn require(&self, scope: Scope) -> Result<(), AuthError> {
        if self.scopes.allows(scope) {
            Ok(())
        } else {
            Err(AuthError::MissingScope(scope))
        }
    }

    /// A key bound to a cluster may only act (ingest) for that cluster; an unbound key may act
    /// for any cluster of its tenant.
    pub fn check_cluster(&self, cluster: &ClusterName) -> Result<(), AuthError> {
        match &self.cluster {
            Some(bound) if bound != cluster => Err(AuthError::ClusterNotAllowed {
                bound: bound.clone(),
            }),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api_key::fixtures::{at, pepper, presented, record, secret};
    use crate::api_key::record::ApiKeyRecord;

    #[test]
    fn require_checks_scopes() {
        let key = ApiKeyRecord {
            scopes: Scopes::new([Scope::CostsRead]).unwrap(),
            ..record()
        }
        .authenticate(&pepper(), &presented(), at(1))
        .unwrap();
        assert_eq!(key.require(Scope::CostsRead), Ok(()));
        assert_eq!(
            key.require(Scope::MetricsWrite),
            Err(AuthError::MissingScope(Scope::MetricsWrite))
        );
        let admin = AuthenticatedKey {
            scopes: Scopes::single(Scope::All),
            ..key
        };
        assert_eq!(admin.require(Scope::RecommendationsWrite), Ok(()));
    }

    #[test]
    fn cluster_binding_limits_ingest() {
        let prod = ClusterName::new("prod").unwrap();
        let staging = ClusterName::new("staging").unwrap();
        let bound = ApiKeyRecord {
            cluster: Some(prod.clone()),
            ..record()
        }
        .authenticate(&pepper(), &presented(), at(1))
        .unwrap();
        assert_eq!(bound.check_cluster(&prod), Ok(()));
        assert_eq!(
            bound.check_cluster(&staging),
            Err(AuthError::ClusterNotAllowed {
                bound: prod.clone()
            })
        );
        let unbound = record()
            .authenticate(&pepper(), &presented(), at(1))
            .unwrap();
        assert_eq!(unbound.check_cluster(&staging), Ok(()));
    }

    #[test]
    fn auth_error_messages_never_contain_the_secret() {
        let errors = [
            AuthError::InvalidCredentials,
            AuthError::Revoked,
            AuthError::Expired,
            AuthError::MissingScope(Scope::CostsRead),
            AuthError::ClusterNotAllowed {
                bound: ClusterName::new("prod").unwrap(),
            },
        ];
        for error in errors {
            assert!(!error.to_string().contains(secret().expose()));
        }
    }
}
