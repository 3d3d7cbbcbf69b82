//! The key id: the public half of an API key, a UUID naming the stored record.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A `KeyId` that is not a UUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an API key id must be a UUID")]
pub struct KeyIdParseError;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api_key::fixtures::key_id;

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
}
