//! Printing a filter in the language, so `parse(&filter.to_string())` gives back a filter
//! that parsed from text (and an equivalent one for any other tree).
//!
//! The language has no `not`, no "everything" inside a group and no "nothing", so a
//! composed tree is printed in an equivalent form: negations pushed down to the
//! comparisons (`!:` for `:`, De Morgan for groups), match-all operands dropped, a filter
//! that matches nothing printed as `cluster!~:""` (every string contains ""). A value
//! containing `"`, or a key containing `]`, cannot be written in the language (OpenCost
//! has no escapes) and is printed as is.

use std::fmt;

use super::AllocationFilter;
use super::field::Field;
use super::op::Op;

/// A filter that matches nothing, in the language.
const NOTHING: &str = "cluster!~:\"\"";

impl fmt::Display for AllocationFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match render(self, false) {
            Rendered::Always(true) => Ok(()),
            Rendered::Always(false) => f.write_str(NOTHING),
            Rendered::Comparison(text) | Rendered::Group(text) => f.write_str(&text),
        }
    }
}

enum Rendered {
    /// The filter is constant: it matches everything (`true`) or nothing.
    Always(bool),
    Comparison(String),
    /// Operands joined by `+` or `|`: parenthesized when nested.
    Group(String),
}

/// `filter`, or its negation when `negate`, in the language.
fn render(filter: &AllocationFilter, negate: bool) -> Rendered {
    match filter {
        AllocationFilter::All => Rendered::Always(!negate),
        AllocationFilter::Not(operand) => render(operand, !negate),
        AllocationFilter::Compare { field, op, values } => {
            let op = if negate { op.negated() } else { *op };
            if values.is_empty() {
                // No value: a positive operator matches nothing, a negated one everything.
                Rendered::Always(op.is_negated())
            } else {
                Rendered::Comparison(comparison(field, op, values))
            }
        }
        // not (a and b) = (not a) or (not b), and dually.
        AllocationFilter::And(operands) => join(operands, negate, !negate),
        AllocationFilter::Or(operands) => join(operands, negate, negate),
    }
}

/// The operands (each negated when `negate`) joined by `+` (`all`) or `|`.
fn join(operands: &[AllocationFilter], negate: bool, all: bool) -> Rendered {
    // `all` of nothing is true and `any` of nothing false: that constant is the neutral
    // operand, the other one decides the group.
    let neutral = all;
    // Each printed operand, and whether it is a group (parenthesized once nested).
    let mut parts: Vec<(String, bool)> = Vec::with_capacity(operands.len());
    for operand in operands {
        match render(operand, negate) {
            Rendered::Always(value) if value == neutral => {}
            Rendered::Always(value) => return Rendered::Always(value),
            Rendered::Comparison(text) => parts.push((text, false)),
            Rendered::Group(text) => parts.push((text, true)),
        }
    }
    match parts.len() {
        0 => Rendered::Always(neutral),
        1 => {
            let (text, is_group) = parts.swap_remove(0);
            if is_group {
                Rendered::Group(text)
            } else {
                Rendered::Comparison(text)
            }
        }
        _ => {
            let texts: Vec<String> = parts
                .into_iter()
                .map(|(text, is_group)| if is_group { format!("({text})") } else { text })
                .collect();
            Rendered::Group(texts.join(if all { "+" } else { "|" }))
        }
    }
}

fn comparison(field: &Field, op: Op, values: &[String]) -> String {
    let mut text = field.name().to_owned();
    if let Field::Label(key) | Field::Annotation(key) = field {
        text.push('[');
        text.push_str(key);
        text.push(']');
    }
    text.push_str(op.symbol());
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push('"');
        text.push_str(value);
        text.push('"');
    }
    text
}
