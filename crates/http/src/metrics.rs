//! Prometheus metrics, hand-rolled: request counts and a latency histogram by route pattern,
//! method and status; ingested snapshots, pods and bytes. Rendered in the text exposition
//! format together with the query cache's counters (hits, misses, errors) and, with the
//! in-process cache, its evictions, by `GET /metrics`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, web};
use kcost_app::query_cache::QueryCacheStats;

use crate::state::AppState;

/// Upper bounds of the latency histogram, in seconds.
const LATENCY_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Route pattern (`/v1/recommendations/{id}/apply`, never the raw path, to bound
/// cardinality), method and status.
type RequestLabels = (String, String, u16);

#[derive(Debug, Default, Clone)]
struct LatencyHistogram {
    /// Non-cumulative counts per bucket; the last slot is `+Inf`.
    buckets: [u64; LATENCY_BUCKETS.len() + 1],
    sum_seconds: f64,
    count: u64,
}

impl LatencyHistogram {
    fn observe(&mut self, seconds: f64) {
        let slot = LATENCY_BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(LATENCY_BUCKETS.len());
        self.buckets[slot] += 1;
        self.sum_seconds += seconds;
        self.count += 1;
    }
}

/// A counter kept by another component, read when `/metrics` is rendered.
#[derive(Clone)]
pub struct CounterSource(Arc<dyn Fn() -> u64 + Send + Sync>);

impl std::fmt::Debug for CounterSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CounterSource")
    }
}

/// One database connection pool's occupancy, read when `/metrics` is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUsage {
    /// Which store the pool serves: `relational` or `timeseries`.
    pub pool: &'static str,
    /// Connections open now.
    pub open: u32,
    /// Open connections not lent to a request.
    pub idle: u32,
    /// The pool's bound.
    pub max: u32,
}

/// Reads the pools' occupancy (provided by the server, which owns the pools).
#[derive(Clone)]
pub struct PoolSource(Arc<dyn Fn() -> Vec<PoolUsage> + Send + Sync>);

impl std::fmt::Debug for PoolSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PoolSource")
    }
}

/// The HTTP layer's counters (`AppState::metrics`).
#[derive(Debug, Default)]
pub struct HttpMetrics {
    /// Database pool occupancy, when the server provides it.
    pools: Option<PoolSource>,
    /// Entries the cache evicted to stay within its bound, when the cache can tell (the
    /// in-process cache; Redis reports its own `evicted_keys`).
    cache_evictions: Option<CounterSource>,
    requests: Mutex<BTreeMap<RequestLabels, LatencyHistogram>>,
    snapshots_stored: AtomicU64,
    snapshots_duplicate: AtomicU64,
    pods_ingested: AtomicU64,
    bytes_ingested: AtomicU64,
}

impl HttpMetrics {
    pub fn new() -> Self {
        Self::default()
    }

    /// Also exports `kcost_cache_evictions_total`, read from `evictions`.
    pub fn with_cache_evictions(
        mut self,
        evictions: impl Fn() -> u64 + Send + Sync + 'static,
    ) -> Self {
        self.cache_evictions = Some(CounterSource(Arc::new(evictions)));
        self
    }

    /// Also exports `kcost_db_pool_connections` and `kcost_db_pool_max_connections`.
    pub fn with_pool_usage(
        mut self,
        pools: impl Fn() -> Vec<PoolUsage> + Send + Sync + 'static,
    ) -> Self {
        self.pools = Some(PoolSource(Arc::new(pools)));
        self
    }

