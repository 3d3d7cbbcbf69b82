//! API-key `last_used_at` without a database write per request.
//!
//! Authentication calls [`KeyUsage::record`] (a map insert under a short lock); a
//! background task calls [`KeyUsage::flush`] every few seconds and once more at shutdown,
//! writing every key's latest use in one `record_last_used` batch. Uses leave the map only
//! once written, so a failed or cancelled flush is retried by the next. Memory is bounded
//! by the number of distinct keys used since the last flush.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use kcost_domain::api_key::KeyId;
use kcost_ports::{ApiKeyRepository, ApiKeyRepositoryError, BackendFailure, Clock};

/// Attempts of the shutdown flush.
const FINAL_FLUSH_ATTEMPTS: u32 = 3;
/// The pause after the first failed shutdown flush; the n-th pause is n times this.
const FINAL_FLUSH_PAUSE: std::time::Duration = std::time::Duration::from_millis(250);

/// Pending last-use times, flushed in batches.
pub struct KeyUsage {
    keys: Arc<dyn ApiKeyRepository>,
    clock: Arc<dyn Clock>,
    pending: Mutex<HashMap<KeyId, DateTime<Utc>>>,
}

impl std::fmt::Debug for KeyUsage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyUsage")
            .field("pending", &self.pending().len())
            .finish_non_exhaustive()
    }
}

impl KeyUsage {
    pub fn new(keys: Arc<dyn ApiKeyRepository>, clock: Arc<dyn Clock>) -> Self {
        Self {
            keys,
            clock,
            pending: Mutex::new(HashMap::new()),
        }
    }

    /// Notes that `key_id` authenticated now. Never blocks on I/O.
    pub fn record(&self, key_id: KeyId) {
        let now = self.clock.now();
        let mut pending = self.pending();
        let at = pending.entry(key_id).or_insert(now);
        *at = (*at).max(now);
    }

    /// Writes every pending use in one batch; returns how many keys were written. Uses
    /// stay pending until their write succeeds, so a failed flush is retried by the next
    /// and a flush cancelled mid-write (a background task aborted at shutdown) loses
    /// nothing: the final flush writes them again.
    pub async fn flush(&self) -> Result<usize, ApiKeyRepositoryError> {
        let batch: Vec<(KeyId, DateTime<Utc>)> =
            self.pending().iter().map(|(key, at)| (*key, *at)).collect();
        if batch.is_empty() {
            return Ok(0);
        }
        self.keys.record_last_used(&batch).await?;
        let mut pending = self.pending();
        for (key_id, written) in &batch {
            // A newer use recorded during the write stays for the next flush.
            if pending.get(key_id).is_some_and(|at| at <= written) {
                pending.remove(key_id);
            }
        }
        Ok(batch.len())
    }

    /// The last flush, at shutdown: nothing retries it later, so an unavailable store (a
    /// pool briefly exhausted, a database restarting) is tried again, up to
    /// [`FINAL_FLUSH_ATTEMPTS`] times in all, pausing a little longer each time. Any other
    /// failure would fail again: it is returned at once.
    pub async fn final_flush(&self) -> Result<usize, ApiKeyRepositoryError> {
        let mut attempt = 1;
        loop {
            match self.flush().await {
                Err(error @ ApiKeyRepositoryError::Failed(BackendFailure::Unavailable(_)))
                    if attempt < FINAL_FLUSH_ATTEMPTS =>
                {
                    tracing::warn!(
                        error = format!("{:#}", anyhow::Error::new(error)),
                        attempt,
                        "could not record API-key last use; retrying"
                    );
                    tokio::time::sleep(FINAL_FLUSH_PAUSE * attempt).await;
                    attempt += 1;
                }
                outcome => return outcome,
            }
        }
    }

    /// Keys waiting for the next flush.
    pub fn pending_len(&self) -> usize {
        self.pending().len()
    }

    fn pending(&self) -> MutexGuard<'_, HashMap<KeyId, DateTime<Utc>>> {
        // Plain data: a panic elsewhere cannot leave the map inconsistent.
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex as StdMutex;

    use chrono::Duration;
    use kcost_domain::api_key::ApiKeyRecord;
    use kcost_domain::tenant::TenantId;
    use kcost_ports::MockApiKeyRepository;
    use uuid::Uuid;

    use super::*;
    use kcost_test_support::ManualClock;

    use crate::test_support::{FixedClock, now};

    fn key(n: u128) -> KeyId {
        KeyId::from_uuid(Uuid::from_u128(n))
    }

    #[tokio::test]
    async fn uses_are_batched_with_the_latest_time_per_key() {
        let clock = ManualClock::at(now());
        let mut keys = MockApiKeyRepository::new();
        let later = now() + Duration::seconds(5);
        keys.expect_record_last_used()
            .times(1)
            .withf(move |uses| {
                let mut uses = uses.to_vec();
                uses.sort();
                uses == vec![(key(1), later), (key(2), now())]
            })
            .returning(|_| Ok(()));
        let usage = KeyUsage::new(Arc::new(keys), clock.clone());
        usage.record(key(1));
        usage.record(key(2));
        clock.set(later);
        usage.record(key(1));
        assert_eq!(usage.pending_len(), 2);
        assert_eq!(usage.flush().await.unwrap(), 2);
        assert_eq!(usage.pending_len(), 0);
        // Nothing pending: no write at all.
        assert_eq!(usage.flush().await.unwrap(), 0);
    }

