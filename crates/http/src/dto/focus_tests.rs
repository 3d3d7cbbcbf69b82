//! Tests of the FOCUS lines: the header, a workload's and an idle line's values, tags, and
//! billing periods across a year's end.

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use kcost_app::focus_export::BillingAccount;
use kcost_domain::allocation::allocation::{Allocation, AllocationCost};
use kcost_domain::allocation::sums::ResourceSeconds;
use kcost_domain::allocation::workloads::{IdleCost, Workload, WorkloadCost, WorkloadCosts};
use kcost_domain::money::{Currency, Money};
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_test_support::csv::records;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::{COLUMN_NAMES, file_name, header, month_start, push_day};

fn usd(text: &str) -> Money {
    Money::from_decimal(text.parse().unwrap())
}

fn account() -> BillingAccount {
    BillingAccount {
        tenant: TenantId::from_uuid(Uuid::from_u128(0x7e4a)),
        name: Some("acme".to_owned()),
        currency: Currency::USD,
    }
}

fn day() -> WorkloadCosts {
    let window = TimeWindow::new(
        Utc.with_ymd_and_hms(2026, 12, 31, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
    )
    .unwrap();
    let mut allocation = Allocation::empty("api", window.start(), window.end());
    allocation.properties.labels = BTreeMap::from([
        ("team".to_owned(), "shop, \"eu\"".to_owned()),
        ("kcost:cluster".to_owned(), "spoofed".to_owned()),
    ]);
    allocation.cost = AllocationCost {
        cpu: usd("1.2500000001"),
        ram: usd("0.25"),
        pv: usd("0.1"),
        ..AllocationCost::default()
    };
    allocation.resources = ResourceSeconds {
        cpu_alloc_mcs: Decimal::from(500 * 172_800),
        mem_alloc_bs: Decimal::from((1_i64 << 30) * 172_800),
        seconds: Decimal::from(172_800),
        ..ResourceSeconds::default()
    };
    WorkloadCosts {
        window,
        workloads: vec![WorkloadCost {
            cluster: "prod".to_owned(),
            namespace: "web".to_owned(),
            workload: Workload::Controller {
                kind: "deployment".to_owned(),
                name: "api".to_owned(),
            },
            allocation,
        }],
        idle: BTreeMap::from([(
            "prod".to_owned(),
            IdleCost {
                cpu: usd("2"),
                ram: usd("0.5"),
            },
        )]),
    }
}

/// The records of `text`, each field by its column's name.
fn lines(text: &str) -> Vec<BTreeMap<&'static str, String>> {
    records(text)
        .into_iter()
        .map(|fields| {
            assert_eq!(fields.len(), COLUMN_NAMES.len(), "{fields:?}");
            COLUMN_NAMES.iter().copied().zip(fields).collect()
        })
        .collect()
}

#[test]
fn the_header_holds_every_mandatory_column_focus_ones_in_alphabetical_order() {
    let header = header();
    assert!(header.starts_with("BilledCost,BillingAccountId,BillingAccountName,"));
    assert!(header.ends_with(",x_KubernetesNamespace\r\n"));
    let focus: Vec<&str> = COLUMN_NAMES
        .iter()
        .copied()
        .filter(|name| !name.starts_with("x_"))
        .collect();
    let mut sorted = focus.clone();
    sorted.sort_unstable();
    assert_eq!(focus, sorted);
    for mandatory in [
        "BilledCost",
        "BillingAccountId",
        "BillingAccountName",
        "BillingCurrency",
        "BillingPeriodEnd",
        "BillingPeriodStart",
        "ChargeCategory",
        "ChargeClass",
        "ChargeDescription",
        "ChargePeriodEnd",
        "ChargePeriodStart",
        "ContractedCost",
        "EffectiveCost",
        "InvoiceIssuerName",
        "ListCost",
        "PricingQuantity",
        "PricingUnit",
        "ProviderName",
        "PublisherName",
        "ServiceCategory",
        "ServiceName",
    ] {
        assert!(focus.contains(&mandatory), "{mandatory}");
    }
}