    /// Counts one finished request.
    pub fn observe_request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        // A poisoned lock only means another thread panicked mid-update; counts stay usable.
        let mut requests = self
            .requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        requests
            .entry((route.to_owned(), method.to_owned(), status))
            .or_default()
            .observe(seconds);
    }

    /// Counts one accepted ingest; `body_bytes` as received (compressed if it was).
    pub fn observe_ingest(&self, stored: bool, pods: usize, body_bytes: usize) {
        if stored {
            self.snapshots_stored.fetch_add(1, Ordering::Relaxed);
            self.pods_ingested.fetch_add(pods as u64, Ordering::Relaxed);
        } else {
            self.snapshots_duplicate.fetch_add(1, Ordering::Relaxed);
        }
        self.bytes_ingested
            .fetch_add(body_bytes as u64, Ordering::Relaxed);
    }

    /// Total requests counted for `route` (any method and status); for tests and checks.
    pub fn requests_for(&self, route: &str) -> u64 {
        let requests = self
            .requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        requests
            .iter()
            .filter(|((r, _, _), _)| r == route)
            .map(|(_, histogram)| histogram.count)
            .sum()
    }

    /// Everything in the Prometheus text format (version 0.0.4).
    pub fn render(&self, cache: QueryCacheStats) -> String {
        let mut out = String::with_capacity(4096);
        self.render_requests(&mut out);
        let counters = [
            (
                "kcost_ingest_snapshots_total",
                "Snapshots stored by POST /v1/ingest.",
                self.snapshots_stored.load(Ordering::Relaxed),
            ),
            (
                "kcost_ingest_duplicate_snapshots_total",
                "Snapshots already stored (same cluster and timestamp), acknowledged without writing.",
                self.snapshots_duplicate.load(Ordering::Relaxed),
            ),
            (
                "kcost_ingest_pods_total",
                "Pod samples stored.",
                self.pods_ingested.load(Ordering::Relaxed),
            ),
            (
                "kcost_ingest_bytes_total",
                "Request body bytes of accepted ingests, as received.",
                self.bytes_ingested.load(Ordering::Relaxed),
            ),
            (
                "kcost_query_cache_hits_total",
                "Cost queries answered from the cache.",
                cache.hits,
            ),
            (
                "kcost_query_cache_misses_total",
                "Cost queries computed from the store.",
                cache.misses,
            ),
            (
                "kcost_query_cache_errors_total",
                "Cache operations that failed and were bypassed.",
                cache.errors,
            ),
        ];
        let evictions = self.cache_evictions.as_ref().map(|source| {
            (
                "kcost_cache_evictions_total",
                "Cache entries evicted to stay within the in-process cache's size bound.",
                (source.0)(),
            )
        });
        for (name, help, value) in counters.into_iter().chain(evictions) {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
            );
        }
        if let Some(pools) = &self.pools {
            render_pools(&(pools.0)(), &mut out);
        }
        out
    }

    fn render_requests(&self, out: &mut String) {
        let requests = self
            .requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        out.push_str(
            "# HELP kcost_http_requests_total HTTP requests by route, method and status.\n",
        );
        out.push_str("# TYPE kcost_http_requests_total counter\n");
        for ((route, method, status), histogram) in &requests {
            let labels = labels(route, method, *status);
            let _ = writeln!(
                out,
                "kcost_http_requests_total{{{labels}}} {}",
                histogram.count
            );
        }
        out.push_str("# HELP kcost_http_request_duration_seconds Time from request to response.\n");
        out.push_str("# TYPE kcost_http_request_duration_seconds histogram\n");
        for ((route, method, status), histogram) in &requests {
            let labels = labels(route, method, *status);
            let mut cumulative = 0;
            for (bound, count) in LATENCY_BUCKETS.iter().zip(histogram.buckets) {
                cumulative += count;
                let _ = writeln!(
                    out,
                    "kcost_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "kcost_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}\n\
                 kcost_http_request_duration_seconds_sum{{{labels}}} {}\n\
                 kcost_http_request_duration_seconds_count{{{labels}}} {}",
                histogram.count, histogram.sum_seconds, histogram.count
            );
        }
    }
}

fn labels(route: &str, method: &str, status: u16) -> String {
    format!(
        "route=\"{}\",method=\"{}\",status=\"{status}\"",
        escape(route),
        escape(method)
    )
}

/// Label-value escaping of the exposition format.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Middleware (`actix_web::middleware::from_fn(kcost_http::metrics::track_metrics)`): counts every
/// request in `AppState::metrics` by route pattern, method and status.
pub async fn track_metrics(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let method = req.method().to_string();
    let started = Instant::now();
    let result = next.call(req).await;
    if let Some(state) = state {
        let (route, status) = match &result {
            Ok(response) => (
                response
                    .request()
                    .match_pattern()
                    .unwrap_or_else(|| "unmatched".to_owned()),
                response.status(),
            ),
            // Refused by inner middleware (CORS) before routing.
            Err(error) => (
                "unmatched".to_owned(),
                error.as_response_error().status_code(),
            ),
        };
        state.metrics.observe_request(
            &route,
            &method,
            status.as_u16(),
            started.elapsed().as_secs_f64(),
        );
    }
    result
}

