//! Raw container samples grouped into per-container usage series (the recommender's input
//! for pods with several containers). Grouped and ordered here, not by SQL, so that both
//! stores answer in the same order whatever their text collation.

use std::collections::BTreeMap;

use kcost_domain::costs::ContainerUsageSeries;

use crate::result_row::{ResultRow, usage_sample};
use crate::usage::{PodUsageSample, group_usage_samples};

/// The columns a container-series query selects besides the `USAGE_SAMPLE_COLUMNS` (which
/// then carry the container's figures and its pod sample's time, duration, owner and rates).
pub const CONTAINER_NAME_COLUMN: &str = "container";

/// One raw container sample: its name and the sample in the pod sample's shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerUsageSample {
    pub container: String,
    pub sample: PodUsageSample,
}

/// One raw container sample from the `USAGE_SAMPLE_COLUMNS` and [`CONTAINER_NAME_COLUMN`];
/// `None` when the sample's index names no container of its pod (never written by append).
pub fn container_usage_sample<R: ResultRow>(
    row: &R,
) -> Result<Option<ContainerUsageSample>, R::Error> {
    let Some(container) = row.text(CONTAINER_NAME_COLUMN)? else {
        return Ok(None);
    };
    Ok(Some(ContainerUsageSample {
        container,
        sample: usage_sample(row)?,
    }))
}

/// One series per (cluster, namespace, pod, container), in that order; points oldest
/// first; owner and rates of the pod's latest sample.
pub fn group_container_samples(
    samples: impl IntoIterator<Item = ContainerUsageSample>,
) -> Vec<ContainerUsageSeries> {
    type Key = (String, String, String, String);
    let mut by_container: BTreeMap<Key, Vec<PodUsageSample>> = BTreeMap::new();
    for ContainerUsageSample { container, sample } in samples {
        let key = (
            sample.cluster.as_str().to_owned(),
            sample.namespace.clone(),
            sample.pod.clone(),
            container,
        );
        by_container.entry(key).or_default().push(sample);
    }
    by_container
        .into_iter()
        .flat_map(|((_, _, _, container), mut samples)| {
            samples.sort_by_key(|s| s.point.at);
            // One pod's samples: one series.
            group_usage_samples(samples)
                .into_iter()
                .map(move |usage| ContainerUsageSeries {
                    container: container.clone(),
                    usage,
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    use crate::test_values::{at, usage_sample};

    fn sample(pod: &str, container: &str, minute: u32, rate: i64) -> ContainerUsageSample {
        ContainerUsageSample {
            container: container.into(),
            sample: usage_sample(pod, minute, rate, None),
        }
    }

    #[test]
    fn samples_group_per_container_in_name_order_oldest_first_with_the_latest_rates() {
        let series = group_container_samples([
            sample("a", "web", 10, 2),
            sample("a", "Sidecar", 0, 1),
            sample("a", "web", 0, 1),
            sample("B", "web", 0, 3),
        ]);
        let keys: Vec<_> = series
            .iter()
            .map(|s| (s.usage.pod.as_str(), s.container.as_str()))
            .collect();
        // Rust's byte order: upper case first, whatever a database's collation says.
        assert_eq!(keys, [("B", "web"), ("a", "Sidecar"), ("a", "web")]);
        let web = &series[2];
        let times: Vec<_> = web.usage.points.iter().map(|p| p.at).collect();
        assert_eq!(times, [at(9, 0), at(9, 10)]);
        assert_eq!(web.usage.rates.cpu_core_hourly, Decimal::TWO);
    }
}