#[test]
fn a_workload_line_holds_its_exact_cost_and_labels() {
    let mut out = String::new();
    push_day(&mut out, &account(), &day());
    let lines = lines(&out);
    assert_eq!(lines.len(), 2, "the workload, then the cluster's idle");
    let line = &lines[0];
    let tenant = "00000000-0000-0000-0000-000000007e4a";
    for (column, value) in [
        ("BilledCost", "1.6000000001"),
        ("EffectiveCost", "1.6000000001"),
        ("ListCost", "1.6000000001"),
        ("ContractedCost", "1.6000000001"),
        ("BillingAccountId", tenant),
        ("BillingAccountName", "acme"),
        ("BillingCurrency", "USD"),
        ("BillingPeriodStart", "2026-12-01T00:00:00Z"),
        ("BillingPeriodEnd", "2027-01-01T00:00:00Z"),
        ("ChargePeriodStart", "2026-12-31T00:00:00Z"),
        ("ChargePeriodEnd", "2027-01-01T00:00:00Z"),
        ("ChargeCategory", "Usage"),
        ("ChargeClass", ""),
        ("ChargeDescription", "Deployment web/api on cluster prod"),
        ("ConsumedQuantity", "48"),
        ("PricingQuantity", "48"),
        ("PricingUnit", "Hours"),
        ("ResourceId", &format!("{tenant}/prod/web/deployment/api")),
        ("ResourceName", "api"),
        ("ResourceType", "Deployment"),
        ("SubAccountId", &format!("{tenant}/prod")),
        ("SubAccountName", "prod"),
        ("ServiceCategory", "Compute"),
        ("ProviderName", "kcost"),
        ("x_CpuCost", "1.2500000001"),
        ("x_MemoryCost", "0.25"),
        ("x_StorageCost", "0.1"),
        ("x_NetworkCost", "0"),
        ("x_CpuCoreHours", "24"),
        ("x_MemoryGiBHours", "48"),
        ("x_KubernetesNamespace", "web"),
    ] {
        assert_eq!(line[column], value, "{column}");
    }
    let tags: serde_json::Value = serde_json::from_str(&line["Tags"]).unwrap();
    assert_eq!(
        tags,
        serde_json::json!({
            "team": "shop, \"eu\"",
            "kcost:cluster": "prod",
            "kcost:namespace": "web",
            "kcost:kind": "Deployment",
            "kcost:name": "api",
        }),
        "kcost's own tags win over a label spelled like them"
    );
}

#[test]
fn an_idle_line_is_the_clusters() {
    let mut out = String::new();
    push_day(&mut out, &account(), &day());
    let line = &lines(&out)[1];
    for (column, value) in [
        ("BilledCost", "2.5"),
        ("ResourceId", "00000000-0000-0000-0000-000000007e4a/prod"),
        ("ResourceType", "Cluster"),
        ("ConsumedQuantity", "24"),
        ("x_CpuCost", "2"),
        ("x_MemoryCost", "0.5"),
        ("x_StorageCost", "0"),
        ("x_CpuCoreHours", ""),
        ("x_KubernetesNamespace", ""),
    ] {
        assert_eq!(line[column], value, "{column}");
    }
    assert!(line["ChargeDescription"].starts_with("Idle capacity of cluster prod"));
    let tags: serde_json::Value = serde_json::from_str(&line["Tags"]).unwrap();
    assert_eq!(
        tags,
        serde_json::json!({"kcost:cluster": "prod", "kcost:idle": true})
    );
}

#[test]
fn billing_periods_are_calendar_months_and_files_are_named_by_window() {
    let t = Utc.with_ymd_and_hms(2026, 12, 15, 13, 0, 0).unwrap();
    assert_eq!(
        month_start(t, 0),
        Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
    );
    assert_eq!(
        month_start(t, 1),
        Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap()
    );
    assert_eq!(
        file_name(&day().window),
        "kcost-focus-20261231T000000Z-20270101T000000Z.csv"
    );
}
