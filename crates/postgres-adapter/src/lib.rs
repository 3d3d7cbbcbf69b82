//! Relational stores of kcost — tenants, API keys, recommendations, tenant price
//! overrides, the installation's write-once settings, budgets and alerts — implementing the `kcost-ports`
//! repository traits through sea-orm.
//!
//! The code is backend-portable: every repository is written against sea-orm's
//! [`DatabaseConnection`] and runs unchanged on PostgreSQL (production) and SQLite (the
//! embedded default: the server wires these repositories onto the connection that
//! `kcost_sqlite_adapter::open` returns, since adapters may not depend on each other).
//! The schema comes
//! from `kcost_migrations::RelationalMigrator` ([`migrate`]).
//!
//! Driver errors become port errors: a unique violation is `Duplicate`, a foreign-key
//! violation on insert is `TenantNotFound`, an unreachable database or closed pool is
//! `Unavailable`, anything else `Unexpected` with the failing operation as context.

mod connect;
mod db_error;
pub mod entities;
mod exact_decimal;
mod timestamps;

mod alerts;
mod api_keys;
mod budgets;
mod instance_settings;
mod prices;
mod recommendations;
mod tenants;

pub use alerts::SeaOrmAlertRepository;
pub use api_keys::SeaOrmApiKeyRepository;
pub use budgets::SeaOrmBudgetRepository;
pub use connect::{ConnectError, MigrateError, connect, migrate};
pub use exact_decimal::ExactDecimal;
pub use instance_settings::SeaOrmInstanceSettingsRepository;
pub use prices::SeaOrmPriceRepository;
pub use recommendations::SeaOrmRecommendationRepository;
pub use sea_orm::DatabaseConnection;
pub use tenants::SeaOrmTenantRepository;
