//! Multi-row INSERT statements: as many rows per statement as SQLite's bound-parameter
//! limit allows, never one statement per row.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};

/// SQLite's `SQLITE_MAX_VARIABLE_NUMBER` default since 3.32 (the bundled SQLite is newer).
pub(crate) const MAX_BIND_PARAMETERS: usize = 32_766;

/// Rows of `width` values that fit in one statement.
pub(crate) const fn rows_per_statement(width: usize) -> usize {
    MAX_BIND_PARAMETERS / width
}

/// Inserts `rows` (each exactly `width` values) with `{head} VALUES (…), (…) {tail}`, in
/// as few statements as the parameter limit allows.
pub(crate) async fn insert_rows<C: ConnectionTrait>(
    conn: &C,
    head: &str,
    tail: &str,
    width: usize,
    rows: Vec<Vec<Value>>,
) -> Result<(), DbErr> {
    let per_statement = rows_per_statement(width).max(1);
    let placeholder = format!("({})", vec!["?"; width].join(", "));
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(per_statement).collect();
        if let Some(bad) = chunk.iter().find(|row| row.len() != width) {
            return Err(DbErr::Custom(format!(
                "row of {} values for a {width}-column insert",
                bad.len()
            )));
        }
        let sql = format!(
            "{head} VALUES {} {tail}",
            vec![placeholder.as_str(); chunk.len()].join(", ")
        );
        let values = chunk.into_iter().flatten();
        conn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            sql,
            values,
        ))
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_stay_under_the_parameter_limit() {
        assert_eq!(rows_per_statement(20), 1638);
        assert!(rows_per_statement(20) * 20 <= MAX_BIND_PARAMETERS);
    }
}
