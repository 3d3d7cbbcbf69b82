//! What every crate that owns a `[section]` of kcost's configuration shares, so each section
//! can be declared and validated next to the code it configures:
//!
//! - [`SettingIssue`], [`SettingIssues`]: a section's validation problems, each keyed
//!   relative to its section (`port`, `sources[1].url`); the server prefixes the section's
//!   name and reports every problem of every section at once.
//! - [`Secret`], [`ConnectionUrl`]: values that are never printed — not in `Debug`, logs,
//!   error messages or `kcost config show` — only handed over by an explicit `expose()`.
//! - [`de`]: lenient serde helpers for values that may come from TOML files or from
//!   environment variables (where everything starts life as text).
//!
//! Its own crate, not the domain's: these are configuration plumbing, not cost rules. Pure
//! (serde only): reading files and the environment is the server's.

pub mod de;
mod issues;
mod secret;

pub use issues::{SettingIssue, SettingIssues};
pub use secret::{ConnectionUrl, REDACTED, Secret};
