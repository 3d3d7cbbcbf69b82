//! Configuration errors. Every issue names the offending key in dotted form
//! (`server.port`) and, where known, the layer it came from (a file path or the
//! environment variable's name). Messages never contain secret values.

use std::fmt;

use figment::error::Kind;
use figment::{Figment, Metadata, Profile};

use super::sources::is_env;

/// One problem with one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Dotted key (`server.port`), or the name of a variable/flag (`KCOST_ENV`).
    pub key: String,
    /// What is wrong.
    pub message: String,
    /// Which layer set the value, if known (file path or `environment variable KCOST_…`).
    pub origin: Option<String>,
}

impl Issue {
    /// An issue with no known origin.
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            message: message.into(),
            origin: None,
        }
    }

    /// Attaches the layer the value came from.
    #[must_use]
    pub fn with_origin(mut self, origin: Option<String>) -> Self {
        self.origin = origin;
        self
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.key.is_empty(), &self.origin) {
            (true, Some(origin)) => write!(f, "{origin}: {}", self.message),
            (true, None) => f.write_str(&self.message),
            (false, Some(origin)) => write!(f, "{}: {} (from {origin})", self.key, self.message),
            (false, None) => write!(f, "{}: {}", self.key, self.message),
        }
    }
}

/// The configuration could not be loaded or is invalid. Displays as
/// `invalid configuration: <key>: <message>[; <key>: <message>…]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid configuration: {}", join(.issues))]
pub struct ConfigError {
    issues: Vec<Issue>,
}

fn join(issues: &[Issue]) -> String {
    issues
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl ConfigError {
    /// An error with one issue.
    pub fn single(issue: Issue) -> Self {
        Self {
            issues: vec![issue],
        }
    }

    /// An error with several issues; `None` when the list is empty.
    pub fn from_issues(issues: Vec<Issue>) -> Option<Self> {
        (!issues.is_empty()).then_some(Self { issues })
    }

    /// The individual issues.
    pub fn issues(&self) -> &[Issue] {
        &self.issues
    }

    /// Converts figment's (possibly chained) extraction error, keeping key paths and
    /// layer names.
    pub(crate) fn from_figment(err: figment::Error, figment: &Figment) -> Self {
        let issues = err
            .into_iter()
            .map(|e| issue_from_figment(&e, figment))
            .collect();
        Self { issues }
    }
}

fn issue_from_figment(e: &figment::Error, figment: &Figment) -> Issue {
    match &e.kind {
        Kind::UnknownField(name, expected) => {
            // figment's path usually ends with the unknown name already.
            let mut path = e.path.clone();
            if path.last() != Some(name) {
                path.push(name.clone());
            }
            let key = path.join(".");
            let what = if path.len() == 1 { "section" } else { "key" };
            let origin = figment.find_metadata(&key).map(|md| origin(md, &path));
            Issue::new(
                key,
                format!("unknown {what} (expected {})", one_of(expected)),
            )
            .with_origin(origin)
        }
        kind => {
            let origin = e.metadata.as_ref().map(|md| origin(md, &e.path));
            Issue::new(e.path.join("."), without_snippet(&kind.to_string())).with_origin(origin)
        }
    }
}

/// A readable name for the layer described by `md`.
fn origin<S: AsRef<str>>(md: &Metadata, path: &[S]) -> String {
    if is_env(md) {
        format!("{} {}", md.name, md.interpolate(&Profile::Default, path))
    } else if let Some(source) = &md.source {
        // Files print as given (absolute paths stay absolute); others as figment says.
        source
            .file_path()
            .map_or_else(|| source.to_string(), |p| p.display().to_string())
    } else {
        md.name.to_string()
    }
}

fn one_of(expected: &[&str]) -> String {
    match expected {
        [] => "none".to_owned(),
        [one] => format!("`{one}`"),
        many => format!(
            "one of {}",
            many.iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// TOML parse errors quote the offending source line (which may hold a secret):
/// keep the position and the explanation, drop the `N | …` snippet lines.
fn without_snippet(message: &str) -> String {
    message
        .lines()
        .filter(|line| {
            let t = line.trim_start();
            let t = t
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .trim_start();
            !t.starts_with('|') && !line.trim().is_empty()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_dropped() {
        let msg = "TOML parse error at line 2, column 20\n  |\n2 | api_key_pepper = \"s3cret\n  |                    ^\ninvalid basic string\n";
        let out = without_snippet(msg);
        assert!(!out.contains("s3cret"), "{out}");
        assert_eq!(
            out,
            "TOML parse error at line 2, column 20 invalid basic string"
        );
    }
}
