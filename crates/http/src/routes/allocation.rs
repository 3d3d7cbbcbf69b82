//! OpenCost's allocation API: `/allocation` and `/allocation/compute` (the same answer),
//! `/allocation/summary` and `/allocation/summary/topline`, each bare (behind the OpenCost
//! UI's nginx, which strips `/model`), under `/model` (how UIs and kubectl-cost call
//! OpenCost) and under `/v1` (seed 1's later paths). Scope `costs:read`; with
//! `allocation.anonymous_tenant` set, requests carrying no key are served for that tenant.

pub(crate) mod params;
pub mod paths;

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use kcost_app::allocations::AllocationError;
use kcost_domain::allocation::allocation::Allocation;
use kcost_domain::allocation::compute::AllocationSet;
use kcost_domain::api_key::AuthenticatedKey;
use kcost_domain::money::Money;
use rust_decimal::Decimal;

use crate::auth::key_or_anonymous;
use crate::dto::allocation::{
    AllocationParams, AllocationSetDto, Envelope, Ordered, SummaryAllocationDto, SummaryDto,
    SummarySetDto, ToplineDto, WindowDto, allocation_set,
};
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::state::AppState;
use params::{SortBy, SummaryPage, request, summary_page};

/// The caller of an allocation route: an API key, or the anonymous tenant's read-only
/// caller when configured and no credentials are sent.
#[derive(Debug, Clone)]
pub struct AllocationCaller(pub AuthenticatedKey);

impl FromRequest for AllocationCaller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let caller = key_or_anonymous(req, payload, |state| state.allocation_anonymous_tenant);
        Box::pin(async move { Ok(Self(caller.await?)) })
    }
}

impl From<AllocationError> for ApiError {
    fn from(error: AllocationError) -> Self {
        match error {
            AllocationError::Step(e) => {
                ApiError::bad_request(ErrorCode::InvalidQuery, format!("invalid `step`: {e}"))
            }
            AllocationError::Query(e) => e.into(),
        }
    }
}

/// The sets a request asks for, its window, its step in nanoseconds, and the summary's
/// paging (read on every route, so no route accepts what another refuses).
async fn sets(
    state: &AppState,
    caller: &AllocationCaller,
    params: &AllocationParams,
) -> Result<(Vec<AllocationSet>, WindowDto, i64, SummaryPage), ApiError> {
    let page = summary_page(params)?;
    let request = request(params, state.clock.now())?;
    let step_nanos = request
        .step()
        .unwrap_or(request.window.duration())
        .num_nanoseconds()
        .unwrap_or(i64::MAX);
    let window = WindowDto {
        start: request.window.start(),
        end: request.window.end(),
    };
    let sets = state.allocations.allocations(&caller.0, &request).await?;
    Ok((sets, window, step_nanos, page))
}

/// Allocations per step: `data` holds one map (name → allocation) per step or period.
pub async fn compute(
    state: web::Data<AppState>,
    caller: AllocationCaller,
    params: web::Query<AllocationParams>,
) -> Result<web::Json<Envelope<Vec<AllocationSetDto>>>, ApiError> {
    let (sets, ..) = sets(&state, &caller, &params).await?;
    Ok(web::Json(Envelope::success(
        sets.iter().map(allocation_set).collect(),
    )))
}

/// The key a summary sorts by.
fn sort_key(a: &Allocation, by: SortBy) -> Decimal {
    let money = |m: Money| m.amount();
    match by {
        SortBy::Name => Decimal::ZERO,
        SortBy::TotalCost => money(a.total_cost()),
        SortBy::CpuCost => money(a.cost.cpu),
        SortBy::RamCost => money(a.cost.ram),
        SortBy::PvCost => money(a.cost.pv),
        SortBy::NetworkCost => money(a.cost.network),
        SortBy::LoadBalancerCost => money(a.cost.load_balancer),
        SortBy::SharedCost => money(a.cost.shared),
        SortBy::TotalEfficiency => a.total_efficiency(),
    }
}

fn summary_set(set: &AllocationSet, page: &SummaryPage) -> SummarySetDto {
    let mut rows: Vec<&Allocation> = set.allocations.iter().collect();
    rows.sort_by(|a, b| {
        let order = sort_key(a, page.sort_by)
            .cmp(&sort_key(b, page.sort_by))
            .then_with(|| a.name.cmp(&b.name));
        if page.descending {
            order.reverse()
        } else {
            order
        }
    });
    let rows = rows
        .into_iter()
        .skip(page.offset)
        .take(page.limit.unwrap_or(usize::MAX))
        .map(|a| (a.name.clone(), SummaryAllocationDto::of(a)))
        .collect();
    SummarySetDto {
        allocations: Ordered(rows),
        window: WindowDto {
            start: set.start,
            end: set.end,
        },
    }
}

/// Allocations per step, condensed to costs and averages, sorted and paged per set.
pub async fn summary(
    state: web::Data<AppState>,
    caller: AllocationCaller,
    params: web::Query<AllocationParams>,
) -> Result<web::Json<Envelope<SummaryDto>>, ApiError> {
    let (sets, window, step, page) = sets(&state, &caller, &params).await?;
    Ok(web::Json(Envelope::success(SummaryDto {
        step,
        sets: sets.iter().map(|set| summary_set(set, &page)).collect(),
        window,
    })))
}

/// The totals of everything the same query answers.
pub async fn topline(
    state: web::Data<AppState>,
    caller: AllocationCaller,
    params: web::Query<AllocationParams>,
) -> Result<web::Json<Envelope<ToplineDto>>, ApiError> {
    let (sets, window, ..) = sets(&state, &caller, &params).await?;
    // Within a set the allocations ran side by side (their times overlap: the longest
    // counts); across sets one after the other (times add up).
    let mut total: Option<Allocation> = None;
    let mut count = 0;
    for set in &sets {
        count += set.allocations.len();
        let Some(set_total) = set.allocations.iter().cloned().reduce(|mut a, b| {
            a.absorb(&b);
            a
        }) else {
            continue;
        };
        match &mut total {
            Some(t) => t.accumulate(&set_total),
            None => total = Some(set_total),
        }
    }
    let mut total = total.unwrap_or_else(|| Allocation::empty("total", window.start, window.end));
    total.name = "total".to_owned();
    (total.start, total.end) = (window.start, window.end);
    let combined = SummaryAllocationDto::of(&total);
    Ok(web::Json(Envelope::success(ToplineDto {
        num_results: count,
        cpu_cost: combined.cpu_cost,
        ram_cost: combined.ram_cost,
        gpu_cost: combined.gpu_cost,
        pv_cost: combined.pv_cost,
        network_cost: combined.network_cost,
        load_balancer_cost: combined.load_balancer_cost,
        shared_cost: combined.shared_cost,
        external_cost: combined.external_cost,
        total_cost: combined.total_cost,
        total_efficiency: combined.total_efficiency,
        combined: SummarySetDto {
            allocations: Ordered(vec![("total".to_owned(), combined)]),
            window,
        },
    })))
}
