//! `GET /v1/export/focus`: its query parameters, and its answer's lines as FOCUS 1.2 (the
//! FinOps Open Cost and Usage Specification) columns, written as CSV.
//!
//! Every line is a charge of one UTC day (or the window's part of it): a workload's cost
//! (pods merged into their controller, or an unowned pod), or a cluster's idle cost. The
//! column table, [`COLUMNS`], is the one place that names the columns, their order and
//! what each holds; docs/finops.md ("FOCUS export") explains each choice. In short: kcost
//! is the provider, publisher and invoice issuer of an internal Kubernetes platform's
//! charges (FOCUS's "internal infrastructure" origin); the tenant is the billing account
//! and each cluster a sub account; every cost column holds the same exact amount (kcost
//! prices at the tenant's own rates, with no list price or discount apart from them).

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use kcost_app::focus_export::BillingAccount;
use kcost_domain::allocation::workloads::{IdleCost, WorkloadCost, WorkloadCosts};
use kcost_domain::money::Money;
use kcost_domain::window::TimeWindow;
use rust_decimal::Decimal;
use serde::Deserialize;
use utoipa::IntoParams;

use super::csv::push_record;
use super::query::{WindowBound, WindowExpr};

/// The window of an export.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FocusExportParams {
    /// Window start, RFC3339 (e.g. `2026-11-01T00:00:00Z`). Without `end_time`: until now.
    #[param(value_type = Option<WindowBound>)]
    pub start_time: Option<String>,
    /// Window end, RFC3339 (exclusive). Needs `start_time`.
    #[param(value_type = Option<WindowBound>)]
    pub end_time: Option<String>,
    /// Instead of start/end: `24h`, `7d`, `today`, `yesterday`, `week`, `lastweek`,
    /// `month`, `lastmonth`, or `start,end`. Default: the last 24 hours.
    #[param(value_type = Option<WindowExpr>)]
    pub window: Option<String>,
}

/// The provider, publisher and invoice issuer of every charge.
pub const ISSUER: &str = "kcost";
/// Prefix of the tags kcost adds to a workload's labels. Kubernetes label keys cannot
/// hold a colon, so no label can take it (FOCUS reserves provider prefixes).
pub const TAG_PREFIX: &str = "kcost:";
/// Decimal places of quantities (hours); money is never rounded.
const QUANTITY_PLACES: u32 = 6;
const BYTES_PER_GIB: i64 = 1 << 30;

/// What a line charges for.
#[derive(Debug, Clone, Copy)]
enum Charged<'a> {
    Workload(&'a WorkloadCost),
    Idle(&'a IdleCost),
}

/// One line: a charge of one cluster over one day.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    account: &'a BillingAccount,
    period: &'a TimeWindow,
    cluster: &'a str,
    charged: Charged<'a>,
}

/// A column: its FOCUS (or custom `x_`) name, and its value on a line (`None`: null).
type Column = (&'static str, fn(&Line<'_>) -> Option<String>);

/// Every column, in the order written: FOCUS's in alphabetical order, then kcost's own.
pub const COLUMN_NAMES: [&str; COLUMNS.len()] = {
    let mut names = [""; COLUMNS.len()];
    let mut i = 0;
    while i < COLUMNS.len() {
        names[i] = COLUMNS[i].0;
        i += 1;
    }
    names
};