/// Pool gauges: open connections by state, and each pool's bound.
fn render_pools(pools: &[PoolUsage], out: &mut String) {
    out.push_str("# HELP kcost_db_pool_connections Open database connections by pool and state.\n");
    out.push_str("# TYPE kcost_db_pool_connections gauge\n");
    for usage in pools {
        let in_use = usage.open.saturating_sub(usage.idle);
        let pool = usage.pool;
        let _ = writeln!(
            out,
            "kcost_db_pool_connections{{pool=\"{pool}\",state=\"idle\"}} {}",
            usage.idle
        );
        let _ = writeln!(
            out,
            "kcost_db_pool_connections{{pool=\"{pool}\",state=\"in_use\"}} {in_use}"
        );
    }
    out.push_str("# HELP kcost_db_pool_max_connections The bound of each database pool.\n");
    out.push_str("# TYPE kcost_db_pool_max_connections gauge\n");
    for usage in pools {
        let _ = writeln!(
            out,
            "kcost_db_pool_max_connections{{pool=\"{}\"}} {}",
            usage.pool, usage.max
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let metrics = HttpMetrics::new();
        metrics.observe_request("/v1/health", "GET", 200, 0.003);
        metrics.observe_request("/v1/health", "GET", 200, 0.2);
        metrics.observe_ingest(true, 24, 1000);
        let text = metrics.render(QueryCacheStats {
            hits: 3,
            misses: 1,
            errors: 0,
        });
        let labels = r#"route="/v1/health",method="GET",status="200""#;
        assert!(text.contains(&format!("kcost_http_requests_total{{{labels}}} 2")));
        assert!(text.contains(&format!(
            "kcost_http_request_duration_seconds_bucket{{{labels},le=\"0.005\"}} 1"
        )));
        assert!(text.contains(&format!(
            "kcost_http_request_duration_seconds_bucket{{{labels},le=\"0.25\"}} 2"
        )));
        assert!(text.contains("kcost_ingest_pods_total 24"));
        assert!(text.contains("kcost_query_cache_hits_total 3"));
        assert!(text.contains("kcost_query_cache_misses_total 1"));
        assert!(text.contains("kcost_query_cache_errors_total 0"));
        assert!(
            !text.contains("kcost_cache_evictions_total"),
            "no source, no series"
        );
        assert_eq!(metrics.requests_for("/v1/health"), 2);
    }

    #[test]
    fn cache_evictions_are_read_from_their_source_at_render_time() {
        let evicted = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let source = evicted.clone();
        let metrics =
            HttpMetrics::new().with_cache_evictions(move || source.load(Ordering::Relaxed));
        evicted.store(7, Ordering::Relaxed);
        let text = metrics.render(QueryCacheStats::default());
        assert!(
            text.contains(
                "# TYPE kcost_cache_evictions_total counter\nkcost_cache_evictions_total 7"
            )
        );
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\n"), "a\\\"b\\\\c\\n");
    }

    #[test]
    fn pool_usage_is_rendered_as_gauges_at_render_time() {
        let metrics = HttpMetrics::new().with_pool_usage(|| {
            vec![PoolUsage {
                pool: "relational",
                open: 4,
                idle: 1,
                max: 10,
            }]
        });
        let text = metrics.render(QueryCacheStats::default());
        assert!(
            text.contains("kcost_db_pool_connections{pool=\"relational\",state=\"idle\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("kcost_db_pool_connections{pool=\"relational\",state=\"in_use\"} 3"),
            "{text}"
        );
        assert!(
            text.contains("kcost_db_pool_max_connections{pool=\"relational\"} 10"),
            "{text}"
        );
        assert!(
            !HttpMetrics::new()
                .render(QueryCacheStats::default())
                .contains("kcost_db_pool")
        );
    }
}
