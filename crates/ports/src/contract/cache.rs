//! Contract of [`Cache`]: what the Redis adapter and the in-process stand-in must both do.
//!
//! Every case works on keys of its own (`contract:<uuid>:…`), so the suite can run
//! against one shared Redis in parallel. Expiry is checked against real time (a Redis
//! server cannot be paused), with sub-second TTLs: the whole suite sleeps about one second.
//!
//! Beyond the port's doc comment, the suite pins two details: a counter reads back through
//! `get` as its decimal text (the query cache reads versions that way, as Redis `INCR`
//! keys do), and a `set` with a zero TTL leaves nothing readable.

use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Poll, Waker};
use std::time::Duration;

use uuid::Uuid;

use crate::Cache;

/// Every case, for the adapters' "all cases are run" check.
pub const ALL: [&str; 8] = [
    "a_missing_key_reads_as_none",
    "set_then_get_returns_the_bytes_exactly",
    "set_overwrites_value_and_ttl",
    "delete_removes_and_tolerates_missing_keys",
    "entries_expire_after_their_own_ttl_but_counters_do_not",
    "increment_counts_from_one_and_reads_back_as_text",
    "increment_continues_a_numeric_value_and_refuses_text",
    "keys_are_isolated",
];

/// A key no other case or run uses.
fn key(name: &str) -> String {
    format!("contract:{}:{name}", Uuid::new_v4().simple())
}

const LONG: Duration = Duration::from_secs(60);

async fn text_of(cache: &dyn Cache, key: &str) -> Option<String> {
    cache
        .get(key)
        .await
        .expect("get")
        .map(|bytes| String::from_utf8(bytes).expect("UTF-8 value"))
}

pub async fn a_missing_key_reads_as_none(cache: &dyn Cache) {
    assert_eq!(cache.get(&key("missing")).await.expect("get"), None);
}

pub async fn set_then_get_returns_the_bytes_exactly(cache: &dyn Cache) {
    let binary: Vec<u8> = (0..=255u8).chain([0, 0, 0xff]).collect();
    let large: Vec<u8> = (0..256 * 1024).map(|i| (i % 251) as u8).collect();
    for value in [b"plain text".to_vec(), Vec::new(), binary, large] {
        let k = key("value");
        cache.set(&k, &value, LONG).await.expect("set");
        assert_eq!(cache.get(&k).await.expect("get"), Some(value));
    }
}

pub async fn set_overwrites_value_and_ttl(cache: &dyn Cache) {
    let k = key("overwrite");
    cache.set(&k, b"first", LONG).await.expect("set");
    cache.set(&k, b"second", LONG).await.expect("overwrite");
    assert_eq!(text_of(cache, &k).await.as_deref(), Some("second"));

    // A zero TTL leaves nothing readable, whatever was there.
    cache
        .set(&k, b"gone", Duration::ZERO)
        .await
        .expect("set, zero TTL");
    assert_eq!(cache.get(&k).await.expect("get"), None);
}

pub async fn delete_removes_and_tolerates_missing_keys(cache: &dyn Cache) {
    let k = key("delete");
    cache.set(&k, b"v", LONG).await.expect("set");
    cache.delete(&k).await.expect("delete");
    assert_eq!(cache.get(&k).await.expect("get"), None);
    cache.delete(&k).await.expect("delete again");
    cache
        .delete(&key("never-set"))
        .await
        .expect("delete missing");

    let counter = key("delete-counter");
    cache.increment(&counter).await.expect("increment");
    cache.delete(&counter).await.expect("delete counter");
    assert_eq!(cache.get(&counter).await.expect("get"), None);
    assert_eq!(cache.increment(&counter).await.expect("restart"), 1);
}

