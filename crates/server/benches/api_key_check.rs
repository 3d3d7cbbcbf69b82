//! API-key check latency by where the key's record comes from: the in-process L1, the
//! shared cache (Redis), or the database (SQLite, caching off). Every path includes the
//! HMAC check of the presented secret. Plain timing loop (no criterion), printing p50 and
//! p99 per path.
//!
//! `cargo bench -p kcost-server --bench api_key_check` (Redis from `KCOST_BENCH_REDIS_URL`,
//! default `redis://127.0.0.1:6379`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use kcost_app::SystemClock;
use kcost_app::auth::{ApiKeyAuthenticator, ApiKeyCache, ApiKeyCacheSettings, NewApiKey};
use kcost_domain::api_key::{PresentedApiKey, Scope, Scopes};
use kcost_domain::tenant::TenantName;
use kcost_server::config::{ConnectionUrl, Settings};
use kcost_server::secrets;
use kcost_server::services::AdminServices;
use kcost_server::stores::Stores;

const ROUNDS: usize = 20_000;
const DB_ROUNDS: usize = 2_000;

async fn measure(name: &str, auth: &ApiKeyAuthenticator, key: &PresentedApiKey, rounds: usize) {
    // Warm up (fills whichever cache level is on).
    for _ in 0..100 {
        auth.authenticate(key).await.unwrap();
    }
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        auth.authenticate(key).await.unwrap();
        samples.push(started.elapsed());
    }
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    println!(
        "{name:<28} p50 {:>9.2?}  p99 {:>9.2?}  ({rounds} checks)",
        at(0.50),
        at(0.99)
    );
}

fn authenticator(
    stores: &Stores,
    pepper: &kcost_domain::api_key::Pepper,
    settings: ApiKeyCacheSettings,
) -> ApiKeyAuthenticator {
    let cache = Arc::new(ApiKeyCache::new(
        stores.cache.clone(),
        stores.invalidations.clone(),
        settings,
        "kcost-bench:",
    ));
    ApiKeyAuthenticator::new(
        stores.api_keys.clone(),
        cache,
        pepper.clone(),
        Arc::new(SystemClock),
    )
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::default();
    settings.database.url = ConnectionUrl::new(format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    ));
    let redis = std::env::var("KCOST_BENCH_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    settings.redis.url = Some(ConnectionUrl::new(redis));
    let stores = Stores::open(&settings).await.unwrap();
    let secrets = secrets::settle(&settings, &stores).await.unwrap();
    let admin = AdminServices::new(&settings, &stores, &secrets, Arc::new(SystemClock));
    let tenant = admin
        .tenants
        .create(TenantName::new("bench").unwrap())
        .await
        .unwrap();
    let created = admin
        .api_keys
        .create(NewApiKey {
            tenant_id: tenant.id,
            scopes: Scopes::single(Scope::All),
            expires_at: None,
            name: None,
            cluster: None,
        })
        .await
        .unwrap();
    let key = PresentedApiKey::parse(created.api_key.expose()).unwrap();
    let ttl = Duration::from_secs(60);

    measure(
        "L1 hit",
        &authenticator(&stores, &secrets.pepper, ApiKeyCacheSettings::new(ttl)),
        &key,
        ROUNDS,
    )
    .await;
    let redis_only = ApiKeyCacheSettings {
        local_ttl: Duration::ZERO,
        ..ApiKeyCacheSettings::new(ttl)
    };
    measure(
        "Redis hit (L1 off)",
        &authenticator(&stores, &secrets.pepper, redis_only),
        &key,
        ROUNDS,
    )
    .await;
    measure(
        "database (SQLite, caches off)",
        &authenticator(
            &stores,
            &secrets.pepper,
            ApiKeyCacheSettings::new(Duration::ZERO),
        ),
        &key,
        DB_ROUNDS,
    )
    .await;
    stores.close().await;
}
