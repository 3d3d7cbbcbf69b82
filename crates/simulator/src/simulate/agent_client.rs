//! Pushes snapshots to `POST /v1/ingest` the way the reference agent does: compact JSON,
//! `Authorization: ApiKey <key_id>:<secret>`, `Content-Type: application/json`, and
//! retries on 5xx, 429 and connection errors with exponential backoff for up to two
//! minutes (a `Retry-After` from the server is honoured). The key is never logged: the
//! header is marked sensitive and `Debug` leaves it out.

use std::time::{Duration, Instant};

use kcost_agent_contract::AgentPayload;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue, RETRY_AFTER};

/// How long and how often to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    /// Give up once the next attempt would start later than this after the first.
    pub give_up_after: Duration,
}

impl Default for RetryPolicy {
    /// The reference agent's: 1 s doubling to 30 s, for up to 2 minutes.
    fn default() -> Self {
        Self {
            first_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            give_up_after: Duration::from_secs(120),
        }
    }
}

/// What the server said about a snapshot it took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// `202 Accepted`: stored.
    Accepted,
    /// `200 OK` with `"status": "duplicate"`: already stored, nothing changed.
    Duplicate,
}

/// A delivered snapshot and how many retries it took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    pub delivery: Delivery,
    pub retries: u32,
}

/// Why a snapshot was not delivered.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("the server refused the snapshot: {status} {message}")]
    Rejected { status: StatusCode, message: String },
    #[error("gave up after {retries} retries over {seconds} s: {last}")]
    GaveUp {
        retries: u32,
        seconds: u64,
        last: String,
    },
    #[error("could not encode the snapshot: {0}")]
    Encode(#[from] serde_json::Error),
}

/// An agent's connection to one kcost server with one API key.
#[derive(Clone)]
pub struct AgentClient {
    http: reqwest::Client,
    ingest_url: String,
    authorization: HeaderValue,
    retry: RetryPolicy,
}

impl std::fmt::Debug for AgentClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentClient")
            .field("ingest_url", &self.ingest_url)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl AgentClient {
    /// `base_url` is the server's root (`http://127.0.0.1:8080`); `api_key` is
    /// `<key_id>:<secret>`.
    pub fn new(base_url: &str, api_key: &str, retry: RetryPolicy) -> anyhow::Result<Self> {
        let mut authorization = HeaderValue::from_str(&format!("ApiKey {}", api_key.trim()))
            .map_err(|_| {
                anyhow::anyhow!("the API key contains characters not allowed in a header")
            })?;
        authorization.set_sensitive(true);
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()?;
        Ok(Self {
            http,
            ingest_url: format!("{}/v1/ingest", base_url.trim_end_matches('/')),
            authorization,
            retry,
        })
    }

    /// Sends one snapshot, retrying what the agent retries.
    pub async fn push(&self, payload: &AgentPayload) -> Result<Delivered, PushError> {
        let body = serde_json::to_vec(payload)?;
        let started = Instant::now();
        let mut backoff = self.retry.first_backoff;
        let mut retries = 0;
        loop {
            let (last, retry_after) = match self.attempt(body.clone()).await {
                Attempt::Done(delivery) => return Ok(Delivered { delivery, retries }),
                Attempt::Refused(status, message) => {
                    return Err(PushError::Rejected { status, message });
                }
                Attempt::Retry(last, retry_after) => (last, retry_after),
            };
            let wait = retry_after.unwrap_or(backoff).min(self.retry.max_backoff);
            if started.elapsed() + wait > self.retry.give_up_after {
                return Err(PushError::GaveUp {
                    retries,
                    seconds: started.elapsed().as_secs(),
                    last,
                });
            }
            tokio::time::sleep(wait).await;
            retries += 1;
            backoff = (backoff * 2).min(self.retry.max_backoff);
        }
    }

    async fn attempt(&self, body: Vec<u8>) -> Attempt {
        let sent = self
            .http
            .post(&self.ingest_url)
            .header(AUTHORIZATION, self.authorization.clone())
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            // Connection refused, reset, timed out: the agent retries these too.
            Err(error) => return Attempt::Retry(error.without_url().to_string(), None),
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        let message = body["error"].as_str().unwrap_or_default().to_owned();
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            Attempt::Retry(format!("{status} {message}"), retry_after)
        } else if status.is_success() {
            if body["status"] == "duplicate" {
                Attempt::Done(Delivery::Duplicate)
            } else {
                Attempt::Done(Delivery::Accepted)
            }
        } else {
            Attempt::Refused(status, message)
        }
    }
}

enum Attempt {
    Done(Delivery),
    Refused(StatusCode, String),
    Retry(String, Option<Duration>),
}