const COLUMNS: [Column; 39] = [
    ("BilledCost", |l| Some(money(l.total()))),
    ("BillingAccountId", |l| Some(l.account.tenant.to_string())),
    ("BillingAccountName", |l| l.account.name.clone()),
    ("BillingCurrency", |l| {
        Some(l.account.currency.as_str().to_owned())
    }),
    ("BillingPeriodEnd", |l| {
        Some(time(month_start(l.period.start(), 1)))
    }),
    ("BillingPeriodStart", |l| {
        Some(time(month_start(l.period.start(), 0)))
    }),
    ("ChargeCategory", |_| Some("Usage".to_owned())),
    ("ChargeClass", |_| None),
    ("ChargeDescription", |l| Some(l.description())),
    ("ChargeFrequency", |_| Some("Usage-Based".to_owned())),
    ("ChargePeriodEnd", |l| Some(time(l.period.end()))),
    ("ChargePeriodStart", |l| Some(time(l.period.start()))),
    ("ConsumedQuantity", |l| Some(quantity(l.hours()))),
    ("ConsumedUnit", |_| Some("Hours".to_owned())),
    ("ContractedCost", |l| Some(money(l.total()))),
    ("EffectiveCost", |l| Some(money(l.total()))),
    ("InvoiceIssuerName", |_| Some(ISSUER.to_owned())),
    ("ListCost", |l| Some(money(l.total()))),
    ("PricingQuantity", |l| Some(quantity(l.hours()))),
    ("PricingUnit", |_| Some("Hours".to_owned())),
    ("ProviderName", |_| Some(ISSUER.to_owned())),
    ("PublisherName", |_| Some(ISSUER.to_owned())),
    ("ResourceId", |l| Some(l.resource_id())),
    ("ResourceName", |l| {
        Some(match l.charged {
            Charged::Workload(w) => w.workload.name().to_owned(),
            Charged::Idle(_) => l.cluster.to_owned(),
        })
    }),
    ("ResourceType", |l| {
        Some(match l.charged {
            Charged::Workload(w) => w.workload.kind_display(),
            Charged::Idle(_) => "Cluster".to_owned(),
        })
    }),
    ("ServiceCategory", |_| Some("Compute".to_owned())),
    ("ServiceName", |_| Some("Kubernetes".to_owned())),
    ("ServiceSubcategory", |_| Some("Containers".to_owned())),
    ("SubAccountId", |l| Some(l.sub_account_id())),
    ("SubAccountName", |l| Some(l.cluster.to_owned())),
    ("Tags", |l| Some(l.tags())),
    ("x_CpuCost", |l| {
        Some(money(match l.charged {
            Charged::Workload(w) => w.allocation.cost.cpu,
            Charged::Idle(idle) => idle.cpu,
        }))
    }),
    ("x_MemoryCost", |l| {
        Some(money(match l.charged {
            Charged::Workload(w) => w.allocation.cost.ram,
            Charged::Idle(idle) => idle.ram,
        }))
    }),
    ("x_StorageCost", |l| l.direct(|w| w.allocation.cost.pv)),
    ("x_NetworkCost", |l| l.direct(|w| w.allocation.cost.network)),
    ("x_LoadBalancerCost", |l| {
        l.direct(|w| w.allocation.cost.load_balancer)
    }),
    ("x_CpuCoreHours", |l| match l.charged {
        Charged::Workload(w) => Some(quantity(w.allocation.cpu_core_hours())),
        Charged::Idle(_) => None,
    }),
    ("x_MemoryGiBHours", |l| match l.charged {
        Charged::Workload(w) => Some(quantity(
            w.allocation.ram_byte_hours() / Decimal::from(BYTES_PER_GIB),
        )),
        Charged::Idle(_) => None,
    }),
    ("x_KubernetesNamespace", |l| match l.charged {
        Charged::Workload(w) => Some(w.namespace.clone()),
        Charged::Idle(_) => None,
    }),
];

