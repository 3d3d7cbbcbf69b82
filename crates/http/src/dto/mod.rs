//! Request and response bodies of the API, separate from the domain types so the wire
//! format can stay stable while the domain evolves.
//!
//! Money is a JSON number in US dollars rounded to the cent (half away from zero) —
//! fields end in `_usd`, as in seed 1. Costs are summed exactly (10 decimal places) before
//! that rounding, so the rounded parts of a total may differ from the rounded total by a
//! cent. Prices (`hourly_cost_usd`) are shown unrounded. Times are RFC3339 in UTC.

pub mod admin;
pub mod costs;
pub mod health;
pub mod ingest;
pub mod kubecent;
pub mod recommendations;

use kcost_domain::money::Money;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// Money as shown: rounded to the cent.
pub fn usd(amount: Money) -> f64 {
    amount.to_cents().to_f64().unwrap_or_default()
}

/// A quantity as shown: rounded to `places` decimal places.
pub fn number(value: Decimal, places: u32) -> f64 {
    value.round_dp(places).to_f64().unwrap_or_default()
}

/// A price as shown: exact (prices have few decimals; rounding them would change costs).
pub fn price(value: Decimal) -> f64 {
    value.to_f64().unwrap_or_default()
}
