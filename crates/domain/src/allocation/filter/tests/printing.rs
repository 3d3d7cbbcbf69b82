//! Printing filters back in the language, and properties over arbitrary input.

use proptest::prelude::*;

use super::{bare, parsed, web};
use crate::allocation::filter::{AllocationFilter, Field, Op, parse};
use crate::allocation::properties::AllocationProperties;

fn not(filter: AllocationFilter) -> AllocationFilter {
    AllocationFilter::Not(Box::new(filter))
}

#[test]
fn parsed_filters_print_canonically() {
    for (expr, printed) in [
        ("", ""),
        (r#"namespace: "a" , "b""#, r#"namespace:"a","b""#),
        (r#"label [team] : "web""#, r#"label[team]:"web""#),
        (r#"label~:"app""#, r#"label~:"app""#),
        (r#"annotation[a]!~>:"x""#, r#"annotation[a]!~>:"x""#),
        (
            r#"( namespace:"a" | namespace:"b" ) + cluster:"c""#,
            r#"(namespace:"a"|namespace:"b")+cluster:"c""#,
        ),
        (
            r#"((pod:"a"+pod:"b"))|(pod:"c")"#,
            r#"(pod:"a"+pod:"b")|pod:"c""#,
        ),
        (r#"team<~:"x""#, r#"team<~:"x""#),
    ] {
        assert_eq!(parsed(expr).to_string(), printed, "{expr}");
    }
}

#[test]
fn composed_trees_print_in_an_equivalent_form() {
    let (a, b, c) = (
        parsed(r#"namespace:"a""#),
        parsed(r#"namespace:"b""#),
        parsed(r#"namespace!~:"c""#),
    );
    let tree = not(AllocationFilter::And(vec![
        a.clone(),
        AllocationFilter::Or(vec![b.clone(), c.clone()]),
    ]));
    assert_eq!(
        tree.to_string(),
        r#"namespace!:"a"|(namespace!:"b"+namespace~:"c")"#
    );
    assert_eq!(not(not(a.clone())).to_string(), r#"namespace:"a""#);
    assert_eq!(AllocationFilter::All.to_string(), "");
    assert_eq!(not(AllocationFilter::All).to_string(), r#"cluster!~:"""#);
    assert_eq!(AllocationFilter::Or(vec![]).to_string(), r#"cluster!~:"""#);
    assert_eq!(
        AllocationFilter::And(vec![AllocationFilter::All, a.clone()]).to_string(),
        r#"namespace:"a""#
    );
    assert_eq!(
        AllocationFilter::Or(vec![AllocationFilter::All, a.clone()]).to_string(),
        ""
    );
    let no_values = AllocationFilter::Compare {
        field: Field::Pod,
        op: Op::Equals,
        values: vec![],
    };
    assert_eq!(no_values.to_string(), r#"cluster!~:"""#);
    assert_eq!(not(no_values).to_string(), "");
    // Nothing in a group decides the group.
    assert_eq!(
        AllocationFilter::And(vec![a, not(AllocationFilter::All)]).to_string(),
        r#"cluster!~:"""#
    );
}

/// Allocations the equivalence property is checked on.
fn samples() -> Vec<AllocationProperties> {
    let mut a_label = bare();
    a_label.namespace = "a".to_owned();
    a_label.labels.insert("k".to_owned(), "b".to_owned());
    vec![web(), bare(), a_label]
}

fn arb_filter() -> impl Strategy<Value = AllocationFilter> {
    let field = prop_oneof![
        Just(Field::Namespace),
        Just(Field::Cluster),
        Just(Field::ControllerKind),
        Just(Field::Services),
        Just(Field::Label("k".to_owned())),
        Just(Field::LabelKeys),
        Just(Field::AnnotationKeys),
    ];
    let op = prop::sample::select(Op::ALL.to_vec());
    let value = prop::sample::select(vec!["", "a", "b", "k", "shop", "dev", "Deployment"]);
    let compare =
        (field, op, prop::collection::vec(value, 0..3)).prop_map(|(field, op, values)| {
            AllocationFilter::Compare {
                field,
                op,
                values: values.into_iter().map(str::to_owned).collect(),
            }
        });
    let leaf = prop_oneof![1 => Just(AllocationFilter::All), 6 => compare];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(not),
            prop::collection::vec(inner.clone(), 0..4).prop_map(AllocationFilter::And),
            prop::collection::vec(inner, 0..4).prop_map(AllocationFilter::Or),
        ]
    })
}

/// Strings made of the language's pieces, so many of them parse.
fn arb_expression() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "namespace",
        "label",
        "team",
        "services",
        "nmespace",
        "[app]",
        "[]",
        ":",
        "!:",
        "~:",
        "!~:",
        "<~:",
        "!<~:",
        "~>:",
        "!~>:",
        ">~:",
        "\"a\"",
        "\"b c\"",
        "\"\"",
        "\"",
        ",",
        "+",
        "|",
        "(",
        ")",
        " ",
        "é",
    ]);
    prop::collection::vec(pieces, 0..24).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_parses_or_is_refused_and_round_trips(expr in any::<String>()) {
        if let Ok(filter) = parse(&expr) {
            prop_assert_eq!(parse(&filter.to_string()), Ok(filter));
        }
    }

    #[test]
    fn language_like_text_parses_or_is_refused_and_round_trips(expr in arb_expression()) {
        if let Ok(filter) = parse(&expr) {
            prop_assert_eq!(parse(&filter.to_string()), Ok(filter));
        }
    }

    #[test]
    fn any_tree_prints_as_an_equivalent_expression(filter in arb_filter()) {
        let printed = filter.to_string();
        let reparsed = parse(&printed);
        prop_assert!(reparsed.is_ok(), "{:?} printed as {:?}: {:?}", filter, printed, reparsed);
        let reparsed = reparsed.unwrap_or(AllocationFilter::All);
        for props in samples() {
            prop_assert_eq!(reparsed.matches(&props), filter.matches(&props), "{}", printed);
        }
    }
}
