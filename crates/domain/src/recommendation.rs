//! Right-sizing recommendations as stored and served: what to change, by how much, what it
//! saves per month, and the open → applied | dismissed lifecycle.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::cluster::ClusterName;
use crate::money::Money;
use crate::tenant::TenantId;

/// Opaque recommendation identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RecommendationId(Uuid);

impl RecommendationId {
    pub const fn from_uuid(id: Uuid) -> Self {
        Self(id)
    }

    pub const fn as_uuid(&self) -> &Uuid {
        &self.0
    }
}

impl fmt::Display for RecommendationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The resource a recommendation changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Resource {
    /// Values in millicores.
    Cpu,
    /// Values in bytes.
    Memory,
}

impl Resource {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Cpu => "cpu",
            Self::Memory => "memory",
        }
    }

    /// The value as Kubernetes writes it: `250m` or `512Mi`.
    pub fn format_quantity(self, value: u64) -> String {
        match self {
            Self::Cpu => format!("{value}m"),
            Self::Memory => format!("{}Mi", value.div_ceil(1 << 20)),
        }
    }
}

/// What a recommendation applies to: a workload (all its replicas) or a single pod,
/// optionally one container of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RecommendationTarget {
    pub cluster: ClusterName,
    pub namespace: String,
    /// `(kind, name)` of the owning workload, e.g. `("Deployment", "api")`.
    pub workload: Option<(String, String)>,
    /// Set when no workload is known.
    pub pod: Option<String>,
    pub container: Option<String>,
}

impl RecommendationTarget {
    /// A ready `kubectl set resources` command applying `recommended` to this target.
    pub fn kubectl_command(&self, resource: Resource, recommended: u64) -> String {
        let object = match (&self.workload, &self.pod) {
            (Some((kind, name)), _) => format!("{}/{}", kind.to_ascii_lowercase(), name),
            (None, Some(pod)) => format!("pod/{pod}"),
            (None, None) => "<unknown>".to_owned(),
        };
        let container = self
            .container
            .as_ref()
            .map(|c| format!(" -c {c}"))
            .unwrap_or_default();
        format!(
            "kubectl -n {} set resources {object}{container} --requests={}={}",
            self.namespace,
            resource.as_str(),
            resource.format_quantity(recommended)
        )
    }
}

/// Lifecycle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecommendationStatus {
    Open,
    Applied,
    Dismissed,
}

impl RecommendationStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Applied => "applied",
            Self::Dismissed => "dismissed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("status must be one of open, applied, dismissed (got {0:?})")]
pub struct StatusParseError(pub String);

impl FromStr for RecommendationStatus {
    type Err = StatusParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "open" => Ok(Self::Open),
            "applied" => Ok(Self::Applied),
            "dismissed" => Ok(Self::Dismissed),
            _ => Err(StatusParseError(s.to_owned())),
        }
    }
}

/// Why a status change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("recommendation is already {}", .0.as_str())]
    AlreadyClosed(RecommendationStatus),
}

/// Confidence in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct Confidence(Decimal);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("confidence must be between 0 and 1 (got {0})")]
pub struct ConfidenceError(pub Decimal);

impl Confidence {
    pub fn new(value: Decimal) -> Result<Self, ConfidenceError> {
        if value < Decimal::ZERO || value > Decimal::ONE {
            return Err(ConfidenceError(value));
        }
        Ok(Self(value))
    }

    pub const fn value(self) -> Decimal {
        self.0
    }
}

impl TryFrom<Decimal> for Confidence {
    type Error = ConfidenceError;
    fn try_from(value: Decimal) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<Confidence> for Decimal {
    fn from(value: Confidence) -> Self {
        value.0
    }
}

/// A stored recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    pub id: RecommendationId,
    pub tenant_id: TenantId,
    pub target: RecommendationTarget,
    pub resource: Resource,
    /// Current request (millicores or bytes).
    pub current: u64,
    pub recommended: u64,
    /// Positive when the change saves money, negative when it costs (an increase for safety).
    pub monthly_savings: Money,
    pub confidence: Confidence,
    pub reason: String,
    pub status: RecommendationStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Who applied or dismissed it, and why (dismissals).
    pub closed_by: Option<String>,
    pub close_reason: Option<String>,
}

