//! Scopes: the permissions an API key carries, and the rule that `*` allows everything.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

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
    /// Read budgets and their alerts.
    BudgetsRead,
    /// Create, change and delete budgets.
    BudgetsWrite,
    /// Everything, including scopes added later.
    All,
}

impl Scope {
    /// Every scope, in a stable order.
    pub const VARIANTS: [Scope; 7] = [
        Scope::MetricsWrite,
        Scope::CostsRead,
        Scope::RecommendationsRead,
        Scope::RecommendationsWrite,
        Scope::BudgetsRead,
        Scope::BudgetsWrite,
        Scope::All,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Scope::MetricsWrite => "metrics:write",
            Scope::CostsRead => "costs:read",
            Scope::RecommendationsRead => "recommendations:read",
            Scope::RecommendationsWrite => "recommendations:write",
            Scope::BudgetsRead => "budgets:read",
            Scope::BudgetsWrite => "budgets:write",
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
