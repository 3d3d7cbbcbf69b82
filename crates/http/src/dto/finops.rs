//! Query parameters and answers of `/v1/costs/forecast` and `/v1/anomalies`. A group is
//! named as the cost endpoints name it: `namespace`, `cluster_name`, or for a label the
//! key in `label` and the value in `label_value` (`__unallocated__`: pods without it).

use chrono::{DateTime, NaiveDate, Utc};
use kcost_analytics::anomaly::{AnomalousBucket, Direction, Granularity};
use kcost_analytics::forecast::DailyForecast;
use kcost_app::anomalies::{AnomalyReport, GroupAnomaly};
use kcost_app::cost_series::GroupBy;
use kcost_app::forecasts::GroupForecast;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Usd;
use super::query::{WindowBound, WindowExpr};

/// `GET /v1/costs/forecast` parameters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ForecastParams {
    /// How far ahead, from today (UTC): `7d` (default) or `30d`.
    #[param(pattern = "^(|7d|30d)$")]
    pub horizon: Option<String>,
    /// `namespace` (default), `cluster` or `label:<key>`.
    #[param(pattern = "^(|namespace|cluster|label:.+)$")]
    pub aggregate: Option<String>,
}

/// `GET /v1/anomalies` parameters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnomalyParams {
    /// Window start, RFC3339. Without `end_time`: until now.
    #[param(value_type = Option<WindowBound>)]
    pub start_time: Option<String>,
    /// Window end, RFC3339 (exclusive). Needs `start_time`.
    #[param(value_type = Option<WindowBound>)]
    pub end_time: Option<String>,
    /// Instead of start/end: `24h`, `7d`, `today`, `yesterday`, `week`, `lastweek`,
    /// `month`, `lastmonth`, or `start,end`. Default: the last 24 hours. Cut to the whole
    /// buckets in it that have ended.
    #[param(value_type = Option<WindowExpr>)]
    pub window: Option<String>,
    /// `namespace` (default), `cluster` or `label:<key>`.
    #[param(pattern = "^(|namespace|cluster|label:.+)$")]
    pub aggregate: Option<String>,
    /// `hourly` (the default for windows of up to two days; at most 7 days) or `daily`
    /// (the default beyond; at most 90 days).
    #[param(pattern = "^(|hourly|daily)$")]
    pub granularity: Option<String>,
}

/// The group an answer is about, named as the cost endpoints name it.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct GroupName {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    /// The label's key, for `label:<key>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_value: Option<String>,
}

impl GroupName {
    pub fn new(by: &GroupBy, group: &str) -> Self {
        match by {
            GroupBy::Namespace => Self {
                namespace: Some(group.to_owned()),
                ..Self::default()
            },
            GroupBy::Cluster => Self {
                cluster_name: Some(group.to_owned()),
                ..Self::default()
            },
            GroupBy::Label(key) => Self {
                label: Some(key.clone()),
                label_value: Some(group.to_owned()),
                ..Self::default()
            },
        }
    }
}

/// One forecast day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ForecastDayDto {
    pub date: NaiveDate,
    pub cost_usd: Usd,
    /// The 95 % prediction interval.
    pub lower_usd: Usd,
    pub upper_usd: Usd,
}

impl From<&DailyForecast> for ForecastDayDto {
    fn from(day: &DailyForecast) -> Self {
        Self {
            date: day.date,
            cost_usd: day.cost.into(),
            lower_usd: day.lower.into(),
            upper_usd: day.upper.into(),
        }
    }
}

/// One group's forecast.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupForecastDto {
    #[serde(flatten)]
    pub group: GroupName,
    /// `holt_winters_weekly` (three weeks of history or more), `seasonal_naive_weekly`
    /// (one to three weeks) or `flat` (less).
    #[schema(example = "holt_winters_weekly")]
    pub method: &'static str,
    pub total_cost_usd: Usd,
    pub daily: Vec<ForecastDayDto>,
}

impl GroupForecastDto {
    pub fn new(by: &GroupBy, forecast: &GroupForecast) -> Self {
        Self {
            group: GroupName::new(by, &forecast.group),
            method: forecast.forecast.method.name(),
            total_cost_usd: forecast.forecast.total_cost().into(),
            daily: forecast
                .forecast
                .days
                .iter()
                .map(ForecastDayDto::from)
                .collect(),
        }
    }
}

/// `GET /v1/costs/forecast`: groups by forecast total, largest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ForecastResponse {
    pub horizon_days: u32,
    /// The first forecast day (today, UTC).
    pub first_date: NaiveDate,
    /// Whole days of history read (before today).
    pub history_days: u64,
    pub forecast: Vec<GroupForecastDto>,
}

/// One anomalous bucket.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnomalousBucketDto {
    pub start: DateTime<Utc>,
    pub expected_cost_usd: Usd,
    pub actual_cost_usd: Usd,
    /// `spike` or `drop`.
    #[schema(example = "spike")]
    pub direction: &'static str,
    /// How far from the expected cost, in robust standard deviations (signed).
    pub score: f64,
}

fn direction(direction: Direction) -> &'static str {
    match direction {
        Direction::Spike => "spike",
        Direction::Drop => "drop",
    }
}

/// Scores are finite by construction; a bound keeps the JSON valid if one were not.
fn finite(score: f64) -> f64 {
    if score.is_finite() {
        score
    } else {
        f64::MAX.copysign(score)
    }
}

impl From<&AnomalousBucket> for AnomalousBucketDto {
    fn from(bucket: &AnomalousBucket) -> Self {
        Self {
            start: bucket.start,
            expected_cost_usd: bucket.expected.into(),
            actual_cost_usd: bucket.actual.into(),
            direction: direction(bucket.direction),
            score: finite(bucket.score),
        }
    }
}

/// One anomalous group: its worst bucket's direction and score, the expected and actual
/// cost summed over its anomalous buckets, and those buckets.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupAnomalyDto {
    #[serde(flatten)]
    pub group: GroupName,
    #[schema(example = "spike")]
    pub direction: &'static str,
    pub score: f64,
    pub expected_cost_usd: Usd,
    pub actual_cost_usd: Usd,
    pub buckets: Vec<AnomalousBucketDto>,
}

impl GroupAnomalyDto {
    pub fn new(by: &GroupBy, anomaly: &GroupAnomaly) -> Self {
        Self {
            group: GroupName::new(by, &anomaly.group),
            direction: direction(anomaly.direction()),
            score: finite(anomaly.worst().map_or(0.0, |w| w.score)),
            expected_cost_usd: anomaly.expected().into(),
            actual_cost_usd: anomaly.actual().into(),
            buckets: anomaly
                .buckets
                .iter()
                .map(AnomalousBucketDto::from)
                .collect(),
        }
    }
}

/// The window judged, cut to whole buckets.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JudgedWindow {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// `GET /v1/anomalies`: only the anomalous groups, most anomalous first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnomalyResponse {
    pub window: JudgedWindow,
    /// `hourly` or `daily`.
    #[schema(example = "hourly")]
    pub granularity: &'static str,
    pub anomalies: Vec<GroupAnomalyDto>,
}

impl AnomalyResponse {
    pub fn new(by: &GroupBy, report: &AnomalyReport) -> Self {
        Self {
            window: JudgedWindow {
                start: report.window.start(),
                end: report.window.end(),
            },
            granularity: match report.granularity {
                Granularity::Hourly => "hourly",
                Granularity::Daily => "daily",
            },
            anomalies: report
                .anomalies
                .iter()
                .map(|a| GroupAnomalyDto::new(by, a))
                .collect(),
        }
    }
}
