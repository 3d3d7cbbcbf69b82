//! Savings (`/savings/recommendations`) from kcost's stored recommendations: the open ones
//! whose change saves money, read through the recommendations use case (never generated
//! here), with the tenant's projected monthly cost for the percentage.
//!
//! - `current_cost`: what the current request of that resource costs per month, across
//!   replicas. Savings are `(current − recommended) × rate × replicas × 730 h`, so the
//!   current request costs `savings × current ÷ (current − recommended)` at the same rate.
//! - `priority`: `high` from [`HIGH_PRIORITY_USD`] a month, `medium` from
//!   [`MEDIUM_PRIORITY_USD`], else `low`; one step lower when the recommender's confidence
//!   is below [`CONFIDENT`] (short or noisy history).
//! - Percentage: total savings ÷ the tenant's projected monthly cost × 100; that cost is
//!   the last 7 days' cost (idle included) per hour with data, × 730.

use chrono::{DateTime, Duration, Utc};
use kcost_domain::api_key::AuthenticatedKey;
use kcost_domain::costs::{CostFilter, CostGrouping, CostQuery, HOURS_PER_MONTH, TrendInterval};
use kcost_domain::money::Money;
use kcost_domain::recommendation::{
    Recommendation, RecommendationId, RecommendationStatus, Resource,
};
use kcost_domain::tenant::TenantId;
use kcost_domain::window::TimeWindow;
use kcost_ports::{MetricsStore, Page, RecommendationFilter};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::costs::QueryError;
use crate::recommendations::{RecommendationError, Recommendations};

/// Monthly savings (in the tenant's currency) from which a recommendation is `high`.
pub const HIGH_PRIORITY_USD: Decimal = Decimal::from_parts(50, 0, 0, false, 0);
/// Monthly savings from which a recommendation is `medium`.
pub const MEDIUM_PRIORITY_USD: Decimal = Decimal::from_parts(10, 0, 0, false, 0);
/// Confidence below which the priority is lowered one step.
pub const CONFIDENT: Decimal = Decimal::from_parts(5, 0, 0, false, 1);
/// Pages of open recommendations read at most (500 each).
const MAX_PAGES: u64 = 20;
/// History the projected monthly cost is based on.
const RUN_RATE_DAYS: i64 = 7;

/// How urgent a saving is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    High,
    Medium,
    Low,
}

impl Priority {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
        }
    }

    /// The priority of a saving `recommendation` (see the module docs).
    pub fn for_recommendation(recommendation: &Recommendation) -> Self {
        let savings = recommendation.monthly_savings.amount();
        let by_amount = if savings >= HIGH_PRIORITY_USD {
            Self::High
        } else if savings >= MEDIUM_PRIORITY_USD {
            Self::Medium
        } else {
            Self::Low
        };
        match (by_amount, recommendation.confidence.value() < CONFIDENT) {
            (Self::High, true) => Self::Medium,
            (_, true) => Self::Low,
            (priority, false) => priority,
        }
    }
}

/// One saving, as Kubecent shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavingsItem {
    pub id: RecommendationId,
    /// `cpu_rightsizing` or `memory_rightsizing`.
    pub kind: String,
    pub namespace: String,
    /// The Kubernetes object: `deployment/api`, or `pod/x` without a known workload.
    pub resource: String,
    pub current_cost: Money,
    pub estimated_savings: Money,
    pub priority: Priority,
    pub description: String,
    /// A `kubectl set resources` command that applies the change.
    pub action: String,
}

impl SavingsItem {
    /// `None` unless the recommendation lowers a request (saves money).
    pub fn from_recommendation(recommendation: &Recommendation) -> Option<Self> {
        let r = recommendation;
        if r.monthly_savings <= Money::ZERO || r.current <= r.recommended {
            return None;
        }
        let lowered = Decimal::from(r.current - r.recommended);
        let current_cost =
            Money::from_decimal(r.monthly_savings.amount() * Decimal::from(r.current) / lowered);
        let resource = match (&r.target.workload, &r.target.pod) {
            (Some((kind, name)), _) => format!("{}/{name}", kind.to_ascii_lowercase()),
            (None, Some(pod)) => format!("pod/{pod}"),
            (None, None) => "unknown".to_owned(),
        };
        let container = r
            .target
            .container
            .as_ref()
            .map(|c| format!(" (container {c})"))
            .unwrap_or_default();
        let description = format!(
            "Lower the {} request of {resource}{container} in cluster {} from {} to {}: {}",
            resource_word(r.resource),
            r.target.cluster,
            r.resource.format_quantity(r.current),
            r.resource.format_quantity(r.recommended),
            r.reason
        );
        Some(Self {
            id: r.id,
            kind: format!("{}_rightsizing", r.resource.as_str()),
            namespace: r.target.namespace.clone(),
            resource,
            current_cost,
            estimated_savings: r.monthly_savings,
            priority: Priority::for_recommendation(r),
            description,
            action: r.kubectl_command(),
        })
    }
}

