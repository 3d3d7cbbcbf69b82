//! `kcost tenants …` and `kcost keys …`: the admin API's use cases (`TenantAdmin`,
//! `ApiKeyAdmin`) run directly on the configured database, for bootstrapping without the
//! admin token and for scripts.
//!
//! Output is one tab-separated line per object on `out`; notes go to `err`. A key's
//! secret is printed once, at creation. Revocation here reaches a running server's
//! in-process cache only after `security.api_key_cache_ttl_seconds`; the admin API
//! revokes at once.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use clap::Subcommand;
use kcost_app::SystemClock;
use kcost_app::auth::NewApiKey;
use kcost_domain::api_key::{ApiKeyRecord, KeyId, Scope, Scopes};
use kcost_domain::cluster::ClusterName;
use kcost_domain::tenant::{TenantId, TenantName};
use uuid::Uuid;

use crate::config::Settings;
use crate::services::AdminServices;
use crate::stores::Stores;
use crate::{secrets, telemetry};

/// `kcost tenants …`
#[derive(Debug, Subcommand)]
pub enum TenantsCommand {
    /// Create a tenant; prints `<tenant_id>\t<name>`.
    Create {
        /// Unique tenant name.
        name: String,
    },
    /// List tenants, oldest first: `<tenant_id>\t<name>\t<created_at>`.
    List,
}

/// `kcost keys …`
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create an API key; its secret is printed once.
    Create {
        /// Tenant id (UUID) the key belongs to.
        #[arg(long, value_name = "TENANT_ID")]
        tenant: Uuid,
        /// Scopes, comma-separated or repeated: metrics:write, costs:read,
        /// recommendations:read, recommendations:write, budgets:read, budgets:write, or * for
        /// all.
        #[arg(long, value_delimiter = ',', required = true, num_args = 1..)]
        scopes: Vec<String>,
        /// Expiry (RFC 3339, e.g. 2027-01-01T00:00:00Z); none = never expires.
        #[arg(long, value_name = "RFC3339")]
        expires_at: Option<DateTime<Utc>>,
        /// A label for people (e.g. the agent's cluster).
        #[arg(long)]
        name: Option<String>,
        /// Bind the key to one cluster: it may ingest for that cluster only.
        #[arg(long, value_name = "CLUSTER_NAME")]
        cluster: Option<String>,
    },
    /// List a tenant's keys, newest first (never their secrets).
    List {
        #[arg(long, value_name = "TENANT_ID")]
        tenant: Uuid,
    },
    /// Revoke a key (idempotent).
    Revoke {
        /// Key id (UUID; the part of the API key before `:`).
        key_id: Uuid,
    },
}

/// `kcost tenants …` or `kcost keys …`.
#[derive(Debug)]
pub enum AdminCommand {
    Tenants(TenantsCommand),
    Keys(KeysCommand),
}

/// Runs an admin command on the configured stores: its lines on `out`, a note (if any)
/// or the refusal on `err`.
pub fn run(
    command: AdminCommand,
    settings: &Settings,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    with_admin(settings, err, |admin| async move {
        match command {
            AdminCommand::Tenants(command) => tenants(&admin, command).await,
            AdminCommand::Keys(command) => keys(&admin, command).await,
        }
    })
    .and_then(|outcome| print(outcome, out, err))
}

/// What a command prints: its lines, and perhaps a note for `err`.
type Printed = (Vec<String>, Option<String>);

async fn tenants(admin: &AdminServices, command: TenantsCommand) -> anyhow::Result<Printed> {
    let mut lines = Vec::new();
    match command {
        TenantsCommand::Create { name } => {
            let name = TenantName::new(name).map_err(|e| refused(format!("name: {e}")))?;
            let tenant = admin.tenants.create(name).await.map_err(refused)?;
            lines.push(format!("{}\t{}", tenant.id, tenant.name.as_str()));
        }
        TenantsCommand::List => {
            for tenant in admin.tenants.list().await? {
                lines.push(format!(
                    "{}\t{}\t{}",
                    tenant.id,
                    tenant.name.as_str(),
                    rfc3339(tenant.created_at)
                ));
            }
        }
    }
    Ok((lines, None))
}

