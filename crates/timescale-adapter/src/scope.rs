//! What every query is limited to: one tenant, a window split into whole hours (read from
//! rollups) and the rest (read from raw samples), and the optional filters.
//!
//! The split is `kcost_store_support::HourSplit::rolled_up_before`: for a window
//! `[start, end)` with whole hours `[ws, we)` — `we` pulled back to the tenant's rollup
//! watermark ([`watermark`]) when the rollups stop earlier — rollups cover
//! `ws ≤ hour < we` and raw samples cover `start ≤ ts < ws` and `we ≤ ts < end`; without
//! any whole hour, `ws = we`.
//!
//! Parameters are numbered: `$1` tenant, `$2` start, `$3` ws, `$4` we, `$5` end, then the
//! filters (`$6`, `$7`) in the order cluster, namespace.

use chrono::{DateTime, Utc};
use kcost_domain::costs::CostFilter;
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_ports::MetricsStoreError;
use kcost_store_support::HourSplit;
use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use sqlx::{PgPool, Postgres};
use uuid::Uuid;

use crate::error::db;

/// Rollup rows of the whole hours.
pub(crate) const ROLLUP_RANGE: &str = "tenant_id = $1 AND hour >= $3 AND hour < $4";
/// Raw samples of the partial edge hours.
pub(crate) const EDGE_RANGE: &str =
    "tenant_id = $1 AND ((ts >= $2 AND ts < $3) OR (ts >= $4 AND ts < $5))";

type PgQuery<'q> = Query<'q, Postgres, PgArguments>;

/// A tenant, a split window and filters, ready to bind.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scope<'a> {
    pub tenant: Uuid,
    /// `$2`–`$5`: the window's start, its rolled-up whole hours, its end.
    pub split: HourSplit,
    pub cluster: Option<&'a str>,
    pub namespace: Option<&'a str>,
}

/// The tenant's rollup watermark (`$1`: the tenant).
pub(crate) const WATERMARK: &str =
    "SELECT min(rolled_until) FROM rollup_state WHERE tenant_id = $1";

/// The tenant's rollup watermark: every hour before it is rolled up in every cluster
/// (`None`: nothing is).
pub(crate) async fn watermark(
    pool: &PgPool,
    tenant: TenantId,
) -> Result<Option<DateTime<Utc>>, MetricsStoreError> {
    sqlx::query_scalar(WATERMARK)
        .bind(tenant.as_uuid())
        .fetch_one(pool)
        .await
        .map_err(db("rollup watermark"))
}

impl<'a> Scope<'a> {
    /// The scope of a query when rollups exist for the hours before `rolled_until`.
    pub fn new(
        tenant: TenantId,
        window: &TimeWindow,
        filter: &'a CostFilter,
        rolled_until: Option<DateTime<Utc>>,
    ) -> Self {
        Self {
            tenant: *tenant.as_uuid(),
            split: HourSplit::rolled_up_before(window, rolled_until),
            cluster: filter.cluster.as_ref().map(|c| c.as_str()),
            namespace: filter.namespace.as_deref(),
        }
    }

    /// The whole UTC days inside the rolled-up whole hours `[ws, we)` (none: both `ws`).
    /// Their daily rollups exist: a day's row is built when its last hour is.
    pub fn whole_days(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        self.split
            .whole_days()
            .unwrap_or((self.split.whole_start, self.split.whole_start))
    }

