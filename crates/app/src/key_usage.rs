//! API-key `last_used_at` without a database write per request.
//!
//! Authentication calls [`KeyUsage::record`] (a map insert under a short lock); a
//! background task calls [`KeyUsage::flush`] every few seconds and once more at shutdown,
//! writing every key's latest use in one `record_last_used` batch. A failed flush puts its
//! batch back, so the next flush retries it. Memory is bounded by the number of distinct
//! keys used since the last flush.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use kcost_domain::api_key::KeyId;
use kcost_ports::{ApiKeyRepository, ApiKeyRepositoryError, Clock};

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

    /// Writes every pending use in one batch; returns how many keys were written. On
    /// failure the batch is kept for the next flush (newer uses recorded meanwhile win).
    pub async fn flush(&self) -> Result<usize, ApiKeyRepositoryError> {
        let batch: Vec<(KeyId, DateTime<Utc>)> = self.pending().drain().collect();
        if batch.is_empty() {
            return Ok(0);
        }
        match self.keys.record_last_used(&batch).await {
            Ok(()) => Ok(batch.len()),
            Err(error) => {
                let mut pending = self.pending();
                for (key_id, at) in batch {
                    let newest = pending.entry(key_id).or_insert(at);
                    *newest = (*newest).max(at);
                }
                Err(error)
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
    use kcost_ports::MockApiKeyRepository;
    use uuid::Uuid;

    use super::*;
    use crate::test_support::{FixedClock, now};

    fn key(n: u128) -> KeyId {
        KeyId::from_uuid(Uuid::from_u128(n))
    }

    /// A clock the test moves by hand.
    struct SteppedClock(StdMutex<DateTime<Utc>>);

    impl Clock for SteppedClock {
        fn now(&self) -> DateTime<Utc> {
            *self.0.lock().unwrap()
        }
    }

    #[tokio::test]
    async fn uses_are_batched_with_the_latest_time_per_key() {
        let clock = Arc::new(SteppedClock(StdMutex::new(now())));
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
        *clock.0.lock().unwrap() = later;
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
                    Err(ApiKeyRepositoryError::Unavailable(anyhow::anyhow!("down")))
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
}
