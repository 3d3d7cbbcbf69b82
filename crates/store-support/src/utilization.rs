//! Utilization from a pod's sums over a window: time-weighted averages of usage and
//! requests, beside the maxima, cost and sample count the store read with them.

use rust_decimal::Decimal;

use kcost_domain::cluster::ClusterName;
use kcost_domain::costs::PodUtilization;
use kcost_domain::money::Money;

/// Decimal places of utilization averages (thousandths of a millicore or byte).
pub const AVERAGE_SCALE: u32 = 3;

/// One pod's sums over a window, as a store reads them from rollups and edge samples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UtilizationSums {
    pub cluster: ClusterName,
    pub namespace: String,
    pub pod: String,
    pub cost: Money,
    pub cpu_usage_mcs: Decimal,
    pub cpu_request_mcs: Decimal,
    pub mem_usage_bs: Decimal,
    pub mem_request_bs: Decimal,
    pub max_cpu_usage_millicores: u64,
    pub max_memory_usage_bytes: u64,
    pub samples: u64,
    pub seconds: u64,
}

impl UtilizationSums {
    /// Time-weighted averages (resource-seconds over seconds, rounded to
    /// [`AVERAGE_SCALE`] places; zero without seconds), with the maxima, cost and count.
    pub fn into_utilization(self) -> PodUtilization {
        let seconds = Decimal::from(self.seconds);
        let average = |total: Decimal| {
            if seconds.is_zero() {
                Decimal::ZERO
            } else {
                (total / seconds).round_dp(AVERAGE_SCALE)
            }
        };
        PodUtilization {
            cluster: self.cluster,
            namespace: self.namespace,
            pod: self.pod,
            avg_cpu_usage_millicores: average(self.cpu_usage_mcs),
            avg_cpu_request_millicores: average(self.cpu_request_mcs),
            max_cpu_usage_millicores: self.max_cpu_usage_millicores,
            avg_memory_usage_bytes: average(self.mem_usage_bs),
            avg_memory_request_bytes: average(self.mem_request_bs),
            max_memory_usage_bytes: self.max_memory_usage_bytes,
            cost: self.cost,
            samples: self.samples,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_values::{cluster, money};
    use kcost_domain::quantity::BYTES_PER_GIB;

    fn sums(seconds: u64) -> UtilizationSums {
        UtilizationSums {
            cluster: cluster("prod"),
            namespace: "web".into(),
            pod: "api".into(),
            cost: money(7),
            // 100 m for 600 s and 400 m for 1200 s; 1 GiB then 3 GiB.
            cpu_usage_mcs: Decimal::from(100 * 600 + 400 * 1200),
            cpu_request_mcs: Decimal::from(200 * 1800),
            mem_usage_bs: Decimal::from(BYTES_PER_GIB * 600 + 3 * BYTES_PER_GIB * 1200),
            mem_request_bs: Decimal::ZERO,
            max_cpu_usage_millicores: 400,
            max_memory_usage_bytes: 3 * BYTES_PER_GIB,
            samples: 2,
            seconds,
        }
    }

    #[test]
    fn utilization_averages_are_time_weighted_and_rounded() {
        let pod = sums(1800).into_utilization();
        assert_eq!(pod.avg_cpu_usage_millicores, Decimal::from(300));
        assert_eq!(pod.avg_cpu_request_millicores, Decimal::from(200));
        let seven_thirds_gib = (Decimal::from(7 * BYTES_PER_GIB) / Decimal::from(3)).round_dp(3);
        assert_eq!(pod.avg_memory_usage_bytes, seven_thirds_gib);
        assert_eq!(pod.avg_memory_request_bytes, Decimal::ZERO);
        assert_eq!(
            (pod.max_cpu_usage_millicores, pod.max_memory_usage_bytes),
            (400, 3 * BYTES_PER_GIB)
        );
        assert_eq!((pod.cost, pod.samples), (money(7), 2));
    }

    #[test]
    fn utilization_without_seconds_averages_zero() {
        let pod = sums(0).into_utilization();
        assert_eq!(pod.avg_cpu_usage_millicores, Decimal::ZERO);
        assert_eq!(pod.avg_memory_usage_bytes, Decimal::ZERO);
    }
}
