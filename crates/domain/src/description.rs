//! Pods and nodes as dimensions: what identifies and describes them apart from the figures
//! of each snapshot (identity, placement, owner, labels, phase, QoS class, containers).
//!
//! A description changes rarely (a pod is rescheduled, relabelled, starts running), while
//! its figures change every snapshot; stores keep each distinct description once and let
//! samples refer to it. [`PodDescription::fingerprint`] is the rule for "the same
//! description": every field takes part, so any change makes a new version.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::cluster::ClusterName;
use crate::snapshot::{NodeSample, Owner, PodSample};

/// One pod's description in one cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodDescription {
    pub cluster: ClusterName,
    pub namespace: String,
    pub name: String,
    /// `None` while the pod is pending.
    pub node: Option<String>,
    pub owner: Option<Owner>,
    /// Whether the owner was inferred from the pod's name and labels.
    pub owner_inferred: bool,
    pub labels: BTreeMap<String, String>,
    pub phase: Option<String>,
    pub qos_class: Option<String>,
    /// Container names in the order the agent sent them (empty when it sent none).
    pub containers: Vec<String>,
}

impl PodDescription {
    /// The description of `pod` as observed in `cluster`.
    pub fn of(cluster: &ClusterName, pod: &PodSample) -> Self {
        Self {
            cluster: cluster.clone(),
            namespace: pod.namespace.clone(),
            name: pod.name.clone(),
            node: pod.node.clone(),
            owner: pod.owner.clone(),
            owner_inferred: pod.owner_inferred,
            labels: pod.labels.clone(),
            phase: pod.phase.clone(),
            qos_class: pod.qos_class.clone(),
            containers: pod.containers.iter().map(|c| c.name.clone()).collect(),
        }
    }

    /// A stable 64-bit digest of every field: equal descriptions have equal fingerprints,
    /// and a changed field changes it (up to SHA-256 collisions on 64 bits).
    pub fn fingerprint(&self) -> i64 {
        digest_pod(PodFields {
            cluster: self.cluster.as_str(),
            namespace: &self.namespace,
            name: &self.name,
            node: self.node.as_deref(),
            owner: self.owner.as_ref(),
            owner_inferred: self.owner_inferred,
            labels: &self.labels,
            phase: self.phase.as_deref(),
            qos_class: self.qos_class.as_deref(),
            containers: self.containers.iter().map(String::as_str),
        })
    }

    /// The fingerprint `PodDescription::of(cluster, pod)` would have, without building it
    /// (ingest computes one per pod per snapshot; descriptions are built only when new).
    pub fn fingerprint_of(cluster: &ClusterName, pod: &PodSample) -> i64 {
        digest_pod(PodFields {
            cluster: cluster.as_str(),
            namespace: &pod.namespace,
            name: &pod.name,
            node: pod.node.as_deref(),
            owner: pod.owner.as_ref(),
            owner_inferred: pod.owner_inferred,
            labels: &pod.labels,
            phase: pod.phase.as_deref(),
            qos_class: pod.qos_class.as_deref(),
            containers: pod.containers.iter().map(|c| c.name.as_str()),
        })
    }
}

/// A pod description's fields, borrowed.
struct PodFields<'a, C> {
    cluster: &'a str,
    namespace: &'a str,
    name: &'a str,
    node: Option<&'a str>,
    owner: Option<&'a Owner>,
    owner_inferred: bool,
    labels: &'a BTreeMap<String, String>,
    phase: Option<&'a str>,
    qos_class: Option<&'a str>,
    containers: C,
}

fn digest_pod<'a>(pod: PodFields<'a, impl ExactSizeIterator<Item = &'a str>>) -> i64 {
    let mut digest = Fingerprint::default();
    digest
        .field(pod.cluster)
        .field(pod.namespace)
        .field(pod.name)
        .optional(pod.node)
        .optional(pod.owner.map(|o| o.kind.as_str()))
        .optional(pod.owner.map(|o| o.name.as_str()))
        .field(if pod.owner_inferred {
            "inferred"
        } else {
            "sent"
        })
        .map(pod.labels)
        .optional(pod.phase)
        .optional(pod.qos_class);
    digest.list(pod.containers);
    digest.finish()
}

/// One node's description in one cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeDescription {
    pub cluster: ClusterName,
    pub name: String,
    pub instance_type: Option<String>,
    pub labels: BTreeMap<String, String>,
}

