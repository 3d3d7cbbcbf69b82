//! The allocation routes under each prefix, one documented handler per path (the OpenAPI
//! document describes every path the router serves, and the router registers exactly
//! these).

use super::AllocationCaller;
use crate::dto::allocation::{
    AllocationParams, AllocationResponseDoc, AllocationSetDto, Envelope, SummaryDto,
    SummaryResponseDoc, ToplineDto, ToplineResponseDoc,
};

type Sets = Envelope<Vec<AllocationSetDto>>;
type Summary = Envelope<SummaryDto>;
type Topline = Envelope<ToplineDto>;

documented_get_routes! {
    tag = "allocation", caller = AllocationCaller;
    allocation "/allocation" => super::compute, AllocationParams, Sets, AllocationResponseDoc, "Allocations, one map per step or period";
    allocation_compute "/allocation/compute" => super::compute, AllocationParams, Sets, AllocationResponseDoc, "Allocations, one map per step or period (as `/allocation`)";
    summary "/allocation/summary" => super::summary, AllocationParams, Summary, SummaryResponseDoc, "Condensed allocations per set, sorted and paged";
    topline "/allocation/summary/topline" => super::topline, AllocationParams, Topline, ToplineResponseDoc, "Totals of the query";
    model_allocation "/model/allocation" => super::compute, AllocationParams, Sets, AllocationResponseDoc, "Allocations, one map per step or period";
    model_allocation_compute "/model/allocation/compute" => super::compute, AllocationParams, Sets, AllocationResponseDoc, "Allocations, one map per step or period (as `/allocation`)";
    model_summary "/model/allocation/summary" => super::summary, AllocationParams, Summary, SummaryResponseDoc, "Condensed allocations per set, sorted and paged";
    model_topline "/model/allocation/summary/topline" => super::topline, AllocationParams, Topline, ToplineResponseDoc, "Totals of the query";
    v1_allocation "/v1/allocation" => super::compute, AllocationParams, Sets, AllocationResponseDoc, "Allocations, one map per step or period";
    v1_allocation_compute "/v1/allocation/compute" => super::compute, AllocationParams, Sets, AllocationResponseDoc, "Allocations, one map per step or period (as `/allocation`)";
    v1_summary "/v1/allocation/summary" => super::summary, AllocationParams, Summary, SummaryResponseDoc, "Condensed allocations per set, sorted and paged";
    v1_topline "/v1/allocation/summary/topline" => super::topline, AllocationParams, Topline, ToplineResponseDoc, "Totals of the query";
}
