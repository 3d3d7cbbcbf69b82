//! Request and response bodies of the API, separate from the domain types so the wire
//! format can stay stable while the domain evolves.
//!
//! Money is a JSON number in US dollars, the exact stored decimal (at most 10 places,
//! [`Usd`]) — fields end in `_usd`, as in seed 1 — so parts add up to their totals in the
//! JSON itself. Prices (`hourly_cost_usd`) are shown unrounded too. Times are RFC3339 in UTC.

pub mod admin;
pub mod allocation;
pub mod budgets;
pub mod costs;
mod csv;
pub mod dashboard;
pub mod finops;
pub mod focus;
pub mod health;
pub mod ingest;
pub mod kubecent;
pub mod opencost_ui;
pub mod query;
pub mod recommendations;
mod usd;

pub use usd::Usd;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// A quantity as shown: rounded to `places` decimal places.
pub fn number(value: Decimal, places: u32) -> f64 {
    value.round_dp(places).to_f64().unwrap_or_default()
}

/// A figure as shown: unrounded (OpenCost's figures; prices, whose few decimals rounding
/// would change).
pub fn unrounded(value: Decimal) -> f64 {
    value.to_f64().unwrap_or_default()
}

/// A price as shown: exact (prices have few decimals; rounding them would change costs).
pub fn price(value: Decimal) -> f64 {
    unrounded(value)
}
