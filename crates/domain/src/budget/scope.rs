//! Which pods a budget covers: any combination of one cluster, one namespace and labels
//! (every one must match); none of them means the whole tenant.

use std::collections::BTreeMap;

use crate::allocation::filter::{AllocationFilter, Field, Op};
use crate::cluster::ClusterName;

/// A budget's scope, validated (names and labels follow Kubernetes' rules).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct BudgetScope {
    pub cluster: Option<ClusterName>,
    pub namespace: Option<String>,
    /// Every label must be present with this value.
    pub labels: BTreeMap<String, String>,
}

impl BudgetScope {
    /// The allocation filter selecting the scope's pods.
    pub fn filter(&self) -> AllocationFilter {
        let equals = |field: Field, value: &str| AllocationFilter::Compare {
            field,
            op: Op::Equals,
            values: vec![value.to_owned()],
        };
        let mut filter = AllocationFilter::All;
        if let Some(cluster) = &self.cluster {
            filter = filter.and(equals(Field::Cluster, cluster.as_str()));
        }
        if let Some(namespace) = &self.namespace {
            filter = filter.and(equals(Field::Namespace, namespace));
        }
        for (key, value) in &self.labels {
            filter = filter.and(equals(Field::Label(key.clone()), value));
        }
        filter
    }

    /// Whether the scope's spend includes idle: idle belongs to nodes, so a budget counts
    /// it only when it covers whole clusters (no namespace, no labels). Then the budget
    /// sees what the clusters cost, as the bill does.
    pub fn includes_idle(&self) -> bool {
        self.namespace.is_none() && self.labels.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocation::properties::AllocationProperties;

    fn pod(cluster: &str, namespace: &str, labels: &[(&str, &str)]) -> AllocationProperties {
        AllocationProperties {
            cluster: cluster.into(),
            namespace: namespace.into(),
            labels: labels
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            ..AllocationProperties::default()
        }
    }

    #[test]
    fn an_empty_scope_is_the_whole_tenant_with_idle() {
        let scope = BudgetScope::default();
        assert_eq!(scope.filter(), AllocationFilter::All);
        assert!(scope.includes_idle());
    }

    #[test]
    fn every_part_of_a_scope_must_match() {
        let scope = BudgetScope {
            cluster: Some(ClusterName::new("prod").expect("valid")),
            namespace: Some("shop".into()),
            labels: BTreeMap::from([("team".to_owned(), "payments".to_owned())]),
        };
        let filter = scope.filter();
        assert!(filter.matches(&pod("prod", "shop", &[("team", "payments")])));
        assert!(!filter.matches(&pod("prod", "shop", &[("team", "search")])));
        assert!(!filter.matches(&pod("prod", "web", &[("team", "payments")])));
        assert!(!filter.matches(&pod("dev", "shop", &[("team", "payments")])));
        assert!(!filter.matches(&pod("prod", "shop", &[])));
        assert!(!scope.includes_idle());
    }
}
