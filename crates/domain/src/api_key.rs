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

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::cluster::ClusterName;
use crate::tenant::TenantId;

/// What a redacted secret prints as in `Debug` output.
const REDACTED: &str = "<redacted>";

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

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

/// A `KeyId` that is not a UUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an API key id must be a UUID")]
pub struct KeyIdParseError;

/// A scope name that is not one of the known scopes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown scope `{0}`; valid scopes are `metrics:write`, `costs:read`, \
     `recommendations:read`, `recommendations:write` and `*`"
)]
pub struct ScopeParseError(pub String);

/// A scope set that would grant nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ScopesError {
    #[error("an API key needs at least one scope")]
    Empty,
}

/// A refused expiry at key creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ExpiryError {
    #[error("expiry {expires_at} is not in the future (now is {now})")]
    NotInFuture {
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    },
}

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

/// A stored salt or hash whose text is not base64 of the right length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("stored {what} must be standard base64 (with padding) of exactly {expected_bytes} bytes")]
pub struct StoredEncodingError {
    pub what: &'static str,
    pub expected_bytes: usize,
}

// ---------------------------------------------------------------------------------------------
// Key id
// ---------------------------------------------------------------------------------------------

/// The public half of an API key: a UUID that names the stored record. Not a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct KeyId(Uuid);

impl KeyId {
    pub const fn from_uuid(id: Uuid) -> Self {
        Self(id)
    }

    /// A random (version 4) key id built from caller-supplied random bytes.
    pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
        Self(uuid::Builder::from_random_bytes(bytes).into_uuid())
    }

    pub const fn as_uuid(&self) -> &Uuid {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for KeyId {
    type Err = KeyIdParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self).map_err(|_| KeyIdParseError)
    }
}

// ---------------------------------------------------------------------------------------------
// Secret
// ---------------------------------------------------------------------------------------------

/// Fewest random bytes a secret may carry (256 bits: unguessable, no key stretching needed).
pub const MIN_SECRET_BYTES: usize = 32;

/// Longest secret text accepted; bounds the work an unauthenticated request can cause.
pub const MAX_SECRET_LEN: usize = 256;

/// The secret half of an API key: at least 32 random bytes as unpadded base64url text.
///
/// Only canonical encodings are accepted, so one secret has exactly one text form; that
/// matters because the stored hash covers the text. Deliberately neither `Display`,
/// `Serialize` nor `PartialEq` (which would not be constant-time): the only ways to read it
/// are [`ApiKeySecret::expose`] and [`SecretHash::matches`].
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

// ---------------------------------------------------------------------------------------------
// Presented key
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Scopes
// ---------------------------------------------------------------------------------------------

/// One permission an API key may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Scope {
    /// Push metric snapshots (`POST /v1/ingest`).
    MetricsWrite,
    /// Read costs.
    CostsRead,
    /// Read recommendations.
    RecommendationsRead,
    /// Generate, apply and dismiss recommendations.
    RecommendationsWrite,
    /// Everything, including scopes added later.
    All,
}

impl Scope {
    /// Every scope, in a stable order.
    pub const VARIANTS: [Scope; 5] = [
        Scope::MetricsWrite,
        Scope::CostsRead,
        Scope::RecommendationsRead,
        Scope::RecommendationsWrite,
        Scope::All,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Scope::MetricsWrite => "metrics:write",
            Scope::CostsRead => "costs:read",
            Scope::RecommendationsRead => "recommendations:read",
            Scope::RecommendationsWrite => "recommendations:write",
            Scope::All => "*",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scope {
    type Err = ScopeParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scope::VARIANTS
            .into_iter()
            .find(|scope| scope.as_str() == s)
            .ok_or_else(|| ScopeParseError(s.to_owned()))
    }
}

impl TryFrom<String> for Scope {
    type Error = ScopeParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Scope> for String {
    fn from(value: Scope) -> Self {
        value.as_str().to_owned()
    }
}

/// The non-empty set of scopes a key carries; duplicates collapse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Scope>", into = "Vec<Scope>")]
pub struct Scopes(BTreeSet<Scope>);

impl Scopes {
    pub fn new(scopes: impl IntoIterator<Item = Scope>) -> Result<Self, ScopesError> {
        let scopes: BTreeSet<Scope> = scopes.into_iter().collect();
        if scopes.is_empty() {
            return Err(ScopesError::Empty);
        }
        Ok(Self(scopes))
    }

    /// A set holding exactly one scope.
    pub fn single(scope: Scope) -> Self {
        Self(BTreeSet::from([scope]))
    }

