//! A section's validation problems, collected in the order they are found.

use super::ConnectionUrl;

/// One problem with one setting: the key relative to its section (`port`,
/// `sources[1].url`) and what is wrong. Messages never contain secret values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingIssue {
    /// The key within its section.
    pub key: String,
    /// What is wrong.
    pub message: String,
}

/// The problems found in one section, with the checks sections share.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingIssues(Vec<SettingIssue>);

impl SettingIssues {
    /// Records a problem with `key`.
    pub fn push(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.0.push(SettingIssue {
            key: key.into(),
            message: message.into(),
        });
    }

    /// `value` must not be 0.
    pub fn positive(&mut self, key: &str, value: u64) {
        if value == 0 {
            self.push(key, "must be greater than 0");
        }
    }

    /// `url` must be `scheme://rest` with one of `schemes` (else `message`) and a non-empty
    /// rest. The URL itself is never echoed: it may hold a password.
    pub fn url(&mut self, key: &str, url: &ConnectionUrl, schemes: &[&str], message: &str) {
        let scheme_ok = url
            .scheme()
            .is_some_and(|scheme| schemes.contains(&scheme.as_str()));
        if !scheme_ok {
            self.push(key, message);
        } else if url.rest().is_none_or(|rest| rest.trim().is_empty()) {
            self.push(key, "must name a database or server after the scheme");
        }
    }

    /// The problems found, in order.
    pub fn into_vec(self) -> Vec<SettingIssue> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys_and_messages(issues: SettingIssues) -> Vec<(String, String)> {
        issues
            .into_vec()
            .into_iter()
            .map(|i| (i.key, i.message))
            .collect()
    }

    #[test]
    fn positive_rejects_zero_only() {
        let mut issues = SettingIssues::default();
        issues.positive("a", 1);
        issues.positive("b", 0);
        assert_eq!(
            keys_and_messages(issues),
            [("b".to_owned(), "must be greater than 0".to_owned())]
        );
    }

    #[test]
    fn url_checks_scheme_and_rest_without_echoing_the_url() {
        let mut issues = SettingIssues::default();
        let schemes = &["postgres", "sqlite"];
        for url in ["Postgres://db/kcost", "sqlite://kcost.db"] {
            issues.url("ok", &ConnectionUrl::new(url), schemes, "bad scheme");
        }
        issues.url(
            "scheme",
            &ConnectionUrl::new("mysql://kcost:hunter2@db"),
            schemes,
            "bad scheme",
        );
        issues.url("rest", &ConnectionUrl::new("sqlite:// "), schemes, "bad");
        issues.url(
            "none",
            &ConnectionUrl::new("nonsense"),
            schemes,
            "bad scheme",
        );
        let found = keys_and_messages(issues);
        assert_eq!(
            found,
            [
                ("scheme".to_owned(), "bad scheme".to_owned()),
                (
                    "rest".to_owned(),
                    "must name a database or server after the scheme".to_owned()
                ),
                ("none".to_owned(), "bad scheme".to_owned()),
            ]
        );
        assert!(!format!("{found:?}").contains("hunter2"));
    }
}
