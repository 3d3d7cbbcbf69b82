//! Evaluating a filter against an allocation's properties, with the meaning OpenCost's
//! matchers give each operator (`core/pkg/filter/matcher/string*matcher.go`,
//! `core/pkg/opencost/allocationmatcher.go`).

use super::AllocationFilter;
use super::field::Field;
use super::op::Op;
use crate::allocation::properties::{AllocationProperties, sanitize_label_name};

/// The value OpenCost shows for a missing property; filtering on it selects the
/// allocations where the property is empty (`transform/unallocated.go`).
const UNALLOCATED: &str = "__unallocated__";

impl AllocationFilter {
    /// Whether the allocation with these properties passes the filter.
    pub fn matches(&self, props: &AllocationProperties) -> bool {
        match self {
            AllocationFilter::All => true,
            AllocationFilter::Not(operand) => !operand.matches(props),
            AllocationFilter::And(operands) => operands.iter().all(|f| f.matches(props)),
            AllocationFilter::Or(operands) => operands.iter().any(|f| f.matches(props)),
            AllocationFilter::Compare { field, op, values } => {
                let test = positive(*op);
                let any = values.iter().any(|value| {
                    let value = if value == UNALLOCATED { "" } else { value };
                    compare(field, test, value, props)
                });
                any != op.is_negated()
            }
        }
    }
}

/// The non-negated form of `op`: the test a negated operator inverts.
fn positive(op: Op) -> Op {
    if op.is_negated() { op.negated() } else { op }
}

/// Applies a positive operator to one value.
fn compare(field: &Field, op: Op, value: &str, props: &AllocationProperties) -> bool {
    match field {
        // kcost stores no services: OpenCost's matcher treats an empty list as containing
        // only "" (`StringSliceMatcher`), and no member has a prefix or suffix.
        Field::Services => matches!(op, Op::Equals | Op::Contains) && value.is_empty(),
        // Keys compare sanitized, as OpenCost sanitizes the value of a key-less label test
        // (`transform/promlabels.go`) and stores sanitized keys.
        Field::LabelKeys => {
            // On a key set `~:` is membership, like `:`, not a substring test.
            let op = if op == Op::Contains { Op::Equals } else { op };
            let wanted = sanitize_label_name(value);
            props
                .labels
                .keys()
                .any(|key| compare_text(op, &sanitize_label_name(key), &wanted))
        }
        // No annotations are stored: the key set is empty.
        Field::AnnotationKeys => false,
        Field::ControllerKind => {
            let kind = props.controller_kind.as_deref().unwrap_or("");
            compare_text(op, &kind.to_ascii_lowercase(), &value.to_ascii_lowercase())
        }
        _ => compare_text(op, text(field, props), value),
    }
}

/// A string field's value; absent properties read as "" as in OpenCost.
fn text<'a>(field: &Field, props: &'a AllocationProperties) -> &'a str {
    let label = |key: &str| props.label(key).unwrap_or("");
    match field {
        Field::Cluster => &props.cluster,
        Field::Node => props.node.as_deref().unwrap_or(""),
        Field::Namespace => &props.namespace,
        Field::ControllerName => props.controller.as_deref().unwrap_or(""),
        Field::ControllerKind => props.controller_kind.as_deref().unwrap_or(""),
        Field::Container => props.container.as_deref().unwrap_or(""),
        Field::Pod => &props.pod,
        Field::Label(key) => label(key),
        Field::Department => label("department"),
        Field::Environment => label("environment"),
        Field::Owner => label("owner"),
        Field::Product => label("product"),
        Field::Team => label("team"),
        Field::Provider
        | Field::Annotation(_)
        | Field::Services
        | Field::LabelKeys
        | Field::AnnotationKeys => "",
    }
}

/// An operator on one string.
fn compare_text(op: Op, subject: &str, value: &str) -> bool {
    match op {
        Op::Equals => subject == value,
        Op::Contains => subject.contains(value),
        Op::StartsWith => subject.starts_with(value),
        Op::EndsWith => subject.ends_with(value),
        Op::NotEquals | Op::NotContains | Op::NotStartsWith | Op::NotEndsWith => {
            !compare_text(op.negated(), subject, value)
        }
    }
}
