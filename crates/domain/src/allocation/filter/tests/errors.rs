//! Every way an expression is refused, asserted by its message (offsets in characters).

use super::error;
use crate::allocation::filter::FIELD_NAMES;

const KNOWN: &str = "cluster, node, namespace, controllerName, controllerKind, container, pod, \
                     provider, services, label, annotation, department, environment, owner, \
                     product, team";
const OPERATORS: &str = ": !: ~: !~: <~: !<~: ~>: !~>:";

#[test]
fn the_known_fields_listed_are_the_accepted_ones() {
    assert_eq!(KNOWN, FIELD_NAMES.join(", "));
}

#[test]
fn unknown_fields() {
    let long = "a".repeat(50);
    let long_expression = format!(r#"{long}:"x""#);
    let cut = format!("{}…", "a".repeat(40));
    let cases = [
        (r#"nmespace:"a""#, "nmespace", 0),
        // Field names are case-sensitive, as in OpenCost.
        (r#"pod:"a"+controllerkind:"x""#, "controllerkind", 8),
        // The leftmost mistake is reported, even if a later one is lexical.
        (r#"nmespace:"a"#, "nmespace", 0),
        // Offsets count characters, not bytes.
        (r#"namespace:"é"+x:"a""#, "x", 14),
        // Long echoes are cut.
        (long_expression.as_str(), cut.as_str(), 0),
    ];
    for (expression, field, at) in cases {
        assert_eq!(
            error(expression),
            format!(r#"unknown filter field "{field}" at {at}; known: {KNOWN}"#),
            "{expression}"
        );
    }
}

#[test]
fn missing_fields() {
    assert_eq!(
        error("()"),
        format!("expected a filter field at 1, found ')'; known: {KNOWN}")
    );
    assert_eq!(
        error(r#":"a""#),
        format!(r#"expected a filter field at 0, found ":"; known: {KNOWN}"#)
    );
    assert_eq!(
        error(r#"namespace:"a"|"#),
        format!("expected a filter field at 14, found the end; known: {KNOWN}")
    );
}

#[test]
fn keys() {
    assert_eq!(
        error(r#"namespace[x]:"a""#),
        r#""namespace" takes no [key] at 9; only label and annotation do"#
    );
    assert_eq!(error(r#"label[]:"a""#), r#"empty key in "label[]" at 5"#);
    assert_eq!(
        error(r#"label[app:"a""#),
        "unterminated key (no closing ']') at 5"
    );
}

#[test]
fn operators() {
    assert_eq!(
        error("namespace"),
        format!(r#"expected an operator after "namespace" at 9; operators: {OPERATORS}"#)
    );
    assert_eq!(
        error(r#"label[app]"x""#),
        format!(r#"expected an operator after "label[app]" at 10; operators: {OPERATORS}"#)
    );
    assert_eq!(
        error(r#"namespace>~:"a""#),
        format!(r#"unknown operator ">~:" at 9; operators: {OPERATORS}"#)
    );
    assert_eq!(
        error(r#"namespace::"a""#),
        format!(r#"unknown operator "::" at 9; operators: {OPERATORS}"#)
    );
}

#[test]
fn values() {
    assert_eq!(error(r#"namespace:"kube"#), "unterminated string at 10");
    assert_eq!(
        error("namespace:"),
        r#"expected a quoted value after ":" at 10, found the end"#
    );
    assert_eq!(
        error(r#"namespace!~:a"#),
        r#"expected a quoted value after "!~:" at 12, found "a""#
    );
    assert_eq!(
        error(r#"namespace:"a","#),
        r#"expected a quoted value after "," at 14, found the end"#
    );
}

#[test]
fn characters_outside_the_language() {
    assert_eq!(error(r#"namespace.:"a""#), "unexpected character '.' at 9");
    assert_eq!(
        error(r#"namespace:"a"+é"#),
        "unexpected character 'é' at 14"
    );
}

#[test]
fn grouping() {
    assert_eq!(
        error(r#"namespace:"a"|namespace:"b"+cluster:"c""#),
        "cannot mix '+' and '|' in one group at 27; add parentheses, e.g. (a+b)|c"
    );
    assert_eq!(
        error(r#"namespace:"a"+namespace:"b"|cluster:"c""#),
        "cannot mix '+' and '|' in one group at 27; add parentheses, e.g. (a+b)|c"
    );
    assert_eq!(error(r#"(namespace:"a"))"#), "unmatched ')' at 15");
    assert_eq!(error(r#"((namespace:"a")"#), "unclosed '(' at 0");
    assert_eq!(
        error(r#"(namespace:"a" "b")"#),
        r#"expected '+', '|' or ')' at 15, found the string "b""#
    );
    assert_eq!(
        error(r#"namespace:"a" cluster:"b""#),
        r#"expected '+', '|' or the end at 14, found "cluster""#
    );
    // No escapes: `\"` ends the string and what follows is out of place.
    assert_eq!(
        error(r#"pod:"a\"b""#),
        r#"expected '+', '|' or the end at 8, found "b""#
    );
}

#[test]
fn nesting_is_bounded() {
    let nested = |depth: usize| format!(r#"{}pod:"a"{}"#, "(".repeat(depth), ")".repeat(depth));
    assert!(crate::allocation::filter::parse(&nested(64)).is_ok());
    assert_eq!(
        error(&nested(65)),
        "parentheses nested deeper than 64 at 64"
    );
    assert_eq!(
        error(&"(".repeat(100_000)),
        "parentheses nested deeper than 64 at 64"
    );
}
