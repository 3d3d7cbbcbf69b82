//! Redis for tests: the shared test server with key prefixes no other test uses, and a
//! `redis-server` of a test's own, to stop, freeze or restart mid-test.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The shared test Redis: `KCOST_TEST_REDIS_URL`, or the local default.
pub fn redis_url() -> String {
    std::env::var("KCOST_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// A key prefix no other test or run uses.
pub fn unique_prefix() -> String {
    format!("test:{}:", uuid::Uuid::new_v4().simple())
}

/// A `redis-server` of the test's own, killed on drop.
#[derive(Debug)]
pub struct OwnRedis {
    pub port: u16,
    child: Child,
}

impl OwnRedis {
    pub fn start() -> Self {
        Self::start_on(crate::free_port())
    }

    /// Starts `redis-server` on `port` (no persistence) and waits until it accepts
    /// connections.
    pub fn start_on(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server on PATH");
        let started = Instant::now();
        // Waiting for a process to come up, not timing anything: the bound only ends a
        // test whose server never starts.
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

    /// Freezes (`-STOP`) or thaws (`-CONT`) the server: a Redis that accepts nothing and
    /// answers nothing, as a hung or overloaded one does.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}
