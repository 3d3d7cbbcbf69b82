//! OpenCost's allocation response as it arrives: `{code, status, message?, data: [ {<key>:
//! allocation} ]}`, one map per step. Everything is optional, unknown keys are ignored,
//! and numbers stay nullable here; [`crate::mapping`] decides what absence means.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::number::WireNumber;

/// The response envelope of `/allocation/compute` and `/allocation`.
#[derive(Debug, Deserialize)]
pub struct WireEnvelope {
    #[serde(default)]
    pub code: Option<u16>,
    #[serde(default)]
    pub status: Option<String>,
    /// Set on errors.
    #[serde(default)]
    pub message: Option<String>,
    /// One entry per step; a `null` step is an empty one. Outer `None`: no `data` key at
    /// all (not an allocation response); inner `None`: `"data": null` (no steps).
    #[serde(default, deserialize_with = "present")]
    pub data: Option<Option<Vec<Option<WireStep>>>>,
}

/// Marks a field as present even when its value is `null`, so a missing key and a `null`
/// one can be told apart.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// One step's allocations by OpenCost's key (`kube-system`, `__idle__`, …). A `null`
/// allocation is skipped.
pub type WireStep = HashMap<String, Option<WireAllocation>>;

/// One allocation as OpenCost serializes it (`AllocationJSON`), reduced to what kcost reads.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct WireAllocation {
    pub name: Option<String>,
    pub properties: Option<WireProperties>,
    pub window: Option<WireWindow>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub minutes: WireNumber,
    pub cpu_core_request_average: WireNumber,
    pub cpu_core_usage_average: WireNumber,
    pub cpu_core_limit_average: WireNumber,
    pub cpu_core_hours: WireNumber,
    pub cpu_cost: WireNumber,
    pub cpu_cost_adjustment: WireNumber,
    pub gpu_hours: WireNumber,
    pub gpu_cost: WireNumber,
    pub gpu_cost_adjustment: WireNumber,
    pub network_cost: WireNumber,
    pub network_cost_adjustment: WireNumber,
    pub load_balancer_cost: WireNumber,
    pub load_balancer_cost_adjustment: WireNumber,
    pub pv_byte_hours: WireNumber,
    pub pv_cost: WireNumber,
    pub pv_cost_adjustment: WireNumber,
    pub ram_byte_request_average: WireNumber,
    pub ram_byte_usage_average: WireNumber,
    pub ram_byte_limit_average: WireNumber,
    pub ram_byte_hours: WireNumber,
    pub ram_cost: WireNumber,
    pub ram_cost_adjustment: WireNumber,
    pub shared_cost: WireNumber,
    pub external_cost: WireNumber,
    pub total_cost: WireNumber,
}

/// `{start, end}`, either of which OpenCost writes as `null` for an open window.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WireWindow {
    pub start: Option<String>,
    pub end: Option<String>,
}

/// OpenCost's `AllocationProperties`, the part kcost keeps.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct WireProperties {
    pub cluster: Option<String>,
    pub node: Option<String>,
    pub container: Option<String>,
    pub controller: Option<String>,
    pub controller_kind: Option<String>,
    pub namespace: Option<String>,
    pub pod: Option<String>,
    #[serde(rename = "providerID")]
    pub provider_id: Option<String>,
    pub labels: Option<BTreeMap<String, String>>,
}
