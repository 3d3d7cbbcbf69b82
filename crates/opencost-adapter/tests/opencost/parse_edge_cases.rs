//! The parser on what the fixtures lack: several steps, empty and null steps, `__idle__`
//! and `__unallocated__` rows, nulls, adjustments, exponents and broken envelopes.

use crate::support::{at, dec, namespace_query};
use kcost_opencost_adapter::{MappingError, ResponseError, parse_allocation_response};
use rust_decimal::Decimal;

fn hourly_query() -> kcost_domain::opencost::AllocationQuery {
    namespace_query("2024-05-01T00:00:00Z", "2024-05-01T03:00:00Z", 3600)
}

fn window(hour: u32) -> String {
    format!(
        r#"{{"start":"2024-05-01T0{hour}:00:00Z","end":"2024-05-01T0{}:00:00Z"}}"#,
        hour + 1
    )
}

fn parse(body: &str) -> Result<Vec<kcost_domain::opencost::AllocationSet>, ResponseError> {
    parse_allocation_response(body.as_bytes(), &hourly_query())
}

#[test]
fn hourly_steps_with_idle_unallocated_empty_and_null_steps() {
    let body = format!(
        r#"{{"code":200,"status":"success","data":[
            {{"team-a":{{"name":"team-a","window":{w0},"totalCost":0.5}},
              "__idle__":{{"name":"__idle__","window":{w0},"cpuCost":0.2,"totalCost":0.2}}}},
            {{}},
            {{"kube-system/__unallocated__":{{"window":{w2},"totalCost":0.01}}}}
        ]}}"#,
        w0 = window(0),
        w2 = window(2)
    );
    let sets = parse(&body).unwrap();
    assert_eq!(sets.len(), 3);
    assert_eq!(
        (sets[0].start, sets[0].end),
        (at("2024-05-01T00:00:00Z"), at("2024-05-01T01:00:00Z"))
    );
    // The empty step has no allocation to say its window: it is the query's second hour.
    assert_eq!(
        (sets[1].start, sets[1].end),
        (at("2024-05-01T01:00:00Z"), at("2024-05-01T02:00:00Z"))
    );
    assert!(sets[1].allocations.is_empty());
    assert_eq!(sets[2].start, at("2024-05-01T02:00:00Z"));

    let names: Vec<_> = sets[0]
        .allocations
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, ["__idle__", "team-a"]);
    assert!(sets[0].allocations[0].is_idle());
    assert_eq!(sets[0].allocations[0].cpu_cost, dec("0.2"));
    assert!(sets[2].allocations[0].is_unallocated());
    // Without start/end of its own, an allocation spans its step.
    assert_eq!(sets[2].allocations[0].start, at("2024-05-01T02:00:00Z"));
    assert_eq!(sets[2].allocations[0].end, at("2024-05-01T03:00:00Z"));
}

#[test]
fn null_steps_and_null_allocations_are_empty() {
    let sets = parse(r#"{"code":200,"data":[null,{"gone":null}]}"#).unwrap();
    assert_eq!(sets.len(), 2);
    assert!(sets.iter().all(|set| set.allocations.is_empty()));
    assert_eq!(sets[1].start, at("2024-05-01T01:00:00Z"));
}

#[test]
fn last_step_is_clipped_to_the_query_end() {
    let query = namespace_query("2024-05-01T00:00:00Z", "2024-05-01T01:30:00Z", 3600);
    let sets = parse_allocation_response(br#"{"data":[{},{}]}"#, &query).unwrap();
    assert_eq!(sets[1].start, at("2024-05-01T01:00:00Z"));
    assert_eq!(sets[1].end, at("2024-05-01T01:30:00Z"));
}

#[test]
fn sets_come_oldest_first_whatever_the_response_order() {
    let body = format!(
        r#"{{"data":[{{"a":{{"window":{}}}}},{{"a":{{"window":{}}}}}]}}"#,
        window(1),
        window(0)
    );
    let sets = parse(&body).unwrap();
    assert_eq!(sets[0].start, at("2024-05-01T00:00:00Z"));
    assert_eq!(sets[1].start, at("2024-05-01T01:00:00Z"));
}

#[test]
fn nulls_and_missing_numbers_are_zero_and_unknown_fields_ignored() {
    let body = format!(
        r#"{{"code":200,"status":"success","data":[{{"team-a":{{
            "window":{w},"properties":null,
            "cpuCoreRequestAverage":null,"cpuCoreUsageAverage":"NaN","ramCost":null,
            "cpuCost":0.1,"gpuAllocation":{{"gpuDevice":"x"}},"pvs":{{"c:pv":{{"cost":1}}}},
            "someFutureField":[1,2,{{"deep":true}}]
        }}}}],"warning":"ignored too"}}"#,
        w = window(0)
    );
    let sets = parse(&body).unwrap();
    let allocation = &sets[0].allocations[0];
    assert_eq!(allocation.cpu_core_request_average, Decimal::ZERO);
    assert_eq!(allocation.cpu_core_usage_average, Decimal::ZERO);
    assert_eq!(allocation.ram_cost, Decimal::ZERO);
    assert_eq!(allocation.minutes, Decimal::ZERO);
    assert_eq!(allocation.properties, Default::default());
    // No totalCost: the sum of the parts stands in.
    assert_eq!(allocation.total_cost, dec("0.1"));
}

