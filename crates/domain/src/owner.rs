//! Which workload owns a pod, inferred the way Kubernetes names pods and labels them, for
//! agents that send no `controller_kind`/`controller_name`.
//!
//! Kubernetes' controllers name their pods predictably:
//! - a Deployment's ReplicaSet is `<deployment>-<pod-template-hash>` and its pods
//!   `<replicaset>-<5 random chars>`, labelled `pod-template-hash`;
//! - a StatefulSet's pods are `<statefulset>-<ordinal>`, labelled
//!   `statefulset.kubernetes.io/pod-name` and `controller-revision-hash`;
//! - a DaemonSet's pods are `<daemonset>-<5 random chars>`, labelled
//!   `controller-revision-hash`;
//! - a Job's pods carry `job-name` (or `batch.kubernetes.io/job-name`), and a CronJob names
//!   its Jobs `<cronjob>-<scheduled minute since the epoch>`.
//!
//! Random suffixes and hashes use Kubernetes' "safe" alphabet (no vowels, no 0, 1 or 3), so
//! a name part outside it is never mistaken for one. When nothing matches, no owner is
//! inferred: a bare pod.

use std::collections::BTreeMap;

use crate::snapshot::Owner;

/// Kubernetes' alphabet for generated name suffixes and hashes (`k8s.io/apimachinery`
/// `rand.String`, `SafeEncodeString`).
const SAFE_ALPHABET: &str = "bcdfghjklmnpqrstvwxz2456789";

/// Labels that name the Job that created a pod (the second since Kubernetes 1.27).
const JOB_NAME_LABELS: [&str; 2] = ["batch.kubernetes.io/job-name", "job-name"];
const POD_TEMPLATE_HASH: &str = "pod-template-hash";
const CONTROLLER_REVISION_HASH: &str = "controller-revision-hash";
const STATEFULSET_POD_NAME: &str = "statefulset.kubernetes.io/pod-name";

/// Digits a CronJob's Job-name suffix has at least (minutes since 1970 have had 8 since 1975).
const CRONJOB_SUFFIX_MIN_DIGITS: usize = 8;

/// The owner Kubernetes' naming and labels imply for pod `name`, if any.
pub fn infer_owner(name: &str, labels: &BTreeMap<String, String>) -> Option<Owner> {
    let label = |key: &str| {
        labels
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    if let Some(job) = JOB_NAME_LABELS.iter().find_map(|key| label(key)) {
        return Some(job_owner(job));
    }
    if let Some(hash) = label(POD_TEMPLATE_HASH)
        && let Some(deployment) = deployment_with_hash(name, hash)
    {
        return Some(owner("Deployment", deployment));
    }
    if label(STATEFULSET_POD_NAME).is_some() {
        return ordinal_prefix(name).map(|set| owner("StatefulSet", set));
    }
    if label(CONTROLLER_REVISION_HASH).is_some() {
        if let Some(set) = ordinal_prefix(name) {
            return Some(owner("StatefulSet", set));
        }
        return random_suffix_prefix(name).map(|set| owner("DaemonSet", set));
    }
    if let Some(deployment) = deployment_by_shape(name) {
        return Some(owner("Deployment", deployment));
    }
    ordinal_prefix(name).map(|set| owner("StatefulSet", set))
}

fn owner(kind: &str, name: &str) -> Owner {
    Owner {
        kind: kind.to_owned(),
        name: name.to_owned(),
    }
}

/// A CronJob when the Job's name ends in a scheduled-minute suffix, else the Job itself.
fn job_owner(job: &str) -> Owner {
    match job.rsplit_once('-') {
        Some((cronjob, minute))
            if !cronjob.is_empty()
                && minute.len() >= CRONJOB_SUFFIX_MIN_DIGITS
                && minute.bytes().all(|b| b.is_ascii_digit()) =>
        {
            owner("CronJob", cronjob)
        }
        _ => owner("Job", job),
    }
}

fn is_safe(part: &str) -> bool {
    !part.is_empty() && part.chars().all(|c| SAFE_ALPHABET.contains(c))
}

/// `<prefix>-<5 safe chars>` → prefix.
fn random_suffix_prefix(name: &str) -> Option<&str> {
    let (prefix, suffix) = name.rsplit_once('-')?;
    (!prefix.is_empty() && suffix.len() == 5 && is_safe(suffix)).then_some(prefix)
}

/// `<deployment>-<hash>-<5 safe chars>` with the labelled hash → deployment.
fn deployment_with_hash<'a>(name: &'a str, hash: &str) -> Option<&'a str> {
    let replica_set = random_suffix_prefix(name)?;
    let deployment = replica_set.strip_suffix(hash)?.strip_suffix('-')?;
    (!deployment.is_empty()).then_some(deployment)
}

