//! What every relational migration does the same way: create a table and then its
//! indexes, drop it on the way down, and tie rows to their tenant so that deleting a tenant
//! deletes them too.

use sea_orm_migration::prelude::*;

use super::m20260101_000001_create_tenants::Tenants;

/// Creates `table`, then each of `indexes` in order.
pub async fn create(
    manager: &SchemaManager<'_>,
    table: TableCreateStatement,
    indexes: impl IntoIterator<Item = IndexCreateStatement>,
) -> Result<(), DbErr> {
    manager.create_table(table).await?;
    for index in indexes {
        manager.create_index(index).await?;
    }
    Ok(())
}

/// Drops `table` (its indexes and foreign keys go with it).
pub async fn drop(manager: &SchemaManager<'_>, table: impl IntoTableRef) -> Result<(), DbErr> {
    manager
        .drop_table(Table::drop().table(table).to_owned())
        .await
}

/// The foreign key `name` from `table.column` to `tenants.id`, cascading on delete.
pub fn tenant_foreign_key(
    name: &str,
    table: impl IntoTableRef,
    column: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, column)
        .to(Tenants::Table, Tenants::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}
