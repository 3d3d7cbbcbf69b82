//! Why a filter was refused. Positions are character offsets (from 0) into the expression,
//! so a caller can point at the mistake.

use super::op::OPERATORS;

/// The fields listed in error messages (see [`super::FIELD_NAMES`]).
const KNOWN_FIELDS: &str = "cluster, node, namespace, controllerName, controllerKind, \
     container, pod, provider, services, label, annotation, department, environment, owner, \
     product, team";

/// Deepest nesting of parentheses accepted: deep enough for any real query, shallow enough
/// that parsing a hostile expression cannot exhaust the stack.
pub(crate) const MAX_DEPTH: usize = 64;

/// Error messages echo pieces of the caller's input; cap them so a huge expression is not
/// reflected back whole.
const MAX_ECHOED_CHARS: usize = 40;

/// Why a filter expression or a legacy parameter was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("unknown filter field \"{name}\" at {at}; known: {KNOWN_FIELDS}")]
    UnknownField { name: String, at: usize },

    #[error("expected a filter field at {at}, found {found}; known: {KNOWN_FIELDS}")]
    ExpectedField { found: String, at: usize },

    #[error("\"{field}\" takes no [key] at {at}; only label and annotation do")]
    UnexpectedKey { field: String, at: usize },

    #[error("empty key in \"{field}[]\" at {at}")]
    EmptyKey { field: String, at: usize },

    #[error("expected an operator after \"{after}\" at {at}; operators: {OPERATORS}")]
    ExpectedOperator { after: String, at: usize },

    #[error("unknown operator \"{found}\" at {at}; operators: {OPERATORS}")]
    UnknownOperator { found: String, at: usize },

    #[error("expected a quoted value after \"{after}\" at {at}, found {found}")]
    ExpectedValue {
        after: String,
        found: String,
        at: usize,
    },

    #[error("unterminated string at {at}")]
    UnterminatedString { at: usize },

    #[error("unterminated key (no closing ']') at {at}")]
    UnterminatedKey { at: usize },

    #[error("unexpected character {found:?} at {at}")]
    UnexpectedCharacter { found: char, at: usize },

    #[error(
        "cannot mix '+' and '|' in one group at {at}; \
         add parentheses, e.g. (a+b)|c"
    )]
    MixedOperators { at: usize },

    #[error("unmatched ')' at {at}")]
    UnmatchedClose { at: usize },

    #[error("unclosed '(' at {at}")]
    UnclosedOpen { at: usize },

    #[error("parentheses nested deeper than {MAX_DEPTH} at {at}")]
    TooDeep { at: usize },

    #[error("expected {expected} at {at}, found {found}")]
    Unexpected {
        expected: &'static str,
        found: String,
        at: usize,
    },

    #[error("{param}: \"{value}\" is not a key:value pair")]
    LegacyPair { param: &'static str, value: String },

    #[error("filterControllers: \"{value}\" is neither a name nor kind:name")]
    LegacyController { value: String },
}

/// `text` as an error message quotes it: cut to [`MAX_ECHOED_CHARS`].
pub(crate) fn echo(text: &str) -> String {
    match text.char_indices().nth(MAX_ECHOED_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
