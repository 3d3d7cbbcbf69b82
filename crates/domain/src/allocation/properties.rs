//! What an allocation is about: the Kubernetes properties an allocation query filters and
//! aggregates by (OpenCost's `AllocationProperties`, with the fields kcost stores).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The properties of one pod's (or one container's) allocation.
///
/// `controller_kind` is lower-case as OpenCost writes it (`deployment`, `statefulset`,
/// `daemonset`, `job`, `cronjob`, …); `container` is set only for container-level
/// allocations. Annotations are not stored by kcost (agents do not send them), so filters
/// and aggregations on annotations see none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AllocationProperties {
    pub cluster: String,
    pub node: Option<String>,
    pub namespace: String,
    pub pod: String,
    pub container: Option<String>,
    pub controller_kind: Option<String>,
    pub controller: Option<String>,
    pub labels: BTreeMap<String, String>,
}

impl AllocationProperties {
    /// The value of label `key`, matching keys as OpenCost does: equal once both are
    /// sanitized to Prometheus label-name characters (`app.kubernetes.io/name` and
    /// `app_kubernetes_io_name` name the same label).
    pub fn label(&self, key: &str) -> Option<&str> {
        if let Some(value) = self.labels.get(key) {
            return Some(value);
        }
        let wanted = sanitize_label_name(key);
        self.labels
            .iter()
            .find(|(k, _)| sanitize_label_name(k) == wanted)
            .map(|(_, v)| v.as_str())
    }
}

impl AllocationProperties {
    /// The properties both `self` and `other` have with equal values (an aggregate keeps
    /// only what all its members share, as OpenCost does); the cluster, namespace and pod
    /// become empty when they differ.
    pub fn shared_with(&self, other: &Self) -> Self {
        let same = |a: &String, b: &String| if a == b { a.clone() } else { String::new() };
        let same_opt =
            |a: &Option<String>, b: &Option<String>| if a == b { a.clone() } else { None };
        Self {
            cluster: same(&self.cluster, &other.cluster),
            node: same_opt(&self.node, &other.node),
            namespace: same(&self.namespace, &other.namespace),
            pod: same(&self.pod, &other.pod),
            container: same_opt(&self.container, &other.container),
            controller_kind: same_opt(&self.controller_kind, &other.controller_kind),
            controller: same_opt(&self.controller, &other.controller),
            labels: self
                .labels
                .iter()
                .filter(|(k, v)| other.labels.get(*k) == Some(v))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}

/// A label key as Prometheus (and so OpenCost) names it: every character outside
/// `[a-zA-Z0-9_]` becomes `_`.
pub fn sanitize_label_name(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_match_by_their_sanitized_names() {
        let props = AllocationProperties {
            labels: BTreeMap::from([("app.kubernetes.io/name".to_owned(), "web".to_owned())]),
            ..AllocationProperties::default()
        };
        assert_eq!(props.label("app.kubernetes.io/name"), Some("web"));
        assert_eq!(props.label("app_kubernetes_io_name"), Some("web"));
        assert_eq!(props.label("app"), None);
    }
}
