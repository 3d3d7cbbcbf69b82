//! Storage wiring: opens the relational and time-series databases that configuration
//! names — an SQLite file (the embedded default) or PostgreSQL — and applies their
//! migrations, for `kcost migrate` and for start-up when `database.run_migrations` is set.
//!
//! The two stores may share one database (the default: `timescale.url` unset) or live
//! apart; each keeps its own migration tracking table. Configured by `[database]` and
//! `[timescale]` ([`settings`]).

pub mod settings;

use std::time::Duration;

use kcost_migrations::{MigratorTrait, RelationalMigrator, TimeseriesMigrator};
use kcost_settings::ConnectionUrl;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};

use crate::config::Settings;
use settings::TimescaleMode;

/// Which store a connection serves, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    Relational,
    TimeSeries,
}

impl Store {
    /// The configuration key holding this store's URL.
    pub const fn config_key(self) -> &'static str {
        match self {
            Self::Relational => "database.url",
            Self::TimeSeries => "timescale.url",
        }
    }
}

/// Why storage could not be opened or migrated. Messages name the configuration key and
/// show URLs with their passwords redacted.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("{}: cannot open {url}: {source}", .store.config_key())]
    Open {
        store: Store,
        url: String,
        #[source]
        source: anyhow::Error,
    },
    #[error(
        "timescale.timescaledb = on, but the timescaledb extension is not enabled in the \
         time-series database (run `CREATE EXTENSION timescaledb` there first)"
    )]
    TimescaleRequired,
    #[error(
        "timescale.timescaledb = off, but the timescaledb extension is enabled in the \
         time-series database, and the time-series migration would create hypertables; \
         use `auto`, or a database without the extension"
    )]
    TimescaleUnwanted,
    #[error("{} migration failed: {source}", match .store { Store::Relational => "relational", Store::TimeSeries => "time-series" })]
    Migrate {
        store: Store,
        #[source]
        source: DbErr,
    },
}

/// Open connections to both stores (possibly the same pool).
#[derive(Debug, Clone)]
pub struct Databases {
    pub relational: DatabaseConnection,
    pub timeseries: DatabaseConnection,
    /// Both stores use one pool (`timescale.url` unset or equal to `database.url`).
    pub shared: bool,
}

/// What `migrate` applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrationReport {
    pub relational: Vec<String>,
    pub timeseries: Vec<String>,
}

/// Opens both stores as configured.
pub async fn open(settings: &Settings) -> Result<Databases, StorageError> {
    let relational = connect(settings, &settings.database.url, Store::Relational).await?;
    let timeseries_url = settings.timeseries_url();
    let shared = timeseries_url == &settings.database.url;
    let timeseries = if shared {
        relational.clone()
    } else {
        connect(settings, timeseries_url, Store::TimeSeries).await?
    };
    Ok(Databases {
        relational,
        timeseries,
        shared,
    })
}

async fn connect(
    settings: &Settings,
    url: &ConnectionUrl,
    store: Store,
) -> Result<DatabaseConnection, StorageError> {
    let fail = |source: anyhow::Error| StorageError::Open {
        store,
        url: url.redacted(),
        source,
    };
    if url.expose().starts_with("sqlite:") {
        kcost_sqlite_adapter::open(url.expose())
            .await
            .map_err(|e| fail(e.into()))
    } else {
        let timeout = Duration::from_secs(settings.database.connect_timeout_seconds);
        kcost_postgres_adapter::connect(url.expose(), settings.database.max_connections, timeout)
            .await
            .map_err(|e| fail(anyhow::Error::new(e)))
    }
}

/// Applies every pending migration to both stores, after checking the TimescaleDB mode.
pub async fn migrate(
    databases: &Databases,
    timescaledb: TimescaleMode,
) -> Result<MigrationReport, StorageError> {
    check_timescaledb(&databases.timeseries, timescaledb).await?;
    let relational = apply::<RelationalMigrator>(&databases.relational, Store::Relational).await?;
    let timeseries = apply::<TimeseriesMigrator>(&databases.timeseries, Store::TimeSeries).await?;
    Ok(MigrationReport {
        relational,
        timeseries,
    })
}

async fn apply<M: MigratorTrait>(
    db: &DatabaseConnection,
    store: Store,
) -> Result<Vec<String>, StorageError> {
    let wrap = |source| StorageError::Migrate { store, source };
    let pending: Vec<String> = M::get_pending_migrations(db)
        .await
        .map_err(wrap)?
        .iter()
        .map(|migration| migration.name().to_owned())
        .collect();
    M::up(db, None).await.map_err(wrap)?;
    Ok(pending)
}

/// The time-series migration uses TimescaleDB exactly when the extension is enabled; make
/// the configured mode agree with that before migrating.
async fn check_timescaledb(
    db: &DatabaseConnection,
    mode: TimescaleMode,
) -> Result<(), StorageError> {
    if db.get_database_backend() != DbBackend::Postgres {
        return match mode {
            TimescaleMode::On => Err(StorageError::TimescaleRequired),
            TimescaleMode::Auto | TimescaleMode::Off => Ok(()),
        };
    }
    let query = Statement::from_string(
        DbBackend::Postgres,
        "SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'",
    );
    let enabled = db
        .query_one_raw(query)
        .await
        .map_err(|source| StorageError::Migrate {
            store: Store::TimeSeries,
            source,
        })?
        .is_some();
    match (mode, enabled) {
        (TimescaleMode::On, false) => Err(StorageError::TimescaleRequired),
        (TimescaleMode::Off, true) => Err(StorageError::TimescaleUnwanted),
        _ => Ok(()),
    }
}
