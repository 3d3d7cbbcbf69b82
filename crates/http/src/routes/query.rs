//! Reading query values the same way on every endpoint: trimmed, with blank counting as
//! absent (what the patterns of [`crate::dto::query`] admit), and integers outside their
//! bounds named in a 422.

use crate::error::{ApiError, FieldIssue};

/// `value` trimmed; `None` when absent or blank.
pub(crate) fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|value| !value.is_empty())
}

/// What is wrong with `value` of parameter `name`: outside 1..=`max`.
pub(crate) fn range_issue(name: &str, value: i64, max: i64) -> Option<FieldIssue> {
    (!(1..=max).contains(&value))
        .then(|| FieldIssue::new(name, format!("must be between 1 and {max}")))
}

/// A `limit` within 1..=`max`, else 422 naming it.
pub(crate) fn bounded_limit(limit: i64, max: i64) -> Result<usize, ApiError> {
    match range_issue("limit", limit, max) {
        Some(issue) => Err(ApiError::validation(vec![issue])),
        None => Ok(usize::try_from(limit).unwrap_or(usize::MAX)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_absent_and_values_are_trimmed() {
        assert_eq!(given(None), None);
        assert_eq!(given(Some(" \t")), None);
        assert_eq!(given(Some(" web ")), Some("web"));
    }

    #[test]
    fn ranges_are_inclusive() {
        assert!(range_issue("limit", 1, 1000).is_none());
        assert!(range_issue("limit", 1000, 1000).is_none());
        assert!(range_issue("limit", 0, 1000).is_some());
        assert!(range_issue("limit", 1001, 1000).is_some());
        assert_eq!(bounded_limit(50, 50).ok(), Some(50));
        assert!(bounded_limit(51, 50).is_err());
    }
}