    /// Whether a key with these scopes may do what `required` guards. `*` allows everything.
    pub fn allows(&self, required: Scope) -> bool {
        self.0.contains(&Scope::All) || self.0.contains(&required)
    }

    pub fn contains(&self, scope: Scope) -> bool {
        self.0.contains(&scope)
    }

    /// The scopes in a stable order.
    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always `false`: a `Scopes` is never empty. Present because `len` is.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl TryFrom<Vec<Scope>> for Scopes {
    type Error = ScopesError;
    fn try_from(value: Vec<Scope>) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<Scopes> for Vec<Scope> {
    fn from(value: Scopes) -> Self {
        value.0.into_iter().collect()
    }
}

impl<'a> IntoIterator for &'a Scopes {
    type Item = Scope;
    type IntoIter = std::iter::Copied<std::collections::btree_set::Iter<'a, Scope>>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().copied()
    }
}

// ---------------------------------------------------------------------------------------------
// Salt, pepper, hash
// ---------------------------------------------------------------------------------------------

/// Bytes of salt per key.
pub const SALT_LEN: usize = 16;

/// Fewest bytes a server pepper may have.
pub const MIN_PEPPER_LEN: usize = 16;

/// Per-key random salt. Stored as standard base64 with padding (24 characters), the
/// encoding every database tool and language decodes without options.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Salt([u8; SALT_LEN]);

impl Salt {
    pub const fn from_bytes(bytes: [u8; SALT_LEN]) -> Self {
        Self(bytes)
    }

    pub const fn as_bytes(&self) -> &[u8; SALT_LEN] {
        &self.0
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    pub fn from_base64(text: &str) -> Result<Self, StoredEncodingError> {
        decode_fixed(text, "salt").map(Self)
    }
}

impl fmt::Debug for Salt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Salt({})", self.to_base64())
    }
}

impl TryFrom<String> for Salt {
    type Error = StoredEncodingError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::from_base64(&value)
    }
}

impl From<Salt> for String {
    fn from(value: Salt) -> Self {
        value.to_base64()
    }
}

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

/// Bytes in a SHA-256 output.
pub const HASH_LEN: usize = 32;

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

    pub const fn from_bytes(bytes: [u8; HASH_LEN]) -> Self {
        Self(bytes)
    }

    pub const fn as_bytes(&self) -> &[u8; HASH_LEN] {
        &self.0
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    pub fn from_base64(text: &str) -> Result<Self, StoredEncodingError> {
        decode_fixed(text, "secret hash").map(Self)
    }
}

impl PartialEq for SecretHash {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for SecretHash {}

impl fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretHash({})", self.to_base64())
    }
}

impl TryFrom<String> for SecretHash {
    type Error = StoredEncodingError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::from_base64(&value)
    }
}

impl From<SecretHash> for String {
    fn from(value: SecretHash) -> Self {
        value.to_base64()
    }
}

fn decode_fixed<const N: usize>(
    text: &str,
    what: &'static str,
) -> Result<[u8; N], StoredEncodingError> {
    let error = StoredEncodingError {
        what,
        expected_bytes: N,
    };
    let bytes = STANDARD.decode(text).map_err(|_| error)?;
    bytes.try_into().map_err(|_| error)
}

// ---------------------------------------------------------------------------------------------
// Stored record and authentication
// ---------------------------------------------------------------------------------------------

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
            .0
            .ct_eq(&self.secret_hash.0);
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

// ---------------------------------------------------------------------------------------------
// Admin token
// ---------------------------------------------------------------------------------------------

/// Shortest admin token accepted.
pub const MIN_ADMIN_TOKEN_LEN: usize = 32;

/// Longest admin token accepted; bounds hashing work on unauthenticated requests.
pub const MAX_ADMIN_TOKEN_LEN: usize = 512;

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

    pub const fn from_bytes(bytes: [u8; HASH_LEN]) -> Self {
        Self(bytes)
    }

    pub const fn as_bytes(&self) -> &[u8; HASH_LEN] {
        &self.0
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    pub fn from_base64(text: &str) -> Result<Self, StoredEncodingError> {
        decode_fixed(text, "admin token hash").map(Self)
    }
}

impl PartialEq for AdminTokenHash {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for AdminTokenHash {}

impl fmt::Debug for AdminTokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AdminTokenHash({})", self.to_base64())
    }
}

impl TryFrom<String> for AdminTokenHash {
    type Error = StoredEncodingError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::from_base64(&value)
    }
}

