//! PostgreSQL adapter for the relational ports of `kcost-ports`: tenants, API keys,
//! recommendations and tenant price overrides, through sea-orm.
//!
//! Filled by the storage issue; until then this crate only reserves its place in the
//! dependency graph (it may depend on `kcost-ports` and `kcost-domain`, nothing above).
