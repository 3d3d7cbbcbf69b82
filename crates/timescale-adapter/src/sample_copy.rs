//! Raw pod and container samples written with `COPY … FROM STDIN` inside the append
//! transaction: one message stream per table instead of bound parameter arrays the server
//! must unpack. Pod samples, a snapshot's bulk, go in the binary format (`copy_binary`:
//! nothing for PostgreSQL to parse); containers, far fewer, in text. (Node samples, a few
//! dozen, are bound as arrays to the statement that finishes the append: `node_rows`.)
//! The payloads are built here from the priced snapshot; pure except for [`copy_in`].

use kcost_domain::cost_engine::PricedSnapshot;
use kcost_domain::snapshot::ResourceFigures;
use kcost_ports::MetricsStoreError;
use kcost_store_support::stored_placement;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::copy_binary::CopyBinary;
use crate::copy_text::CopyText;
use crate::error::db;
use crate::rows::{SnapshotRow, big};

pub(crate) const COPY_PODS: &str = "
COPY pod_samples (tenant_id, ts, duration_seconds, pod_id, placement, cpu_usage_m,
                  cpu_request_m, cpu_limit_m, mem_usage_b, mem_request_b, mem_limit_b,
                  cpu_cost, ram_cost, cpu_rate, ram_rate, storage_cost, network_cost,
                  load_balancer_cost)
FROM STDIN (FORMAT binary)";

/// Fields of a [`COPY_PODS`] row.
const POD_FIELDS: i16 = 18;

pub(crate) const COPY_CONTAINERS: &str = "
COPY container_samples (tenant_id, ts, pod_id, container, cpu_usage_m, cpu_request_m,
                        cpu_limit_m, mem_usage_b, mem_request_b, mem_limit_b, restarts)
FROM STDIN";

/// Bytes per pod row, to size the buffer once (a typical row is ~200 bytes in binary).
const POD_ROW_BYTES: usize = 220;

/// The snapshot's time in COPY text form, with an explicit UTC offset: parsed the same
/// whatever the session's TimeZone/DateStyle.
fn copy_time(row: &SnapshotRow<'_>) -> impl std::fmt::Display {
    row.ts.format("%Y-%m-%d %H:%M:%S%.6f+00")
}

/// `tenant \t ts` in COPY text form, shared by every row of one snapshot.
fn tenant_and_time(tenant: Uuid, row: &SnapshotRow<'_>) -> String {
    format!("{tenant}\t{}", copy_time(row))
}

/// Usage, requests and limits (`cpu_usage_m, cpu_request_m, cpu_limit_m, mem_usage_b,
/// mem_request_b, mem_limit_b`), as pod and container rows both carry them.
fn figures<'c>(
    copy: &'c mut CopyText,
    figures: &ResourceFigures,
) -> anyhow::Result<&'c mut CopyText> {
    Ok(copy
        .number(big(figures.cpu_usage.get())?)
        .number(big(figures.cpu_request.get())?)
        .optional_number(figures.cpu_limit.map(|l| big(l.get())).transpose()?)
        .number(big(figures.memory_usage.get())?)
        .number(big(figures.memory_request.get())?)
        .optional_number(figures.memory_limit.map(|l| big(l.get())).transpose()?))
}

/// The binary COPY payload of every pod sample of `priced`; `ids` are the pods' dimension
/// ids.
pub(crate) fn pod_rows(
    tenant: Uuid,
    priced: &PricedSnapshot,
    row: &SnapshotRow<'_>,
    ids: &[i64],
) -> anyhow::Result<Vec<u8>> {
    let pods = priced.snapshot().pods();
    let mut copy = CopyBinary::with_capacity(pods.len() * POD_ROW_BYTES);
    for ((sample, cost), id) in pods.iter().zip(priced.pods()).zip(ids) {
        let figures = &sample.figures;
        copy.row(POD_FIELDS)
            .uuid(&tenant)
            .timestamptz(row.ts)
            .int4(row.duration_seconds)
            .int8(*id)
            .text(stored_placement(cost.placement))
            .int8(big(figures.cpu_usage.get())?)
            .int8(big(figures.cpu_request.get())?)
            .optional_int8(figures.cpu_limit.map(|l| big(l.get())).transpose()?)
            .int8(big(figures.memory_usage.get())?)
            .int8(big(figures.memory_request.get())?)
            .optional_int8(figures.memory_limit.map(|l| big(l.get())).transpose()?)
            .numeric(cost.cpu_cost.amount())
            .numeric(cost.ram_cost.amount())
            .numeric(cost.rates.cpu_core_hourly)
            .numeric(cost.rates.ram_gib_hourly)
            .numeric(cost.direct.storage.amount())
            .numeric(cost.direct.network.amount())
            .numeric(cost.direct.load_balancer.amount());
    }
    Ok(copy.finish())
}

/// The COPY payload of the container samples of `priced` that say more than their pod's
/// (`PodSample::containers_beyond_pod`: a lone container with the pod's own figures is not
/// stored twice); `container` is the index in the pod's description.
pub(crate) fn container_rows(
    tenant: Uuid,
    priced: &PricedSnapshot,
    row: &SnapshotRow<'_>,
    ids: &[i64],
) -> anyhow::Result<Vec<u8>> {
    let prefix = tenant_and_time(tenant, row);
    let mut copy = CopyText::default();
    for (sample, id) in priced.snapshot().pods().iter().zip(ids) {
        for (index, container) in sample.containers_beyond_pod().iter().enumerate() {
            copy.encoded(&prefix)
                .number(id)
                .number(i16::try_from(index)?);
            figures(&mut copy, &container.figures)?
                .number(container.restarts)
                .end_row();
        }
    }
    Ok(copy.into_bytes())
}

/// Streams `data` through `statement` (a `COPY … FROM STDIN`); returns the rows written.
/// An error leaves the connection usable and the surrounding transaction failed.
pub(crate) async fn copy_in(
    conn: &mut PgConnection,
    statement: &str,
    data: Vec<u8>,
    what: &'static str,
) -> Result<u64, MetricsStoreError> {
    let mut copy = conn.copy_in_raw(statement).await.map_err(db(what))?;
    if let Err(error) = copy.send(data).await {
        // Tell the server to discard what it got; the send error is the one to report.
        let _ = copy.abort("kcost: COPY send failed").await;
        return Err(db(what)(error));
    }
    copy.finish().await.map_err(db(what))
}