async fn keys(admin: &AdminServices, command: KeysCommand) -> anyhow::Result<Printed> {
    let mut lines = Vec::new();
    let mut note = None;
    match command {
        KeysCommand::Create {
            tenant,
            scopes,
            expires_at,
            name,
            cluster,
        } => {
            let request = NewApiKey {
                tenant_id: TenantId::from_uuid(tenant),
                scopes: parse_scopes(&scopes)?,
                expires_at,
                name,
                cluster: cluster
                    .map(ClusterName::new)
                    .transpose()
                    .map_err(|e| refused(format!("--cluster: {e}")))?,
            };
            let created = admin.api_keys.create(request).await.map_err(refused)?;
            lines.push(format!("key_id\t{}", created.record.key_id));
            lines.push(format!("api_key\t{}", created.api_key.expose()));
            note = Some(
                "The api_key above is shown only this once. Send it as \
                 `Authorization: ApiKey <api_key>`."
                    .to_owned(),
            );
        }
        KeysCommand::List { tenant } => {
            let now = Utc::now();
            for key in admin.api_keys.list(TenantId::from_uuid(tenant)).await? {
                lines.push(key_line(&key, now));
            }
        }
        KeysCommand::Revoke { key_id } => {
            let record = admin
                .api_keys
                .revoke(KeyId::from_uuid(key_id))
                .await
                .map_err(refused)?;
            lines.push(format!("revoked\t{}", record.key_id));
        }
    }
    Ok((lines, note))
}

/// A refusal the user can act on (unknown tenant, taken name, bad scope…): exit code 1
/// with the message, rather than an internal error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Refused(String);

fn refused(error: impl std::fmt::Display) -> anyhow::Error {
    Refused(error.to_string()).into()
}

type Outcome = Result<Printed, String>;

fn print(outcome: Outcome, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<ExitCode> {
    match outcome {
        Ok((lines, note)) => {
            for line in lines {
                writeln!(out, "{line}")?;
            }
            if let Some(note) = note {
                writeln!(err, "{note}")?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(message) => {
            writeln!(err, "kcost: {message}")?;
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Opens the stores, settles the secrets (a first start prints its generated admin
/// token here too: it would be lost otherwise), runs `command`, closes the stores.
fn with_admin<F, Fut>(
    settings: &Settings,
    err: &mut dyn Write,
    command: F,
) -> anyhow::Result<Outcome>
where
    F: FnOnce(AdminServices) -> Fut,
    Fut: Future<Output = anyhow::Result<Printed>>,
{
    // Commands print their results; only warnings belong on stderr next to them.
    let mut quiet = settings.telemetry.clone();
    quiet.log_level = "warn".to_owned();
    telemetry::init(&quiet)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let stores = match Stores::open(settings).await {
            Ok(stores) => stores,
            Err(error) => return Ok(Err(format!("{error:#}"))),
        };
        let result = async {
            let secrets = secrets::settle(settings, &stores).await?;
            if let Some(token) = &secrets.generated_admin_token {
                secrets::announce_admin_token(token, err)?;
            }
            let admin = AdminServices::new(settings, &stores, &secrets, Arc::new(SystemClock));
            command(admin).await
        }
        .await;
        stores.close().await;
        Ok(
            result.map_err(|error| match error.downcast_ref::<Refused>() {
                Some(refused) => refused.0.clone(),
                None => format!("{error:#}"),
            }),
        )
    })
}

fn parse_scopes(texts: &[String]) -> anyhow::Result<Scopes> {
    let scopes = texts
        .iter()
        .map(|text| text.trim().parse::<Scope>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| refused(format!("--scopes: {e}")))?;
    Scopes::new(scopes).map_err(|e| refused(format!("--scopes: {e}")))
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// `<key_id>\t<name>\t<scopes>\t<cluster>\t<status>\t<expires_at>\t<last_used_at>`.
fn key_line(key: &ApiKeyRecord, now: DateTime<Utc>) -> String {
    let status = if key.revoked {
        "revoked"
    } else if key.is_expired_at(now) {
        "expired"
    } else {
        "active"
    };
    let scopes: Vec<&str> = key.scopes.iter().map(Scope::as_str).collect();
    let optional = |value: Option<String>| value.unwrap_or_else(|| "-".to_owned());
    format!(
        "{}\t{}\t{}\t{}\t{status}\t{}\t{}",
        key.key_id,
        optional(key.name.clone()),
        scopes.join(","),
        optional(key.cluster.as_ref().map(|c| c.as_str().to_owned())),
        optional(key.expires_at.map(rfc3339)),
        optional(key.last_used_at.map(rfc3339)),
    )
}
