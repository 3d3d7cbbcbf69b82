//! Node prices: where a node's hourly price comes from, and how it splits into a CPU rate
//! and a RAM rate the way OpenCost splits it.
//!
//! Resolution order (first that applies): the price the agent sent (`hourly_cost_usd > 0`),
//! the tenant's override for the instance type, the built-in catalog, and finally the
//! default rates × the node's capacity.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::kubernetes_names::{MAX_LABEL_LEN, name_problem};
use crate::snapshot::NodeSample;

/// Per-resource hourly rates: currency per vCPU-hour and per GiB-hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceRates {
    pub cpu_core_hourly: Decimal,
    pub ram_gib_hourly: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RatesError {
    #[error("default CPU and RAM rates must both be positive")]
    NotPositive,
}

impl ResourceRates {
    /// OpenCost's `configs/default.json`: 0.031611 per vCPU-hour, 0.004237 per GiB-hour.
    pub fn opencost_defaults() -> Self {
        Self {
            cpu_core_hourly: Decimal::new(31_611, 6),
            ram_gib_hourly: Decimal::new(4_237, 6),
        }
    }

    /// Default rates as configured (`pricing.cpu_core_hourly`, `pricing.ram_gib_hourly`).
    pub fn new(cpu_core_hourly: Decimal, ram_gib_hourly: Decimal) -> Result<Self, RatesError> {
        if cpu_core_hourly <= Decimal::ZERO || ram_gib_hourly <= Decimal::ZERO {
            return Err(RatesError::NotPositive);
        }
        Ok(Self {
            cpu_core_hourly,
            ram_gib_hourly,
        })
    }

    /// The hourly price of `cores` and `gib` at these rates.
    pub fn price_of(&self, cores: Decimal, gib: Decimal) -> Decimal {
        cores * self.cpu_core_hourly + gib * self.ram_gib_hourly
    }
}

/// Where a node's price came from; stored with every node sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceSource {
    /// `hourly_cost_usd` in the agent's payload.
    Payload,
    /// The tenant's override for the instance type.
    TenantOverride,
    /// The built-in catalog.
    Catalog,
    /// Default rates × capacity (unknown instance type).
    DefaultRates,
    /// Priced by OpenCost and imported as is.
    OpenCost,
}

impl PriceSource {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Payload => "payload",
            Self::TenantOverride => "tenant_override",
            Self::Catalog => "catalog",
            Self::DefaultRates => "default_rates",
            Self::OpenCost => "opencost",
        }
    }
}

impl fmt::Display for PriceSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown price source {0:?}")]
pub struct UnknownPriceSource(pub String);

impl FromStr for PriceSource {
    type Err = UnknownPriceSource;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            Self::Payload,
            Self::TenantOverride,
            Self::Catalog,
            Self::DefaultRates,
            Self::OpenCost,
        ]
        .into_iter()
        .find(|source| source.as_str() == s)
        .ok_or_else(|| UnknownPriceSource(s.to_owned()))
    }
}

/// The highest hourly price of a node kcost accepts, from a payload or an override
/// (the largest cloud instances cost ~100 an hour; this leaves three orders of magnitude).
pub const MAX_HOURLY_PRICE: Decimal = Decimal::from_parts(100_000, 0, 0, false, 0);
/// Prices carry at most ten decimals: the cost scale money is kept at.
pub const MAX_PRICE_DECIMALS: u32 = 10;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PriceOverrideError {
    #[error("instance_type must not be empty")]
    EmptyInstanceType,
    #[error("instance_type {0}")]
    InvalidInstanceType(String),
    #[error("hourly_cost must be positive")]
    NotPositive,
    #[error("hourly_cost must be at most {MAX_HOURLY_PRICE}")]
    TooLarge,
    #[error("hourly_cost must have at most {MAX_PRICE_DECIMALS} decimals")]
    TooPrecise,
}

/// Whether `price` is one kcost prices nodes with: positive and at most
/// [`MAX_HOURLY_PRICE`].
pub fn is_usable_price(price: Decimal) -> bool {
    price > Decimal::ZERO && price <= MAX_HOURLY_PRICE
}

/// A tenant's own price for an instance type (negotiated discounts, reserved capacity…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceOverride {
    instance_type: String,
    hourly_cost: Decimal,
}

