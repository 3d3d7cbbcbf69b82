//! The legacy `filter*` parameters.

use super::{bare, parsed, web};
use crate::allocation::filter::{AllocationFilter, LegacyFilters, from_legacy};

fn legacy(params: LegacyFilters) -> AllocationFilter {
    from_legacy(&params).unwrap_or_else(|e| panic!("{params:?} should be accepted: {e}"))
}

fn some(value: &str) -> Option<String> {
    Some(value.to_owned())
}

#[test]
fn no_parameter_matches_everything() {
    assert_eq!(legacy(LegacyFilters::default()), AllocationFilter::All);
    let blank = LegacyFilters {
        namespaces: some(" , ,"),
        labels: some(""),
        ..LegacyFilters::default()
    };
    assert_eq!(legacy(blank), AllocationFilter::All);
}

#[test]
fn a_parameter_is_an_or_of_its_trimmed_entries() {
    let filter = legacy(LegacyFilters {
        namespaces: some(" a , shop,,"),
        ..LegacyFilters::default()
    });
    assert_eq!(filter, parsed(r#"namespace:"a"|namespace:"shop""#));
    assert!(filter.matches(&web()) && !filter.matches(&bare()));
}

#[test]
fn every_plain_parameter_reads_its_field() {
    let web = web();
    let cases = [
        LegacyFilters {
            clusters: some("prod-eu"),
            ..LegacyFilters::default()
        },
        LegacyFilters {
            nodes: some("node-1"),
            ..LegacyFilters::default()
        },
        LegacyFilters {
            controller_kinds: some("deployment"),
            ..LegacyFilters::default()
        },
        LegacyFilters {
            pods: some("web-7d9f-abcde"),
            ..LegacyFilters::default()
        },
        LegacyFilters {
            containers: some("nginx"),
            ..LegacyFilters::default()
        },
    ];
    for params in cases {
        let filter = legacy(params.clone());
        assert!(filter.matches(&web), "{params:?}");
        assert!(!filter.matches(&bare()), "{params:?}");
    }
}

#[test]
fn a_trailing_star_matches_a_prefix() {
    let filter = legacy(LegacyFilters {
        namespaces: some("kube*,sh*"),
        ..LegacyFilters::default()
    });
    assert_eq!(filter, parsed(r#"namespace<~:"kube"|namespace<~:"sh""#));
    assert!(filter.matches(&web()) && filter.matches(&bare()));
    // Only one trailing star is removed, as OpenCost's TrimSuffix does.
    assert_eq!(
        legacy(LegacyFilters {
            pods: some("web**"),
            ..LegacyFilters::default()
        }),
        parsed(r#"pod<~:"web*""#)
    );
}

#[test]
fn parameters_and_together() {
    let filter = legacy(LegacyFilters {
        clusters: some("prod-eu,dev"),
        namespaces: some("shop"),
        ..LegacyFilters::default()
    });
    assert_eq!(
        filter,
        parsed(r#"(cluster:"prod-eu"|cluster:"dev")+namespace:"shop""#)
    );
    assert!(filter.matches(&web()) && !filter.matches(&bare()));
}

#[test]
fn labels_and_annotations_take_key_value_pairs() {
    let filter = legacy(LegacyFilters {
        labels: some("app:api, team : pay*"),
        ..LegacyFilters::default()
    });
    assert_eq!(filter, parsed(r#"label[app]:"api"|label[team]<~:"pay""#));
    assert!(filter.matches(&web()) && !filter.matches(&bare()));
    // Keys match once sanitized, as OpenCost sanitizes them.
    let sanitized = legacy(LegacyFilters {
        labels: some("app-kubernetes-io/name:web-ui"),
        ..LegacyFilters::default()
    });
    assert!(sanitized.matches(&web()));
    let annotation = legacy(LegacyFilters {
        annotations: some("owner:me"),
        ..LegacyFilters::default()
    });
    assert_eq!(annotation, parsed(r#"annotation[owner]:"me""#));
    assert!(!annotation.matches(&web()));
}

#[test]
fn controllers_take_a_name_or_kind_and_name() {
    let filter = legacy(LegacyFilters {
        controllers: some("deployment:web,api*"),
        ..LegacyFilters::default()
    });
    assert_eq!(
        filter,
        parsed(r#"(controllerKind:"deployment"+controllerName:"web")|controllerName<~:"api""#)
    );
    assert!(filter.matches(&web()) && !filter.matches(&bare()));
    let wrong_kind = legacy(LegacyFilters {
        controllers: some("statefulset:web"),
        ..LegacyFilters::default()
    });
    assert!(!wrong_kind.matches(&web()));
}

#[test]
fn services_test_membership() {
    let filter = legacy(LegacyFilters {
        services: some("web-svc,api*"),
        ..LegacyFilters::default()
    });
    assert_eq!(filter, parsed(r#"services:"web-svc"|services<~:"api""#));
    // kcost stores no services.
    assert!(!filter.matches(&web()));
}

#[test]
fn malformed_entries_are_refused() {
    let error = |params: LegacyFilters| match from_legacy(&params) {
        Ok(filter) => panic!("{params:?} should be refused, got {filter:?}"),
        Err(e) => e.to_string(),
    };
    assert_eq!(
        error(LegacyFilters {
            labels: some("app=web"),
            ..LegacyFilters::default()
        }),
        r#"filterLabels: "app=web" is not a key:value pair"#
    );
    assert_eq!(
        error(LegacyFilters {
            labels: some("app:web:x"),
            ..LegacyFilters::default()
        }),
        r#"filterLabels: "app:web:x" is not a key:value pair"#
    );
    assert_eq!(
        error(LegacyFilters {
            annotations: some(":x"),
            ..LegacyFilters::default()
        }),
        r#"filterAnnotations: ":x" is not a key:value pair"#
    );
    assert_eq!(
        error(LegacyFilters {
            controllers: some("apps:deployment:web"),
            ..LegacyFilters::default()
        }),
        r#"filterControllers: "apps:deployment:web" is neither a name nor kind:name"#
    );
}
