//! Bounding how long a use case waits on its stores. A database that keeps its connections
//! open but stops answering (frozen, partitioned, stuck on a lock) would otherwise hang a
//! request until the client gives up; past the deadline the work is dropped — which rolls
//! back whatever transaction it had open — and reported as unavailable, so the caller
//! answers 503 and the client retries.

use std::future::Future;
use std::time::Duration;

/// The store did not answer within the deadline.
#[derive(Debug, thiserror::Error)]
#[error("{what}: no answer within {limit:?}")]
pub struct DeadlineExceeded {
    pub what: &'static str,
    pub limit: Duration,
}

/// Runs `work` for at most `limit`; past it, `unavailable` turns the timeout into the
/// caller's "unavailable" error.
pub async fn within<T, E>(
    limit: Duration,
    what: &'static str,
    work: impl Future<Output = Result<T, E>>,
    unavailable: impl FnOnce(anyhow::Error) -> E,
) -> Result<T, E> {
    match tokio::time::timeout(limit, work).await {
        Ok(outcome) => outcome,
        Err(_) => Err(unavailable(DeadlineExceeded { what, limit }.into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn work_that_never_answers_is_unavailable_at_the_deadline() {
        let started = tokio::time::Instant::now();
        let outcome: Result<(), String> = within(
            Duration::from_secs(8),
            "appending",
            std::future::pending(),
            |error| error.to_string(),
        )
        .await;
        assert_eq!(outcome, Err("appending: no answer within 8s".to_owned()));
        assert_eq!(started.elapsed(), Duration::from_secs(8));
    }

    #[tokio::test(start_paused = true)]
    async fn work_that_answers_in_time_keeps_its_outcome() {
        let work = async {
            tokio::time::sleep(Duration::from_secs(7)).await;
            Err::<(), _>("refused".to_owned())
        };
        let outcome = within(Duration::from_secs(8), "appending", work, |e| e.to_string()).await;
        assert_eq!(outcome, Err("refused".to_owned()));
    }
}
