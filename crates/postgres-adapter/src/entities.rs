//! sea-orm entities of the relational schema (tables created by
//! `kcost_migrations::RelationalMigrator`). Rows only: converting them to and from domain
//! types, with validation, is each repository's job.

pub mod alert;
pub mod api_key;
pub mod budget;
pub mod price_override;
pub mod recommendation;
pub mod tenant;
