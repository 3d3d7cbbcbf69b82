//! Reading an allocation response body: the envelope, then [`crate::mapping`].

use kcost_domain::opencost::{AllocationQuery, AllocationSet};

use crate::mapping::{MappingError, to_allocation_sets};
use crate::wire::WireEnvelope;

/// Why a response body is not a usable allocation response.
#[derive(Debug, thiserror::Error)]
pub enum ResponseError {
    #[error("not an OpenCost allocation response: {0}")]
    Json(#[from] serde_json::Error),
    /// A 2xx response whose envelope reports a failure (`code` not 2xx, or `status` "error").
    #[error("OpenCost reported failure (code {code:?}): {message}")]
    Failed { code: Option<u16>, message: String },
    /// The envelope has no `data` key: some other JSON (a proxy's error page, another API).
    #[error("OpenCost response has no `data`")]
    MissingData,
    #[error(transparent)]
    Mapping(#[from] MappingError),
}

/// Parses the body of `/allocation/compute` or `/allocation` into one set per step,
/// oldest first. `query` is the request the body answers.
pub fn parse_allocation_response(
    body: &[u8],
    query: &AllocationQuery,
) -> Result<Vec<AllocationSet>, ResponseError> {
    // from_slice, not from_reader: numbers borrow their text from the body.
    let envelope: WireEnvelope = serde_json::from_slice(body)?;
    let code_failed = envelope
        .code
        .is_some_and(|code| !(200..300).contains(&code));
    let status_failed = envelope
        .status
        .as_deref()
        .is_some_and(|status| status.eq_ignore_ascii_case("error"));
    if code_failed || status_failed {
        return Err(ResponseError::Failed {
            code: envelope.code,
            message: envelope.message.unwrap_or_default(),
        });
    }
    let steps = envelope
        .data
        .ok_or(ResponseError::MissingData)?
        .unwrap_or_default();
    Ok(to_allocation_sets(steps, query)?)
}
