//! Every section's rules, keyed in full (`server.port`), and the rules that span sections
//! or depend on the environment. All failures are reported together, in section order.

use kcost_app::settings::MIN_PEPPER_BYTES;
use kcost_settings::SettingIssue;

use super::Settings;
use super::error::Issue;
use super::sources::Environment;
use crate::storage::settings::TimescaleMode;

/// All problems with `settings` in environment `env` (empty = valid).
pub(super) fn validate(settings: &Settings, env: &Environment) -> Vec<Issue> {
    let mut issues = Vec::new();
    let mut section = |name: &str, found: Vec<SettingIssue>| {
        issues.extend(
            found
                .into_iter()
                .map(|i| Issue::new(format!("{name}.{}", i.key), i.message)),
        );
    };
    section("server", settings.server.validate());
    section("database", settings.database.validate());
    section("timescale", settings.timescale.validate());
    section("timescale", timescaledb_needs_postgres(settings));
    section("redis", settings.redis.validate());
    section("security", pepper_required_in_production(settings, env));
    section("security", settings.security.validate());
    section("ingest", settings.ingest.validate());
    section("pricing", settings.pricing.validate());
    section("telemetry", settings.telemetry.validate());
    section("kubecent", settings.kubecent.validate());
    section("budgets", settings.budgets.validate());
    section("allocation", settings.allocation.validate());
    section("opencost", settings.opencost.validate());
    issues
}

/// `timescale.timescaledb = on` needs the time-series store (`timescale.url`, else
/// `database.url`) on PostgreSQL.
fn timescaledb_needs_postgres(settings: &Settings) -> Vec<SettingIssue> {
    let on_sqlite = settings
        .timeseries_url()
        .scheme()
        .is_some_and(|scheme| scheme == "sqlite");
    if settings.timescale.timescaledb == TimescaleMode::On && on_sqlite {
        vec![SettingIssue {
            key: "timescaledb".to_owned(),
            message: "`on` needs a PostgreSQL time-series store (set timescale.url or \
                      database.url to postgres://…, or use `auto`)"
                .to_owned(),
        }]
    } else {
        Vec::new()
    }
}

/// In production a pepper must be configured (elsewhere one is generated and stored).
fn pepper_required_in_production(settings: &Settings, env: &Environment) -> Vec<SettingIssue> {
    if settings.security.api_key_pepper.is_none() && env.is_production() {
        vec![SettingIssue {
            key: "api_key_pepper".to_owned(),
            message: format!(
                "required when KCOST_ENV=production (at least {MIN_PEPPER_BYTES} random bytes; \
                 e.g. set KCOST_SECURITY__API_KEY_PEPPER)"
            ),
        }]
    } else {
        Vec::new()
    }
}
