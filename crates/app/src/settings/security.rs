//! `[security]`: the API-key pepper (the HMAC key of every key hash), how long a verified
//! key stays cached, and the admin API's bearer token — the secrets
//! [`crate::instance::InstanceSecretsSetup`] settles at start-up. Both secrets are
//! [`Secret`]s: never printed, exposed only to be settled.

use kcost_domain::api_key::{
    AdminToken, AdminTokenError, MAX_ADMIN_TOKEN_LEN, MIN_ADMIN_TOKEN_LEN,
};
use kcost_settings::{Secret, SettingIssue, SettingIssues, de};
use serde::{Deserialize, Serialize};

use crate::instance::ConfiguredSecrets;

/// Minimum length of the API-key pepper, in bytes.
pub const MIN_PEPPER_BYTES: usize = 16;

/// `[security]`: API-key hashing and the admin API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecuritySettings {
    /// HMAC key for API-key hashes, ≥ 16 bytes. Required when `KCOST_ENV=production`;
    /// elsewhere, when absent, one is generated and persisted.
    #[serde(
        deserialize_with = "de::opt_secret",
        skip_serializing_if = "Option::is_none"
    )]
    pub api_key_pepper: Option<Secret>,
    /// How long a verified key stays cached; 0 disables the cache.
    pub api_key_cache_ttl_seconds: u64,
    /// Bearer token for the admin API: 32–512 printable ASCII characters, no spaces;
    /// absent = generated at first start (only its hash is stored).
    #[serde(
        deserialize_with = "de::opt_secret",
        skip_serializing_if = "Option::is_none"
    )]
    pub admin_token: Option<Secret>,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        Self {
            api_key_pepper: None,
            api_key_cache_ttl_seconds: 60,
            admin_token: None,
        }
    }
}

impl SecuritySettings {
    /// Every problem with the section, keyed within it. Whether a pepper is required (in
    /// production) depends on the environment, so the server checks that.
    pub fn validate(&self) -> Vec<SettingIssue> {
        let mut v = SettingIssues::default();
        if let Some(pepper) = &self.api_key_pepper
            && pepper.len() < MIN_PEPPER_BYTES
        {
            v.push(
                "api_key_pepper",
                format!(
                    "must be at least {MIN_PEPPER_BYTES} bytes (got {})",
                    pepper.len()
                ),
            );
        }
        // The same rule the server applies when it hashes the token at start-up.
        if let Some(token) = &self.admin_token
            && let Err(error) = AdminToken::new(token.expose())
        {
            let message = match error {
                AdminTokenError::TooShort { len } => format!(
                    "must be at least {MIN_ADMIN_TOKEN_LEN} characters (got {len}); omit it to \
                     have one generated"
                ),
                AdminTokenError::TooLong { len } => {
                    format!("must be at most {MAX_ADMIN_TOKEN_LEN} characters (got {len})")
                }
                AdminTokenError::InvalidCharacters => {
                    "must be printable ASCII characters without spaces".to_owned()
                }
            };
            v.push("admin_token", message);
        }
        v.into_vec()
    }

    /// The secrets as configured, for [`crate::instance::InstanceSecretsSetup::settle`];
    /// a missing pepper may be generated only when `allow_generated_pepper`.
    pub fn configured_secrets(&self, allow_generated_pepper: bool) -> ConfiguredSecrets {
        ConfiguredSecrets {
            api_key_pepper: self.api_key_pepper.as_ref().map(|s| s.expose().to_owned()),
            admin_token: self.admin_token.as_ref().map(|s| s.expose().to_owned()),
            allow_generated_pepper,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(settings: &SecuritySettings) -> Vec<(String, String)> {
        settings
            .validate()
            .into_iter()
            .map(|i| (i.key, i.message))
            .collect()
    }

    #[test]
    fn pepper_and_admin_token_rules() {
        assert_eq!(SecuritySettings::default().validate(), []);
        let short = SecuritySettings {
            api_key_pepper: Some(Secret::new("short")),
            admin_token: Some(Secret::new("short")),
            ..SecuritySettings::default()
        };
        assert_eq!(
            messages(&short),
            [
                (
                    "api_key_pepper".to_owned(),
                    "must be at least 16 bytes (got 5)".to_owned()
                ),
                (
                    "admin_token".to_owned(),
                    "must be at least 32 characters (got 5); omit it to have one generated"
                        .to_owned()
                ),
            ]
        );
        let spaced = SecuritySettings {
            api_key_pepper: Some(Secret::new("0123456789abcdef")),
            admin_token: Some(Secret::new(format!("{} x", "t".repeat(40)))),
            ..SecuritySettings::default()
        };
        assert_eq!(
            messages(&spaced),
            [(
                "admin_token".to_owned(),
                "must be printable ASCII characters without spaces".to_owned()
            )]
        );
        let long = SecuritySettings {
            admin_token: Some(Secret::new("t".repeat(513))),
            ..SecuritySettings::default()
        };
        assert_eq!(
            messages(&long),
            [(
                "admin_token".to_owned(),
                "must be at most 512 characters (got 513)".to_owned()
            )]
        );
    }

    #[test]
    fn configured_secrets_hand_over_the_real_values() {
        let settings = SecuritySettings {
            api_key_pepper: Some(Secret::new("pepper-0123456789")),
            admin_token: Some(Secret::new("token")),
            ..SecuritySettings::default()
        };
        let configured = settings.configured_secrets(false);
        assert_eq!(
            configured.api_key_pepper.as_deref(),
            Some("pepper-0123456789")
        );
        assert_eq!(configured.admin_token.as_deref(), Some("token"));
        assert!(!configured.allow_generated_pepper);
        assert!(!format!("{settings:?}").contains("pepper-0123456789"));
    }
}
