//! Property tests over hostile ingest input: arbitrary bytes and payloads with extreme
//! values through the whole path an ingest takes — JSON decoding, validation, pricing.
//! Nothing may panic (a panic is a 500, and an agent retries a 5xx forever): every input
//! is either a snapshot that prices or a list of field errors. Bounded (a fixed number of cases per
//! run, as `PROPTEST_CASES` says); failures proptest finds are kept in
//! `proptest-regressions/` and replayed first on every later run.

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;

use kcost_domain::catalog::Catalog;
use kcost_domain::cost_engine::{DurationBasis, SampleDuration, price_snapshot};
use kcost_domain::pricing::{PriceBook, PriceOverride, ResourceRates};
use kcost_domain::snapshot::SnapshotRules;

use crate::AgentPayload;

/// The built-in catalog, parsed once rather than for every input.
static CATALOG: std::sync::LazyLock<Catalog> =
    std::sync::LazyLock::new(|| Catalog::builtin().unwrap());

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 9, 30, 0).unwrap()
}

/// Parses, validates and prices `body` as an ingest would; panics only on a bug.
fn ingest(body: &[u8], seconds: u32) {
    let Ok(payload) = serde_json::from_slice::<AgentPayload>(body) else {
        return;
    };
    let rules = SnapshotRules {
        retention_days: 400,
        ..SnapshotRules::default()
    };
    let Ok(snapshot) = payload.into_draft().validate(now(), &rules) else {
        return;
    };
    let overrides = [PriceOverride::new("m5.large", Decimal::new(99_999, 0)).unwrap()];
    let book = PriceBook::new(&overrides, &CATALOG, ResourceRates::opencost_defaults());
    let duration = SampleDuration {
        seconds,
        basis: DurationBasis::Declared,
    };
    let priced = price_snapshot(snapshot, &book, duration);
    let _ = priced.totals();
}

/// Figures from the edges of what JSON integers can say.
fn figure() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(i64::MAX),
        Just(i64::MIN),
        Just(0),
        Just(1 << 40),
        Just((1 << 46) + 1),
        any::<i64>(),
        0_i64..1_000_000,
    ]
}

/// Names: plain, empty, huge, or with control characters and non-ASCII.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9-]{1,20}",
        Just(String::new()),
        Just("x".repeat(300)),
        "\\PC{0,40}",
        Just("web\u{0}1".to_owned()),
    ]
}

fn price() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("79228162514264337593543950335".to_owned()),
        Just("1e300".to_owned()),
        Just("-1".to_owned()),
        Just("0.00000000001".to_owned()),
        (0_u32..1_000_000).prop_map(|p| format!("{p}.5")),
    ]
}

/// A payload in the agent's shape with hostile values.
fn hostile_payload() -> impl Strategy<Value = String> {
    (
        name(),
        prop::collection::vec((name(), name(), name(), figure(), figure(), figure()), 0..4),
        prop::collection::vec((name(), name(), figure(), figure(), price()), 0..3),
        prop_oneof![Just(1_795_165_200_i64), any::<i64>()],
    )
        .prop_map(|(cluster, pods, nodes, timestamp)| {
            let pods: Vec<String> = pods
                .into_iter()
                .map(|(pod, namespace, node, cpu, memory, limit)| {
                    serde_json::json!({
                        "pod_name": pod, "namespace": namespace, "node_name": node,
                        "cpu_usage_millicores": cpu, "memory_usage_bytes": memory,
                        "cpu_request_millicores": cpu, "memory_request_bytes": memory,
                        "cpu_limit_millicores": limit, "labels": {"app": "web"},
                        "containers": [{"container_name": "c", "cpu_usage_millicores": cpu,
                                        "restart_count": limit}]
                    })
                    .to_string()
                })
                .collect();
            let nodes: Vec<String> = nodes
                .into_iter()
                .map(|(node, instance_type, cpu, memory, price)| {
                    format!(
                        r#"{{"NodeName":{},"InstanceType":{},"CPUCapacity":{cpu},"MemoryCapacity":{memory},"hourly_cost_usd":{price}}}"#,
                        serde_json::Value::String(node),
                        serde_json::Value::String(instance_type),
                    )
                })
                .collect();
            format!(
                r#"{{"cluster_name":{},"timestamp":{timestamp},"pod_metrics":[{}],"node_metrics":[{}]}}"#,
                serde_json::Value::String(cluster),
                pods.join(","),
                nodes.join(",")
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
        ingest(&body, 600);
    }

    #[test]
    fn hostile_payloads_never_panic(body in hostile_payload(), seconds in 1_u32..=86_400) {
        ingest(body.as_bytes(), seconds);
    }
}
