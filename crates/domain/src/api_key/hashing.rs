//! How a secret is stored: a per-key salt, the server-wide pepper and
//! `HMAC-SHA256(key = pepper, message = salt ‖ secret text)`.

use std::fmt;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::REDACTED;
use super::encoding::{impl_constant_time_eq, impl_stored_bytes};
use super::secret::ApiKeySecret;

/// Bytes of salt per key.
pub const SALT_LEN: usize = 16;

/// Fewest bytes a server pepper may have.
pub const MIN_PEPPER_LEN: usize = 16;

/// Bytes in a SHA-256 output.
pub const HASH_LEN: usize = 32;

/// A server pepper that is too weak to be worth having.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PepperError {
    #[error("the pepper is {len} bytes long; at least {MIN_PEPPER_LEN} bytes are required")]
    TooShort { len: usize },
    /// Not produced in practice: HMAC accepts keys of any length. Kept so that a future
    /// `hmac` change surfaces as an error instead of a panic.
    #[error("the pepper cannot be used as an HMAC-SHA256 key")]
    Unusable,
}

/// Per-key random salt. Stored as standard base64 with padding (24 characters), the
/// encoding every database tool and language decodes without options.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Salt([u8; SALT_LEN]);

impl_stored_bytes!(Salt, SALT_LEN, "salt");

/// The server-wide secret HMAC key. In production it must live in configuration, not in the
/// database, so that a stolen database is not enough to test guesses against stored hashes;
/// outside production kcost generates one and keeps it in the database for zero setup.
#[derive(Clone)]
pub struct Pepper {
    // Keyed once: cloning a keyed HMAC is cheaper than re-deriving its pads per request.
    mac: Hmac<Sha256>,
}

impl Pepper {
    /// Accepts raw bytes or text (`&str`, `String`, `&[u8]`, `Vec<u8>`) of at least 16 bytes.
    pub fn new(bytes: impl AsRef<[u8]>) -> Result<Self, PepperError> {
        let bytes = bytes.as_ref();
        if bytes.len() < MIN_PEPPER_LEN {
            return Err(PepperError::TooShort { len: bytes.len() });
        }
        let mac =
            <Hmac<Sha256> as Mac>::new_from_slice(bytes).map_err(|_| PepperError::Unusable)?;
        Ok(Self { mac })
    }
}

impl fmt::Debug for Pepper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pepper({REDACTED})")
    }
}

/// `HMAC-SHA256(key = pepper, message = salt ‖ secret text)`, the stored form of a secret.
///
/// Stored as standard base64 with padding (44 characters). Equality is constant-time.
#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SecretHash([u8; HASH_LEN]);

impl SecretHash {
    pub fn compute(pepper: &Pepper, salt: &Salt, secret: &ApiKeySecret) -> Self {
        let mut mac = pepper.mac.clone();
        mac.update(salt.as_bytes());
        mac.update(secret.expose().as_bytes());
        Self(mac.finalize().into_bytes().into())
    }

    /// Whether `secret` is the one this hash was made from, in time independent of where the
    /// hashes differ.
    pub fn matches(&self, pepper: &Pepper, salt: &Salt, secret: &ApiKeySecret) -> bool {
        Self::compute(pepper, salt, secret) == *self
    }
}