impl Recommendation {
    pub fn kubectl_command(&self) -> String {
        self.target.kubectl_command(self.resource, self.recommended)
    }

    /// Marks an open recommendation applied.
    pub fn apply(&mut self, by: Option<String>, now: DateTime<Utc>) -> Result<(), TransitionError> {
        self.close(RecommendationStatus::Applied, by, None, now)
    }

    /// Marks an open recommendation dismissed, with an optional reason.
    pub fn dismiss(
        &mut self,
        by: Option<String>,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<(), TransitionError> {
        self.close(RecommendationStatus::Dismissed, by, reason, now)
    }

    fn close(
        &mut self,
        status: RecommendationStatus,
        by: Option<String>,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<(), TransitionError> {
        if self.status != RecommendationStatus::Open {
            return Err(TransitionError::AlreadyClosed(self.status));
        }
        self.status = status;
        self.closed_by = by;
        self.close_reason = reason;
        self.updated_at = now;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn sample() -> Recommendation {
        let at = Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap();
        Recommendation {
            id: RecommendationId::from_uuid(Uuid::nil()),
            tenant_id: TenantId::from_uuid(Uuid::nil()),
            target: RecommendationTarget {
                cluster: ClusterName::new("prod").unwrap(),
                namespace: "web".into(),
                workload: Some(("Deployment".into(), "api".into())),
                pod: None,
                container: Some("app".into()),
            },
            resource: Resource::Cpu,
            current: 1000,
            recommended: 250,
            monthly_savings: Money::from_decimal(Decimal::new(1234, 2)),
            confidence: Confidence::new(Decimal::new(8, 1)).unwrap(),
            reason: "p95 usage 180m over 7 days".into(),
            status: RecommendationStatus::Open,
            created_at: at,
            updated_at: at,
            closed_by: None,
            close_reason: None,
        }
    }

    #[test]
    fn kubectl_commands_are_ready_to_run() {
        let rec = sample();
        assert_eq!(
            rec.kubectl_command(),
            "kubectl -n web set resources deployment/api -c app --requests=cpu=250m"
        );
        let mut pod_target = rec.target.clone();
        pod_target.workload = None;
        pod_target.pod = Some("api-0".into());
        pod_target.container = None;
        assert_eq!(
            pod_target.kubectl_command(Resource::Memory, 300 << 20),
            "kubectl -n web set resources pod/api-0 --requests=memory=300Mi"
        );
    }

    #[test]
    fn open_recommendations_can_be_applied_once() {
        let mut rec = sample();
        let later = rec.created_at + chrono::Duration::hours(1);
        rec.apply(Some("alice".into()), later).unwrap();
        assert_eq!(rec.status, RecommendationStatus::Applied);
        assert_eq!(rec.updated_at, later);
        assert_eq!(
            rec.dismiss(None, None, later),
            Err(TransitionError::AlreadyClosed(
                RecommendationStatus::Applied
            ))
        );
    }

    #[test]
    fn dismissal_keeps_its_reason_and_cannot_be_applied_after() {
        let mut rec = sample();
        rec.dismiss(None, Some("batch job".into()), rec.created_at)
            .unwrap();
        assert_eq!(rec.close_reason.as_deref(), Some("batch job"));
        assert!(rec.apply(None, rec.created_at).is_err());
    }

    #[test]
    fn confidence_and_status_are_validated() {
        assert!(Confidence::new(Decimal::new(11, 1)).is_err());
        assert!(Confidence::new(Decimal::NEGATIVE_ONE).is_err());
        assert_eq!("applied".parse(), Ok(RecommendationStatus::Applied));
        assert!("closed".parse::<RecommendationStatus>().is_err());
    }
}