pub async fn entries_expire_after_their_own_ttl_but_counters_do_not(cache: &dyn Cache) {
    let short = Duration::from_millis(500);
    let (expiring, lasting, extended, counter) = (
        key("expiring"),
        key("lasting"),
        key("extended"),
        key("counter"),
    );
    cache.set(&expiring, b"short", short).await.expect("set");
    assert_eq!(text_of(cache, &expiring).await.as_deref(), Some("short"));
    cache.set(&lasting, b"long", LONG).await.expect("set");
    // Overwriting replaces the TTL too.
    cache.set(&extended, b"v1", short).await.expect("set");
    cache.set(&extended, b"v2", LONG).await.expect("overwrite");
    cache.increment(&counter).await.expect("increment");

    sleep(Duration::from_millis(1_000)).await;

    assert_eq!(cache.get(&expiring).await.expect("get"), None, "expired");
    assert_eq!(text_of(cache, &lasting).await.as_deref(), Some("long"));
    assert_eq!(text_of(cache, &extended).await.as_deref(), Some("v2"));
    assert_eq!(cache.increment(&counter).await.expect("increment"), 2);
    // An expired key is simply absent: setting it again works.
    cache.set(&expiring, b"again", LONG).await.expect("set");
    assert_eq!(text_of(cache, &expiring).await.as_deref(), Some("again"));
}

pub async fn increment_counts_from_one_and_reads_back_as_text(cache: &dyn Cache) {
    let k = key("counter");
    for expected in 1..=5 {
        assert_eq!(cache.increment(&k).await.expect("increment"), expected);
    }
    assert_eq!(text_of(cache, &k).await.as_deref(), Some("5"));

    // Concurrent increments are never lost.
    let rounds = 50u64;
    let parallel = (0..rounds).map(|_| cache.increment(&k));
    let mut seen: Vec<u64> = Vec::new();
    for result in join_all(parallel).await {
        seen.push(result.expect("increment"));
    }
    seen.sort_unstable();
    assert_eq!(seen, (6..6 + rounds).collect::<Vec<_>>());
}

pub async fn increment_continues_a_numeric_value_and_refuses_text(cache: &dyn Cache) {
    let numeric = key("numeric");
    cache.set(&numeric, b"41", LONG).await.expect("set");
    assert_eq!(cache.increment(&numeric).await.expect("increment"), 42);
    assert_eq!(text_of(cache, &numeric).await.as_deref(), Some("42"));

    let text = key("text");
    cache.set(&text, b"not a number", LONG).await.expect("set");
    assert!(
        cache.increment(&text).await.is_err(),
        "text is not a counter"
    );
    assert_eq!(text_of(cache, &text).await.as_deref(), Some("not a number"));
}

pub async fn keys_are_isolated(cache: &dyn Cache) {
    let base = key("k");
    let (a, a_longer, a_upper) = (base.clone(), format!("{base}2"), base.to_uppercase());
    cache.set(&a, b"a", LONG).await.expect("set");
    cache.set(&a_longer, b"a2", LONG).await.expect("set");
    assert_eq!(cache.get(&a_upper).await.expect("get"), None);
    cache.increment(&a_upper).await.expect("increment");

    cache.delete(&a).await.expect("delete");
    assert_eq!(text_of(cache, &a_longer).await.as_deref(), Some("a2"));
    assert_eq!(text_of(cache, &a_upper).await.as_deref(), Some("1"));
    assert_eq!(cache.get(&a).await.expect("get"), None);
}

/// Polls every future to completion, concurrently (no runtime dependency in this crate).
async fn join_all<F: Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut pending: Vec<Option<std::pin::Pin<Box<F>>>> =
        futures.into_iter().map(|f| Some(Box::pin(f))).collect();
    let mut outputs: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut all_done = true;
        for (slot, output) in pending.iter_mut().zip(outputs.iter_mut()) {
            if let Some(future) = slot {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => {
                        *output = Some(value);
                        *slot = None;
                    }
                    Poll::Pending => all_done = false,
                }
            }
        }
        if all_done {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    outputs.into_iter().map(|o| o.expect("completed")).collect()
}

/// Sleeps without blocking the caller's runtime and without depending on one: a helper
/// thread sleeps and wakes the task.
async fn sleep(duration: Duration) {
    #[derive(Default)]
    struct State {
        done: bool,
        waker: Option<Waker>,
    }
    let state = Arc::new(Mutex::new(State::default()));
    let timer = Arc::clone(&state);
    std::thread::spawn(move || {
        std::thread::sleep(duration);
        let mut state = timer.lock().unwrap_or_else(PoisonError::into_inner);
        state.done = true;
        if let Some(waker) = state.waker.take() {
            waker.wake();
        }
    });
    std::future::poll_fn(|cx| {
        let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.done {
            Poll::Ready(())
        } else {
            state.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    })
    .await;
}