impl NodeDescription {
    pub fn of(cluster: &ClusterName, node: &NodeSample) -> Self {
        Self {
            cluster: cluster.clone(),
            name: node.name.clone(),
            instance_type: node.instance_type.clone(),
            labels: node.labels.clone(),
        }
    }

    /// As [`PodDescription::fingerprint`].
    pub fn fingerprint(&self) -> i64 {
        let mut digest = Fingerprint::default();
        digest
            .field(self.cluster.as_str())
            .field(&self.name)
            .optional(self.instance_type.as_deref())
            .map(&self.labels);
        digest.finish()
    }
}

/// A stored description and when it was first seen (its first sample's timestamp).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredPod {
    pub description: PodDescription,
    pub first_seen: DateTime<Utc>,
}

/// Length-prefixed fields into SHA-256, so `("ab", "c")` and `("a", "bc")` differ.
#[derive(Default)]
struct Fingerprint(Sha256);

impl Fingerprint {
    fn field(&mut self, value: &str) -> &mut Self {
        self.0.update((value.len() as u64).to_le_bytes());
        self.0.update(value.as_bytes());
        self
    }

    fn optional(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            Some(value) => self.field("some").field(value),
            None => self.field("none"),
        }
    }

    fn map(&mut self, map: &BTreeMap<String, String>) -> &mut Self {
        self.0.update((map.len() as u64).to_le_bytes());
        for (key, value) in map {
            self.field(key).field(value);
        }
        self
    }

    fn list<'a>(&mut self, items: impl ExactSizeIterator<Item = &'a str>) -> &mut Self {
        self.0.update((items.len() as u64).to_le_bytes());
        for item in items {
            self.field(item);
        }
        self
    }

    fn finish(self) -> i64 {
        let bytes = self.0.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&bytes[..8]);
        i64::from_le_bytes(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::tests::pod;

    fn described(edit: impl FnOnce(&mut PodSample)) -> PodDescription {
        let mut sample = pod("api-0", Some("n1"));
        edit(&mut sample);
        PodDescription::of(&ClusterName::new("prod").unwrap(), &sample)
    }

    #[test]
    fn equal_descriptions_have_equal_fingerprints() {
        assert_eq!(
            described(|_| ()).fingerprint(),
            described(|_| ()).fingerprint()
        );
        // Figures are not part of a description.
        let busier = described(|p| p.figures.cpu_usage = crate::quantity::Millicores::new(900));
        assert_eq!(busier.fingerprint(), described(|_| ()).fingerprint());
    }

    #[test]
    fn every_field_changes_the_fingerprint() {
        let base = described(|_| ()).fingerprint();
        type Edit = Box<dyn FnOnce(&mut PodSample)>;
        let edits: Vec<Edit> = vec![
            Box::new(|p| p.namespace = "web".into()),
            Box::new(|p| p.name = "api-1".into()),
            Box::new(|p| p.node = None),
            Box::new(|p| {
                p.owner = Some(Owner {
                    kind: "StatefulSet".into(),
                    name: "api".into(),
                })
            }),
            Box::new(|p| p.owner_inferred = true),
            Box::new(|p| {
                p.labels.insert("team".into(), "web".into());
            }),
            Box::new(|p| p.phase = Some("Running".into())),
            Box::new(|p| p.qos_class = Some("Burstable".into())),
            Box::new(|p| {
                p.containers.push(crate::snapshot::ContainerSample {
                    name: "app".into(),
                    figures: Default::default(),
                    restarts: 0,
                })
            }),
        ];
        let mut seen = std::collections::HashSet::from([base]);
        for edit in edits {
            assert!(seen.insert(described(edit).fingerprint()));
        }
    }

    #[test]
    fn the_fingerprint_of_a_sample_is_that_of_its_description() {
        let cluster = ClusterName::new("prod").unwrap();
        let mut sample = pod("api-0", Some("n1"));
        sample.labels.insert("team".into(), "web".into());
        sample.phase = Some("Running".into());
        sample.containers.push(crate::snapshot::ContainerSample {
            name: "app".into(),
            figures: Default::default(),
            restarts: 0,
        });
        assert_eq!(
            PodDescription::fingerprint_of(&cluster, &sample),
            PodDescription::of(&cluster, &sample).fingerprint()
        );
    }

    #[test]
    fn field_boundaries_matter() {
        let a = described(|p| {
            p.labels.insert("ab".into(), "c".into());
        });
        let b = described(|p| {
            p.labels.insert("a".into(), "bc".into());
        });
        assert_ne!(a.fingerprint(), b.fingerprint());
    }
}
