//! The retry loop: attempts, jittered backoff and one log line per attempt.

use kcost_ports::OpenCostError;

use crate::attempt::{AttemptOutcome, attempt};
use crate::client::HttpOpenCostSource;

impl HttpOpenCostSource {
    /// GETs `path` with `params` until a 2xx body, a final answer, or the attempts run out
    /// (then `Unreachable` with the last failure as its cause).
    pub(crate) async fn get_with_retries(
        &self,
        path: &'static str,
        params: &[(&'static str, String)],
    ) -> Result<Vec<u8>, OpenCostError> {
        let url = self.url(path)?;
        let attempts = self.retry.total_attempts();
        let mut attempt_number = 1;
        loop {
            let request = self
                .client
                .get(url.clone())
                .query(params)
                .timeout(self.timeout);
            match attempt(request).await {
                AttemptOutcome::Success { status, body } => {
                    tracing::debug!(
                        source = %self.source_label, path, attempt = attempt_number, attempts, status,
                        bytes = body.len(), "OpenCost answered"
                    );
                    return Ok(body);
                }
                AttemptOutcome::Final { status, error } => {
                    tracing::warn!(
                        source = %self.source_label, path, attempt = attempt_number, attempts, status,
                        %error, "OpenCost refused the request; not retrying"
                    );
                    return Err(error);
                }
                AttemptOutcome::Transient { status, error } if attempt_number < attempts => {
                    let delay = self.retry.delay(attempt_number, rand::random::<f64>());
                    tracing::warn!(
                        source = %self.source_label, path, attempt = attempt_number, attempts, status,
                        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                        error = format!("{error:#}"), "OpenCost request failed; retrying"
                    );
                    tokio::time::sleep(delay).await;
                    attempt_number += 1;
                }
                AttemptOutcome::Transient { status, error } => {
                    tracing::error!(
                        source = %self.source_label, path, attempt = attempt_number, attempts, status,
                        error = format!("{error:#}"), "OpenCost request failed; giving up"
                    );
                    let context =
                        format!("{path} on {} failed {attempts} times", self.source_label);
                    return Err(OpenCostError::Unreachable(error.context(context)));
                }
            }
        }
    }
}
