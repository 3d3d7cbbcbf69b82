//! Column types that must differ per backend to keep one behaviour.
//!
//! Money and confidence are exact decimals. PostgreSQL stores them as `numeric`. SQLite
//! has no decimal type: a `decimal`/`real` column would turn `12.3400000001` into a binary
//! float, so there the value is kept as its canonical decimal text instead (the adapters
//! read and write it as text and order by it numerically).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// SQLite type name of an exact decimal kept as text (TEXT affinity: never converted).
pub const SQLITE_DECIMAL_TEXT: &str = "decimal_text";

/// Precision and scale of money columns: ten decimal places (the cost engine's scale),
/// ten integer digits.
pub const MONEY_PRECISION: (u32, u32) = (20, 10);

/// A NOT NULL exact-decimal column; `precision` is `(precision, scale)` or unconstrained.
pub fn exact_decimal<T: IntoIden>(
    backend: DbBackend,
    column: T,
    precision: Option<(u32, u32)>,
) -> ColumnDef {
    let mut def = ColumnDef::new(column);
    match (backend, precision) {
        (DbBackend::Sqlite, _) => def.custom(SQLITE_DECIMAL_TEXT),
        (_, Some((precision, scale))) => def.decimal_len(precision, scale),
        (_, None) => def.decimal(),
    };
    def.not_null().take()
}

/// A nullable exact-decimal column of `precision` `(precision, scale)`.
pub fn nullable_exact_decimal<T: IntoIden>(
    backend: DbBackend,
    column: T,
    (precision, scale): (u32, u32),
) -> ColumnDef {
    let mut def = ColumnDef::new(column);
    match backend {
        DbBackend::Sqlite => def.custom(SQLITE_DECIMAL_TEXT),
        _ => def.decimal_len(precision, scale),
    };
    def.null().take()
}