    #[tokio::test]
    async fn a_failed_flush_is_retried_by_the_next() {
        let mut keys = MockApiKeyRepository::new();
        let mut calls = 0;
        keys.expect_record_last_used()
            .times(2)
            .returning(move |uses| {
                calls += 1;
                assert_eq!(uses, [(key(1), now())]);
                if calls == 1 {
                    Err(ApiKeyRepositoryError::unavailable(anyhow::anyhow!("down")))
                } else {
                    Ok(())
                }
            });
        let usage = KeyUsage::new(Arc::new(keys), Arc::new(FixedClock(now())));
        usage.record(key(1));
        assert!(usage.flush().await.is_err());
        assert_eq!(usage.pending_len(), 1);
        assert_eq!(usage.flush().await.unwrap(), 1);
    }

    /// Keys whose first `record_last_used` waits for `gate` (a write in flight); later
    /// ones complete at once. Completed writes are kept in `written`.
    #[derive(Default)]
    struct FirstWriteWaits {
        gate: tokio::sync::Notify,
        calls: StdMutex<u32>,
        written: StdMutex<Vec<(KeyId, DateTime<Utc>)>>,
    }

    #[async_trait::async_trait]
    impl ApiKeyRepository for FirstWriteWaits {
        async fn insert(&self, _: &ApiKeyRecord) -> Result<(), ApiKeyRepositoryError> {
            unreachable!("not used by KeyUsage")
        }
        async fn find(&self, _: KeyId) -> Result<Option<ApiKeyRecord>, ApiKeyRepositoryError> {
            unreachable!("not used by KeyUsage")
        }
        async fn list(&self, _: TenantId) -> Result<Vec<ApiKeyRecord>, ApiKeyRepositoryError> {
            unreachable!("not used by KeyUsage")
        }
        async fn revoke(&self, _: KeyId) -> Result<ApiKeyRecord, ApiKeyRepositoryError> {
            unreachable!("not used by KeyUsage")
        }
        async fn record_last_used(
            &self,
            uses: &[(KeyId, DateTime<Utc>)],
        ) -> Result<(), ApiKeyRepositoryError> {
            let first = {
                let mut calls = self.calls.lock().unwrap();
                *calls += 1;
                *calls == 1
            };
            if first {
                self.gate.notified().await;
            }
            self.written.lock().unwrap().extend_from_slice(uses);
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_flush_cancelled_mid_write_loses_nothing() {
        let keys = Arc::new(FirstWriteWaits::default());
        let usage = KeyUsage::new(keys.clone(), Arc::new(FixedClock(now())));
        usage.record(key(1));
        // Polled into its write, then dropped, as aborting a background task does.
        let mut flush = Box::pin(usage.flush());
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(flush.as_mut().poll(&mut context).is_pending());
        drop(flush);
        assert_eq!(usage.pending_len(), 1, "the cut-off batch is still pending");
        assert_eq!(usage.flush().await.unwrap(), 1);
        assert_eq!(*keys.written.lock().unwrap(), [(key(1), now())]);
        assert_eq!(usage.pending_len(), 0);
    }

    #[tokio::test]
    async fn a_use_recorded_during_a_write_waits_for_the_next_flush() {
        let clock = ManualClock::at(now());
        let later = now() + Duration::seconds(5);
        let keys = Arc::new(FirstWriteWaits::default());
        let usage = KeyUsage::new(keys.clone(), clock.clone());
        usage.record(key(1));
        let mut flush = Box::pin(usage.flush());
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(flush.as_mut().poll(&mut context).is_pending());
        clock.set(later);
        usage.record(key(1));
        keys.gate.notify_one();
        assert_eq!(flush.await.unwrap(), 1);
        assert_eq!(
            usage.pending_len(),
            1,
            "the newer use is still to be written"
        );
        assert_eq!(usage.flush().await.unwrap(), 1);
        assert_eq!(
            *keys.written.lock().unwrap(),
            [(key(1), now()), (key(1), later)]
        );
        assert_eq!(usage.pending_len(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn the_shutdown_flush_retries_then_gives_up() {
        let mut keys = MockApiKeyRepository::new();
        let mut calls = 0;
        keys.expect_record_last_used()
            .times(FINAL_FLUSH_ATTEMPTS as usize)
            .returning(move |_| {
                calls += 1;
                if calls < 3 {
                    Err(ApiKeyRepositoryError::unavailable(anyhow::anyhow!(
                        "too many clients"
                    )))
                } else {
                    Ok(())
                }
            });
        let usage = KeyUsage::new(Arc::new(keys), Arc::new(FixedClock(now())));
        usage.record(key(1));
        assert_eq!(usage.final_flush().await.unwrap(), 1);

        let mut keys = MockApiKeyRepository::new();
        keys.expect_record_last_used()
            .times(FINAL_FLUSH_ATTEMPTS as usize)
            .returning(|_| Err(ApiKeyRepositoryError::unavailable(anyhow::anyhow!("down"))));
        let usage = KeyUsage::new(Arc::new(keys), Arc::new(FixedClock(now())));
        usage.record(key(1));
        assert!(usage.final_flush().await.is_err());
        assert_eq!(usage.pending_len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn the_shutdown_flush_does_not_retry_what_would_fail_again() {
        let mut keys = MockApiKeyRepository::new();
        keys.expect_record_last_used().times(1).returning(|_| {
            Err(ApiKeyRepositoryError::unexpected(anyhow::anyhow!(
                "bad row"
            )))
        });
        let usage = KeyUsage::new(Arc::new(keys), Arc::new(FixedClock(now())));
        usage.record(key(1));
        assert!(usage.final_flush().await.is_err());
        assert_eq!(usage.pending_len(), 1);
    }
}
