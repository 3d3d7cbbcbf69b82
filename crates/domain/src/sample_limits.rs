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
