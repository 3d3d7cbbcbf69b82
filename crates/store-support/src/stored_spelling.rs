//! How sample enums are spelled in the stores' TEXT columns, the same in both.

use kcost_domain::cost_engine::{DurationBasis, Placement};

/// How a pod's placement is stored (`pod_samples.placement`).
pub fn stored_placement(placement: Placement) -> &'static str {
    match placement {
        Placement::OnNode => "on_node",
        Placement::Pending => "pending",
        Placement::UnknownNode => "unknown_node",
    }
}

/// How a sample's duration basis is stored (`snapshots.duration_basis`).
pub fn stored_duration_basis(basis: DurationBasis) -> &'static str {
    match basis {
        DurationBasis::Declared => "declared",
        DurationBasis::GapToPrevious => "gap_to_previous",
        DurationBasis::Default => "default",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_enums_keep_their_stored_spelling() {
        assert_eq!(stored_placement(Placement::OnNode), "on_node");
        assert_eq!(stored_placement(Placement::Pending), "pending");
        assert_eq!(stored_placement(Placement::UnknownNode), "unknown_node");
        assert_eq!(stored_duration_basis(DurationBasis::Declared), "declared");
        assert_eq!(
            stored_duration_basis(DurationBasis::GapToPrevious),
            "gap_to_previous"
        );
        assert_eq!(stored_duration_basis(DurationBasis::Default), "default");
    }
}
