//! An API key's text: the secret, the `<key_id>:<secret>` string shown once at creation,
//! a key as a client presents it, and why such text is refused.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::REDACTED;
use super::id::KeyId;

/// Why a presented credential could not even be read.
///
/// Neither variant carries the presented text: it may be a real secret pasted into the wrong
/// header, and error messages end up in logs and responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ApiKeyFormatError {
    #[error(
        "an API key is required: send `Authorization: ApiKey <key_id>:<secret>`, \
         `Authorization: Bearer <key_id>:<secret>` or `X-Api-Key: <key_id>:<secret>`"
    )]
    Missing,
    #[error(
        "the API key is malformed: expected `<key_id>:<secret>` in `Authorization: ApiKey …`, \
         `Authorization: Bearer …` or `X-Api-Key`"
    )]
    Malformed,
    #[error(
        "two different credentials: send the API key in `Authorization` or in `X-Api-Key`, \
         not both"
    )]
    Conflicting,
}

/// Fewest random bytes a secret may carry (256 bits: unguessable, no key stretching needed).
pub const MIN_SECRET_BYTES: usize = 32;

/// Longest secret text accepted; bounds the work an unauthenticated request can cause.
pub const MAX_SECRET_LEN: usize = 256;

/// The secret half of an API key: at least 32 random bytes as unpadded base64url text.
///
/// Only canonical encodings are accepted, so one secret has exactly one text form; that
/// matters because the stored hash covers the text. Deliberately neither `Display`,
/// `Serialize` nor `PartialEq` (which would not be constant-time): the only ways to read it
/// are [`ApiKeySecret::expose`] and [`SecretHash::matches`](super::SecretHash::matches).
#[derive(Clone)]
pub struct ApiKeySecret(String);

impl ApiKeySecret {
    /// Encodes caller-supplied OS randomness as a new secret (43 characters).
    pub fn from_random_bytes(bytes: &[u8; MIN_SECRET_BYTES]) -> Self {
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Reads a presented secret: base64url alphabet, no padding, canonical, decoding to at
    /// least 32 bytes, at most 256 characters.
    pub fn parse(text: &str) -> Result<Self, ApiKeyFormatError> {
        // Length and alphabet first: cheap, and they bound the cost of decoding.
        if text.len() > MAX_SECRET_LEN || !text.bytes().all(is_base64url_byte) {
            return Err(ApiKeyFormatError::Malformed);
        }
        // The engine rejects non-zero trailing bits, which keeps the encoding canonical.
        let decoded = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| ApiKeyFormatError::Malformed)?;
        if decoded.len() < MIN_SECRET_BYTES {
            return Err(ApiKeyFormatError::Malformed);
        }
        Ok(Self(text.to_owned()))
    }

    /// The secret's text, for hashing or for showing it once to its owner.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKeySecret({REDACTED})")
    }
}

fn is_base64url_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'
}

/// A credential as a client presented it: `<key_id>:<secret>`, well-formed but not yet checked.
#[derive(Debug, Clone)]
pub struct PresentedApiKey {
    pub key_id: KeyId,
    pub secret: ApiKeySecret,
}

impl PresentedApiKey {
    pub fn new(key_id: KeyId, secret: ApiKeySecret) -> Self {
        Self { key_id, secret }
    }

    /// Reads `<key_id>:<secret>`. The text is taken as is: surrounding whitespace is an error
    /// here (the HTTP layer trims header values before).
    pub fn parse(text: &str) -> Result<Self, ApiKeyFormatError> {
        let (key_id, secret) = text.split_once(':').ok_or(ApiKeyFormatError::Malformed)?;
        let key_id = key_id
            .parse::<KeyId>()
            .map_err(|_| ApiKeyFormatError::Malformed)?;
        let secret = ApiKeySecret::parse(secret)?;
        Ok(Self { key_id, secret })
    }

    /// The `<key_id>:<secret>` text, e.g. to show a new key once to its owner.
    pub fn to_header_value(&self) -> ApiKeyString {
        ApiKeyString::new(self.key_id, &self.secret)
    }
}

/// The full `<key_id>:<secret>` text of a key, as shown once at creation.
///
/// `Debug` shows only the key id; read the text with [`ApiKeyString::expose`].
#[derive(Clone)]
pub struct ApiKeyString {
    key_id: KeyId,
    text: String,
}

impl ApiKeyString {
    pub fn new(key_id: KeyId, secret: &ApiKeySecret) -> Self {
        Self {
            key_id,
            text: format!("{key_id}:{}", secret.expose()),
        }
    }

    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    pub fn expose(&self) -> &str {
        &self.text
    }
}

impl fmt::Debug for ApiKeyString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKeyString({}:{REDACTED})", self.key_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api_key::fixtures::{header_value, key_id, secret};

    #[test]
    fn secret_from_bytes_is_43_chars_and_parses_back() {
        let secret = secret();
        assert_eq!(
            secret.expose(),
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
        );
        assert_eq!(secret.expose().len(), 43);
        let parsed = ApiKeySecret::parse(secret.expose()).unwrap();
        assert_eq!(parsed.expose(), secret.expose());
    }

    #[test]
    fn secret_parse_refuses_bad_text() {
        let too_short = URL_SAFE_NO_PAD.encode([1u8; 31]);
        let padded = format!("{}=", URL_SAFE_NO_PAD.encode([1u8; 32]));
        let standard_alphabet = format!("{}+", &URL_SAFE_NO_PAD.encode([1u8; 33])[..43]);
        // 'B' leaves non-zero trailing bits in the last character: a non-canonical encoding.
        let non_canonical = format!("{}B", &secret().expose()[..42]);
        let too_long = URL_SAFE_NO_PAD.encode([1u8; 200]);
        assert!(too_long.len() > MAX_SECRET_LEN);
        for bad in [
            "",
            too_short.as_str(),
            padded.as_str(),
            standard_alphabet.as_str(),
            non_canonical.as_str(),
            too_long.as_str(),
        ] {
            assert_eq!(
                ApiKeySecret::parse(bad).map(|_| ()),
                Err(ApiKeyFormatError::Malformed),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn secret_parse_accepts_longer_secrets_up_to_the_limit() {
        let longest = URL_SAFE_NO_PAD.encode([9u8; 192]);
        assert_eq!(longest.len(), MAX_SECRET_LEN);
        assert!(ApiKeySecret::parse(&longest).is_ok());
    }

    #[test]
    fn presented_key_round_trips_through_its_text() {
        let text = header_value();
        assert_eq!(text, format!("{}:{}", key_id(), secret().expose()));
        let parsed = PresentedApiKey::parse(&text).unwrap();
        assert_eq!(parsed.key_id, key_id());
        assert_eq!(parsed.secret.expose(), secret().expose());
    }

    #[test]
    fn presented_key_parse_refuses_malformed_text() {
        let secret = secret();
        let secret = secret.expose();
        for bad in [
            String::new(),
            secret.to_owned(),
            format!("not-a-uuid:{secret}"),
            format!("{}:", key_id()),
            format!("{}:short", key_id()),
            format!(" {}:{secret}", key_id()),
            format!("{}:{secret}:extra", key_id()),
        ] {
            assert_eq!(
                PresentedApiKey::parse(&bad).map(|_| ()),
                Err(ApiKeyFormatError::Malformed),
                "{bad:?}"
            );
        }
    }
}
