//! The agent contract's OpenAPI schemas for what a type cannot say by itself: the
//! snapshot time (a number or a string), names as kcost checks them (length, no control
//! characters, not blank), instance types and Kubernetes labels. The payload types use
//! them as `value_type`s, so the ingest schema in kcost's OpenAPI document is derived from
//! the very types the server decodes.

use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::{KnownFormat, RefOr, SchemaFormat};
use utoipa::{PartialSchema, ToSchema};

/// A string schema with `pattern`, and `description` when there is one: the shape of every
/// documentation-only schema here and of kcost's query parameters.
pub fn pattern_string(pattern: impl Into<String>, description: &str) -> ObjectBuilder {
    let builder = ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern));
    if description.is_empty() {
        builder
    } else {
        builder.description(Some(description))
    }
}

/// RFC3339 date-times as JSON Schema's `date-time` means them; the pattern makes the shape
/// checkable (a `format` alone is only an annotation in OpenAPI 3.1).
pub const RFC3339_PATTERN: &str = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})$";

/// A snapshot's time: Unix seconds (the reference agent) or an RFC3339 timestamp.
#[derive(Debug)]
pub struct SnapshotTimeDoc;

impl PartialSchema for SnapshotTimeDoc {
    fn schema() -> RefOr<Schema> {
        let unix = ObjectBuilder::new()
            .schema_type(Type::Number)
            .exclusive_minimum(Some(0))
            .maximum(Some(253_402_300_799_i64));
        let text = pattern_string(RFC3339_PATTERN, "")
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)));
        OneOfBuilder::new()
            .item(unix)
            .item(text)
            .description(Some(
                "Unix seconds (the reference agent) or an RFC3339 timestamp; at most \
                 `ingest.max_clock_skew_seconds` ahead of the server's clock and not before \
                 the retention horizon (else 422).",
            ))
            .examples([serde_json::json!(1795165200)])
            .into()
    }
}

impl ToSchema for SnapshotTimeDoc {}

/// Not blank, no control characters (`Cc`), at most `max` characters; `may_be_empty` also
/// allows `""`. The server checks exactly this (`kubernetes_names::name_problem` and the
/// blank checks) and answers 422 naming the field otherwise.
fn name_schema(max: usize, may_be_empty: bool, description: &str) -> RefOr<Schema> {
    const NOT_BLANK: &str =
        "[^\\x00-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x1F\\x7F-\\x9F][^\\x00-\\x1F\\x7F-\\x9F]*";
    let pattern = if may_be_empty {
        format!("^({NOT_BLANK})?$")
    } else {
        format!("^{NOT_BLANK}$")
    };
    pattern_string(pattern, description)
        .max_length(Some(max))
        .into()
}

/// Documents a string field kcost stores as a name, by [`name_schema`].
macro_rules! name_doc {
    ($name:ident, $max:expr, $may_be_empty:expr, $description:expr) => {
        #[derive(Debug)]
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                name_schema($max, $may_be_empty, $description)
            }
        }

        impl ToSchema for $name {}
    };
}

name_doc!(
    ClusterNameDoc,
    253,
    false,
    "1–253 characters, not blank, no control characters."
);
name_doc!(
    ObjectNameDoc,
    253,
    false,
    "A Kubernetes object name: 1–253 characters, not blank, no control characters."
);
name_doc!(
    ShortNameDoc,
    63,
    false,
    "A namespace or container name: 1–63 characters, not blank, no control characters."
);
name_doc!(
    NodeRefDoc,
    253,
    true,
    "The pod's node, or empty for a pending pod: at most 253 characters, not blank, no \
     control characters."
);

/// An instance type: at most 63 characters, no control characters, empty when unknown.
#[derive(Debug)]
pub struct InstanceTypeDoc;

impl PartialSchema for InstanceTypeDoc {
    fn schema() -> RefOr<Schema> {
        pattern_string(
            "^[^\\x00-\\x1F\\x7F-\\x9F]{0,63}$",
            "At most 63 characters, no control characters; empty when unknown.",
        )
        .max_length(Some(63))
        .into()
    }
}

impl ToSchema for InstanceTypeDoc {}

/// Kubernetes labels: keys `[prefix/]name` (prefix a DNS subdomain, name 1–63 of
/// `[A-Za-z0-9-_.]`, alphanumeric at both ends), values empty or like a key's name.
#[derive(Debug)]
pub struct LabelsDoc;

/// A label key, as Kubernetes' validation accepts it.
const LABEL_KEY_PATTERN: &str = "^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?){0,3}/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$";
/// A label value.
const LABEL_VALUE_PATTERN: &str = "^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$";

impl PartialSchema for LabelsDoc {
    fn schema() -> RefOr<Schema> {
        let value = pattern_string(LABEL_VALUE_PATTERN, "");
        let key = pattern_string(LABEL_KEY_PATTERN, "");
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property_names(Some(key))
            .additional_properties(Some(value))
            .description(Some(
                "Kubernetes labels: keys `[prefix/]name` (prefix a DNS subdomain of at most \
                 253 characters, name 1–63 of `[A-Za-z0-9-_.]`, alphanumeric at both ends); \
                 values empty or like a key's name (else 422).",
            ))
            .examples([serde_json::json!({"app": "payments", "team": "core"})])
            .into()
    }
}

impl ToSchema for LabelsDoc {}
