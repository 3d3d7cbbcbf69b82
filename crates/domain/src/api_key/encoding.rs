//! The text form of stored salts and hashes: standard base64 with padding, of a fixed
//! byte length, the encoding every database tool and language decodes without options.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// A stored salt or hash whose text is not base64 of the right length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("stored {what} must be standard base64 (with padding) of exactly {expected_bytes} bytes")]
pub struct StoredEncodingError {
    pub what: &'static str,
    pub expected_bytes: usize,
}

pub(super) fn decode_fixed<const N: usize>(
    text: &str,
    what: &'static str,
) -> Result<[u8; N], StoredEncodingError> {
    let error = StoredEncodingError {
        what,
        expected_bytes: N,
    };
    let bytes = STANDARD.decode(text).map_err(|_| error)?;
    bytes.try_into().map_err(|_| error)
}
