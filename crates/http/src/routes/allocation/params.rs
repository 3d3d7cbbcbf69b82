//! OpenCost's allocation query parameters, read into the domain's question. Every value is
//! checked: a bad one is a 400 naming its parameter (OpenCost silently drops unknown
//! aggregates and unreadable booleans; a cost platform should say so instead). Flags,
//! periods, amounts and counts are taken exactly as written (no surrounding whitespace),
//! so the OpenAPI patterns state precisely what is accepted; an empty value is absent.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use kcost_app::allocations::AllocationRequest;
use kcost_domain::allocation::filter::{LegacyFilters, from_legacy, parse};
use kcost_domain::allocation::query::{
    Accumulate, AggregateBy, AllocationQuery, ShareSplit, Sharing, parse_step,
};
use kcost_domain::money::Money;
use kcost_domain::window::TimeWindow;
use rust_decimal::Decimal;

use crate::dto::allocation::AllocationParams;
use crate::error::ApiError;
use crate::error_code::ErrorCode;

/// `digits[.digits]`, at most 9 before the point and 10 after.
fn amount(text: &str) -> Option<Decimal> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits =
        |part: &str, max: usize| part.len() <= max && part.bytes().all(|b| b.is_ascii_digit());
    let well_formed = (1..=9).contains(&whole.len())
        && digits(whole, 9)
        && digits(fraction, 10)
        // A point needs digits after it.
        && (text.contains('.') != fraction.is_empty());
    well_formed.then(|| Decimal::from_str(text).ok()).flatten()
}

fn invalid(parameter: &str, message: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(
        ErrorCode::InvalidQuery,
        format!("invalid `{parameter}`: {message}"),
    )
}

