//! Cluster identity: the name an agent reports, validated once at the edge.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Longest cluster name accepted (a DNS subdomain, as Kubernetes names are).
pub const MAX_CLUSTER_NAME_LEN: usize = 253;

/// Why a cluster name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClusterNameError {
    #[error("cluster name must not be empty")]
    Empty,
    #[error("cluster name is {0} characters long; the maximum is {MAX_CLUSTER_NAME_LEN}")]
    TooLong(usize),
    #[error("cluster name must not contain control characters")]
    ControlCharacter,
}

/// A non-empty cluster name of at most 253 characters, without control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClusterName(String);

impl ClusterName {
    /// Validates `name`; surrounding whitespace is not trimmed, it is refused as part of the name
    /// only if it makes the name empty or too long.
    pub fn new(name: impl Into<String>) -> Result<Self, ClusterNameError> {
        let name = name.into();
        if name.trim().is_empty() {
            return Err(ClusterNameError::Empty);
        }
        let len = name.chars().count();
        if len > MAX_CLUSTER_NAME_LEN {
            return Err(ClusterNameError::TooLong(len));
        }
        if name.chars().any(char::is_control) {
            return Err(ClusterNameError::ControlCharacter);
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ClusterName {
    type Error = ClusterNameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<ClusterName> for String {
    fn from(value: ClusterName) -> Self {
        value.0
    }
}

impl fmt::Display for ClusterName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_names() {
        assert_eq!(ClusterName::new("prod-eu-1").unwrap().as_str(), "prod-eu-1");
    }

    #[test]
    fn refuses_empty_and_blank_names() {
        assert_eq!(ClusterName::new(""), Err(ClusterNameError::Empty));
        assert_eq!(ClusterName::new("   "), Err(ClusterNameError::Empty));
    }

    #[test]
    fn length_limit_is_253_characters() {
        assert!(ClusterName::new("a".repeat(253)).is_ok());
        assert_eq!(
            ClusterName::new("a".repeat(254)),
            Err(ClusterNameError::TooLong(254))
        );
    }

    #[test]
    fn refuses_control_characters() {
        assert_eq!(
            ClusterName::new("a\nb"),
            Err(ClusterNameError::ControlCharacter)
        );
    }

    #[test]
    fn deserialization_validates() {
        assert!(serde_json::from_str::<ClusterName>("\"\"").is_err());
        assert!(serde_json::from_str::<ClusterName>("\"ok\"").is_ok());
    }
}
