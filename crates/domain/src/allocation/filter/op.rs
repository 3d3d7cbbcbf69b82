//! Comparison operators and how they are written.

/// A comparison operator. On a list or a key set (`services`, `label` without a key) `:`
/// and `~:` both test membership, and the prefix/suffix operators test any member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `:`
    Equals,
    /// `!:`
    NotEquals,
    /// `~:`
    Contains,
    /// `!~:`
    NotContains,
    /// `<~:`
    StartsWith,
    /// `!<~:`
    NotStartsWith,
    /// `~>:` (OpenCost's spelling; `>~:` is refused with the list of operators)
    EndsWith,
    /// `!~>:`
    NotEndsWith,
}

/// Every operator as written, for error messages.
pub(crate) const OPERATORS: &str = ": !: ~: !~: <~: !<~: ~>: !~>:";

impl Op {
    /// Every operator.
    pub const ALL: [Op; 8] = [
        Op::Equals,
        Op::NotEquals,
        Op::Contains,
        Op::NotContains,
        Op::StartsWith,
        Op::NotStartsWith,
        Op::EndsWith,
        Op::NotEndsWith,
    ];

    /// The operator as written in the language.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Equals => ":",
            Op::NotEquals => "!:",
            Op::Contains => "~:",
            Op::NotContains => "!~:",
            Op::StartsWith => "<~:",
            Op::NotStartsWith => "!<~:",
            Op::EndsWith => "~>:",
            Op::NotEndsWith => "!~>:",
        }
    }

    /// The operator written `symbol`, if any.
    pub(crate) fn from_symbol(symbol: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.symbol() == symbol)
    }

    /// Whether this is one of the `!` operators.
    pub fn is_negated(self) -> bool {
        matches!(
            self,
            Op::NotEquals | Op::NotContains | Op::NotStartsWith | Op::NotEndsWith
        )
    }

    /// The operator with the opposite result (`:` ↔ `!:`, …).
    pub fn negated(self) -> Op {
        match self {
            Op::Equals => Op::NotEquals,
            Op::NotEquals => Op::Equals,
            Op::Contains => Op::NotContains,
            Op::NotContains => Op::Contains,
            Op::StartsWith => Op::NotStartsWith,
            Op::NotStartsWith => Op::StartsWith,
            Op::EndsWith => Op::NotEndsWith,
            Op::NotEndsWith => Op::EndsWith,
        }
    }
}
