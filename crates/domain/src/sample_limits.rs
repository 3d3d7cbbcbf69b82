//! The largest amounts one snapshot may carry. Money is kept exactly at 10 decimal places —
//! in SQLite as a 64-bit count of 10⁻¹⁰ units, so at most about 9.2 × 10⁸ per figure — and
//! every stored figure of a snapshot (a pod's, a node's, idle, overcommit) is part of one
//! of its totals. Totals beyond a hundred million per sample come from implausible inputs
//! (a pod requesting a million cores on a two-core node priced at the maximum), so such a
//! snapshot is refused as invalid, naming the part, instead of failing in the store.

use rust_decimal::Decimal;

use crate::cost_engine::CostTotals;
use crate::money::Money;
use crate::snapshot::{FieldError, InvalidSnapshot};

/// The most any one total of a snapshot may come to, in the tenant's currency.
pub const MAX_SNAPSHOT_AMOUNT: Decimal = Decimal::from_parts(100_000_000, 0, 0, false, 0);

/// Every one of a priced snapshot's `totals` within [`MAX_SNAPSHOT_AMOUNT`], or the ones
/// beyond it.
pub fn check_amounts(totals: &CostTotals) -> Result<(), InvalidSnapshot> {
    let parts: [(&str, &str, Money); 6] = [
        ("node_metrics", "node cost", totals.node_cost),
        ("node_metrics", "idle cost", totals.idle),
        (
            "pod_metrics",
            "cost of pods on nodes",
            totals.on_node_pod_cost,
        ),
        (
            "pod_metrics",
            "cost of pods without a known node",
            totals.off_node_pod_cost,
        ),
        (
            "pod_metrics",
            "allocation beyond node capacity",
            totals.overcommit,
        ),
        ("pod_metrics", "direct cost", totals.direct.total()),
    ];
    let errors: Vec<FieldError> = parts
        .into_iter()
        .filter(|(_, _, amount)| amount.amount().abs() > MAX_SNAPSHOT_AMOUNT)
        .map(|(path, what, amount)| {
            FieldError::new(
                path,
                format!(
                    "the snapshot's {what} comes to {} for one sample, beyond the {} \
                     kcost accepts: check the requests, capacities and prices",
                    amount.amount().round_dp(2),
                    MAX_SNAPSHOT_AMOUNT
                ),
            )
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(InvalidSnapshot { errors })
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::agent_payload::AgentPayload;
    use crate::catalog::Catalog;
    use crate::cost_engine::{DurationBasis, PricedSnapshot, SampleDuration, price_snapshot};
    use crate::pricing::{PriceBook, ResourceRates};
    use crate::snapshot::SnapshotRules;

    fn priced(json: &str) -> PricedSnapshot {
        let now = Utc.with_ymd_and_hms(2026, 11, 20, 9, 30, 0).unwrap();
        let snapshot = serde_json::from_str::<AgentPayload>(json)
            .unwrap()
            .into_snapshot(now, &SnapshotRules::default())
            .unwrap();
        let catalog = Catalog::builtin().unwrap();
        let book = PriceBook::new(&[], &catalog, ResourceRates::opencost_defaults());
        let duration = SampleDuration {
            seconds: 86_400,
            basis: DurationBasis::Declared,
        };
        price_snapshot(snapshot, &book, duration)
    }

    #[test]
    fn a_real_snapshot_is_within_the_limits() {
        let small = include_str!("../tests/fixtures/agent/snapshot-small.json");
        assert_eq!(check_amounts(&priced(small).totals()), Ok(()));
    }

    #[test]
    fn a_pod_costing_beyond_the_limit_is_refused_naming_it() {
        // A million-core request on a node that does not exist, priced at the cluster
        // average of a tiny node at the highest price, for a day.
        let json = r#"{"cluster_name": "c", "timestamp": 1795165200,
            "pod_metrics": [{"pod_name": "p", "namespace": "n", "node_name": "gone",
                "cpu_request_millicores": 1099511627776}],
            "node_metrics": [{"NodeName": "tiny", "CPUCapacity": 1, "MemoryCapacity": 1,
                "hourly_cost_usd": 100000}]}"#;
        let error = check_amounts(&priced(json).totals()).unwrap_err();
        assert_eq!(error.errors.len(), 1, "{error:?}");
        assert_eq!(error.errors[0].path, "pod_metrics");
        assert!(
            error.errors[0].message.contains("without a known node"),
            "{error:?}"
        );
    }
}
