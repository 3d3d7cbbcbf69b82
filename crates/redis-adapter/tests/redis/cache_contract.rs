//! The shared cache contract suite (`kcost_ports::contract::cache`) against both
//! implementations: [`InProcessCache`] (a fresh cache per case) and [`RedisCache`] on the
//! Redis at `KCOST_TEST_REDIS_URL` (default `redis://127.0.0.1:6379`), a unique key
//! prefix per case.

// Test helpers outside #[test] functions may unwrap and panic too.

use kcost_ports::contract::cache;

macro_rules! contract_tests {
    ($($name:ident),* $(,)?) => {
        mod in_process {
            use super::*;
            use kcost_redis_adapter::InProcessCache;
            $(
                #[tokio::test]
                async fn $name() {
                    cache::$name(&InProcessCache::default()).await;
                }
            )*
        }

        mod redis {
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    cache::$name(&crate::support::redis_cache().await).await;
                }
            )*
        }
    };
}

contract_tests!(
    a_missing_key_reads_as_none,
    set_then_get_returns_the_bytes_exactly,
    set_overwrites_value_and_ttl,
    delete_removes_and_tolerates_missing_keys,
    entries_expire_after_their_own_ttl_but_counters_do_not,
    increment_counts_from_one_and_reads_back_as_text,
    increment_continues_a_numeric_value_and_refuses_text,
    keys_are_isolated,
);

/// Every case of the suite is run above.
#[test]
fn every_contract_test_is_run() {
    let here = include_str!("cache_contract.rs");
    for name in cache::ALL {
        assert!(
            here.contains(&format!("    {name},\n")),
            "{name} is not run"
        );
    }
}
