//! What each field, operator and combination selects.

use super::{bare, matches, parsed, web};
use crate::allocation::filter::{AllocationFilter, Field, Op};

#[test]
fn every_operator_on_a_string_field() {
    let web = web(); // namespace "shop"
    let cases = [
        (r#"namespace:"shop""#, true),
        (r#"namespace:"sho""#, false),
        (r#"namespace!:"shop""#, false),
        (r#"namespace!:"sho""#, true),
        (r#"namespace~:"ho""#, true),
        (r#"namespace~:"x""#, false),
        (r#"namespace!~:"ho""#, false),
        (r#"namespace!~:"x""#, true),
        (r#"namespace<~:"sh""#, true),
        (r#"namespace<~:"op""#, false),
        (r#"namespace!<~:"sh""#, false),
        (r#"namespace!<~:"op""#, true),
        (r#"namespace~>:"op""#, true),
        (r#"namespace~>:"sh""#, false),
        (r#"namespace!~>:"op""#, false),
        (r#"namespace!~>:"sh""#, true),
        // Values compare case-sensitively (controllerKind excepted).
        (r#"namespace:"Shop""#, false),
    ];
    for (expr, expected) in cases {
        assert_eq!(matches(expr, &web), expected, "{expr}");
    }
}

#[test]
fn every_field_reads_its_property() {
    let web = web();
    for expr in [
        r#"cluster:"prod-eu""#,
        r#"node:"node-1""#,
        r#"namespace:"shop""#,
        r#"controllerName:"web""#,
        r#"controllerKind:"deployment""#,
        r#"container:"nginx""#,
        r#"pod:"web-7d9f-abcde""#,
        r#"label[app]:"web""#,
        r#"team:"payments""#,
        r#"label:"team""#,
    ] {
        assert!(matches(expr, &web), "{expr}");
    }
    for expr in [
        r#"cluster:"dev""#,
        r#"node:"node-2""#,
        r#"controllerName:"api""#,
        r#"container:"sidecar""#,
        r#"label[app]:"api""#,
    ] {
        assert!(!matches(expr, &web), "{expr}");
    }
}

#[test]
fn absent_properties_read_as_empty() {
    let bare = bare();
    for expr in [
        r#"node:"""#,
        r#"container:"""#,
        r#"controllerName:"""#,
        r#"controllerKind:"""#,
        r#"label[app]:"""#,
        // OpenCost's name for a missing value selects the same allocations.
        r#"label[app]:"__unallocated__""#,
        r#"controllerKind:"__unallocated__""#,
    ] {
        assert!(matches(expr, &bare), "{expr}");
        assert!(!matches(expr, &web()), "{expr}");
    }
}

#[test]
fn controller_kinds_compare_ignoring_case() {
    assert!(matches(r#"controllerKind:"Deployment""#, &web()));
    assert!(matches(r#"controllerKind<~:"DEPLOY""#, &web()));
    assert!(!matches(r#"controllerKind!:"DEPLOYMENT""#, &web()));
}

#[test]
fn label_keys_match_once_sanitized() {
    let web = web(); // has app.kubernetes.io/name=web-ui
    assert!(matches(r#"label[app_kubernetes_io_name]:"web-ui""#, &web));
    assert!(matches(r#"label[app.kubernetes.io/name]:"web-ui""#, &web));
    assert!(matches(r#"label:"app.kubernetes.io/name""#, &web));
    assert!(matches(r#"label:"app_kubernetes_io_name""#, &web));
}

#[test]
fn a_label_without_a_key_tests_the_key_set() {
    let web = web(); // keys: app, team, app.kubernetes.io/name
    assert!(matches(r#"label:"app""#, &web));
    // `~:` is membership on a key set, not a substring of a key.
    assert!(matches(r#"label~:"team""#, &web));
    assert!(!matches(r#"label~:"tea""#, &web));
    assert!(matches(r#"label<~:"tea""#, &web));
    assert!(matches(r#"label~>:"_name""#, &web));
    assert!(!matches(r#"label!:"app""#, &web));
    assert!(matches(r#"label!:"env""#, &web));
    assert!(!matches(r#"label:"app""#, &bare()));
    assert!(matches(r#"label!~:"app""#, &bare()));
}

#[test]
fn aliases_read_the_label_of_their_name() {
    let mut props = web();
    for alias in ["department", "environment", "owner", "product", "team"] {
        props.labels.insert(alias.to_owned(), format!("{alias}-x"));
        assert!(matches(&format!(r#"{alias}:"{alias}-x""#), &props));
        assert!(matches(&format!(r#"{alias}:"""#), &bare()));
    }
}

#[test]
fn what_kcost_does_not_store_is_empty() {
    let web = web();
    for expr in [
        r#"annotation[owner]:"me""#,
        r#"annotation:"owner""#,
        r#"services:"web-svc""#,
        r#"services~:"web""#,
        r#"services<~:"""#,
        r#"provider:"aws:///eu-west-1a/i-1""#,
    ] {
        assert!(!matches(expr, &web), "{expr}");
    }
    for expr in [
        r#"annotation[owner]!:"me""#,
        r#"annotation[owner]:"""#,
        r#"annotation!:"owner""#,
        r#"services!:"web-svc""#,
        // OpenCost's list matcher: an empty list contains only "".
        r#"services:"""#,
        r#"provider:"""#,
    ] {
        assert!(matches(expr, &web), "{expr}");
    }
}

#[test]
fn several_values_are_any_of_and_negated_none_of() {
    let web = web(); // namespace "shop"
    assert!(matches(r#"namespace:"a","shop""#, &web));
    assert!(!matches(r#"namespace:"a","b""#, &web));
    assert!(!matches(r#"namespace!:"a","shop""#, &web));
    assert!(matches(r#"namespace!:"a","b""#, &web));
    assert!(matches(r#"namespace<~:"x","sh""#, &web));
    assert!(!matches(r#"namespace!<~:"x","sh""#, &web));
}

#[test]
fn groups_combine() {
    let (web, bare) = (web(), bare());
    let and = r#"namespace:"shop"+label[team]:"payments""#;
    assert!(matches(and, &web) && !matches(and, &bare));
    assert!(!matches(r#"namespace:"shop"+label[team]:"web""#, &web));
    let or = r#"namespace:"shop"|namespace:"kube-system""#;
    assert!(matches(or, &web) && matches(or, &bare));
    let grouped = r#"(namespace:"shop"|namespace:"kube-system")+cluster:"dev""#;
    assert!(!matches(grouped, &web) && matches(grouped, &bare));
    let other = r#"namespace:"shop"|(namespace:"kube-system"+cluster:"prod-eu")"#;
    assert!(matches(other, &web) && !matches(other, &bare));
    assert!(matches(r#"namespace!:"kube-system""#, &web));
    assert!(!matches(r#"namespace!:"kube-system""#, &bare));
}

#[test]
fn composed_trees() {
    let web = web();
    let shop = parsed(r#"namespace:"shop""#);
    assert!(AllocationFilter::All.matches(&web));
    assert!(!AllocationFilter::Not(Box::new(shop.clone())).matches(&web));
    assert!(AllocationFilter::And(vec![]).matches(&web));
    assert!(!AllocationFilter::Or(vec![]).matches(&web));
    let no_values = |op| AllocationFilter::Compare {
        field: Field::Pod,
        op,
        values: vec![],
    };
    assert!(!no_values(Op::Equals).matches(&web));
    assert!(no_values(Op::NotEquals).matches(&web));
}

#[test]
fn and_drops_match_all_and_joins_lists() {
    let a = parsed(r#"pod:"a""#);
    let b = parsed(r#"pod:"b""#);
    let c = parsed(r#"pod:"c""#);
    assert_eq!(AllocationFilter::All.and(a.clone()), a);
    assert_eq!(a.clone().and(AllocationFilter::All), a);
    assert_eq!(
        a.clone().and(b.clone()),
        AllocationFilter::And(vec![a.clone(), b.clone()])
    );
    assert_eq!(
        a.clone().and(b.clone()).and(c.clone()),
        AllocationFilter::And(vec![a.clone(), b.clone(), c.clone()])
    );
    assert_eq!(
        c.clone().and(a.clone().and(b.clone())),
        AllocationFilter::And(vec![c, a, b])
    );
}

#[test]
fn is_all_by_shape() {
    assert!(AllocationFilter::All.is_all());
    assert!(parsed("  ").is_all());
    assert!(AllocationFilter::And(vec![]).is_all());
    assert!(AllocationFilter::And(vec![AllocationFilter::All]).is_all());
    assert!(AllocationFilter::Or(vec![parsed(r#"pod:"a""#), AllocationFilter::All]).is_all());
    assert!(!AllocationFilter::Or(vec![]).is_all());
    assert!(!parsed(r#"pod:"a""#).is_all());
    assert!(!AllocationFilter::Not(Box::new(AllocationFilter::All)).is_all());
}
