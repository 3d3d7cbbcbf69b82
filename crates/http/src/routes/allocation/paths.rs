//! The allocation routes under each prefix, one documented handler per path (the OpenAPI
//! document describes every path the router serves, and the router registers exactly
//! these).

use actix_web::web;

use super::AllocationCaller;
use crate::dto::allocation::{
    AllocationParams, AllocationResponseDoc, AllocationSetDto, Envelope, SummaryDto,
    SummaryResponseDoc, ToplineDto, ToplineResponseDoc,
};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

macro_rules! allocation_path {
    ($name:ident, $path:literal, $handler:ident, $data:ty, $doc:ty, $what:literal) => {
        #[doc = $what]
        #[utoipa::path(
            get, path = $path, tag = "allocation", params(AllocationParams),
            responses(
                (status = 200, description = $what, body = $doc),
                (status = 400, description = "A parameter is invalid; the error names it", body = ErrorBody),
                (status = 401, description = "Missing or invalid API key (without the anonymous mode)", body = ErrorBody),
                (status = 403, description = "The key lacks `costs:read`", body = ErrorBody),
                (status = 503, description = "Store unavailable", body = ErrorBody),
            ),
            security(("api_key" = []), ())
        )]
        #[tracing::instrument(skip_all)]
        pub async fn $name(
            state: web::Data<AppState>,
            caller: AllocationCaller,
            params: web::Query<AllocationParams>,
        ) -> Result<web::Json<Envelope<$data>>, ApiError> {
            super::$handler(state, caller, params).await
        }
    };
}

macro_rules! allocation_paths {
    ($($name:ident $path:literal $handler:ident $data:ty, $doc:ty, $what:literal;)*) => {
        $(allocation_path!($name, $path, $handler, $data, $doc, $what);)*

        /// Every allocation route: path and handler.
        pub fn routes() -> Vec<(&'static str, actix_web::Route)> {
            vec![$(($path, web::get().to($name))),*]
        }
    };
}

allocation_paths! {
    allocation "/allocation" compute Vec<AllocationSetDto>, AllocationResponseDoc, "Allocations, one map per step or period";
    allocation_compute "/allocation/compute" compute Vec<AllocationSetDto>, AllocationResponseDoc, "Allocations, one map per step or period (as `/allocation`)";
    summary "/allocation/summary" summary SummaryDto, SummaryResponseDoc, "Condensed allocations per set, sorted and paged";
    topline "/allocation/summary/topline" topline ToplineDto, ToplineResponseDoc, "Totals of the query";
    model_allocation "/model/allocation" compute Vec<AllocationSetDto>, AllocationResponseDoc, "Allocations, one map per step or period";
    model_allocation_compute "/model/allocation/compute" compute Vec<AllocationSetDto>, AllocationResponseDoc, "Allocations, one map per step or period (as `/allocation`)";
    model_summary "/model/allocation/summary" summary SummaryDto, SummaryResponseDoc, "Condensed allocations per set, sorted and paged";
    model_topline "/model/allocation/summary/topline" topline ToplineDto, ToplineResponseDoc, "Totals of the query";
    v1_allocation "/v1/allocation" compute Vec<AllocationSetDto>, AllocationResponseDoc, "Allocations, one map per step or period";
    v1_allocation_compute "/v1/allocation/compute" compute Vec<AllocationSetDto>, AllocationResponseDoc, "Allocations, one map per step or period (as `/allocation`)";
    v1_summary "/v1/allocation/summary" summary SummaryDto, SummaryResponseDoc, "Condensed allocations per set, sorted and paged";
    v1_topline "/v1/allocation/summary/topline" topline ToplineDto, ToplineResponseDoc, "Totals of the query";
}