impl PriceOverride {
    pub fn new(
        instance_type: impl Into<String>,
        hourly_cost: Decimal,
    ) -> Result<Self, PriceOverrideError> {
        let instance_type = instance_type.into();
        if instance_type.trim().is_empty() {
            return Err(PriceOverrideError::EmptyInstanceType);
        }
        if let Some(problem) = name_problem(&instance_type, MAX_LABEL_LEN) {
            return Err(PriceOverrideError::InvalidInstanceType(problem));
        }
        if hourly_cost <= Decimal::ZERO {
            return Err(PriceOverrideError::NotPositive);
        }
        if hourly_cost > MAX_HOURLY_PRICE {
            return Err(PriceOverrideError::TooLarge);
        }
        if hourly_cost.normalize().scale() > MAX_PRICE_DECIMALS {
            return Err(PriceOverrideError::TooPrecise);
        }
        Ok(Self {
            instance_type,
            hourly_cost,
        })
    }

    pub fn instance_type(&self) -> &str {
        &self.instance_type
    }

    pub fn hourly_cost(&self) -> Decimal {
        self.hourly_cost
    }
}

/// A node's resolved hourly price and its split into per-resource rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodePrice {
    pub hourly: Decimal,
    pub source: PriceSource,
    pub rates: ResourceRates,
}

/// Everything needed to price a tenant's nodes: its overrides, the catalog and the
/// default rates. Built per ingest; cheap to construct.
#[derive(Debug, Clone)]
pub struct PriceBook<'a> {
    overrides: HashMap<&'a str, Decimal>,
    catalog: &'a Catalog,
    defaults: ResourceRates,
}

impl<'a> PriceBook<'a> {
    pub fn new(
        overrides: &'a [PriceOverride],
        catalog: &'a Catalog,
        defaults: ResourceRates,
    ) -> Self {
        // A stored price outside today's rules (written before them) is passed over, so the
        // catalog or the default rates price the node instead of a zero or an overflow.
        let overrides = overrides
            .iter()
            .filter(|o| is_usable_price(o.hourly_cost))
            .map(|o| (o.instance_type.as_str(), o.hourly_cost))
            .collect();
        Self {
            overrides,
            catalog,
            defaults,
        }
    }

    pub fn defaults(&self) -> &ResourceRates {
        &self.defaults
    }

    /// Resolves `node`'s price in the documented order and splits it into rates.
    pub fn price_node(&self, node: &NodeSample) -> NodePrice {
        let cores = node.cpu_capacity.cores();
        let gib = node.memory_capacity.gib();
        let instance_type = node.instance_type.as_deref();
        let declared = node.hourly_cost.filter(|price| is_usable_price(*price));
        let resolved = declared
            .map(|price| (price, PriceSource::Payload))
            .or_else(|| {
                instance_type
                    .and_then(|t| self.overrides.get(t))
                    .map(|price| (*price, PriceSource::TenantOverride))
            })
            .or_else(|| {
                instance_type
                    .and_then(|t| self.catalog.get(t))
                    .map(|entry| (entry.hourly_usd, PriceSource::Catalog))
            });
        match resolved {
            Some((hourly, source)) => NodePrice {
                hourly,
                source,
                rates: split_price(hourly, cores, gib, &self.defaults),
            },
            None => NodePrice {
                hourly: self.defaults.price_of(cores, gib),
                source: PriceSource::DefaultRates,
                rates: self.defaults,
            },
        }
    }
}

