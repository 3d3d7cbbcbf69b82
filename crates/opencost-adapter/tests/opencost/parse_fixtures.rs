//! The parser on real OpenCost responses (tests/fixtures/): names, properties, windows and
//! numbers exactly as the files have them.

use crate::support::{at, dec, namespace_query};
use kcost_domain::opencost::{Allocation, AllocationSet};
use kcost_opencost_adapter::parse_allocation_response;
use rust_decimal::Decimal;

const TWO_DAYS: &[u8] = include_bytes!("../fixtures/allocation-namespace-2d.json");
const SEVEN_DAYS: &[u8] = include_bytes!("../fixtures/allocation-namespace-7d.json");

fn only_set(body: &[u8], start: &str, end: &str) -> AllocationSet {
    let sets = parse_allocation_response(body, &namespace_query(start, end, 0)).unwrap();
    assert_eq!(sets.len(), 1, "both fixtures are single-step responses");
    sets.into_iter().next().unwrap()
}

fn named<'a>(set: &'a AllocationSet, name: &str) -> &'a Allocation {
    set.allocations.iter().find(|a| a.name == name).unwrap()
}

fn two_days() -> AllocationSet {
    only_set(TWO_DAYS, "2023-01-18T11:38:45Z", "2023-01-20T11:38:45Z")
}

fn seven_days() -> AllocationSet {
    only_set(SEVEN_DAYS, "2023-07-12T11:02:46Z", "2023-07-19T11:02:46Z")
}

#[test]
fn two_day_fixture_has_three_namespaces_in_one_step() {
    let set = two_days();
    assert_eq!(set.start, at("2023-01-18T11:38:45Z"));
    assert_eq!(set.end, at("2023-01-20T11:38:45Z"));
    let names: Vec<_> = set.allocations.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["kube-system", "opencost", "prometheus"]);
    assert!(
        set.allocations
            .iter()
            .all(|a| !a.is_idle() && !a.is_unallocated())
    );
}

#[test]
fn two_day_fixture_kube_system_numbers_are_exact() {
    let set = two_days();
    let kube_system = named(&set, "kube-system");
    assert_eq!(
        kube_system.properties.cluster.as_deref(),
        Some("cluster-one")
    );
    assert_eq!(
        kube_system.properties.namespace.as_deref(),
        Some("kube-system")
    );
    assert_eq!(kube_system.properties.pod, None);
    assert_eq!(kube_system.start, at("2023-01-18T11:38:45Z"));
    assert_eq!(kube_system.end, at("2023-01-20T11:38:00Z"));
    assert_eq!(kube_system.minutes, dec("2879.235705"));
    assert_eq!(kube_system.cpu_core_request_average, dec("0.449881"));
    assert_eq!(kube_system.cpu_core_usage_average, dec("0.009417"));
    assert_eq!(kube_system.cpu_core_hours, dec("21.588536"));
    assert_eq!(
        kube_system.ram_byte_request_average,
        dec("146761671.651553")
    );
    assert_eq!(kube_system.ram_byte_usage_average, dec("125495250.508328"));
    // Exact digits, not a float's neighbour: the text is converted, not the f64.
    assert_eq!(kube_system.ram_byte_hours.to_string(), "7042690751.326794");
    assert_eq!(kube_system.cpu_cost, dec("0.408822"));
    assert_eq!(kube_system.ram_cost, dec("0.016647"));
    assert_eq!(kube_system.total_cost, dec("0.425469"));
    assert_eq!(
        kube_system.total_cost,
        kube_system.cpu_cost + kube_system.ram_cost
    );
    assert_eq!(kube_system.pv_cost, Decimal::ZERO);
    assert_eq!(kube_system.network_cost, Decimal::ZERO);
}

#[test]
fn two_day_fixture_opencost_keeps_workload_properties() {
    let set = two_days();
    let opencost = named(&set, "opencost");
    let properties = &opencost.properties;
    assert_eq!(
        properties.node.as_deref(),
        Some("ip-192-168-20-42.ap-southeast-2.compute.internal")
    );
    assert_eq!(properties.controller.as_deref(), Some("opencost"));
    assert_eq!(properties.controller_kind.as_deref(), Some("deployment"));
    assert_eq!(properties.pod.as_deref(), Some("opencost-75dc7dcc49-xdx5t"));
    assert_eq!(
        properties.provider_id.as_deref(),
        Some("i-064548f89b9d35c11")
    );
    assert_eq!(opencost.total_cost, dec("0.030644"));
    assert_eq!(opencost.ram_byte_hours, dec("5277197583.375299"));
}

#[test]
fn two_day_fixture_unrequested_prometheus_costs_nothing() {
    let set = two_days();
    let prometheus = named(&set, "prometheus");
    assert_eq!(prometheus.cpu_core_request_average, Decimal::ZERO);
    assert_eq!(prometheus.cpu_core_usage_average, dec("0.007793"));
    assert_eq!(prometheus.ram_byte_usage_average, dec("287770105.329488"));
    assert_eq!(prometheus.total_cost, Decimal::ZERO);
}

#[test]
fn seven_day_fixture_windows_and_totals() {
    let set = seven_days();
    assert_eq!(set.start, at("2023-07-12T11:02:46Z"));
    assert_eq!(set.end, at("2023-07-19T11:02:46Z"));
    let names: Vec<_> = set.allocations.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["kube-system", "opencost", "prometheus"]);
    let total: Decimal = set.allocations.iter().map(|a| a.total_cost).sum();
    assert_eq!(total, dec("1.77816"));
    for allocation in &set.allocations {
        assert_eq!(
            allocation.properties.cluster.as_deref(),
            Some("default-cluster")
        );
        assert_eq!(allocation.end, at("2023-07-19T11:02:00Z"));
        assert_eq!(allocation.minutes, dec("10079.22199"));
    }
}

#[test]
fn seven_day_fixture_kube_system_numbers_are_exact() {
    let set = seven_days();
    let kube_system = named(&set, "kube-system");
    assert_eq!(kube_system.cpu_core_hours, dec("75.55915"));
    assert_eq!(kube_system.cpu_cost, dec("1.43086"));
    assert_eq!(kube_system.ram_cost, dec("0.09657"));
    assert_eq!(kube_system.total_cost, dec("1.52743"));
    assert_eq!(kube_system.ram_byte_request_average, dec("146732650.88941"));
    assert_eq!(kube_system.ram_byte_hours.to_string(), "40855853856.91022");
    // The fixture's networkCrossZoneCost, lbAllocations, namespaceLabels … are ignored.
    assert!(kube_system.properties.labels.is_empty());
}

#[test]
fn seven_day_fixture_total_is_opencosts_not_the_rounded_parts() {
    let set = seven_days();
    let opencost = named(&set, "opencost");
    assert_eq!(opencost.cpu_cost + opencost.ram_cost, dec("0.10936"));
    assert_eq!(opencost.total_cost, dec("0.10937"));
    assert_eq!(
        opencost.properties.provider_id.as_deref(),
        Some("i-123458f89b9d35c11")
    );
}

#[test]
fn step_window_comes_from_the_allocations_not_the_query() {
    // Asked hourly, OpenCost answered with one 7-day step: the set says what OpenCost did.
    let query = namespace_query("2023-07-12T11:02:46Z", "2023-07-19T11:02:46Z", 3600);
    let sets = parse_allocation_response(SEVEN_DAYS, &query).unwrap();
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0].end, at("2023-07-19T11:02:46Z"));
}
