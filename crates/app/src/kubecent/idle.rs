//! Sharing each cluster's idle cost among its namespaces, in proportion to their allocated
//! cost (OpenCost's `shareIdle` weighting). Exact: the shares of a cluster add up to its
//! idle to the last unit of [`Money`].

use kcost_domain::costs::{CostFilter, CostGrouping, CostKey, CostQuery};
use kcost_domain::money::{Money, apportion};
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_ports::{MetricsStore, MetricsStoreError};
use rust_decimal::Decimal;

use super::UNSHARED_IDLE;

/// `(namespace, share of idle)` pairs, one per namespace and cluster with idle (a
/// namespace present in several clusters appears once per cluster).
pub(super) async fn shared_idle(
    metrics: &dyn MetricsStore,
    tenant: TenantId,
    window: TimeWindow,
) -> Result<Vec<(String, Money)>, MetricsStoreError> {
    let clusters = metrics
        .costs(
            tenant,
            &CostQuery {
                window,
                grouping: CostGrouping::Cluster,
                filter: CostFilter::default(),
            },
        )
        .await?;
    let mut shares = Vec::new();
    for row in clusters {
        let CostKey::Cluster(cluster) = row.key else {
            continue;
        };
        let idle = row.cost.idle;
        if idle == Money::ZERO {
            continue;
        }
        let query = CostQuery {
            window,
            grouping: CostGrouping::Namespace,
            filter: CostFilter {
                cluster: Some(cluster),
                namespace: None,
            },
        };
        let namespaces: Vec<(String, Decimal)> = metrics
            .costs(tenant, &query)
            .await?
            .into_iter()
            .filter_map(|row| match row.key {
                CostKey::Namespace(name) => Some((name, row.cost.allocated().amount())),
                _ => None,
            })
            .collect();
        if namespaces.is_empty() {
            shares.push((UNSHARED_IDLE.to_owned(), idle));
            continue;
        }
        let weights: Vec<Decimal> = namespaces.iter().map(|(_, weight)| *weight).collect();
        shares.extend(
            namespaces
                .into_iter()
                .map(|(name, _)| name)
                .zip(apportion(idle, &weights)),
        );
    }
    Ok(shares)
}
