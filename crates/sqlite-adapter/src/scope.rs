//! What every query is limited to: one tenant, a window split into whole hours read from
//! hourly rollups and the rest read from raw samples, and the optional filters.
//!
//! The split is `kcost_store_support::HourSplit::rolled_up_before` at the tenant's
//! rollup watermark (the least `rollup_state.rolled_until` of its clusters, read by
//! [`rolled_until`]): for a window `[start, end)` with whole hours `[ws, we)` rolled up
//! before the mark, rollups cover `ws ≤ hour < we` and raw samples cover `start ≤ ts < ws`
//! and `we ≤ ts < end` — the partial edge hours and every hour not rolled up yet. Without
//! any such hour, `ws = we`. Queries read the watermark and the rows in one read
//! transaction, so an append lowering the mark meanwhile cannot make them miss a sample.
//!
//! Within the rolled-up hours, whole UTC days `[ds, de)` may be read from daily rollups
//! instead ([`Scope::with_days`], for answers that do not bucket by hour): pod rollups
//! then come from `pod_costs_daily` for `ds ≤ day < de` and from `pod_costs_hourly` for
//! `ws ≤ hour < ds` and `de ≤ hour < we`. A daily row is the sum of its day's hourly rows
//! for every day ending at or before the watermark (`rollup` rebuilds a day whenever its
//! hours are rebuilt), so the answer is the same; without days, `ds = de = we`.
//!
//! Parameters are numbered: `?1` tenant, `?2` start, `?3` ws, `?4` we, `?5` end, `?6` ds,
//! `?7` de, then the filters (`?8`, `?9`) in the order cluster, namespace. (Numbered
//! throughout: sqlx numbers bare `?`s on its own.)

use chrono::{DateTime, Utc};
use kcost_domain::costs::CostFilter;
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_store_support::HourSplit;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, QueryResult, Statement, Value};

use crate::encoding::{bound_seconds, instant};

/// The tenant's rollup watermark: every hour before it is rolled up in every cluster of
/// the tenant (`None`: no cluster has any rollup state).
pub(crate) async fn rolled_until<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
) -> anyhow::Result<Option<DateTime<Utc>>> {
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "SELECT MIN(rolled_until) AS rolled_until FROM rollup_state WHERE tenant_id = ?1",
            [tenant.as_uuid().hyphenated().to_string().into()],
        ))
        .await?;
    let seconds = match row {
        Some(row) => row.try_get_by::<Option<i64>, _>("rolled_until")?,
        None => None,
    };
    seconds.map(instant).transpose()
}

/// Hourly rollup rows of the whole hours rolled up.
pub(crate) const ROLLUP_RANGE: &str = "tenant_id = ?1 AND hour >= ?3 AND hour < ?4";
/// Hourly pod rollup rows of the whole hours rolled up outside the whole days.
pub(crate) const POD_HOUR_RANGE: &str =
    "tenant_id = ?1 AND ((hour >= ?3 AND hour < ?6) OR (hour >= ?7 AND hour < ?4))";
/// Daily pod rollup rows of the whole days rolled up.
pub(crate) const POD_DAY_RANGE: &str = "tenant_id = ?1 AND day >= ?6 AND day < ?7";
/// Raw samples of the partial edge hours and of the hours not rolled up.
pub(crate) const EDGE_RANGE: &str =
    "tenant_id = ?1 AND ((ts >= ?2 AND ts < ?3) OR (ts >= ?4 AND ts < ?5))";
/// Raw samples of the whole window.
pub(crate) const WINDOW_RANGE: &str = "tenant_id = ?1 AND ts >= ?2 AND ts < ?5";

/// The hour of a raw sample, as rollups key it.
pub(crate) const SAMPLE_HOUR: &str = "(ts - ((ts % 3600) + 3600) % 3600)";

/// A tenant, a split window (unix seconds) and filters, ready to bind.
#[derive(Debug, Clone)]
pub(crate) struct Scope<'a> {
    split: HourSplit,
    pub tenant: String,
    pub start: i64,
    pub whole_start: i64,
    pub whole_end: i64,
    pub end: i64,
    pub day_start: i64,
    pub day_end: i64,
    pub cluster: Option<&'a str>,
    pub namespace: Option<&'a str>,
}

impl<'a> Scope<'a> {
    /// The scope of a query over `window` when rollups exist for every hour before
    /// `rolled_until` (see [`rolled_until`]).
    pub fn new(
        tenant: TenantId,
        window: &TimeWindow,
        filter: &'a CostFilter,
        rolled_until: Option<DateTime<Utc>>,
    ) -> Self {
        let split = HourSplit::rolled_up_before(window, rolled_until);
        let whole_end = bound_seconds(split.whole_end);
        Self {
            split,
            tenant: tenant.as_uuid().hyphenated().to_string(),
            start: bound_seconds(split.start),
            whole_start: bound_seconds(split.whole_start),
            whole_end,
            end: bound_seconds(split.end),
            day_start: whole_end,
            day_end: whole_end,
            cluster: filter.cluster.as_ref().map(|c| c.as_str()),
            namespace: filter.namespace.as_deref(),
        }
    }