/// Splits a node's hourly price into CPU and RAM rates in the ratio of the default rates,
/// as OpenCost does: `ram = price / (cores·r + gib)`, `cpu = ram·r`, `r = cpu_default / ram_default`.
/// A node with no capacity at all keeps the default rates.
pub fn split_price(
    hourly: Decimal,
    cores: Decimal,
    gib: Decimal,
    defaults: &ResourceRates,
) -> ResourceRates {
    let ratio = defaults.cpu_core_hourly / defaults.ram_gib_hourly;
    let weight = cores * ratio + gib;
    if weight <= Decimal::ZERO {
        return *defaults;
    }
    let ram_gib_hourly = hourly / weight;
    ResourceRates {
        cpu_core_hourly: ram_gib_hourly * ratio,
        ram_gib_hourly,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::tests::node;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn typed(instance_type: &str, cores: u64, gib: u64) -> NodeSample {
        NodeSample {
            instance_type: Some(instance_type.into()),
            ..node("n", cores, gib)
        }
    }

    fn close(a: Decimal, b: Decimal) -> bool {
        (a - b).abs() < d("0.000000000001")
    }

    #[test]
    fn payload_price_wins() {
        let catalog = Catalog::builtin().unwrap();
        let overrides = [PriceOverride::new("m5.xlarge", d("0.15")).unwrap()];
        let book = PriceBook::new(&overrides, &catalog, ResourceRates::opencost_defaults());
        let node = NodeSample {
            hourly_cost: Some(d("0.5")),
            labels: Default::default(),
            ..typed("m5.xlarge", 4, 16)
        };
        let price = book.price_node(&node);
        assert_eq!(
            (price.hourly, price.source),
            (d("0.5"), PriceSource::Payload)
        );
    }

    #[test]
    fn tenant_override_beats_the_catalog() {
        let catalog = Catalog::builtin().unwrap();
        let overrides = [PriceOverride::new("m5.xlarge", d("0.15")).unwrap()];
        let book = PriceBook::new(&overrides, &catalog, ResourceRates::opencost_defaults());
        let price = book.price_node(&typed("m5.xlarge", 4, 16));
        assert_eq!(
            (price.hourly, price.source),
            (d("0.15"), PriceSource::TenantOverride)
        );
    }

    #[test]
    fn m5_xlarge_is_priced_from_the_catalog_and_split_in_the_default_ratio() {
        let catalog = Catalog::builtin().unwrap();
        let book = PriceBook::new(&[], &catalog, ResourceRates::opencost_defaults());
        let price = book.price_node(&typed("m5.xlarge", 4, 16));
        assert_eq!(
            (price.hourly, price.source),
            (d("0.192"), PriceSource::Catalog)
        );
        // ram = 0.192 / (4·r + 16), r = 0.031611/0.004237; cpu = ram·r.
        let r = d("0.031611") / d("0.004237");
        let ram = d("0.192") / (d("4") * r + d("16"));
        assert!(close(price.rates.ram_gib_hourly, ram));
        assert!(close(price.rates.cpu_core_hourly, ram * r));
        // The rates reproduce the node's price over its capacity.
        assert!(close(price.rates.price_of(d("4"), d("16")), d("0.192")));
        assert!(close(
            price.rates.cpu_core_hourly / price.rates.ram_gib_hourly,
            r
        ));
    }

    #[test]
    fn unknown_instance_types_are_priced_at_default_rates() {
        let catalog = Catalog::builtin().unwrap();
        let book = PriceBook::new(&[], &catalog, ResourceRates::opencost_defaults());
        for node in [typed("on-prem-big", 8, 32), node("bare", 8, 32)] {
            let price = book.price_node(&node);
            assert_eq!(price.source, PriceSource::DefaultRates);
            assert_eq!(
                price.hourly,
                d("8") * d("0.031611") + d("32") * d("0.004237")
            );
            assert_eq!(price.rates, ResourceRates::opencost_defaults());
        }
    }

    #[test]
    fn a_zero_payload_price_falls_through() {
        let catalog = Catalog::builtin().unwrap();
        let book = PriceBook::new(&[], &catalog, ResourceRates::opencost_defaults());
        let node = NodeSample {
            hourly_cost: Some(Decimal::ZERO),
            labels: Default::default(),
            ..typed("m5.xlarge", 4, 16)
        };
        assert_eq!(book.price_node(&node).source, PriceSource::Catalog);
    }

    #[test]
    fn split_of_an_empty_node_keeps_default_rates() {
        let defaults = ResourceRates::opencost_defaults();
        assert_eq!(
            split_price(d("1"), Decimal::ZERO, Decimal::ZERO, &defaults),
            defaults
        );
    }

    #[test]
    fn overrides_and_rates_are_validated() {
        assert_eq!(
            PriceOverride::new("", d("1")),
            Err(PriceOverrideError::EmptyInstanceType)
        );
        assert_eq!(
            PriceOverride::new("x", d("0")),
            Err(PriceOverrideError::NotPositive)
        );
        assert_eq!(
            PriceOverride::new("x", d("10000000000")),
            Err(PriceOverrideError::TooLarge)
        );
        assert_eq!(
            PriceOverride::new("x", d("0.00000000001")),
            Err(PriceOverrideError::TooPrecise)
        );
        assert!(PriceOverride::new("x", d("100000")).is_ok());
        assert!(PriceOverride::new("x", d("0.0000000001")).is_ok());
        assert!(
            PriceOverride::new("x", d("0.50000000000")).is_ok(),
            "trailing zeros"
        );
        assert!(matches!(
            PriceOverride::new("m5\0", d("1")),
            Err(PriceOverrideError::InvalidInstanceType(_))
        ));
        assert_eq!(
            ResourceRates::new(d("0"), d("1")),
            Err(RatesError::NotPositive)
        );
        assert!(ResourceRates::new(d("0.03"), d("0.004")).is_ok());
    }

    #[test]
    fn price_sources_round_trip_as_text() {
        for source in [
            PriceSource::Payload,
            PriceSource::TenantOverride,
            PriceSource::Catalog,
            PriceSource::DefaultRates,
            PriceSource::OpenCost,
        ] {
            assert_eq!(source.as_str().parse::<PriceSource>().unwrap(), source);
        }
        assert!("nope".parse::<PriceSource>().is_err());
    }
}