fn resource_word(resource: Resource) -> &'static str {
    match resource {
        Resource::Cpu => "CPU",
        Resource::Memory => "memory",
    }
}

/// Every saving (largest first) and the totals over all of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavingsReport {
    pub recommendations: Vec<SavingsItem>,
    pub total_potential_savings: Money,
    /// The tenant's projected monthly cost the percentage is taken of.
    pub projected_monthly_cost: Money,
    /// `total_potential_savings ÷ projected_monthly_cost × 100`, 2 places; 0 without cost.
    pub savings_percentage: Decimal,
}

impl SavingsReport {
    pub fn new(open: &[Recommendation], projected_monthly_cost: Money) -> Self {
        let mut recommendations: Vec<SavingsItem> = open
            .iter()
            .filter_map(SavingsItem::from_recommendation)
            .collect();
        recommendations.sort_by(|a, b| {
            b.estimated_savings
                .cmp(&a.estimated_savings)
                .then(a.id.cmp(&b.id))
        });
        let total: Money = recommendations.iter().map(|r| r.estimated_savings).sum();
        let savings_percentage = if projected_monthly_cost > Money::ZERO {
            (total.amount() * Decimal::ONE_HUNDRED / projected_monthly_cost.amount()).round_dp(2)
        } else {
            Decimal::ZERO
        };
        Self {
            recommendations,
            total_potential_savings: total,
            projected_monthly_cost,
            savings_percentage,
        }
    }
}

/// Every open recommendation of the key's tenant (up to [`MAX_PAGES`] pages).
pub(super) async fn open_recommendations(
    recommendations: &Recommendations,
    key: &AuthenticatedKey,
) -> Result<Vec<Recommendation>, QueryError> {
    let filter = RecommendationFilter {
        status: Some(RecommendationStatus::Open),
        ..RecommendationFilter::default()
    };
    let mut open = Vec::new();
    for page in 0..MAX_PAGES {
        let page = Page::new(Page::MAX_LIMIT, page * u64::from(Page::MAX_LIMIT))
            .map_err(|e| QueryError::unexpected(e.into()))?;
        let found = recommendations
            .list(key, &filter, page)
            .await
            .map_err(query_error)?;
        let last = found.items.len() < Page::MAX_LIMIT as usize;
        open.extend(found.items);
        if last || open.len() as u64 >= found.total {
            break;
        }
    }
    Ok(open)
}

/// The last [`RUN_RATE_DAYS`] days' cost per hour with data, × 730.
pub(super) async fn projected_monthly_cost(
    metrics: &dyn MetricsStore,
    tenant: TenantId,
    now: DateTime<Utc>,
) -> Result<Money, QueryError> {
    let window = TimeWindow::new(now - Duration::days(RUN_RATE_DAYS), now)
        .map_err(|e| QueryError::unexpected(e.into()))?;
    let query = CostQuery {
        window,
        grouping: CostGrouping::Time(TrendInterval::Hourly),
        filter: CostFilter::default(),
    };
    let hours = metrics.costs(tenant, &query).await?;
    if hours.is_empty() {
        return Ok(Money::ZERO);
    }
    let cost: Money = hours.iter().map(|row| row.cost.total()).sum();
    Ok(Money::from_decimal(
        cost.amount() * Decimal::from(HOURS_PER_MONTH) / Decimal::from(hours.len() as u64),
    ))
}

fn query_error(error: RecommendationError) -> QueryError {
    match error {
        RecommendationError::Forbidden(denied) => QueryError::Forbidden(denied),
        RecommendationError::Failed(failure) => QueryError::Failed(failure),
        other => QueryError::unexpected(other.into()),
    }
}
