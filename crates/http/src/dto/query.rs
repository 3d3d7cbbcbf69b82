//! The rules of shared query parameters as OpenAPI schemas (documentation only: the values
//! are parsed by the domain, which answers 400 for anything else). Each pattern accepts a
//! subset of what the server accepts, so that a client generating values from the
//! document only sends values the server takes. What a schema cannot say — windows are
//! relative to now, at most 400 days long, and start before they end; `window` excludes
//! `start_time`/`end_time`; `end_time` needs `start_time` — the descriptions say.

use utoipa::openapi::schema::Schema;
use utoipa::openapi::{KnownFormat, RefOr, SchemaFormat};
use utoipa::{PartialSchema, ToSchema};

pub(crate) use kcost_agent_contract::schema::pattern_string;

/// A `window` expression.
#[derive(Debug)]
pub struct WindowExpr;

/// What `str::trim` strips (Unicode `White_Space`), as a pattern: the server trims query
/// values, so surrounding whitespace is part of what it accepts.
macro_rules! trimmed {
    () => {
        "[\\t\\n\\x0B\\x0C\\r \\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*"
    };
}

/// An RFC3339 date-time, unanchored.
macro_rules! rfc3339 {
    () => {
        "[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:\
         [0-5][0-9](\\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})"
    };
}

/// Relative windows within the 400-day maximum, OpenCost's keywords, and `start,end` pairs
/// of RFC3339 times or Unix seconds; blank for the default.
pub const WINDOW_PATTERN: &str = concat!(
    "^",
    trimmed!(),
    "(today|yesterday|week|lastweek|month|lastmonth",
    "|[1-9][0-9]{0,4}m",
    "|([1-9][0-9]{0,2}|[1-8][0-9]{3})h",
    "|([1-9][0-9]?|[1-3][0-9]{2})d",
    "|([1-9]|[1-4][0-9]|5[0-6])w",
    "|",
    rfc3339!(),
    ",",
    rfc3339!(),
    "|[0-9]{1,10},[0-9]{1,10})?",
    trimmed!(),
    "$"
);

/// RFC3339 date-times as JSON Schema's `date-time` means them; the pattern makes the shape
/// checkable (a `format` alone is only an annotation in OpenAPI 3.1).
pub const RFC3339_PATTERN: &str = concat!("^", rfc3339!(), "$");

/// An RFC3339 query parameter: blank counts as absent.
const QUERY_TIME_PATTERN: &str = concat!("^", trimmed!(), "(", rfc3339!(), ")?", trimmed!(), "$");

impl PartialSchema for WindowExpr {
    fn schema() -> RefOr<Schema> {
        pattern_string(
            WINDOW_PATTERN,
            "Blank or absent: the endpoint's default. OpenCost's window: a duration \
                 ending now (`30m`, `24h`, `7d`, `2w`; the day and week forms end at the \
                 start of the next day), `today`, `yesterday`, `week`, `lastweek`, `month`, \
                 `lastmonth`, or `start,end` (RFC3339 times or Unix seconds, start before \
                 end). At most 400 days long; not together with `start_time`/`end_time`. \
                 Anything else is 400 `invalid_window`.",
        )
        .examples([serde_json::json!("7d")])
        .into()
    }
}

impl ToSchema for WindowExpr {}

/// An RFC3339 time bounding a window.
#[derive(Debug)]
pub struct WindowBound;

impl PartialSchema for WindowBound {
    fn schema() -> RefOr<Schema> {
        pattern_string(
            QUERY_TIME_PATTERN,
            "RFC3339 date-time; blank is the same as absent. `start_time` alone runs to \
                 now; `end_time` (exclusive) needs `start_time` and must be after it; at \
                 most 400 days apart; not together with `window`. Otherwise 400 \
                 `invalid_window`.",
        )
        .examples([serde_json::json!("2026-11-01T00:00:00Z")])
        .into()
    }
}

impl ToSchema for WindowBound {}

/// At most 253 characters without control characters, inside what trimming removes.
const CLUSTER_FILTER_PATTERN: &str = concat!(
    "^",
    trimmed!(),
    "[^\\x00-\\x1F\\x7F-\\x9F]{0,253}",
    trimmed!(),
    "$"
);

/// A cluster name as a filter: blank means every cluster.
#[derive(Debug)]
pub struct ClusterFilter;

impl PartialSchema for ClusterFilter {
    fn schema() -> RefOr<Schema> {
        pattern_string(
            CLUSTER_FILTER_PATTERN,
            "Only this cluster: at most 253 characters, no control characters (else \
                 400); blank = every cluster.",
        )
        .examples([serde_json::json!("prod-eu-1")])
        .into()
    }
}

impl ToSchema for ClusterFilter {}

/// An RFC3339 date-time in a body (never blank).
#[derive(Debug)]
pub struct Rfc3339Time;

impl PartialSchema for Rfc3339Time {
    fn schema() -> RefOr<Schema> {
        pattern_string(RFC3339_PATTERN, "")
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .examples([serde_json::json!("2099-01-01T00:00:00Z")])
            .into()
    }
}

impl ToSchema for Rfc3339Time {}
