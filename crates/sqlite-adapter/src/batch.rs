//! Multi-row INSERT statements, never one statement per row, in a few fixed sizes.
//!
//! Every statement text stays in the connection's prepared-statement cache, and a compiled
//! INSERT of 1,000 rows × 18 columns takes ~1.6 MB there. One statement per batch size
//! (as many rows as the parameter limit allows, then the rest) cached a new multi-megabyte
//! statement for every pod count and rollup batch: hundreds of megabytes of resident memory
//! after a while. Batches are cut into statements of 256, 64, 16, 4 and 1 rows instead,
//! so each table has at most five cached INSERTs, the largest ~0.4 MB.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};

/// SQLite's `SQLITE_MAX_VARIABLE_NUMBER` default since 3.32 (the bundled SQLite is newer).
pub(crate) const MAX_BIND_PARAMETERS: usize = 32_766;

/// Rows per statement, largest first (powers of four).
const STATEMENT_ROWS: [usize; 5] = [256, 64, 16, 4, 1];

/// Rows of `width` values that fit in one statement.
pub(crate) const fn rows_per_statement(width: usize) -> usize {
    MAX_BIND_PARAMETERS / width
}

/// The row count of the next statement for `remaining` rows of `width` values: the
/// largest of [`STATEMENT_ROWS`] that is not more than what remains and fits the limit.
fn next_statement_rows(remaining: usize, width: usize) -> usize {
    let fits = rows_per_statement(width).max(1);
    STATEMENT_ROWS
        .into_iter()
        .find(|&rows| rows <= remaining && rows <= fits)
        .unwrap_or(1)
}

/// Inserts `rows` (each exactly `width` values) with `{head} VALUES (…), (…) {tail}`, in
/// statements of the sizes [`STATEMENT_ROWS`] lists.
pub(crate) async fn insert_rows<C: ConnectionTrait>(
    conn: &C,
    head: &str,
    tail: &str,
    width: usize,
    rows: Vec<Vec<Value>>,
) -> Result<(), DbErr> {
    let placeholder = format!("({})", vec!["?"; width].join(", "));
    let mut remaining = rows.len();
    let mut rows = rows.into_iter();
    while remaining > 0 {
        let count = next_statement_rows(remaining, width);
        remaining -= count;
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(count).collect();
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
        assert_eq!(
            next_statement_rows(10_000, 200),
            64,
            "256 rows of 200 do not fit"
        );
    }

    #[test]
    fn batches_are_cut_into_a_few_fixed_sizes() {
        let cut = |mut remaining: usize| {
            let mut sizes = Vec::new();
            while remaining > 0 {
                let rows = next_statement_rows(remaining, 18);
                sizes.push(rows);
                remaining -= rows;
            }
            sizes
        };
        assert_eq!(cut(1_000), [256, 256, 256, 64, 64, 64, 16, 16, 4, 4]);
        assert_eq!(cut(3), [1, 1, 1]);
        assert_eq!(cut(256), [256]);
        for n in 0..2_000 {
            let sizes = cut(n);
            assert_eq!(sizes.iter().sum::<usize>(), n);
            assert!(sizes.iter().all(|s| STATEMENT_ROWS.contains(s)));
        }
    }
}
