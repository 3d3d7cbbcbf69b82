//! API keys: authentication on every request and administration (create, list, revoke).
//!
//! - [`ApiKeyCache`]: verified key records cached in this process (L1, seconds), in the
//!   shared cache (Redis or in-process) and invalidated across replicas over the
//!   invalidation bus. Records hold the salt and hash, never the secret.
//! - [`ApiKeyAuthenticator`]: record from the cache or the repository, then the presented
//!   secret checked against the hash, every time.
//! - [`ApiKeyAdmin`]: creation and revocation, which drop the key id everywhere, so the
//!   revoking replica refuses a revoked key at once and the others within the L1 TTL.

mod admin;
mod authenticator;
mod key_cache;

pub use admin::{ApiKeyAdmin, ApiKeyAdminError, CreatedApiKey, NewApiKey};
pub use authenticator::{ApiKeyAuthenticator, AuthenticationError};
pub use key_cache::{
    ApiKeyCache, ApiKeyCacheSettings, DEFAULT_LOCAL_CAPACITY, DEFAULT_LOCAL_TTL, MAX_NEGATIVE_TTL,
};

#[cfg(test)]
mod tests;
