//! `[agent]`: settings for the bundled agent simulator (`kcost simulate`).

use kcost_settings::de;
use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

/// `[agent]`: settings for the bundled agent simulator.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgentSettings {
    /// Key id (UUID) of the API key bootstrapped for the bundled simulator.
    #[serde(deserialize_with = "opt_uuid", skip_serializing_if = "Option::is_none")]
    pub default_api_key_id: Option<Uuid>,
}

fn opt_uuid<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Uuid>, D::Error> {
    de::opt_parsed(deserializer, "a UUID")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_id_is_a_uuid_or_unset() {
        let read = |json: &str| serde_json::from_str::<AgentSettings>(json);
        let id = "6f1c1a5e-1b2c-4d3e-8f90-123456789abc";
        assert_eq!(
            read(&format!(r#"{{"default_api_key_id": " {id} "}}"#))
                .unwrap()
                .default_api_key_id
                .map(|id| id.to_string())
                .as_deref(),
            Some(id)
        );
        assert_eq!(
            read(r#"{"default_api_key_id": ""}"#).unwrap(),
            AgentSettings::default()
        );
        let err = read(r#"{"default_api_key_id": "not-a-uuid"}"#).unwrap_err();
        assert!(err.to_string().contains("expected a UUID"), "{err}");
    }
}
