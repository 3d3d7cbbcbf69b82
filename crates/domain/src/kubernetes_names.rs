//! Kubernetes' rules for the names and labels an agent reports, so that nothing the API
//! server itself would refuse is stored: a namespace is a DNS label (at most 63
//! characters), pod and node names are DNS subdomains (at most 253), and label keys and
//! values follow the `metadata.labels` syntax. Each check returns what is wrong, in words
//! for a 422's field message, or `None`.

/// A namespace: a DNS label.
pub const MAX_NAMESPACE_LEN: usize = 63;
/// Pod and node names: DNS subdomains.
pub const MAX_OBJECT_NAME_LEN: usize = 253;
/// A label value, and the name part of a label key.
pub const MAX_LABEL_LEN: usize = 63;
/// The prefix of a label key (a DNS subdomain).
pub const MAX_LABEL_PREFIX_LEN: usize = 253;

/// A name of at most `max` characters without control characters (a NUL byte, a newline).
/// The full DNS syntax is the API server's to enforce; these two protect storage and logs.
pub fn name_problem(value: &str, max: usize) -> Option<String> {
    if value.chars().count() > max {
        Some(format!("must be at most {max} characters"))
    } else if value.chars().any(char::is_control) {
        Some("must not contain control characters".to_owned())
    } else {
        None
    }
}

/// A label key: `[prefix/]name`, the prefix a DNS subdomain of at most 253 characters, the
/// name at most 63 alphanumerics, `-`, `_` or `.`, starting and ending alphanumeric.
pub fn label_key_problem(key: &str) -> Option<String> {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        let valid = !prefix.is_empty()
            && prefix.len() <= MAX_LABEL_PREFIX_LEN
            && prefix.split('.').all(is_dns_label);
        if !valid {
            return Some(format!(
                "label key {key:?}: the prefix must be a DNS subdomain of at most \
                 {MAX_LABEL_PREFIX_LEN} characters"
            ));
        }
    }
    if name.is_empty() || !is_label_syntax(name) {
        return Some(format!(
            "label key {key:?}: the name must be 1-{MAX_LABEL_LEN} characters of [A-Za-z0-9-_.], \
             starting and ending alphanumeric"
        ));
    }
    None
}

/// A label value: empty, or at most 63 alphanumerics, `-`, `_` or `.`, starting and ending
/// alphanumeric.
pub fn label_value_problem(key: &str, value: &str) -> Option<String> {
    (!value.is_empty() && !is_label_syntax(value)).then(|| {
        format!(
            "label {key:?}: the value must be empty or 1-{MAX_LABEL_LEN} characters of \
             [A-Za-z0-9-_.], starting and ending alphanumeric"
        )
    })
}

/// 1–63 characters of `[A-Za-z0-9-_.]`, alphanumeric at both ends.
fn is_label_syntax(value: &str) -> bool {
    let bytes = value.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_LABEL_LEN
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// One DNS label: 1–63 lowercase alphanumerics or `-`, alphanumeric at both ends.
fn is_dns_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    !bytes.is_empty()
        && bytes.len() <= MAX_NAMESPACE_LEN
        && alnum(&bytes[0])
        && alnum(&bytes[bytes.len() - 1])
        && bytes.iter().all(|b| alnum(b) || *b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_limited_in_length_and_control_characters() {
        assert_eq!(name_problem("payments", MAX_NAMESPACE_LEN), None);
        assert_eq!(name_problem(&"a".repeat(63), MAX_NAMESPACE_LEN), None);
        assert!(name_problem(&"a".repeat(64), MAX_NAMESPACE_LEN).is_some());
        assert!(name_problem(&"p".repeat(254), MAX_OBJECT_NAME_LEN).is_some());
        assert!(name_problem("web\0", MAX_OBJECT_NAME_LEN).is_some());
        assert!(name_problem("web\n1", MAX_OBJECT_NAME_LEN).is_some());
    }

    #[test]
    fn label_keys_follow_kubernetes_syntax() {
        for good in [
            "app",
            "app.kubernetes.io/name",
            "batch.kubernetes.io/job-name",
            "pod-template-hash",
            "a_b.c-d",
            "topology.kubernetes.io/zone",
        ] {
            assert_eq!(label_key_problem(good), None, "{good}");
        }
        for bad in [
            "",
            "-app",
            "app-",
            "Example.COM/app",
            "/app",
            "example.com/",
            "a/b/c",
            "app name",
            &"k".repeat(64),
        ] {
            assert!(label_key_problem(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn label_values_may_be_empty_or_follow_the_syntax() {
        assert_eq!(label_value_problem("k", ""), None);
        assert_eq!(label_value_problem("k", "v1.2_beta-3"), None);
        assert!(label_value_problem("k", "-v").is_some());
        assert!(label_value_problem("k", "has space").is_some());
        assert!(label_value_problem("k", &"v".repeat(64)).is_some());
        assert!(label_value_problem("k", "nul\0").is_some());
    }
}