    /// Per-pod rollup rows of the rolled-up whole hours, `columns` selected from each
    /// (`hour` is the row's period start): daily rows for the whole UTC days among them when
    /// `days` (one row per pod and day instead of 24), hourly rows for the other hours.
    /// `filters` as [`Self::filter_sql`] made them.
    pub fn pod_rollups_sql(&self, columns: &str, filters: &str, days: bool) -> String {
        let (d1, d2) = if days {
            self.whole_days()
        } else {
            (self.split.whole_start, self.split.whole_start)
        };
        // Instants computed here, not user input: safe to inline as literals.
        let (d1, d2) = (d1.to_rfc3339(), d2.to_rfc3339());
        format!(
            "SELECT {columns} FROM (SELECT *, day AS hour FROM pod_costs_daily
                                   WHERE tenant_id = $1 AND day >= '{d1}'::timestamptz
                                     AND day < '{d2}'::timestamptz{filters}) AS daily
             UNION ALL
             SELECT {columns} FROM pod_costs_hourly
             WHERE tenant_id = $1
               AND ((hour >= $3 AND hour < '{d1}'::timestamptz)
                    OR (hour >= '{d2}'::timestamptz AND hour < $4)){filters}"
        )
    }

    /// Binds `$1`–`$5` (tenant and the split window).
    pub fn bind_window<'q>(&self, query: PgQuery<'q>) -> PgQuery<'q> {
        query
            .bind(self.tenant)
            .bind(self.split.start)
            .bind(self.split.whole_start)
            .bind(self.split.whole_end)
            .bind(self.split.end)
    }

    /// `AND …` conditions for the filters, numbered from `$first`; the namespace only
    /// when `with_namespace` (node tables have no namespace).
    pub fn filter_sql(&self, first: usize, with_namespace: bool) -> String {
        let mut sql = String::new();
        let mut next = first;
        if self.cluster.is_some() {
            sql.push_str(&format!(" AND cluster = ${next}"));
            next += 1;
        }
        if with_namespace && self.namespace.is_some() {
            sql.push_str(&format!(" AND namespace = ${next}"));
        }
        sql
    }

    /// Binds the filter values [`Self::filter_sql`] referenced, in the same order.
    pub fn bind_filters<'q>(&self, mut query: PgQuery<'q>, with_namespace: bool) -> PgQuery<'q> {
        if let Some(cluster) = self.cluster {
            query = query.bind(cluster.to_owned());
        }
        if let Some(namespace) = self.namespace.filter(|_| with_namespace) {
            query = query.bind(namespace.to_owned());
        }
        query
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use kcost_domain::cluster::ClusterName;

    /// The split and its whole days are `HourSplit`'s (tested there); the scope reads
    /// the rolled-up hours up to the watermark, and a range of no days as empty at `ws`.
    #[test]
    fn whole_days_are_those_inside_the_rolled_up_hours() {
        let day = |d: u32, h: u32| Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap();
        let window = TimeWindow::new(day(18, 5), day(22, 9)).unwrap();
        let everything = CostFilter::default();
        let tenant = TenantId::from_uuid(Uuid::nil());
        let cut = Scope::new(tenant, &window, &everything, Some(day(21, 7)));
        assert_eq!(
            (cut.split.whole_start, cut.split.whole_end),
            (day(18, 5), day(21, 7))
        );
        assert_eq!(cut.whole_days(), (day(19, 0), day(21, 0)));
        let early = Scope::new(tenant, &window, &everything, Some(day(19, 7)));
        assert_eq!(
            early.whole_days(),
            (day(18, 5), day(18, 5)),
            "no whole day yet"
        );
    }

    #[test]
    fn filters_are_numbered_from_the_first_free_parameter() {
        let prod = Some(ClusterName::new("prod").unwrap());
        // (cluster, first number, with the namespace column) → conditions; the namespace
        // is always "web".
        let cases = [
            (
                prod.clone(),
                6,
                true,
                " AND cluster = $6 AND namespace = $7",
            ),
            (prod, 6, false, " AND cluster = $6"),
            (None, 4, true, " AND namespace = $4"),
            (None, 4, false, ""),
        ];
        let window = TimeWindow::new(
            Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap(),
        )
        .unwrap();
        for (cluster, first, with_namespace, conditions) in cases {
            let filter = CostFilter {
                cluster,
                namespace: Some("web".into()),
            };
            let scope = Scope::new(TenantId::from_uuid(Uuid::nil()), &window, &filter, None);
            assert_eq!(
                scope.filter_sql(first, with_namespace),
                conditions,
                "{filter:?}"
            );
        }
    }
}
