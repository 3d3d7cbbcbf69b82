//! The app as production and tests build it: every route, and around them, innermost
//! first, the rate limit, CORS, request metrics and the request id. [`crate::serve()`]
//! builds one [`HttpApp`] and calls [`HttpApp::app`] once per worker; tests call it once.
//! Both get the same middleware in the same order, and every worker spends from the same
//! rate limit.
//!
//! `request_id` must be outermost: it opens the request's tracing span, puts the id into
//! every error body (429s and CORS refusals included) and the `X-Request-Id` header.
//! `track_metrics` outside CORS and the rate limiter counts their refusals too.

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, web};

use crate::AppState;
use crate::cors::cors;
use crate::metrics::track_metrics;
use crate::rate_limit::{RateLimit, RateLimitConfigError};
use crate::request_id::request_id;
use crate::routes;

/// What every worker's `App` shares: the state and the one rate limit.
#[derive(Clone)]
pub struct HttpApp {
    state: web::Data<AppState>,
    rate_limit: RateLimit,
    cors_origins: Arc<[String]>,
}

impl std::fmt::Debug for HttpApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpApp")
            .field("rate_limit", &self.rate_limit)
            .field("cors_origins", &self.cors_origins)
            .finish_non_exhaustive()
    }
}

impl HttpApp {
    /// `rate_limit_per_minute` per API key (0 = off); `cors_origins` may call from browsers.
    pub fn new(
        state: web::Data<AppState>,
        rate_limit_per_minute: u32,
        cors_origins: Vec<String>,
    ) -> Result<Self, RateLimitConfigError> {
        Ok(Self {
            state,
            rate_limit: RateLimit::new(rate_limit_per_minute)?,
            cors_origins: cors_origins.into(),
        })
    }

    /// One worker's app.
    pub fn app(
        &self,
    ) -> App<
        impl ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<impl MessageBody + use<>>,
            Error = actix_web::Error,
            InitError = (),
        > + use<>,
    > {
        // Innermost first: actix runs the last `wrap` first.
        App::new()
            .app_data(self.state.clone())
            .configure(routes::configure)
            .wrap(self.rate_limit.middleware())
            .wrap(cors(&self.cors_origins))
            .wrap(from_fn(track_metrics))
            .wrap(from_fn(request_id))
    }
}
