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

/// What every stored salt and hash (`$name`, a newtype over `[u8; $len]`) offers: its
/// bytes in and out, standard base64 with padding as its text, its serde form (through
/// `String`) and its `Debug` output, and `$what` naming it in decoding errors. One
/// definition, so the stored forms cannot drift apart.
macro_rules! impl_stored_bytes {
    ($name:ident, $len:expr, $what:literal) => {
        impl $name {
            pub const fn from_bytes(bytes: [u8; $len]) -> Self {
                Self(bytes)
            }

            pub const fn as_bytes(&self) -> &[u8; $len] {
                &self.0
            }

            pub fn to_base64(&self) -> String {
                base64::Engine::encode(&base64::engine::general_purpose::STANDARD, self.0)
            }

            pub fn from_base64(
                text: &str,
            ) -> Result<Self, $crate::api_key::encoding::StoredEncodingError> {
                $crate::api_key::encoding::decode_fixed(text, $what).map(Self)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.to_base64())
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::api_key::encoding::StoredEncodingError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::from_base64(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.to_base64()
            }
        }
    };
}

/// Equality of a stored hash in constant time: comparing one against a guess must not
/// tell, by how long it takes, how much of it matched.
macro_rules! impl_constant_time_eq {
    ($name:ident) => {
        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                subtle::ConstantTimeEq::ct_eq(&self.0[..], &other.0[..]).into()
            }
        }

        impl Eq for $name {}
    };
}

pub(super) use {impl_constant_time_eq, impl_stored_bytes};
