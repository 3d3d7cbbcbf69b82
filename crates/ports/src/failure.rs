//! The one vocabulary for a backend that failed to answer, shared by the use cases and
//! every port but the OpenCost source (whose failures are its own: unreachable, rejected,
//! a bad response): it was [`Unavailable`](BackendFailure::Unavailable) (cannot be
//! reached, overloaded, timed out: the caller may retry, and the API answers 503 with
//! `Retry-After`), or the
//! call failed [`Unexpected`](BackendFailure::Unexpected)ly (a bug or a broken invariant:
//! 500, logged in full, opaque to the client). Ports whose only errors are these use the
//! type itself under their own name; the others carry it as their `Failed` variant, and
//! every layer above converts with `?` instead of matching the two cases again.

/// A backend that failed to answer.
#[derive(Debug, thiserror::Error)]
pub enum BackendFailure {
    /// The backend cannot be reached or cannot serve now; the caller may retry later.
    #[error("backend unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// Anything else.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// The constructors every error carrying a failure also has ([`carries_backend_failure!`]),
/// so a caller writes `X::unavailable(e)` whether `X` is an alias of this type or not.
impl BackendFailure {
    pub fn unavailable(error: anyhow::Error) -> Self {
        Self::Unavailable(error)
    }

    pub fn unexpected(error: anyhow::Error) -> Self {
        Self::Unexpected(error)
    }
}

/// For a port or use-case error with a `Failed(BackendFailure)` variant: the same
/// constructors as [`BackendFailure`]'s, and an `anyhow::Error` converting into it as
/// `Unexpected` (as into a bare [`BackendFailure`]), so `?` works the same on both kinds.
#[macro_export]
macro_rules! carries_backend_failure {
    ($($error:ty),* $(,)?) => {$(
        impl $error {
            /// `Failed(Unavailable)`: the caller may retry later.
            pub fn unavailable(error: anyhow::Error) -> Self {
                Self::Failed($crate::BackendFailure::Unavailable(error))
            }

            /// `Failed(Unexpected)`.
            pub fn unexpected(error: anyhow::Error) -> Self {
                Self::Failed($crate::BackendFailure::Unexpected(error))
            }
        }

        impl From<anyhow::Error> for $error {
            fn from(error: anyhow::Error) -> Self {
                Self::unexpected(error)
            }
        }
    )*};
}
