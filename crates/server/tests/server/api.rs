//! The HTTP API end to end: `Application::build` on port 0 over a real database, driven
//! with a real HTTP client. Every case in `cases.rs` runs on SQLite and on PostgreSQL;
//! `outages.rs` freezes PostgreSQL under a running server.

mod allocation;
mod budgets;
mod cases;
mod dashboard;
mod export;
mod finops;
mod frozen_proxy;
mod outages;

macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    crate::api::$case(crate::support::Backend::Sqlite).await;
                }
            )*
        }

        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    crate::api::$case(crate::support::Backend::Postgres).await;
                }
            )*
        }
    };
}

pub use allocation::*;
pub use budgets::*;
pub use cases::*;
pub use dashboard::*;
pub use export::*;
pub use finops::*;

on_both_backends!(
    budgets_track_spend_and_alert_their_webhook_once,
    a_failed_delivery_is_retried_after_its_backoff,
    forecasts_and_anomalies_follow_each_groups_history,
    every_aggregation_holds_the_cluster_totals,
    steps_add_up_to_the_accumulated_answer,
    allocation_parameters_are_checked,
    the_opencost_ui_calls_answer,
    containers_split_their_pods_cost,
    the_agents_labelled_form_is_ingested_and_costed,
    fixtures_are_costed_and_namespaces_plus_idle_make_the_cluster_total,
    tenants_never_see_each_others_data,
    revoked_and_expired_keys_are_refused_alike,
    a_cluster_bound_key_ingests_only_for_its_cluster,
    ingest_input_is_checked,
    the_admin_api_needs_the_admin_token,
    data_survives_a_restart,
    health_reports_the_components,
    recommendations_are_generated_and_applied_per_tenant,
    multi_container_workloads_are_advised_per_container,
    kubecent_namespaces_match_the_v1_totals,
    kubecent_dashboard_pages_get_what_they_read,
    kubecent_dashboard_pages_render_for_an_empty_tenant,
    the_focus_export_adds_up_to_the_cluster_totals,
    the_focus_export_refuses_bad_windows_and_missing_scopes,
    the_focus_export_splits_days_at_midnight_and_each_adds_up,
);