/// `<deployment>-<6 to 10 safe chars>-<5 safe chars>` → deployment (no label to confirm).
fn deployment_by_shape(name: &str) -> Option<&str> {
    let replica_set = random_suffix_prefix(name)?;
    let (deployment, hash) = replica_set.rsplit_once('-')?;
    // A real hash mixes digits and letters often but not always; its length is what
    // Kubernetes fixes (SafeEncodeString of a 32-bit hash: up to 10 chars, at least 6 seen).
    (!deployment.is_empty() && (6..=10).contains(&hash.len()) && is_safe(hash))
        .then_some(deployment)
}

/// `<statefulset>-<ordinal>` → statefulset.
fn ordinal_prefix(name: &str) -> Option<&str> {
    let (prefix, ordinal) = name.rsplit_once('-')?;
    let canonical = ordinal == "0" || !ordinal.starts_with('0');
    (!prefix.is_empty()
        && !ordinal.is_empty()
        && ordinal.len() <= 10
        && canonical
        && ordinal.bytes().all(|b| b.is_ascii_digit()))
    .then_some(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn inferred(name: &str, pairs: &[(&str, &str)]) -> Option<(String, String)> {
        infer_owner(name, &labels(pairs)).map(|o| (o.kind, o.name))
    }

    fn some(kind: &str, name: &str) -> Option<(String, String)> {
        Some((kind.to_owned(), name.to_owned()))
    }

    #[test]
    fn deployment_pods_from_their_template_hash() {
        assert_eq!(
            inferred(
                "payments-api-7pt8cn474-kxsrd",
                &[("pod-template-hash", "7pt8cn474")]
            ),
            some("Deployment", "payments-api")
        );
        // The label must match the name's hash.
        assert_eq!(
            inferred(
                "payments-api-7pt8cn474-kxsrd",
                &[("pod-template-hash", "5d9f8c7b6")]
            ),
            some("Deployment", "payments-api")
        );
    }

    #[test]
    fn deployment_pods_by_shape_alone() {
        assert_eq!(
            inferred("web-frontend-5d9f8c7b6-x2x4z", &[]),
            some("Deployment", "web-frontend")
        );
        // Vowels and 0/1/3 never appear in generated parts.
        assert_eq!(inferred("web-frontend-abcdef-x2x4z", &[]), None);
        assert_eq!(inferred("default-app-0-204f8", &[]), None);
    }

    #[test]
    fn statefulset_pods_by_ordinal() {
        assert_eq!(inferred("postgres-0", &[]), some("StatefulSet", "postgres"));
        assert_eq!(
            inferred(
                "kafka-broker-12",
                &[("controller-revision-hash", "kafka-broker-6c9f7d8b5")]
            ),
            some("StatefulSet", "kafka-broker")
        );
        assert_eq!(
            inferred(
                "redis-3",
                &[("statefulset.kubernetes.io/pod-name", "redis-3")]
            ),
            some("StatefulSet", "redis")
        );
        assert_eq!(inferred("backup-007", &[]), None);
    }

    #[test]
    fn daemonset_pods_by_revision_hash_and_suffix() {
        assert_eq!(
            inferred(
                "fluent-bit-x7k2p",
                &[("controller-revision-hash", "6b8d9f7c5")]
            ),
            some("DaemonSet", "fluent-bit")
        );
        // Without the label a 5-char suffix says nothing.
        assert_eq!(inferred("fluent-bit-x7k2p", &[]), None);
    }

    #[test]
    fn job_and_cronjob_pods_by_label() {
        assert_eq!(
            inferred("migrate-db-x7k2p", &[("job-name", "migrate-db")]),
            some("Job", "migrate-db")
        );
        assert_eq!(
            inferred(
                "nightly-report-29341440-q8wlz",
                &[("batch.kubernetes.io/job-name", "nightly-report-29341440")]
            ),
            some("CronJob", "nightly-report")
        );
        assert_eq!(
            inferred("etl-1234-q8wlz", &[("job-name", "etl-1234")]),
            some("Job", "etl-1234")
        );
    }

    #[test]
    fn bare_pods_have_no_owner() {
        assert_eq!(inferred("debug", &[]), None);
        assert_eq!(inferred("-0", &[]), None);
        assert_eq!(inferred("", &[]), None);
    }
}
