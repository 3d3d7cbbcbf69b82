//! Reading credentials from HTTP headers: the API key in `Authorization: ApiKey|Bearer …`
//! or `X-Api-Key`, and the admin token in `Authorization: Bearer …`. The rules for what a
//! credential is (its format, its hash, its scopes) are the domain's
//! (`kcost_domain::api_key`); which header carries it, and what to do with two, is HTTP's.

use kcost_domain::api_key::{ApiKeyFormatError, PresentedApiKey};

/// Finds the API key in a request's `Authorization` and `X-Api-Key` header values.
///
/// Rules, in order:
/// - Empty or all-whitespace header values count as absent.
/// - `Authorization` with the scheme `ApiKey` or `Bearer` (case-insensitive, followed by
///   one or more spaces) carries our credential. With an `X-Api-Key` that says something
///   else the request is `Conflicting` (which one did the client mean?); the same key in
///   both is fine. A malformed credential there is `Malformed`, never a fall back to
///   `X-Api-Key`.
/// - `Authorization` with any other scheme (say `Basic`, added by a proxy) is not ours:
///   `X-Api-Key` is used if present, otherwise the request is `Malformed`.
/// - `X-Api-Key` alone carries the bare `<key_id>:<secret>`.
/// - Neither header: `Missing`.
pub fn presented_api_key(
    authorization: Option<&str>,
    x_api_key: Option<&str>,
) -> Result<PresentedApiKey, ApiKeyFormatError> {
    let authorization = non_blank(authorization);
    let x_api_key = non_blank(x_api_key);
    match (authorization, x_api_key) {
        (Some(authorization), x_api_key) => match credentials_for_api_key(authorization) {
            Some(credentials) if x_api_key.is_some_and(|key| key.trim() != credentials.trim()) => {
                Err(ApiKeyFormatError::Conflicting)
            }
            Some(credentials) => PresentedApiKey::parse(credentials),
            None => match x_api_key {
                Some(key) => PresentedApiKey::parse(key),
                None => Err(ApiKeyFormatError::Malformed),
            },
        },
        (None, Some(key)) => PresentedApiKey::parse(key),
        (None, None) => Err(ApiKeyFormatError::Missing),
    }
}

/// The token of an `Authorization: Bearer <token>` header value (scheme case-insensitive),
/// e.g. the admin token; `None` for any other scheme or an empty token.
pub fn bearer_token(authorization: &str) -> Option<&str> {
    let (scheme, credentials) = split_authorization(authorization.trim());
    (scheme.eq_ignore_ascii_case("bearer") && !credentials.is_empty()).then_some(credentials)
}

fn non_blank(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|value| !value.is_empty())
}

/// The credentials of an `ApiKey` or `Bearer` authorization value (possibly empty, which then
/// fails to parse); `None` if the scheme is not one of ours.
fn credentials_for_api_key(authorization: &str) -> Option<&str> {
    let (scheme, credentials) = split_authorization(authorization);
    (scheme.eq_ignore_ascii_case("apikey") || scheme.eq_ignore_ascii_case("bearer"))
        .then_some(credentials)
}

/// Splits `<scheme> <credentials>` at the first space; RFC 9110 allows several spaces.
fn split_authorization(value: &str) -> (&str, &str) {
    match value.split_once(' ') {
        Some((scheme, credentials)) => (scheme, credentials.trim_start_matches(' ')),
        None => (value, ""),
    }
}

#[cfg(test)]
mod tests {
    use kcost_domain::api_key::{ApiKeySecret, KeyId};
    use uuid::Uuid;

    use super::*;

    fn key_id() -> KeyId {
        "6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f".parse().unwrap()
    }

