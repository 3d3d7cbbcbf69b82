//! The key columns of a cost query (`k_cluster`, `k_namespace`, `k_pod`, `k_bucket`) as
//! SQL expressions: which of them a grouping keys by is the same on every store, only the
//! spelling of a NULL and of a day's or week's start is the store's ([`KeyDialect`]).
//! [`crate::cost_key`] reads them back.

use kcost_domain::costs::{CostGrouping, TrendInterval};

/// How one store's SQL writes what the key columns need.
#[derive(Debug, Clone, Copy)]
pub struct KeyDialect {
    /// A NULL in place of a text key.
    pub null_text: &'static str,
    /// A NULL in place of the bucket (an instant).
    pub null_bucket: &'static str,
    /// The start of the UTC day of a source's `hour`.
    pub day: &'static str,
    /// The start of the ISO week (from Monday, UTC) of a source's `hour`.
    pub week: &'static str,
}

/// SQL expressions for the four key columns, over a source with `cluster`, `namespace`,
/// `pod` and `hour` (the start of the hour a row is for): the column where the grouping
/// keys by it, else the dialect's NULL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyColumns {
    pub cluster: &'static str,
    pub namespace: &'static str,
    pub pod: &'static str,
    pub bucket: &'static str,
}

impl KeyColumns {
    /// The key columns of `grouping` in `dialect`.
    pub fn of(grouping: CostGrouping, dialect: &KeyDialect) -> Self {
        let none = Self {
            cluster: dialect.null_text,
            namespace: dialect.null_text,
            pod: dialect.null_text,
            bucket: dialect.null_bucket,
        };
        match grouping {
            CostGrouping::Cluster => Self {
                cluster: "cluster",
                ..none
            },
            CostGrouping::Namespace => Self {
                namespace: "namespace",
                ..none
            },
            CostGrouping::Pod => Self {
                cluster: "cluster",
                namespace: "namespace",
                pod: "pod",
                ..none
            },
            CostGrouping::Time(interval) => Self {
                bucket: match interval {
                    TrendInterval::Hourly => "hour",
                    TrendInterval::Daily => dialect.day,
                    TrendInterval::Weekly => dialect.week,
                },
                ..none
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIALECT: KeyDialect = KeyDialect {
        null_text: "NULL::text",
        null_bucket: "NULL::timestamptz",
        day: "day(hour)",
        week: "week(hour)",
    };

    fn keys(grouping: CostGrouping) -> [&'static str; 4] {
        let k = KeyColumns::of(grouping, &DIALECT);
        [k.cluster, k.namespace, k.pod, k.bucket]
    }

    #[test]
    fn each_grouping_keys_by_its_columns_and_nulls_the_rest() {
        let (null, no_bucket) = ("NULL::text", "NULL::timestamptz");
        assert_eq!(
            keys(CostGrouping::Cluster),
            ["cluster", null, null, no_bucket]
        );
        assert_eq!(
            keys(CostGrouping::Namespace),
            [null, "namespace", null, no_bucket]
        );
        assert_eq!(
            keys(CostGrouping::Pod),
            ["cluster", "namespace", "pod", no_bucket]
        );
        assert_eq!(
            keys(CostGrouping::Time(TrendInterval::Weekly)),
            [null, null, null, "week(hour)"]
        );
        assert_eq!(
            keys(CostGrouping::Time(TrendInterval::Hourly)),
            [null, null, null, "hour"]
        );
        assert_eq!(
            keys(CostGrouping::Time(TrendInterval::Daily)),
            [null, null, null, "day(hour)"]
        );
    }
}
