//! Tests of the filter language, one file per concern, sharing the allocations below.

mod errors;
mod legacy;
mod matching;
mod parsing;
mod printing;

use std::collections::BTreeMap;

use super::{AllocationFilter, parse};
use crate::allocation::properties::AllocationProperties;

/// A container of a deployment's pod, with labels.
fn web() -> AllocationProperties {
    AllocationProperties {
        cluster: "prod-eu".to_owned(),
        node: Some("node-1".to_owned()),
        namespace: "shop".to_owned(),
        pod: "web-7d9f-abcde".to_owned(),
        container: Some("nginx".to_owned()),
        controller_kind: Some("deployment".to_owned()),
        controller: Some("web".to_owned()),
        labels: BTreeMap::from([
            ("app".to_owned(), "web".to_owned()),
            ("team".to_owned(), "payments".to_owned()),
            ("app.kubernetes.io/name".to_owned(), "web-ui".to_owned()),
        ]),
    }
}

/// A pod-level allocation of a bare pod: no node, container, controller or labels.
fn bare() -> AllocationProperties {
    AllocationProperties {
        cluster: "dev".to_owned(),
        namespace: "kube-system".to_owned(),
        pod: "static-etcd".to_owned(),
        ..AllocationProperties::default()
    }
}

fn parsed(expr: &str) -> AllocationFilter {
    parse(expr).unwrap_or_else(|e| panic!("{expr:?} should parse: {e}"))
}

fn matches(expr: &str, props: &AllocationProperties) -> bool {
    parsed(expr).matches(props)
}

fn error(expr: &str) -> String {
    match parse(expr) {
        Ok(filter) => panic!("{expr:?} should not parse, got {filter:?}"),
        Err(e) => e.to_string(),
    }
}
