//! Reading request bodies safely: a size limit enforced on the bytes received and again on
//! the bytes a gzip body expands to (a small gzip bomb must not become a huge allocation),
//! `Content-Encoding` checked (identity or gzip, anything else 415), the agent's
//! `Content-Type` checked (JSON or absent, anything else 415), and JSON parsed with the path
//! of the first bad field (`serde_path_to_error`).
//!
//! The raw payload stream is read directly, so this works the same whether or not
//! actix-web's own decompression features are enabled elsewhere in the build.

use std::io::Read;

use actix_web::http::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap};
use actix_web::web;
use flate2::read::MultiGzDecoder;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::error_code::ErrorCode;

/// Limit for small JSON bodies (admin requests, dismiss reasons).
pub const SMALL_BODY_LIMIT: usize = 64 * 1024;

/// A body as received and as decoded.
#[derive(Debug)]
pub struct DecodedBody {
    /// Bytes on the wire (compressed, if it was).
    pub received_bytes: usize,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ContentCoding {
    Identity,
    Gzip,
}

fn content_coding(headers: &HeaderMap) -> Result<ContentCoding, ApiError> {
    let Some(value) = headers.get(CONTENT_ENCODING) else {
        return Ok(ContentCoding::Identity);
    };
    let value = value.to_str().unwrap_or_default().trim();
    if value.is_empty() || value.eq_ignore_ascii_case("identity") {
        Ok(ContentCoding::Identity)
    } else if value.eq_ignore_ascii_case("gzip") || value.eq_ignore_ascii_case("x-gzip") {
        Ok(ContentCoding::Gzip)
    } else {
        Err(ApiError::unsupported_encoding(format!(
            "Content-Encoding `{}` is not supported; send the body uncompressed or with `Content-Encoding: gzip`",
            value.chars().take(40).collect::<String>()
        )))
    }
}

/// An ingest body's `Content-Type`: absent, `application/json` or any `+json` type, with or
/// without parameters (`; charset=utf-8`); anything else is 415 — a form or a text body
/// sent by mistake is refused instead of parsed. (Admin and recommendation bodies are
/// small and hand-written, often with `curl -d`, which says form: they are not checked.)
pub fn require_json_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Ok(());
    };
    let media_type = value
        .to_str()
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let is_json = media_type == "application/json"
        || (media_type.starts_with("application/") && media_type.ends_with("+json"));
    if is_json {
        Ok(())
    } else {
        Err(ApiError::unsupported_encoding(format!(
            "Content-Type `{}` is not supported; send JSON as `Content-Type: application/json`",
            media_type.chars().take(60).collect::<String>()
        )))
    }
}

fn too_large(limit: usize) -> ApiError {
    ApiError::payload_too_large(format!(
        "the request body exceeds the limit of {limit} bytes"
    ))
}

/// Reads the whole body, at most `limit` bytes both as received and once decompressed.
pub async fn read_body(
    headers: &HeaderMap,
    payload: web::Payload,
    limit: usize,
) -> Result<DecodedBody, ApiError> {
    let coding = content_coding(headers)?;
    // Refuse early when the client announces too much, before reading a byte of it.
    let announced = headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if announced.is_some_and(|length| length > limit as u64) {
        return Err(too_large(limit));
    }
    let raw = match payload.to_bytes_limited(limit).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(error)) => {
            return Err(ApiError::bad_request(
                ErrorCode::UnreadableBody,
                format!("the request body could not be read: {error}"),
            ));
        }
        Err(_) => return Err(too_large(limit)),
    };
    let received_bytes = raw.len();
    let bytes = match coding {
        ContentCoding::Identity => raw.to_vec(),
        ContentCoding::Gzip => gunzip(&raw, limit)?,
    };
    Ok(DecodedBody {
        received_bytes,
        bytes,
    })
}

/// Decompresses at most `limit + 1` bytes: one more than allowed tells "too large" apart
/// from "exactly at the limit" without inflating the rest.
fn gunzip(compressed: &[u8], limit: usize) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::with_capacity(compressed.len().saturating_mul(4).min(limit));
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    MultiGzDecoder::new(compressed)
        .take(cap)
        .read_to_end(&mut out)
        .map_err(|error| {
            ApiError::bad_request(
                ErrorCode::InvalidGzip,
                format!("the body is not valid gzip: {error}"),
            )
        })?;
    if out.len() > limit {
        return Err(ApiError::payload_too_large(format!(
            "the decompressed request body exceeds the limit of {limit} bytes"
        )));
    }
    Ok(out)
}

/// Parses JSON, naming where it went wrong (`pod_metrics[3].cpu_usage_millicores`).
///
/// Valid bodies take serde_json's plain path; only a body that fails is parsed again with
/// the path tracking (`serde_path_to_error` wraps every value it visits, which made it a
/// visible share of parsing a 5,000-pod snapshot), so errors are exactly as before.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if let Ok(value) = serde_json::from_slice(bytes) {
        return Ok(value);
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        ApiError::malformed_json(path, error.into_inner().to_string())
    })?;
    deserializer
        .end()
        .map_err(|error| ApiError::malformed_json(".", error.to_string()))?;
    Ok(value)
}

/// Reads and parses a small JSON body; an empty body is `None`.
pub async fn optional_json<T: DeserializeOwned>(
    headers: &HeaderMap,
    payload: web::Payload,
) -> Result<Option<T>, ApiError> {
    let body = read_body(headers, payload, SMALL_BODY_LIMIT).await?;
    if body.bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    parse_json(&body.bytes).map(Some)
}

/// Reads and parses a small, required JSON body.
pub async fn required_json<T: DeserializeOwned>(
    headers: &HeaderMap,
    payload: web::Payload,
) -> Result<T, ApiError> {
    optional_json(headers, payload)
        .await?
        .ok_or_else(|| ApiError::malformed_json(".", "a JSON body is required"))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::Compression;
    use flate2::write::GzEncoder;

    use super::*;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn gunzip_enforces_the_limit_on_the_expanded_size() {
        let zeros = vec![b'0'; 10_000];
        let packed = gzip(&zeros);
        assert!(packed.len() < 1_000);
        assert_eq!(gunzip(&packed, 10_000).unwrap().len(), 10_000);
        let err = gunzip(&packed, 9_999).unwrap_err();
        assert_eq!(err.code(), "payload_too_large");
        assert_eq!(gunzip(b"not gzip", 100).unwrap_err().code(), "invalid_gzip");
    }

    #[test]
    fn json_errors_name_the_path() {
        #[derive(Debug, serde::Deserialize)]
        struct Outer {
            #[allow(dead_code)]
            items: Vec<Inner>,
        }
        #[derive(Debug, serde::Deserialize)]
        struct Inner {
            #[allow(dead_code)]
            n: u32,
        }
        let err = parse_json::<Outer>(br#"{"items":[{"n":1},{"n":"x"}]}"#).unwrap_err();
        assert_eq!(err.code(), "malformed_json");
        assert_eq!(err.details()[0].path, "items[1].n");
    }

    #[test]
    fn json_bodies_need_a_json_content_type_or_none() {
        use actix_web::http::header::HeaderValue;
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(value));
            require_json_content_type(&headers)
        };
        assert!(require_json_content_type(&HeaderMap::new()).is_ok());
        for accepted in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON",
            "application/merge-patch+json",
        ] {
            assert!(with(accepted).is_ok(), "{accepted}");
        }
        for refused in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/jsonx",
        ] {
            let error = with(refused).unwrap_err();
            assert_eq!(
                actix_web::ResponseError::status_code(&error).as_u16(),
                415,
                "{refused}"
            );
        }
    }
}
