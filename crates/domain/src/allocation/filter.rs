//! OpenCost's allocation filter language (the `filter=` parameter of `/allocation`) and its
//! older `filter*` parameters, both turned into one [`AllocationFilter`] tree that matches
//! [`AllocationProperties`].
//!
//! It follows OpenCost (`core/pkg/...` in opencost/opencost):
//! - syntax: `filter/ast/lexer.go`, `filter/ast/parser.go`, `filter/ast/ops.go`;
//! - fields: `filter/allocation/fields.go`, `filter/allocation/parser.go`;
//! - meaning: `opencost/allocationmatcher.go`, `filter/matcher/*matcher.go`,
//!   `filter/transform/{promlabels,unallocated}.go`;
//! - legacy parameters: `util/filterutil/filterutil.go` (`AllocationFilterFromParamsV1`).
//!
//! Submodules: `field` and `op` name what a comparison reads and how; `lexer` and `parser`
//! read the language; `matching` evaluates a tree; `display` prints one back in the
//! language; `legacy` reads the `filter*` parameters.

mod display;
mod error;
mod field;
mod legacy;
mod lexer;
mod matching;
mod op;
mod parser;
#[cfg(test)]
mod tests;

pub use error::FilterError;
pub use field::{FIELD_NAMES, Field};
pub use legacy::{LegacyFilters, from_legacy};
pub use op::Op;
pub use parser::parse;

#[cfg(doc)]
use super::properties::AllocationProperties;

/// A parsed allocation filter.
///
/// [`parse`] builds `And`/`Or` with two or more operands and never builds `Not` or a nested
/// `All`; those exist for callers composing filters (see [`AllocationFilter::and`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AllocationFilter {
    /// Matches every allocation: an empty expression, or no legacy parameter.
    All,
    /// Matches when the operand does not.
    Not(Box<AllocationFilter>),
    /// `a+b`: matches when every operand matches (an empty list matches everything).
    And(Vec<AllocationFilter>),
    /// `a|b`: matches when any operand matches (an empty list matches nothing).
    Or(Vec<AllocationFilter>),
    /// `field op "v1","v2"`. A positive operator matches when any value does (`a OR b`); a
    /// negated one when no value does (`namespace!:"a","b"` is neither `a` nor `b`), as
    /// OpenCost expands them.
    Compare {
        field: Field,
        op: Op,
        values: Vec<String>,
    },
}

impl AllocationFilter {
    /// Both filters; match-all sides are dropped and `And`s are joined into one list.
    pub fn and(self, other: AllocationFilter) -> AllocationFilter {
        match (self, other) {
            (AllocationFilter::All, f) | (f, AllocationFilter::All) => f,
            (AllocationFilter::And(mut left), AllocationFilter::And(right)) => {
                left.extend(right);
                AllocationFilter::And(left)
            }
            (AllocationFilter::And(mut left), f) => {
                left.push(f);
                AllocationFilter::And(left)
            }
            (f, AllocationFilter::And(mut right)) => {
                right.insert(0, f);
                AllocationFilter::And(right)
            }
            (left, right) => AllocationFilter::And(vec![left, right]),
        }
    }

    /// Whether the filter matches everything by its shape (`All`, an `And` of such, an `Or`
    /// with such an operand), so a caller can skip filtering. `false` does not prove that
    /// some allocation is rejected.
    pub fn is_all(&self) -> bool {
        match self {
            AllocationFilter::All => true,
            AllocationFilter::And(operands) => operands.iter().all(AllocationFilter::is_all),
            AllocationFilter::Or(operands) => operands.iter().any(AllocationFilter::is_all),
            AllocationFilter::Not(_) | AllocationFilter::Compare { .. } => false,
        }
    }
}