    /// The same scope reading the whole UTC days of its rolled-up hours from daily rollups
    /// (when there is at least one).
    pub fn with_days(mut self) -> Self {
        if let Some((first, end)) = self.split.whole_days() {
            (self.day_start, self.day_end) = (bound_seconds(first), bound_seconds(end));
        }
        self
    }

    /// `AND …` conditions for the filters (`?8`, then `?9`); the namespace only when
    /// `with_namespace` (node tables have no namespace).
    pub fn filter_sql(&self, with_namespace: bool) -> String {
        let mut sql = String::new();
        if self.cluster.is_some() {
            sql.push_str(" AND cluster = ?8");
        }
        if with_namespace && self.namespace.is_some() {
            sql.push_str(if self.cluster.is_some() {
                " AND namespace = ?9"
            } else {
                " AND namespace = ?8"
            });
        }
        sql
    }

    /// `sql` with the window and the filters [`Self::filter_sql`] referenced bound.
    pub fn statement(&self, sql: String, with_namespace: bool) -> Statement {
        let mut values: Vec<Value> = vec![
            self.tenant.clone().into(),
            self.start.into(),
            self.whole_start.into(),
            self.whole_end.into(),
            self.end.into(),
            self.day_start.into(),
            self.day_end.into(),
        ];
        if let Some(cluster) = self.cluster {
            values.push(cluster.to_owned().into());
        }
        if let Some(namespace) = self.namespace.filter(|_| with_namespace) {
            values.push(namespace.to_owned().into());
        }
        Statement::from_sql_and_values(DbBackend::Sqlite, sql, values)
    }
}

/// The rows of `sql` for `tenant` in `window`: `?1` the tenant, `?2`/`?3` the window's
/// start and end in unix seconds (for the few queries that read raw rows and sum them in
/// Rust).
pub(crate) async fn window_rows(
    conn: &DatabaseConnection,
    sql: &str,
    tenant: TenantId,
    window: &TimeWindow,
) -> Result<Vec<QueryResult>, sea_orm::DbErr> {
    conn.query_all_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        sql,
        [
            tenant.as_uuid().hyphenated().to_string().into(),
            bound_seconds(window.start()).into(),
            bound_seconds(window.end()).into(),
        ],
    ))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeZone, Utc};
    use kcost_domain::cluster::ClusterName;
    use uuid::Uuid;

    fn on(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, hour, minute, 0)
            .unwrap()
    }

    /// The split and its whole days are `HourSplit`'s (tested there); the scope binds
    /// them at the watermark in unix seconds: `?2`–`?5`, then the days `?6`, `?7` (none:
    /// empty at the end of the rolled-up hours).
    #[test]
    fn a_scope_binds_its_split_and_whole_days_in_unix_seconds() {
        let (start, end) = (on(20, 9, 30), on(20, 12, 15));
        let cut = [
            start,
            on(20, 10, 0),
            on(20, 11, 0),
            end,
            on(20, 11, 0),
            on(20, 11, 0),
        ];
        let (first, last) = (on(17, 5, 0), on(22, 12, 0));
        let days = [first, first, on(21, 3, 0), last, on(18, 0, 0), on(21, 0, 0)];
        let everything = CostFilter::default();
        for (window, watermark, bounds) in [
            ((start, end), on(20, 11, 0), cut),
            ((first, last), on(21, 3, 0), days),
        ] {
            let window = TimeWindow::new(window.0, window.1).unwrap();
            let tenant = TenantId::from_uuid(Uuid::nil());
            let scope = Scope::new(tenant, &window, &everything, Some(watermark)).with_days();
            assert_eq!(
                [
                    scope.start,
                    scope.whole_start,
                    scope.whole_end,
                    scope.end,
                    scope.day_start,
                    scope.day_end
                ],
                bounds.map(|t| t.timestamp()),
                "{window:?} rolled up until {watermark}"
            );
        }
    }

    #[test]
    fn filters_are_numbered_in_order() {
        let prod = Some(ClusterName::new("prod").unwrap());
        // (cluster, with the namespace column) → conditions; the namespace is always "web".
        let cases = [
            (prod.clone(), true, " AND cluster = ?8 AND namespace = ?9"),
            (prod, false, " AND cluster = ?8"),
            (None, true, " AND namespace = ?8"),
            (None, false, ""),
        ];
        let window = TimeWindow::new(on(20, 9, 0), on(20, 10, 0)).unwrap();
        for (cluster, with_namespace, conditions) in cases {
            let filter = CostFilter {
                cluster,
                namespace: Some("web".into()),
            };
            let scope = Scope::new(TenantId::from_uuid(Uuid::nil()), &window, &filter, None);
            assert_eq!(scope.filter_sql(with_namespace), conditions, "{filter:?}");
        }
    }
}