impl From<AdminTokenHash> for String {
    fn from(value: AdminTokenHash) -> Self {
        value.to_base64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    const PEPPER: &str = "kcost-test-pepper-0123456789";

    fn pepper() -> Pepper {
        Pepper::new(PEPPER).unwrap()
    }

    fn counting_bytes<const N: usize>() -> [u8; N] {
        std::array::from_fn(|i| i as u8)
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    fn key_id() -> KeyId {
        "6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f".parse().unwrap()
    }

    fn secret() -> ApiKeySecret {
        ApiKeySecret::from_random_bytes(&counting_bytes())
    }

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, 15, hour, 0, 0).unwrap()
    }

    fn record() -> ApiKeyRecord {
        let salt = Salt::from_bytes(counting_bytes());
        ApiKeyRecord {
            key_id: key_id(),
            tenant_id: TenantId::from_uuid(Uuid::from_u128(7)),
            name: Some("prod agent".to_owned()),
            salt,
            secret_hash: SecretHash::compute(&pepper(), &salt, &secret()),
            scopes: Scopes::single(Scope::MetricsWrite),
            cluster: None,
            revoked: false,
            expires_at: None,
            created_at: at(0),
            last_used_at: None,
        }
    }

    fn presented() -> PresentedApiKey {
        PresentedApiKey::new(key_id(), secret())
    }

    fn header_value() -> String {
        presented().to_header_value().expose().to_owned()
    }

    // --- secret and key text ---

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

    #[test]
    fn key_id_parses_displays_and_serializes_as_a_uuid() {
        let id = key_id();
        assert_eq!(id.to_string(), "6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f");
        assert_eq!(id.to_string().parse::<KeyId>(), Ok(id));
        assert_eq!(KeyId::from_uuid(*id.as_uuid()), id);
        assert_eq!("nope".parse::<KeyId>(), Err(KeyIdParseError));
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f\""
        );
        let random = KeyId::from_random_bytes([0xAB; 16]);
        assert_eq!(random.as_uuid().get_version_num(), 4);
    }

    // --- scopes ---

    #[test]
    fn scopes_parse_display_and_serialize_as_their_names() {
        for scope in Scope::VARIANTS {
            assert_eq!(scope.as_str().parse::<Scope>(), Ok(scope));
            assert_eq!(scope.to_string(), scope.as_str());
            let json = serde_json::to_string(&scope).unwrap();
            assert_eq!(json, format!("\"{}\"", scope.as_str()));
            assert_eq!(serde_json::from_str::<Scope>(&json).unwrap(), scope);
        }
        let error = "costs:write".parse::<Scope>().unwrap_err();
        let message = error.to_string();
        assert!(message.contains("costs:write"));
        for scope in Scope::VARIANTS {
            assert!(message.contains(scope.as_str()), "{message}");
        }
        assert!(serde_json::from_str::<Scope>("\"admin\"").is_err());
    }

    #[test]
    fn scopes_are_a_non_empty_set() {
        assert_eq!(Scopes::new([]), Err(ScopesError::Empty));
        assert!(serde_json::from_str::<Scopes>("[]").is_err());
        let scopes =
            Scopes::new([Scope::CostsRead, Scope::MetricsWrite, Scope::CostsRead]).unwrap();
        assert_eq!(scopes.len(), 2);
        assert!(!scopes.is_empty());
        assert_eq!(
            scopes.iter().collect::<Vec<_>>(),
            vec![Scope::MetricsWrite, Scope::CostsRead]
        );
        assert_eq!((&scopes).into_iter().count(), 2);
        let json = serde_json::to_string(&scopes).unwrap();
        assert_eq!(json, r#"["metrics:write","costs:read"]"#);
        assert_eq!(serde_json::from_str::<Scopes>(&json).unwrap(), scopes);
    }

    #[test]
    fn specific_scopes_allow_only_themselves() {
        let scopes = Scopes::new([Scope::CostsRead, Scope::RecommendationsRead]).unwrap();
        assert!(scopes.allows(Scope::CostsRead));
        assert!(scopes.allows(Scope::RecommendationsRead));
        assert!(!scopes.allows(Scope::MetricsWrite));
        assert!(!scopes.allows(Scope::RecommendationsWrite));
        assert!(!scopes.allows(Scope::All));
    }

    #[test]
    fn star_allows_everything() {
        let scopes = Scopes::single(Scope::All);
        for scope in Scope::VARIANTS {
            assert!(scopes.allows(scope), "{scope}");
        }
    }

    // --- salt, pepper, hash ---

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

    // --- authentication ---

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

    // --- redaction ---

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

    // --- admin token ---

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
