//! The admin token: the bearer token guarding the admin API, and its stored SHA-256 hash.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::REDACTED;
use super::encoding::{impl_constant_time_eq, impl_stored_bytes};
use super::hashing::HASH_LEN;

/// Shortest admin token accepted.
pub const MIN_ADMIN_TOKEN_LEN: usize = 32;

/// Longest admin token accepted; bounds hashing work on unauthenticated requests.
pub const MAX_ADMIN_TOKEN_LEN: usize = 512;

/// A refused admin token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AdminTokenError {
    #[error(
        "the admin token is {len} characters long; at least {MIN_ADMIN_TOKEN_LEN} are required"
    )]
    TooShort { len: usize },
    #[error("the admin token is {len} characters long; at most {MAX_ADMIN_TOKEN_LEN} are allowed")]
    TooLong { len: usize },
    #[error("the admin token may contain only printable ASCII characters without spaces")]
    InvalidCharacters,
}

/// The token guarding the admin API, sent as `Authorization: Bearer <token>`.
///
/// Configured tokens must be 32–512 printable ASCII characters without spaces, so they
/// survive HTTP headers, shells and config files unchanged.
#[derive(Clone)]
pub struct AdminToken(String);

impl AdminToken {
    pub fn new(token: impl Into<String>) -> Result<Self, AdminTokenError> {
        let token = token.into();
        if !token.bytes().all(|byte| byte.is_ascii_graphic()) {
            return Err(AdminTokenError::InvalidCharacters);
        }
        // All ASCII from here on, so bytes are characters.
        let len = token.len();
        if len < MIN_ADMIN_TOKEN_LEN {
            return Err(AdminTokenError::TooShort { len });
        }
        if len > MAX_ADMIN_TOKEN_LEN {
            return Err(AdminTokenError::TooLong { len });
        }
        Ok(Self(token))
    }

    /// A new token from caller-supplied OS randomness: 43 base64url characters.
    pub fn generate_from_random_bytes(bytes: &[u8; 32]) -> Self {
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The token's text, to print once at first start.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> AdminTokenHash {
        AdminTokenHash::compute(self)
    }
}

impl fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AdminToken({REDACTED})")
    }
}

/// SHA-256 of the admin token, the form in which it is stored.
///
/// Unsalted and unpeppered on purpose: the token carries at least 32 characters (generated
/// ones 256 random bits), so precomputed tables cannot cover it, and it must be checkable
/// before any other configuration (such as the pepper) is known to be right. Stored as
/// standard base64 with padding.
#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AdminTokenHash([u8; HASH_LEN]);

impl AdminTokenHash {
    pub fn compute(token: &AdminToken) -> Self {
        Self(Sha256::digest(token.expose().as_bytes()).into())
    }

    /// Whether `presented` is the token, compared in constant time. Presented values are
    /// hashed as they are, so any string (even one `AdminToken::new` would refuse) is safe.
    pub fn verify(&self, presented: &str) -> bool {
        let presented: [u8; HASH_LEN] = Sha256::digest(presented.as_bytes()).into();
        presented.ct_eq(&self.0).into()
    }
}

impl_stored_bytes!(AdminTokenHash, HASH_LEN, "admin token hash");
impl_constant_time_eq!(AdminTokenHash);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api_key::fixtures::hex;

    #[test]
    fn admin_token_generation_and_validation() {
        let token = AdminToken::generate_from_random_bytes(&[7; 32]);
        assert_eq!(
            token.expose(),
            "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc"
        );
        assert!(AdminToken::new(token.expose()).is_ok());
        assert_eq!(
            AdminToken::new("x".repeat(31)).map(|_| ()),
            Err(AdminTokenError::TooShort { len: 31 })
        );
        assert!(AdminToken::new("x".repeat(32)).is_ok());
        assert_eq!(
            AdminToken::new("x".repeat(513)).map(|_| ()),
            Err(AdminTokenError::TooLong { len: 513 })
        );
        assert_eq!(
            AdminToken::new(format!("{} ", "x".repeat(40))).map(|_| ()),
            Err(AdminTokenError::InvalidCharacters)
        );
        assert_eq!(
            AdminToken::new("é".repeat(40)).map(|_| ()),
            Err(AdminTokenError::InvalidCharacters)
        );
    }

    #[test]
    fn admin_token_hash_verifies_only_the_token() {
        let token = AdminToken::generate_from_random_bytes(&[7; 32]);
        let hash = token.hash();
        assert_eq!(
            hex(hash.as_bytes()),
            "dc4bf80c77473d130fa0de86ba4018fe98bb214005e6a5891d12ba91446f9e81"
        );
        assert!(hash.verify(token.expose()));
        assert!(!hash.verify(""));
        assert!(!hash.verify(&token.expose()[1..]));
        assert!(!hash.verify(&format!("{} ", token.expose())));
        assert_eq!(AdminTokenHash::from_base64(&hash.to_base64()), Ok(hash));
        assert_eq!(AdminTokenHash::from_bytes(*hash.as_bytes()), hash);
        let json = serde_json::to_string(&hash).unwrap();
        assert_eq!(serde_json::from_str::<AdminTokenHash>(&json).unwrap(), hash);
    }
}
