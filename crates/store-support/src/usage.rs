//! Raw pod samples grouped into per-pod usage series (the recommender's input), and the
//! owner as its two stored columns.

use kcost_domain::cluster::ClusterName;
use kcost_domain::costs::{PodUsageSeries, UsagePoint};
use kcost_domain::pricing::ResourceRates;
use kcost_domain::snapshot::Owner;

/// One raw pod sample as a store reads it, before grouping into series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodUsageSample {
    pub cluster: ClusterName,
    pub namespace: String,
    pub pod: String,
    pub owner: Option<Owner>,
    pub rates: ResourceRates,
    pub point: UsagePoint,
}

/// The owner stored as two nullable columns: both, or none.
pub fn owner_from_columns(kind: Option<String>, name: Option<String>) -> Option<Owner> {
    match (kind, name) {
        (Some(kind), Some(name)) => Some(Owner { kind, name }),
        _ => None,
    }
}

/// One series per pod from samples ordered by cluster, namespace, pod and time: points
/// oldest first, owner and rates of the pod's latest sample.
pub fn group_usage_samples(
    samples: impl IntoIterator<Item = PodUsageSample>,
) -> Vec<PodUsageSeries> {
    let mut series: Vec<PodUsageSeries> = Vec::new();
    for sample in samples {
        match series.last_mut() {
            Some(last)
                if last.cluster == sample.cluster
                    && last.namespace == sample.namespace
                    && last.pod == sample.pod =>
            {
                // Samples are oldest first: the latest sample's owner and rates win.
                last.points.push(sample.point);
                last.owner = sample.owner;
                last.rates = sample.rates;
            }
            _ => series.push(PodUsageSeries {
                cluster: sample.cluster,
                namespace: sample.namespace,
                pod: sample.pod,
                owner: sample.owner,
                rates: sample.rates,
                points: vec![sample.point],
            }),
        }
    }
    series
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    use crate::test_values::{at, usage_sample as sample};

    #[test]
    fn samples_group_per_pod_with_the_latest_owner_and_rates() {
        let series = group_usage_samples([
            sample("a", 0, 1, None),
            sample("a", 10, 2, Some("a-deploy")),
            sample("b", 0, 3, Some("b-deploy")),
        ]);
        assert_eq!(series.len(), 2);
        let a = &series[0];
        assert_eq!(a.pod, "a");
        let times: Vec<_> = a.points.iter().map(|p| p.at).collect();
        assert_eq!(times, [at(9, 0), at(9, 10)]);
        assert_eq!(a.rates.cpu_core_hourly, Decimal::TWO);
        assert_eq!(a.owner.as_ref().map(|o| o.name.as_str()), Some("a-deploy"));
        assert_eq!((series[1].pod.as_str(), series[1].points.len()), ("b", 1));
    }

    #[test]
    fn an_owner_needs_both_columns() {
        assert_eq!(owner_from_columns(Some("Job".into()), None), None);
        assert_eq!(owner_from_columns(None, Some("x".into())), None);
        assert_eq!(
            owner_from_columns(Some("Job".into()), Some("x".into())),
            Some(Owner {
                kind: "Job".into(),
                name: "x".into()
            })
        );
    }
}
