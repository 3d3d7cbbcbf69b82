//! What trees expressions parse to.

use super::parsed;
use crate::allocation::filter::{AllocationFilter, Field, Op};

fn cmp(field: Field, op: Op, values: &[&str]) -> AllocationFilter {
    AllocationFilter::Compare {
        field,
        op,
        values: values.iter().map(|v| (*v).to_owned()).collect(),
    }
}

fn ns(value: &str) -> AllocationFilter {
    cmp(Field::Namespace, Op::Equals, &[value])
}

#[test]
fn empty_and_blank_expressions_match_everything() {
    assert_eq!(parsed(""), AllocationFilter::All);
    assert_eq!(parsed(" \t\r\n "), AllocationFilter::All);
}

#[test]
fn the_brief_examples() {
    assert_eq!(
        parsed(r#"namespace:"a","b""#),
        cmp(Field::Namespace, Op::Equals, &["a", "b"])
    );
    assert_eq!(
        parsed(r#"cluster:"x""#),
        cmp(Field::Cluster, Op::Equals, &["x"])
    );
    assert_eq!(
        parsed(r#"label[team]:"web""#),
        cmp(Field::Label("team".to_owned()), Op::Equals, &["web"])
    );
    assert_eq!(
        parsed(r#"controllerKind:"deployment""#),
        cmp(Field::ControllerKind, Op::Equals, &["deployment"])
    );
    assert_eq!(
        parsed(r#"namespace!:"kube-system""#),
        cmp(Field::Namespace, Op::NotEquals, &["kube-system"])
    );
    assert_eq!(
        parsed(r#"namespace:"a"+label[team]:"web""#),
        AllocationFilter::And(vec![
            ns("a"),
            cmp(Field::Label("team".to_owned()), Op::Equals, &["web"]),
        ])
    );
    assert_eq!(
        parsed(r#"namespace:"a"|namespace:"b""#),
        AllocationFilter::Or(vec![ns("a"), ns("b")])
    );
    assert_eq!(
        parsed(r#"(namespace:"a"|namespace:"b")+cluster:"c""#),
        AllocationFilter::And(vec![
            AllocationFilter::Or(vec![ns("a"), ns("b")]),
            cmp(Field::Cluster, Op::Equals, &["c"]),
        ])
    );
}

#[test]
fn every_operator() {
    for (symbol, op) in [
        (":", Op::Equals),
        ("!:", Op::NotEquals),
        ("~:", Op::Contains),
        ("!~:", Op::NotContains),
        ("<~:", Op::StartsWith),
        ("!<~:", Op::NotStartsWith),
        ("~>:", Op::EndsWith),
        ("!~>:", Op::NotEndsWith),
    ] {
        assert_eq!(
            parsed(&format!(r#"pod{symbol}"x""#)),
            cmp(Field::Pod, op, &["x"])
        );
        assert_eq!(op.symbol(), symbol);
        assert_eq!(op.negated().negated(), op);
        assert_ne!(op.is_negated(), op.negated().is_negated());
    }
}

#[test]
fn every_field() {
    let fields = [
        ("cluster", Field::Cluster),
        ("node", Field::Node),
        ("namespace", Field::Namespace),
        ("controllerName", Field::ControllerName),
        ("controllerKind", Field::ControllerKind),
        ("container", Field::Container),
        ("pod", Field::Pod),
        ("provider", Field::Provider),
        ("services", Field::Services),
        ("label", Field::LabelKeys),
        ("label[app]", Field::Label("app".to_owned())),
        ("annotation", Field::AnnotationKeys),
        ("annotation[owner]", Field::Annotation("owner".to_owned())),
        ("department", Field::Department),
        ("environment", Field::Environment),
        ("owner", Field::Owner),
        ("product", Field::Product),
        ("team", Field::Team),
    ];
    for (written, field) in fields {
        assert_eq!(
            parsed(&format!(r#"{written}:"v""#)),
            cmp(field, Op::Equals, &["v"])
        );
    }
}

#[test]
fn a_group_uses_one_operator_and_parentheses_nest() {
    assert_eq!(
        parsed(r#"namespace:"a"+namespace:"b"+namespace:"c""#),
        AllocationFilter::And(vec![ns("a"), ns("b"), ns("c")])
    );
    assert_eq!(
        parsed(r#"namespace:"a"|(namespace:"b"+namespace:"c")|namespace:"d""#),
        AllocationFilter::Or(vec![
            ns("a"),
            AllocationFilter::And(vec![ns("b"), ns("c")]),
            ns("d"),
        ])
    );
    // Like OpenCost, nested groups of the same operator stay nested.
    assert_eq!(
        parsed(r#"namespace:"a"+(namespace:"b"+namespace:"c")"#),
        AllocationFilter::And(vec![ns("a"), AllocationFilter::And(vec![ns("b"), ns("c")])])
    );
    assert_eq!(parsed(r#"((namespace:"a"))"#), ns("a"));
}

#[test]
fn whitespace_between_tokens_is_ignored_as_in_opencost() {
    assert_eq!(
        parsed("node:\"node a b c\" , \"node 12 3\"\n+\n\rnamespace : \"kubecost\""),
        AllocationFilter::And(vec![
            cmp(Field::Node, Op::Equals, &["node a b c", "node 12 3"]),
            ns("kubecost"),
        ])
    );
    assert_eq!(
        parsed(r#"label [app] !~: "x""#),
        cmp(Field::Label("app".to_owned()), Op::NotContains, &["x"])
    );
}

#[test]
fn strings_and_keys_are_taken_verbatim_without_escapes() {
    assert_eq!(
        parsed(r#"label[app.kubernetes.io/name]:"web ui""#),
        cmp(
            Field::Label("app.kubernetes.io/name".to_owned()),
            Op::Equals,
            &["web ui"]
        )
    );
    // OpenCost has no escapes: a backslash is an ordinary character and `"` ends the value.
    assert_eq!(parsed(r#"pod:"a\""#), cmp(Field::Pod, Op::Equals, &[r"a\"]));
    assert_eq!(
        parsed(r#"pod:"café""#),
        cmp(Field::Pod, Op::Equals, &["café"])
    );
    assert_eq!(parsed(r#"pod:"""#), cmp(Field::Pod, Op::Equals, &[""]));
}