    fn secret() -> ApiKeySecret {
        let mut bytes = [0u8; 32];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = i as u8;
        }
        ApiKeySecret::from_random_bytes(&bytes)
    }

    fn header_value() -> String {
        PresentedApiKey::new(key_id(), secret())
            .to_header_value()
            .expose()
            .to_owned()
    }

    #[test]
    fn header_forms_are_accepted() {
        let key = header_value();
        for authorization in [
            format!("ApiKey {key}"),
            format!("apikey {key}"),
            format!("APIKEY {key}"),
            format!("Bearer {key}"),
            format!("bearer {key}"),
            format!("ApiKey    {key}"),
            format!("  ApiKey {key}  "),
        ] {
            let parsed = presented_api_key(Some(&authorization), None)
                .unwrap_or_else(|e| unreachable!("{authorization:?}: {e}"));
            assert_eq!(parsed.key_id, key_id());
        }
        let parsed = presented_api_key(None, Some(&key)).unwrap();
        assert_eq!(parsed.key_id, key_id());
    }

    #[test]
    fn missing_headers_are_missing() {
        assert_eq!(
            presented_api_key(None, None).map(|_| ()),
            Err(ApiKeyFormatError::Missing)
        );
        assert_eq!(
            presented_api_key(Some("  "), Some("")).map(|_| ()),
            Err(ApiKeyFormatError::Missing)
        );
    }

    #[test]
    fn malformed_and_foreign_headers_are_malformed() {
        let key = header_value();
        for authorization in [
            "ApiKey".to_owned(),
            "Bearer ".to_owned(),
            "ApiKey garbage".to_owned(),
            format!("Basic {key}"),
            format!("ApiKey\t{key}"),
            key.clone(),
        ] {
            assert_eq!(
                presented_api_key(Some(&authorization), None).map(|_| ()),
                Err(ApiKeyFormatError::Malformed),
                "{authorization:?}"
            );
        }
        assert_eq!(
            presented_api_key(None, Some("ApiKey x")).map(|_| ()),
            Err(ApiKeyFormatError::Malformed)
        );
    }

    #[test]
    fn two_different_credentials_conflict_and_the_same_one_twice_does_not() {
        let other = PresentedApiKey::new(
            KeyId::from_uuid(Uuid::from_u128(1)),
            ApiKeySecret::from_random_bytes(&[3; 32]),
        )
        .to_header_value();
        assert_eq!(
            presented_api_key(
                Some(&format!("ApiKey {}", header_value())),
                Some(other.expose()),
            )
            .map(|_| ()),
            Err(ApiKeyFormatError::Conflicting)
        );
        let parsed = presented_api_key(
            Some(&format!("Bearer {}", header_value())),
            Some(&format!(" {} ", header_value())),
        )
        .unwrap();
        assert_eq!(parsed.key_id, key_id());
        // A malformed ApiKey credential beside another key conflicts too...
        assert_eq!(
            presented_api_key(Some("ApiKey garbage"), Some(other.expose())).map(|_| ()),
            Err(ApiKeyFormatError::Conflicting)
        );
        // ...and alone is malformed, never a fall back.
        assert_eq!(
            presented_api_key(Some("ApiKey garbage"), None).map(|_| ()),
            Err(ApiKeyFormatError::Malformed)
        );
        // ...but a foreign scheme (a proxy's Basic auth) leaves X-Api-Key in charge.
        let parsed = presented_api_key(Some("Basic dXNlcjpwYXNz"), Some(other.expose())).unwrap();
        assert_eq!(parsed.key_id, KeyId::from_uuid(Uuid::from_u128(1)));
    }

    #[test]
    fn bearer_token_extracts_admin_tokens() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer   abc "), Some("abc"));
        assert_eq!(bearer_token("Bearer"), None);
        assert_eq!(bearer_token("ApiKey abc"), None);
    }

    #[test]
    fn format_errors_do_not_echo_the_value() {
        let key = header_value();
        let error = presented_api_key(Some(&format!("Basic {key}")), None)
            .map(|_| ())
            .unwrap_err();
        assert!(!error.to_string().contains(secret().expose()));
        assert!(!error.to_string().contains(&key_id().to_string()));
    }
}
