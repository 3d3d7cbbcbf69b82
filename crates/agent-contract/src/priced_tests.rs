//! The reference agent's payloads through the whole domain path an ingest takes: decoded,
//! validated, priced from the built-in catalog, checked against the sample limits.

use chrono::{DateTime, Duration, TimeZone, Utc};
use kcost_domain::catalog::Catalog;
use kcost_domain::cost_engine::{DurationBasis, PricedSnapshot, SampleDuration, price_snapshot};
use kcost_domain::pricing::{PriceBook, PriceSource, ResourceRates};
use kcost_domain::sample_limits::check_amounts;
use kcost_domain::snapshot::SnapshotRules;
use rust_decimal::Decimal;

use crate::AgentPayload;
use crate::fixtures::SMALL;

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 9, 30, 0).unwrap()
}

fn priced(json: &str, duration: SampleDuration) -> PricedSnapshot {
    let snapshot = serde_json::from_str::<AgentPayload>(json)
        .unwrap()
        .into_draft()
        .validate(at() + Duration::hours(1), &SnapshotRules::default())
        .unwrap();
    let catalog = Catalog::builtin().unwrap();
    let book = PriceBook::new(&[], &catalog, ResourceRates::opencost_defaults());
    price_snapshot(snapshot, &book, duration)
}

const DAY: SampleDuration = SampleDuration {
    seconds: 86_400,
    basis: DurationBasis::Declared,
};

#[test]
fn the_reference_agents_snapshot_is_priced_from_the_catalog_and_conserved() {
    let priced = priced(
        SMALL,
        SampleDuration {
            seconds: 600,
            basis: DurationBasis::Default,
        },
    );
    assert!(
        priced
            .nodes()
            .iter()
            .all(|n| n.price.source == PriceSource::Catalog)
    );
    let totals = priced.totals();
    // (0.096 + 0.192 + 0.34 + 0.0416) $/h for 10 minutes.
    let hourly: Decimal = "0.6696".parse().unwrap();
    assert_eq!(totals.node_cost.amount(), hourly / Decimal::from(6));
    assert_eq!(totals.on_node_pod_cost + totals.idle, totals.node_cost);
}

#[test]
fn a_real_snapshot_is_within_the_limits() {
    assert_eq!(check_amounts(&priced(SMALL, DAY).totals()), Ok(()));
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
    let error = check_amounts(&priced(json, DAY).totals()).unwrap_err();
    assert_eq!(error.errors.len(), 1, "{error:?}");
    assert_eq!(error.errors[0].path, "pod_metrics");
    assert!(
        error.errors[0].message.contains("without a known node"),
        "{error:?}"
    );
}
