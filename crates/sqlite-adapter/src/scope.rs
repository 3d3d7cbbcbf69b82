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
const DAY: i64 = 86_400;

/// The hour of a raw sample, as rollups key it.
pub(crate) const SAMPLE_HOUR: &str = "(ts - ((ts % 3600) + 3600) % 3600)";

/// A tenant, a split window (unix seconds) and filters, ready to bind.
#[derive(Debug, Clone)]
pub(crate) struct Scope<'a> {
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
        let first = self.whole_start + (DAY - self.whole_start.rem_euclid(DAY)) % DAY;
        let last = self.whole_end - self.whole_end.rem_euclid(DAY);
        if first < last {
            (self.day_start, self.day_end) = (first, last);
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

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, h, m, 0).unwrap()
    }

    #[test]
    fn a_window_splits_into_edges_and_whole_hours() {
        let window = TimeWindow::new(at(9, 30), at(12, 15)).unwrap();
        let filter = CostFilter::default();
        let scope = Scope::new(
            TenantId::from_uuid(Uuid::nil()),
            &window,
            &filter,
            Some(at(23, 0)),
        );
        assert_eq!(
            (scope.start, scope.whole_start, scope.whole_end, scope.end),
            (
                at(9, 30).timestamp(),
                at(10, 0).timestamp(),
                at(12, 0).timestamp(),
                at(12, 15).timestamp()
            )
        );
    }

    #[test]
    fn a_window_without_whole_hours_reads_only_raw_samples() {
        let window = TimeWindow::new(at(9, 10), at(9, 50)).unwrap();
        let filter = CostFilter::default();
        let scope = Scope::new(
            TenantId::from_uuid(Uuid::nil()),
            &window,
            &filter,
            Some(at(23, 0)),
        );
        assert_eq!(scope.whole_start, at(9, 50).timestamp());
        assert_eq!(scope.whole_end, at(9, 50).timestamp());
    }

    #[test]
    fn hours_not_rolled_up_are_read_from_raw_samples() {
        let window = TimeWindow::new(at(9, 30), at(12, 15)).unwrap();
        let filter = CostFilter::default();
        let tenant = TenantId::from_uuid(Uuid::nil());
        let scope = Scope::new(tenant, &window, &filter, Some(at(11, 0)));
        assert_eq!(
            (scope.whole_start, scope.whole_end),
            (at(10, 0).timestamp(), at(11, 0).timestamp())
        );
        let none = Scope::new(tenant, &window, &filter, None);
        assert_eq!(none.whole_start, none.whole_end);
    }

    #[test]
    fn whole_days_of_the_rolled_up_hours_come_from_daily_rollups() {
        let day = |d: u32, h: u32| Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap();
        let tenant = TenantId::from_uuid(Uuid::nil());
        let filter = CostFilter::default();
        let window = TimeWindow::new(day(17, 5), day(22, 12)).unwrap();
        let scope = Scope::new(tenant, &window, &filter, Some(day(21, 3))).with_days();
        assert_eq!(
            (
                scope.whole_start,
                scope.day_start,
                scope.day_end,
                scope.whole_end
            ),
            (
                day(17, 5).timestamp(),
                day(18, 0).timestamp(),
                day(21, 0).timestamp(),
                day(21, 3).timestamp()
            )
        );
        // Days starting at the window's start; none without a whole day rolled up.
        let midnight = TimeWindow::new(day(18, 0), day(20, 0)).unwrap();
        let scope = Scope::new(tenant, &midnight, &filter, Some(day(22, 0))).with_days();
        assert_eq!(
            (scope.day_start, scope.day_end),
            (day(18, 0).timestamp(), day(20, 0).timestamp())
        );
        let scope = Scope::new(tenant, &midnight, &filter, Some(day(18, 23))).with_days();
        assert_eq!(scope.day_start, scope.day_end);
        assert_eq!(scope.day_end, scope.whole_end);
    }

    #[test]
    fn filters_are_numbered_in_order() {
        let window = TimeWindow::new(at(9, 0), at(10, 0)).unwrap();
        let both = CostFilter {
            cluster: Some(ClusterName::new("prod").unwrap()),
            namespace: Some("web".into()),
        };
        let scope = Scope::new(TenantId::from_uuid(Uuid::nil()), &window, &both, None);
        assert_eq!(
            scope.filter_sql(true),
            " AND cluster = ?8 AND namespace = ?9"
        );
        assert_eq!(scope.filter_sql(false), " AND cluster = ?8");
        let only_ns = CostFilter {
            cluster: None,
            namespace: Some("web".into()),
        };
        let scope = Scope::new(TenantId::from_uuid(Uuid::nil()), &window, &only_ns, None);
        assert_eq!(scope.filter_sql(true), " AND namespace = ?8");
        assert_eq!(scope.filter_sql(false), "");
    }
}