impl Line<'_> {
    fn total(&self) -> Money {
        match self.charged {
            Charged::Workload(w) => w.allocation.total_cost(),
            Charged::Idle(idle) => idle.total(),
        }
    }

    /// A workload's hours are its pods' (two pods all day: 48); idle's, the period's.
    fn hours(&self) -> Decimal {
        match self.charged {
            Charged::Workload(w) => w.pod_hours(),
            Charged::Idle(_) => {
                Decimal::from(self.period.duration().num_seconds()) / Decimal::from(3_600)
            }
        }
    }

    /// A cost only workloads have (priced by OpenCost for imported clusters): 0 on idle.
    fn direct(&self, cost: fn(&WorkloadCost) -> Money) -> Option<String> {
        Some(money(match self.charged {
            Charged::Workload(w) => cost(w),
            Charged::Idle(_) => Money::ZERO,
        }))
    }

    /// `<tenant>/<cluster>`: unique across every tenant of this kcost.
    fn sub_account_id(&self) -> String {
        format!("{}/{}", self.account.tenant, self.cluster)
    }

    /// The sub account's id, then (for a workload) `/<namespace>/<kind>/<name>` with the
    /// kind lower-case as `kubectl` writes it (`deployment`, `pod`).
    fn resource_id(&self) -> String {
        match self.charged {
            Charged::Workload(w) => format!(
                "{}/{}/{}/{}",
                self.sub_account_id(),
                w.namespace,
                w.workload.kind_display().to_ascii_lowercase(),
                w.workload.name()
            ),
            Charged::Idle(_) => self.sub_account_id(),
        }
    }

    fn description(&self) -> String {
        match self.charged {
            Charged::Workload(w) => format!(
                "{} {}/{} on cluster {}",
                w.workload.kind_display(),
                w.namespace,
                w.workload.name(),
                self.cluster
            ),
            Charged::Idle(_) => format!(
                "Idle capacity of cluster {}: node cost no pod was allocated",
                self.cluster
            ),
        }
    }

    /// The labels all of a workload's pods carry, as they are, and kcost's own tags.
    fn tags(&self) -> String {
        let mut tags = serde_json::Map::new();
        let mut own = |key: &str, value: serde_json::Value| {
            tags.insert(format!("{TAG_PREFIX}{key}"), value);
        };
        own("cluster", self.cluster.into());
        match self.charged {
            Charged::Workload(w) => {
                own("namespace", w.namespace.as_str().into());
                own("kind", w.workload.kind_display().into());
                own("name", w.workload.name().into());
                for (key, value) in &w.allocation.properties.labels {
                    tags.entry(key.clone())
                        .or_insert_with(|| value.as_str().into());
                }
            }
            Charged::Idle(_) => own("idle", true.into()),
        }
        serde_json::Value::Object(tags).to_string()
    }
}

/// The header record.
pub fn header() -> String {
    let mut out = String::new();
    push_record(&mut out, COLUMN_NAMES.iter().map(|name| Some(*name)));
    out
}

/// Appends one day's records to `out`: its workloads, then each cluster's idle.
pub fn push_day(out: &mut String, account: &BillingAccount, day: &WorkloadCosts) {
    let workloads = day.workloads.iter().map(|w| Line {
        account,
        period: &day.window,
        cluster: &w.cluster,
        charged: Charged::Workload(w),
    });
    let idle = day.idle.iter().map(|(cluster, idle)| Line {
        account,
        period: &day.window,
        cluster,
        charged: Charged::Idle(idle),
    });
    for line in workloads.chain(idle) {
        let values: Vec<Option<String>> = COLUMNS.iter().map(|(_, value)| value(&line)).collect();
        push_record(out, values.iter().map(Option::as_deref));
    }
}

/// The attachment's file name: `kcost-focus-<start>-<end>.csv` in compact UTC.
pub fn file_name(window: &TimeWindow) -> String {
    let compact = |t: DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    format!(
        "kcost-focus-{}-{}.csv",
        compact(window.start()),
        compact(window.end())
    )
}

/// Money as FOCUS's numeric format: the exact decimal, no exponent, no trailing zeros.
fn money(amount: Money) -> String {
    amount.amount().normalize().to_string()
}

fn quantity(amount: Decimal) -> String {
    amount.round_dp(QUANTITY_PLACES).normalize().to_string()
}

/// FOCUS's date/time format: `YYYY-MM-DDTHH:mm:ssZ`.
fn time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The first instant of the month `after` months from the one `t` is in (billing periods
/// are calendar months, UTC).
fn month_start(t: DateTime<Utc>, after: u32) -> DateTime<Utc> {
    let months = t.year() * 12 + t.month0() as i32 + after as i32;
    NaiveDate::from_ymd_opt(months.div_euclid(12), months.rem_euclid(12) as u32 + 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(t, |d| d.and_utc())
}

#[cfg(test)]
#[path = "focus_tests.rs"]
mod tests;
