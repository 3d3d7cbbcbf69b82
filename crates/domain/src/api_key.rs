//! API keys and the admin token: their text formats, scopes, peppered hashing and the rules
//! that turn a presented credential into an authenticated tenant.
//!
//! Everything here is pure. Random bytes (secrets, salts, key ids, admin tokens) are supplied
//! by callers from the OS random source, so this module never picks randomness itself and
//! its behaviour is fully testable.
//!
//! A key is shown to its owner once as `<key_id>:<secret>`. The server stores only a salt and
//! `HMAC-SHA256(key = pepper, message = salt ‖ secret)`; the pepper is a server-wide secret
//! kept out of the database, so a leaked database alone does not allow offline guessing.
//!
//! One concern per submodule, everything re-exported here:
//! - `id`: the public half of a key ([`KeyId`]).
//! - `secret`: a key's text ([`ApiKeySecret`], [`ApiKeyString`], [`PresentedApiKey`]) and
//!   why such text is refused ([`ApiKeyFormatError`]).
//! - `scopes`: what a key may do ([`Scope`], [`Scopes`]).
//! - `hashing`: how a secret is stored ([`Salt`], [`Pepper`], [`SecretHash`]).
//! - `encoding`: the text form of stored salts and hashes ([`StoredEncodingError`]).
//! - `record`: the stored key and the authentication rule, expiry included
//!   ([`ApiKeyRecord`], [`validate_expiry`]).
//! - `authenticated`: who is calling and the checks on what they may do
//!   ([`AuthenticatedKey`], [`AuthError`]).
//! - `admin_token`: the token guarding the admin API ([`AdminToken`], [`AdminTokenHash`]).

mod admin_token;
mod authenticated;
mod encoding;
mod hashing;
mod id;
mod record;
mod scopes;
mod secret;

#[cfg(test)]
mod fixtures;

pub use admin_token::{
    AdminToken, AdminTokenError, AdminTokenHash, MAX_ADMIN_TOKEN_LEN, MIN_ADMIN_TOKEN_LEN,
};
pub use authenticated::{AuthError, AuthenticatedKey};
pub use encoding::StoredEncodingError;
pub use hashing::{HASH_LEN, MIN_PEPPER_LEN, Pepper, PepperError, SALT_LEN, Salt, SecretHash};
pub use id::{KeyId, KeyIdParseError};
pub use record::{ApiKeyRecord, ExpiryError, validate_expiry};
pub use scopes::{Scope, ScopeParseError, Scopes, ScopesError};
pub use secret::{
    ApiKeyFormatError, ApiKeySecret, ApiKeyString, MAX_SECRET_LEN, MIN_SECRET_BYTES,
    PresentedApiKey,
};

/// What a redacted secret prints as in `Debug` output.
const REDACTED: &str = "<redacted>";

#[cfg(test)]
mod tests {
    use super::fixtures::{PEPPER, key_id, pepper, presented, record, secret};
    use super::*;

    // Redaction spans the submodules: every type holding secret material keeps it out of
    // `Debug`, since `Debug` output ends up in logs.
    #[test]
    fn debug_output_never_contains_secrets() {
        let secret = secret();
        let text = secret.expose().to_owned();
        assert_eq!(format!("{secret:?}"), "ApiKeySecret(<redacted>)");
        let presented = presented();
        assert!(!format!("{presented:?}").contains(&text));
        let shown = presented.to_header_value();
        assert!(!format!("{shown:?}").contains(&text));
        assert!(format!("{shown:?}").contains(&key_id().to_string()));
        assert!(!format!("{:?}", pepper()).contains(PEPPER));
        assert!(!format!("{:?}", record()).contains(&text));
        let token = AdminToken::generate_from_random_bytes(&[7; 32]);
        assert!(!format!("{token:?}").contains(token.expose()));
    }
}
