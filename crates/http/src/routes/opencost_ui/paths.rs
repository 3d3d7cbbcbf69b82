//! The OpenCost UI's routes bare and under `/model`, one documented handler per path (the
//! OpenAPI document describes every path the router serves).

use super::super::allocation::AllocationCaller;
use crate::dto::allocation::{Envelope, Ordered};
use crate::dto::opencost_ui::{
    AssetsResponseDoc, AutocompleteDto, AutocompleteParams, AutocompleteResponseDoc,
    CloudCostRangeDto, CloudCostResponseDoc, CloudCostViewResponseDoc, CustomCostTimeseriesDto,
    CustomCostTimeseriesResponseDoc, CustomCostTotalDto, CustomCostTotalResponseDoc, DataEnvelope,
    NoParams, NodeAssetDto, UiParams,
};

type Assets = Envelope<Ordered<NodeAssetDto>>;
type Null = DataEnvelope<Option<()>>;
type Empty = DataEnvelope<Vec<()>>;
type Range = DataEnvelope<CloudCostRangeDto>;
type Total = DataEnvelope<CustomCostTotalDto>;
type Series = DataEnvelope<CustomCostTimeseriesDto>;
type Values = DataEnvelope<AutocompleteDto>;

documented_get_routes! {
    tag = "opencost-ui", caller = AllocationCaller;
    assets "/assets" => super::assets, UiParams, Assets, AssetsResponseDoc, "Nodes with their costs over the window, keyed as OpenCost keys assets";
    cloud_cost "/cloudCost" => super::no_costs, UiParams, Range, CloudCostResponseDoc, "No cloud costs (kcost has no cloud bill source): one empty set per day";
    cloud_cost_table "/cloudCost/view/table" => super::no_costs, UiParams, Null, CloudCostViewResponseDoc, "No cloud costs: null";
    cloud_cost_totals "/cloudCost/view/totals" => super::no_costs, UiParams, Null, CloudCostViewResponseDoc, "No cloud costs: null";
    cloud_cost_graph "/cloudCost/view/graph" => super::no_costs, UiParams, Empty, CloudCostViewResponseDoc, "No cloud costs: an empty list";
    cloud_cost_status "/cloudCost/status" => super::cloud_cost_status, NoParams, Empty, CloudCostViewResponseDoc, "No cloud-cost integration: an empty list";
    custom_cost_total "/customCost/total" => super::no_costs, UiParams, Total, CustomCostTotalResponseDoc, "No custom costs: a zero total";
    custom_cost_timeseries "/customCost/timeseries" => super::no_costs, UiParams, Series, CustomCostTimeseriesResponseDoc, "No custom costs: a zero total per day";
    allocation_autocomplete "/allocation/autocomplete" => super::allocation_autocomplete, AutocompleteParams, Values, AutocompleteResponseDoc, "Values a property takes among the window's pods";
    assets_autocomplete "/assets/autocomplete" => super::assets_autocomplete, AutocompleteParams, Values, AutocompleteResponseDoc, "Values an asset property takes among the window's nodes";
    cloud_cost_autocomplete "/cloudCost/autocomplete" => super::cloud_cost_autocomplete, AutocompleteParams, Values, AutocompleteResponseDoc, "No cloud costs: no values";
    model_assets "/model/assets" => super::assets, UiParams, Assets, AssetsResponseDoc, "Nodes with their costs over the window, keyed as OpenCost keys assets";
    model_cloud_cost "/model/cloudCost" => super::no_costs, UiParams, Range, CloudCostResponseDoc, "No cloud costs (kcost has no cloud bill source): one empty set per day";
    model_cloud_cost_table "/model/cloudCost/view/table" => super::no_costs, UiParams, Null, CloudCostViewResponseDoc, "No cloud costs: null";
    model_cloud_cost_totals "/model/cloudCost/view/totals" => super::no_costs, UiParams, Null, CloudCostViewResponseDoc, "No cloud costs: null";
    model_cloud_cost_graph "/model/cloudCost/view/graph" => super::no_costs, UiParams, Empty, CloudCostViewResponseDoc, "No cloud costs: an empty list";
    model_cloud_cost_status "/model/cloudCost/status" => super::cloud_cost_status, NoParams, Empty, CloudCostViewResponseDoc, "No cloud-cost integration: an empty list";
    model_custom_cost_total "/model/customCost/total" => super::no_costs, UiParams, Total, CustomCostTotalResponseDoc, "No custom costs: a zero total";
    model_custom_cost_timeseries "/model/customCost/timeseries" => super::no_costs, UiParams, Series, CustomCostTimeseriesResponseDoc, "No custom costs: a zero total per day";
    model_allocation_autocomplete "/model/allocation/autocomplete" => super::allocation_autocomplete, AutocompleteParams, Values, AutocompleteResponseDoc, "Values a property takes among the window's pods";
    model_assets_autocomplete "/model/assets/autocomplete" => super::assets_autocomplete, AutocompleteParams, Values, AutocompleteResponseDoc, "Values an asset property takes among the window's nodes";
    model_cloud_cost_autocomplete "/model/cloudCost/autocomplete" => super::cloud_cost_autocomplete, AutocompleteParams, Values, AutocompleteResponseDoc, "No cloud costs: no values";
}