impl_stored_bytes!(SecretHash, HASH_LEN, "secret hash");
impl_constant_time_eq!(SecretHash);

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::api_key::StoredEncodingError;
    use crate::api_key::fixtures::{PEPPER, counting_bytes, hex, pepper, secret};

    #[test]
    fn hash_matches_a_known_answer() {
        // Computed independently: python3 hmac.new(PEPPER, salt + secret, sha256), and
        // `openssl dgst -sha256 -mac HMAC -macopt key:$PEPPER` over the same bytes.
        let salt = Salt::from_bytes(counting_bytes());
        let hash = SecretHash::compute(&pepper(), &salt, &secret());
        assert_eq!(
            hex(hash.as_bytes()),
            "695c6956322f0d69443d737f7838e4a3db53604efee666ccd78ddcb95bf6ed49"
        );
    }

    #[test]
    fn hash_is_hmac_sha256_of_salt_then_secret_text() {
        let salt = Salt::from_bytes([0x5A; 16]);
        let secret = ApiKeySecret::from_random_bytes(&[0xC3; 32]);
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(PEPPER.as_bytes()).unwrap();
        mac.update(&[0x5A; 16]);
        mac.update(secret.expose().as_bytes());
        let expected: [u8; 32] = mac.finalize().into_bytes().into();
        let hash = SecretHash::compute(&pepper(), &salt, &secret);
        assert_eq!(hash.as_bytes(), &expected);
        assert!(hash.matches(&pepper(), &salt, &secret));
    }

    #[test]
    fn hash_depends_on_pepper_and_salt() {
        let salt = Salt::from_bytes(counting_bytes());
        let hash = SecretHash::compute(&pepper(), &salt, &secret());
        let other_pepper = Pepper::new(b"another-pepper-of-enough-length").unwrap();
        assert!(!hash.matches(&other_pepper, &salt, &secret()));
        assert!(!hash.matches(&pepper(), &Salt::from_bytes([0; 16]), &secret()));
    }

    #[test]
    fn pepper_needs_sixteen_bytes() {
        assert_eq!(
            Pepper::new("fifteen-bytes!!").map(|_| ()),
            Err(PepperError::TooShort { len: 15 })
        );
        assert!(Pepper::new("sixteen-bytes!!!").is_ok());
        assert!(Pepper::new([0u8; 16].as_slice()).is_ok());
        assert!(Pepper::new(vec![1u8; 64]).is_ok());
    }

    #[test]
    fn salt_and_hashes_round_trip_through_base64() {
        let salt = Salt::from_bytes(counting_bytes());
        assert_eq!(salt.to_base64(), "AAECAwQFBgcICQoLDA0ODw==");
        assert_eq!(Salt::from_base64(&salt.to_base64()), Ok(salt));
        assert_eq!(Salt::from_bytes(*salt.as_bytes()), salt);
        assert!(Salt::from_base64("AAECAwQFBgcICQoLDA0O").is_err());
        assert!(Salt::from_base64("not base64!").is_err());

        let hash = SecretHash::compute(&pepper(), &salt, &secret());
        assert_eq!(hash.to_base64().len(), 44);
        assert_eq!(SecretHash::from_base64(&hash.to_base64()), Ok(hash));
        assert_eq!(SecretHash::from_bytes(*hash.as_bytes()), hash);
        assert_eq!(
            SecretHash::from_base64(&salt.to_base64()),
            Err(StoredEncodingError {
                what: "secret hash",
                expected_bytes: 32
            })
        );
    }

    proptest! {
        #[test]
        fn hash_matches_its_own_secret_and_no_other(
            pepper_bytes in proptest::collection::vec(any::<u8>(), 16..64),
            salt in any::<[u8; 16]>(),
            secret_bytes in any::<[u8; 32]>(),
            other_bytes in any::<[u8; 32]>(),
        ) {
            prop_assume!(secret_bytes != other_bytes);
            let pepper = Pepper::new(&pepper_bytes).unwrap();
            let salt = Salt::from_bytes(salt);
            let secret = ApiKeySecret::from_random_bytes(&secret_bytes);
            let other = ApiKeySecret::from_random_bytes(&other_bytes);
            let hash = SecretHash::compute(&pepper, &salt, &secret);
            prop_assert!(hash.matches(&pepper, &salt, &secret));
            prop_assert!(!hash.matches(&pepper, &salt, &other));
            let reparsed = ApiKeySecret::parse(secret.expose()).unwrap();
            prop_assert!(hash.matches(&pepper, &salt, &reparsed));
        }
    }
}
