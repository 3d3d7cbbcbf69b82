//! `GET /v1/export/focus` (scope `costs:read`): the window's cost as a FOCUS 1.2 CSV file,
//! streamed one UTC day at a time.
//!
//! Everything that can be refused is checked before the first byte: the window (400), the
//! key and its scope (401, 403), the billing account and the first day's read (503 when a
//! store is unavailable) — each the usual JSON error. After that the answer is `200` and
//! the days follow as they are read, so memory holds one day whatever the window. A store
//! failing on a later day ends the response without HTTP's end of body (the chunked
//! encoding's last chunk): the client reports an incomplete body rather than receiving a
//! file that looks whole. A file that downloads completely is complete.

use actix_web::HttpResponse;
use actix_web::http::header::CONTENT_DISPOSITION;
use actix_web::web::{self, Bytes};
use futures_util::stream::{self, Stream};
use kcost_app::costs::QueryError;
use kcost_app::focus_export::ExportDays;
use kcost_domain::allocation::workloads::WorkloadCosts;
use kcost_domain::window::TimeWindow;

use crate::auth::ApiKeyCaller;
use crate::dto::focus::{FocusExportParams, file_name, header, push_day};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The window's cost per workload and day, and each cluster's idle per day, as FOCUS 1.2
/// CSV (columns and values: docs/finops.md). Its `BilledCost` adds up exactly to the
/// clusters' `estimated_cost_usd` of `/v1/costs/clusters` for the same window.
#[utoipa::path(
    get, path = "/v1/export/focus", tag = "costs", params(FocusExportParams),
    responses(
        (status = 200, description = "CSV (RFC 4180, header first), one line per workload (controller, or pod without one) per UTC day and one per cluster's idle per day. Streamed: a store failing part-way ends the body incomplete (no final chunk), never as a shorter file", content_type = "text/csv; charset=utf-8", body = String,
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"kcost-focus-<start>-<end>.csv\"`"))),
        (status = 400, description = "Invalid window", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks `costs:read`", body = ErrorBody),
        (status = 503, description = "Store unavailable", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn focus(
    state: web::Data<AppState>,
    caller: ApiKeyCaller,
    params: web::Query<FocusExportParams>,
) -> Result<HttpResponse, ApiError> {
    let window = TimeWindow::from_query(
        params.window.as_deref(),
        params.start_time.as_deref(),
        params.end_time.as_deref(),
        state.clock.now(),
    )?;
    let mut days = state.focus_export.start(&caller.0, &window).await?;
    // The first day is read before answering, so that a store down from the start is a
    // 503 like on every other route, not a broken download.
    let first = days.next_day().await.transpose()?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", file_name(&window)),
        ))
        .streaming(csv_body(days, first)))
}

/// Where the body is: the header (with the day already read) to write, days to read, or
/// finished after a failure.
enum Next {
    Header(Option<WorkloadCosts>),
    Days,
    Failed,
}

/// The header and `first` day, then every further day of `days`, each day one chunk.
fn csv_body(
    days: ExportDays,
    first: Option<WorkloadCosts>,
) -> impl Stream<Item = Result<Bytes, QueryError>> {
    stream::unfold((days, Next::Header(first)), |(mut days, next)| async move {
        match next {
            Next::Header(first) => {
                let mut chunk = header();
                if let Some(day) = first {
                    push_day(&mut chunk, days.account(), &day);
                }
                Some((Ok(Bytes::from(chunk)), (days, Next::Days)))
            }
            Next::Days => loop {
                match days.next_day().await? {
                    Ok(day) => {
                        let mut chunk = String::new();
                        push_day(&mut chunk, days.account(), &day);
                        // A day without lines sends nothing: in the chunked encoding a zero-length
                        // chunk ends the body.
                        if !chunk.is_empty() {
                            return Some((Ok(Bytes::from(chunk)), (days, Next::Days)));
                        }
                    }
                    Err(error) => {
                        // Let what was written reach the client first (the server
                        // flushes while the body waits): it then sees the status, the
                        // days before the failure, and no end.
                        tokio::task::yield_now().await;
                        tracing::error!(
                            error = %error,
                            cause = ?error,
                            "FOCUS export failed part-way; the body ends incomplete"
                        );
                        return Some((Err(error), (days, Next::Failed)));
                    }
                }
            },
            Next::Failed => None,
        }
    })
}
