//! The installation's secrets from configuration and the relational store, and the one-time
//! notice of a generated admin token.
//!
//! The notice goes straight to the given writer (stderr in the binary), never through
//! `tracing`: log pipelines keep and ship what they receive, and the token must exist only
//! on the operator's screen.

use std::io::Write;

use anyhow::Context as _;
use kcost_app::instance::{InstanceSecrets, InstanceSecretsSetup, SecretOrigin};
use kcost_domain::api_key::AdminToken;

use crate::config::Settings;
use crate::stores::Stores;

/// Settles the pepper and the admin token (see `kcost_app::instance`).
pub async fn settle(settings: &Settings, stores: &Stores) -> anyhow::Result<InstanceSecrets> {
    let configured = settings
        .security
        .configured_secrets(!settings.environment.is_production());
    let secrets = InstanceSecretsSetup::new(stores.instance.clone())
        .settle(&configured)
        .await
        .context("settling the API-key pepper and the admin token")?;
    if secrets.pepper_origin == SecretOrigin::Generated {
        tracing::info!(
            "generated an API-key pepper and stored it in the relational database; set \
             security.api_key_pepper before going to production"
        );
    }
    if secrets.admin_token_origin == SecretOrigin::Generated {
        tracing::info!("generated an admin token; it is printed once on stderr");
    }
    Ok(secrets)
}

/// Prints a freshly generated admin token once, with what to do with it.
pub fn announce_admin_token(token: &AdminToken, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "\n\
         kcost generated an admin token. It is shown only this once and stored only as a\n\
         hash; keep it somewhere safe (or set security.admin_token / KCOST_SECURITY__ADMIN_TOKEN\n\
         to choose your own):\n\
         \n    {}\n",
        token.expose()
    )?;
    out.flush()
}
