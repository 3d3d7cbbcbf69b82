//! Rate limiting per API key (actix-governor): each key id gets `rate_limit_per_minute`
//! requests per minute with a burst of the same size; requests without a readable key are
//! limited per peer IP. Over the limit: 429 with `Retry-After` and the usual error body.

use std::net::IpAddr;
use std::time::Duration;

use actix_governor::governor::NotUntil;
use actix_governor::governor::clock::{Clock, DefaultClock, QuantaInstant};
use actix_governor::governor::middleware::NoOpMiddleware;
use actix_governor::{
    Governor, GovernorConfig, GovernorConfigBuilder, KeyExtractor, SimpleKeyExtractionError,
};
use actix_web::dev::ServiceRequest;
use actix_web::middleware::Condition;
use actix_web::{HttpResponse, HttpResponseBuilder};
use uuid::Uuid;

use crate::auth::presented_key;
use crate::error::ApiError;

/// Whose quota a request spends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateLimitKey {
    /// The key id of the presented API key (the public half; the secret is not needed to
    /// pick a bucket, and an unknown id is refused by authentication anyway).
    ApiKey(Uuid),
    Peer(IpAddr),
    /// No key and no peer address (only in tests): one shared bucket.
    Unknown,
}

/// Picks [`RateLimitKey`]s from requests.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiKeyOrPeerIp;

impl KeyExtractor for ApiKeyOrPeerIp {
    type Key = RateLimitKey;
    type KeyExtractionError = SimpleKeyExtractionError<&'static str>;

    fn extract(&self, req: &ServiceRequest) -> Result<Self::Key, Self::KeyExtractionError> {
        if let Some(presented) = presented_key(req.headers()) {
            return Ok(RateLimitKey::ApiKey(*presented.key_id.as_uuid()));
        }
        Ok(req
            .peer_addr()
            .map(|addr| RateLimitKey::Peer(addr.ip()))
            .unwrap_or(RateLimitKey::Unknown))
    }

    fn exceed_rate_limit_response(
        &self,
        negative: &NotUntil<QuantaInstant>,
        response: HttpResponseBuilder,
    ) -> HttpResponse {
        // Round up: "retry in 0 s" would invite an immediate, refused retry.
        let wait = negative.wait_time_from(DefaultClock::default().now());
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        ApiError::rate_limited(seconds).respond_with(response)
    }
}

/// The rate-limiting middleware [`RateLimit::middleware`] returns.
pub type RateLimiter = Condition<Governor<ApiKeyOrPeerIp, NoOpMiddleware<QuantaInstant>>>;

/// A rate that governor cannot represent (not produced for any `u32`; kept so a future
/// governor change surfaces as an error at startup instead of a panic).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot build a rate limiter for {0} requests per minute")]
pub struct RateLimitConfigError(pub u32);

/// Rate limiting at `per_minute` requests per key per minute (bursts up to `per_minute`);
/// 0 turns it off. Built once per server: every [`RateLimit::middleware`] spends from the
/// same per-key buckets, so each worker's `App` shares one limit instead of multiplying it
/// by the worker count.
#[derive(Clone)]
pub struct RateLimit {
    enabled: bool,
    config: GovernorConfig<ApiKeyOrPeerIp, NoOpMiddleware<QuantaInstant>>,
}

impl std::fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimit")
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

impl RateLimit {
    pub fn new(per_minute: u32) -> Result<Self, RateLimitConfigError> {
        let quota = per_minute.max(1);
        let config = GovernorConfigBuilder::default()
            .key_extractor(ApiKeyOrPeerIp)
            // One request's worth of quota comes back every 60/N seconds.
            .period(Duration::from_nanos(60_000_000_000 / u64::from(quota)))
            .burst_size(quota)
            .finish()
            .ok_or(RateLimitConfigError(per_minute))?;
        Ok(Self {
            enabled: per_minute > 0,
            config,
        })
    }

    /// The middleware for one worker's `App`; wrap it inside the request-id middleware so
    /// 429s carry the id.
    pub fn middleware(&self) -> RateLimiter {
        Condition::new(self.enabled, Governor::new(&self.config))
    }
}