/// A list or expression parameter: surrounding whitespace ignored, blank is absent.
fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A flag, period, amount or count: exactly as written, empty is absent.
fn exact(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

/// Go's `strconv.ParseBool` words, as OpenCost reads its flags.
fn flag(parameter: &str, value: &Option<String>) -> Result<bool, ApiError> {
    match exact(value) {
        None => Ok(false),
        Some("1" | "t" | "T" | "true" | "TRUE" | "True") => Ok(true),
        Some("0" | "f" | "F" | "false" | "FALSE" | "False") => Ok(false),
        Some(other) => Err(invalid(
            parameter,
            format!("expected true or false, got {other:?}"),
        )),
    }
}

fn list(value: &Option<String>) -> Vec<String> {
    present(value)
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The `window` every OpenCost route needs (OpenCost's expressions).
pub(crate) fn required_window(
    window: &Option<String>,
    now: DateTime<Utc>,
) -> Result<TimeWindow, ApiError> {
    let Some(window) = present(window) else {
        return Err(invalid(
            "window",
            "required, e.g. 7d, today or <start>,<end>",
        ));
    };
    Ok(TimeWindow::parse(window, now)?)
}

/// The window, step, accumulation and question the parameters ask.
pub fn request(
    params: &AllocationParams,
    now: DateTime<Utc>,
) -> Result<AllocationRequest, ApiError> {
    let Some(window) = present(&params.window) else {
        return Err(invalid(
            "window",
            "required, e.g. 7d, today or <start>,<end>",
        ));
    };
    let window = TimeWindow::parse(window, now)?;
    let accumulate = match (exact(&params.accumulate), exact(&params.accumulate_by)) {
        (_, Some(by)) => period(by).ok_or_else(|| {
            invalid("accumulateBy", format!("expected all, hour, day, week, month or quarter, got {by:?}"))
        })?,
        (Some(value), None) => match value {
            "1" | "t" | "T" | "true" | "TRUE" | "True" => Accumulate::All,
            "0" | "f" | "F" | "false" | "FALSE" | "False" => Accumulate::None,
            other => period(other).ok_or_else(|| {
                invalid(
                    "accumulate",
                    format!("expected true, false, all, hour, day, week, month or quarter, got {other:?}"),
                )
            })?,
        },
        (None, None) => Accumulate::None,
    };
    let step = match exact(&params.step) {
        None => None,
        // As the OpenAPI pattern states: 1–6 digits and a unit.
        Some(text)
            if !(2..=7).contains(&text.len()) || text.starts_with('+') || text.trim() != text =>
        {
            return Err(invalid(
                "step",
                format!("expected a duration such as 1h or 1d, got {text:?}"),
            ));
        }
        Some(text) => parse_step(text).map_err(|e| invalid("step", e))?,
    };
    Ok(AllocationRequest {
        window,
        step,
        accumulate,
        query: query(params)?,
    })
}

/// OpenCost's period names, exactly.
fn period(value: &str) -> Option<Accumulate> {
    match value {
        "all" => Some(Accumulate::All),
        "hour" => Some(Accumulate::Hour),
        "day" => Some(Accumulate::Day),
        "week" => Some(Accumulate::Week),
        "month" => Some(Accumulate::Month),
        "quarter" => Some(Accumulate::Quarter),
        _ => None,
    }
}

fn query(params: &AllocationParams) -> Result<AllocationQuery, ApiError> {
    let aggregate = AggregateBy::parse_list(params.aggregate.as_deref().unwrap_or(""))
        .map_err(|e| invalid("aggregate", e))?;
    let filter = parse(params.filter.as_deref().unwrap_or("")).map_err(|e| invalid("filter", e))?;
    let legacy = LegacyFilters {
        clusters: params.filter_clusters.clone(),
        nodes: params.filter_nodes.clone(),
        namespaces: params.filter_namespaces.clone(),
        controller_kinds: params.filter_controller_kinds.clone(),
        controllers: params.filter_controllers.clone(),
        pods: params.filter_pods.clone(),
        containers: params.filter_containers.clone(),
        labels: params.filter_labels.clone(),
        annotations: params.filter_annotations.clone(),
        services: params.filter_services.clone(),
    };
    // The error names the parameter itself.
    let legacy = from_legacy(&legacy)
        .map_err(|e| ApiError::bad_request(ErrorCode::InvalidQuery, e.to_string()))?;
    Ok(AllocationQuery {
        aggregate,
        filter: filter.and(legacy),
        sharing: sharing(params)?,
    })
}

fn sharing(params: &AllocationParams) -> Result<Sharing, ApiError> {
    let share_idle = match exact(&params.share_idle) {
        Some("weighted") => true,
        _ => flag("shareIdle", &params.share_idle)?,
    };
    let share_labels = list(&params.share_labels)
        .into_iter()
        .map(|pair| match pair.split_once([':', '=']) {
            Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.trim().to_owned())),
            _ => Err(invalid(
                "shareLabels",
                format!("expected key:value, got {pair:?}"),
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let share_cost = match exact(&params.share_cost) {
        None => Money::ZERO,
        Some(text) => Money::from_decimal(amount(text).ok_or_else(|| {
            invalid(
                "shareCost",
                format!("expected a monthly amount in USD such as 100 or 99.5 (at most 9 digits before the point and 10 after), got {text:?}"),
            )
        })?),
    };
    let split = match exact(&params.share_split) {
        None | Some("weighted") => ShareSplit::Weighted,
        Some("even") => ShareSplit::Even,
        Some(other) => {
            return Err(invalid(
                "shareSplit",
                format!("expected weighted or even, got {other:?}"),
            ));
        }
    };
    Ok(Sharing {
        include_idle: flag("includeIdle", &params.include_idle)?,
        idle_by_node: flag("idleByNode", &params.idle_by_node)?,
        share_idle,
        share_namespaces: list(&params.share_namespaces),
        share_labels,
        share_cost_monthly: share_cost,
        split,
    })
}

/// How a summary orders and cuts each set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryPage {
    pub sort_by: SortBy,
    pub descending: bool,
    pub offset: usize,
    pub limit: Option<usize>,
}

/// Summary fields a set can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Name,
    TotalCost,
    CpuCost,
    RamCost,
    PvCost,
    NetworkCost,
    LoadBalancerCost,
    SharedCost,
    TotalEfficiency,
}

pub fn summary_page(params: &AllocationParams) -> Result<SummaryPage, ApiError> {
    let sort_by = match exact(&params.sort_by) {
        None | Some("totalCost") => SortBy::TotalCost,
        Some("name") => SortBy::Name,
        Some("cpuCost") => SortBy::CpuCost,
        Some("ramCost") => SortBy::RamCost,
        Some("pvCost") => SortBy::PvCost,
        Some("networkCost") => SortBy::NetworkCost,
        Some("loadBalancerCost") => SortBy::LoadBalancerCost,
        Some("sharedCost") => SortBy::SharedCost,
        Some("totalEfficiency") => SortBy::TotalEfficiency,
        Some(other) => {
            return Err(invalid(
                "sortBy",
                format!(
                    "expected name, totalCost, cpuCost, ramCost, pvCost, networkCost, \
                     loadBalancerCost, sharedCost or totalEfficiency, got {other:?}"
                ),
            ));
        }
    };
    let descending = match exact(&params.sort_by_order) {
        None | Some("desc") => true,
        Some("asc") => false,
        Some(other) => {
            return Err(invalid(
                "sortByOrder",
                format!("expected asc or desc, got {other:?}"),
            ));
        }
    };
    let count = |parameter: &str, value: &Option<String>| -> Result<Option<usize>, ApiError> {
        exact(value)
            .map(|v| {
                Some(v)
                    .filter(|v| (1..=9).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|v| v.parse::<usize>().ok())
                    .ok_or_else(|| {
                        invalid(
                            parameter,
                            format!("expected a whole number of at most 9 digits, got {v:?}"),
                        )
                    })
            })
            .transpose()
    };
    Ok(SummaryPage {
        sort_by,
        descending,
        offset: count("offset", &params.offset)?.unwrap_or(0),
        limit: count("limit", &params.limit)?,
    })
}