#[test]
fn adjustments_are_folded_into_their_costs() {
    let body = format!(
        r#"{{"data":[{{"team-a":{{"window":{w},
            "cpuCost":1.0,"cpuCostAdjustment":-0.25,"ramCost":0.5,"ramCostAdjustment":0.1,
            "gpuCost":2,"gpuCostAdjustment":1,"pvCost":0.3,"pvCostAdjustment":0.2,
            "networkCost":0.05,"networkCostAdjustment":0.05,
            "loadBalancerCost":0.4,"loadBalancerCostAdjustment":-0.4,
            "sharedCost":0.7,"externalCost":0.03
        }}}}]}}"#,
        w = window(0)
    );
    let allocation = &parse(&body).unwrap()[0].allocations[0];
    assert_eq!(allocation.cpu_cost, dec("0.75"));
    assert_eq!(allocation.ram_cost, dec("0.6"));
    assert_eq!(allocation.gpu_cost, dec("3"));
    assert_eq!(allocation.pv_cost, dec("0.5"));
    assert_eq!(allocation.network_cost, dec("0.10"));
    assert_eq!(allocation.load_balancer_cost, Decimal::ZERO);
    assert_eq!(allocation.shared_cost, dec("0.7"));
    assert_eq!(allocation.external_cost, dec("0.03"));
    assert_eq!(allocation.total_cost, dec("5.68"));
}

#[test]
fn go_exponent_numbers_and_labels_are_read() {
    let body = format!(
        r#"{{"data":[{{"web":{{"window":{w},"cpuCost":1e-07,"ramByteHours":1.5e+21,
            "cpuCoreLimitAverage":2,"ramByteLimitAverage":536870912,
            "properties":{{"namespace":"shop","container":"nginx","labels":{{"app":"web"}}}}
        }}}}]}}"#,
        w = window(0)
    );
    let allocation = &parse(&body).unwrap()[0].allocations[0];
    assert_eq!(allocation.cpu_cost, dec("0.0000001"));
    assert_eq!(allocation.ram_byte_hours, dec("1500000000000000000000"));
    assert_eq!(allocation.cpu_core_limit_average, dec("2"));
    assert_eq!(allocation.ram_byte_limit_average, dec("536870912"));
    assert_eq!(allocation.properties.container.as_deref(), Some("nginx"));
    assert_eq!(
        allocation.properties.labels.get("app").map(String::as_str),
        Some("web")
    );
}

#[test]
fn null_data_is_no_steps() {
    assert!(
        parse(r#"{"code":200,"status":"success","data":null}"#)
            .unwrap()
            .is_empty()
    );
    assert!(
        parse(r#"{"code":200,"status":"success","data":[]}"#)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn error_envelope_in_a_200_is_a_failure() {
    let error = parse(r#"{"code":500,"status":"error","message":"prometheus down"}"#).unwrap_err();
    assert!(
        matches!(&error, ResponseError::Failed { code: Some(500), message } if message == "prometheus down"),
        "{error:?}"
    );
    let error = parse(r#"{"status":"error","data":[]}"#).unwrap_err();
    assert!(matches!(error, ResponseError::Failed { code: None, .. }));
}

#[test]
fn json_without_data_is_not_an_allocation_response() {
    assert!(matches!(
        parse(r#"{"error":"not found"}"#),
        Err(ResponseError::MissingData)
    ));
}

#[test]
fn malformed_bodies_are_refused() {
    for body in [
        "",
        "<html>502 Bad Gateway</html>",
        r#"{"code":200,"data":[{"a":{"cpuCost":0.1"#,
        r#"{"code":200,"data":{"a":{}}}"#,
        r#"{"code":200,"data":[{"a":{"cpuCost":"cheap"}}]}"#,
        r#"{"code":200,"data":[{"a":{"totalCost":true}}]}"#,
        r#"[1,2,3]"#,
    ] {
        assert!(
            matches!(parse(body), Err(ResponseError::Json(_))),
            "accepted {body:?}"
        );
    }
}

#[test]
fn invalid_timestamps_are_refused() {
    let body = r#"{"data":[{"a":{"window":{"start":"yesterday","end":"2024-05-01T01:00:00Z"}}}]}"#;
    let error = parse(body).unwrap_err();
    assert!(
        matches!(
            &error,
            ResponseError::Mapping(MappingError::InvalidTimestamp { key, field: "window.start", .. }) if key == "a"
        ),
        "{error:?}"
    );
}
