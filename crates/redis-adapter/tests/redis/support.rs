//! Test support: the test Redis, unique key prefixes, and a Redis server of a test's own
//! (to stop it mid-test).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kcost_redis_adapter::{RedisCache, RedisOptions};
use uuid::Uuid;

/// The shared test Redis.
pub fn redis_url() -> String {
    std::env::var("KCOST_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// A prefix no other test or run uses.
pub fn unique_prefix() -> String {
    format!("test:{}:", Uuid::new_v4().simple())
}

pub fn options(url: &str) -> RedisOptions {
    RedisOptions::new(url, Duration::from_millis(250)).with_key_prefix(unique_prefix())
}

/// A cache on the shared test Redis with a unique prefix.
pub async fn redis_cache() -> RedisCache {
    RedisCache::connect(options(&redis_url()))
        .await
        .expect("valid Redis URL")
}

/// A port nothing listens on (bound, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("address")
        .port()
}

/// A `redis-server` of the test's own, killed on drop.
pub struct OwnRedis {
    pub port: u16,
    child: Child,
}

impl OwnRedis {
    pub fn start() -> Self {
        Self::start_on(free_port())
    }

    pub fn start_on(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server on PATH");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Self { port, child }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server (SIGKILL) and waits for it.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

impl OwnRedis {
    /// Freezes (SIGSTOP) or thaws (SIGCONT) the server: a Redis that accepts nothing and
    /// answers nothing, as a hung or overloaded one does.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }
}

/// Polls `check` every 50 ms until it is true or `within` has passed; returns whether it
/// became true.
pub async fn eventually<F, Fut>(within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    loop {
        if check().await {
            return true;
        }
        if started.elapsed() > within {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
