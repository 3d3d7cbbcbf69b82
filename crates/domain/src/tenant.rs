//! Tenants: the unit of isolation. Every stored row and every query belongs to one tenant.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Opaque tenant identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TenantId(Uuid);

impl TenantId {
    pub const fn from_uuid(id: Uuid) -> Self {
        Self(id)
    }

    pub const fn as_uuid(&self) -> &Uuid {
        &self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Longest tenant name accepted.
pub const MAX_TENANT_NAME_LEN: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TenantNameError {
    #[error("tenant name must not be empty")]
    Empty,
    #[error("tenant name is {0} characters long; the maximum is {MAX_TENANT_NAME_LEN}")]
    TooLong(usize),
    #[error("tenant name must not contain control characters or surrounding whitespace")]
    InvalidCharacters,
}

/// A tenant's unique, human-readable name (e.g. a team or a customer).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantName(String);

impl TenantName {
    pub fn new(name: impl Into<String>) -> Result<Self, TenantNameError> {
        let name = name.into();
        if name.is_empty() {
            return Err(TenantNameError::Empty);
        }
        let len = name.chars().count();
        if len > MAX_TENANT_NAME_LEN {
            return Err(TenantNameError::TooLong(len));
        }
        if name.trim() != name || name.chars().any(char::is_control) {
            return Err(TenantNameError::InvalidCharacters);
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TenantName {
    type Error = TenantNameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<TenantName> for String {
    fn from(value: TenantName) -> Self {
        value.0
    }
}

impl fmt::Display for TenantName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A stored tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    pub id: TenantId,
    pub name: TenantName,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_names_are_validated() {
        assert!(TenantName::new("team-payments").is_ok());
        assert_eq!(TenantName::new(""), Err(TenantNameError::Empty));
        assert_eq!(
            TenantName::new(" padded"),
            Err(TenantNameError::InvalidCharacters)
        );
        assert_eq!(
            TenantName::new("a\tb"),
            Err(TenantNameError::InvalidCharacters)
        );
        assert_eq!(
            TenantName::new("x".repeat(129)),
            Err(TenantNameError::TooLong(129))
        );
    }
}
