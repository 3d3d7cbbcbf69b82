//! Cost per group per bucket (hour or day) over a window: what forecasts and anomaly
//! checks read. Groups are a single allocation property (namespace, cluster, or a label's
//! value); each group's series has one amount per bucket, zero where it had no cost.
//!
//! A cluster's series includes its idle (shared over its pods, as `/v1/costs/clusters`
//! counts it); namespaces and labels are what their pods cost, as `/v1/costs/namespaces`.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use kcost_domain::allocation::query::{Accumulate, AggregateBy, AllocationQuery, Sharing};
use kcost_domain::api_key::{AuthenticatedKey, Scope};
use kcost_domain::money::Money;
use kcost_domain::window::TimeWindow;

use crate::allocations::{AllocationQueries, AllocationRequest};
use crate::costs::QueryError;

/// What a series is grouped by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GroupBy {
    Namespace,
    Cluster,
    /// A label's value (pods without the label are one group, `__unallocated__`).
    Label(String),
}

impl GroupBy {
    fn aggregate(&self) -> AggregateBy {
        match self {
            Self::Namespace => AggregateBy::Namespace,
            Self::Cluster => AggregateBy::Cluster,
            Self::Label(key) => AggregateBy::Label(key.clone()),
        }
    }
}

/// Each group's cost per bucket, buckets oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSeries {
    /// The start of each bucket.
    pub starts: Vec<DateTime<Utc>>,
    pub groups: BTreeMap<String, Vec<Money>>,
}

/// Reads grouped cost series through the allocation use case.
#[derive(Debug, Clone)]
pub struct CostSeries {
    allocations: Arc<AllocationQueries>,
}

impl CostSeries {
    pub fn new(allocations: Arc<AllocationQueries>) -> Self {
        Self { allocations }
    }

    /// The key's tenant's cost per `group` per `bucket` over `window` (needs
    /// `costs:read`); `window` should start and end on bucket boundaries.
    pub async fn read(
        &self,
        key: &AuthenticatedKey,
        group: &GroupBy,
        window: TimeWindow,
        bucket: TimeDelta,
    ) -> Result<GroupSeries, QueryError> {
        key.require(Scope::CostsRead)?;
        let request = AllocationRequest {
            window,
            step: Some(bucket),
            accumulate: Accumulate::None,
            query: AllocationQuery {
                aggregate: vec![group.aggregate()],
                filter: kcost_domain::allocation::filter::AllocationFilter::All,
                sharing: Sharing {
                    share_idle: *group == GroupBy::Cluster,
                    ..Sharing::default()
                },
            },
        };
        let sets = self
            .allocations
            .tenant_allocations(key.tenant_id, &request)
            .await?;
        let starts: Vec<DateTime<Utc>> = sets.iter().map(|set| set.start).collect();
        let mut groups: BTreeMap<String, Vec<Money>> = BTreeMap::new();
        for (index, set) in sets.iter().enumerate() {
            for allocation in &set.allocations {
                let series = groups
                    .entry(allocation.name.clone())
                    .or_insert_with(|| vec![Money::ZERO; sets.len()]);
                series[index] += allocation.total_cost();
            }
        }
        Ok(GroupSeries { starts, groups })
    }
}
