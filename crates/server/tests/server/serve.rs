//! `kcost` (serve, the default command) as a process: in an empty directory with no
//! configuration it creates its SQLite file, serves /v1/health, prints a generated admin
//! token once, stops cleanly on SIGTERM, and a restart keeps data and token.
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{RequestBuilder, StatusCode};
use serde_json::{Value, json};

use crate::support::free_port;

const GENERATED_NOTICE: &str = "kcost generated an admin token";

/// A running `kcost` with its stderr collected in the background.
struct Kcost {
    child: Child,
    stderr: Arc<Mutex<String>>,
    base: String,
}

impl Kcost {
    fn start(cwd: &Path) -> Self {
        Self::start_with(cwd, &[])
    }

    fn start_with(cwd: &Path, env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_kcost"))
            .env_clear()
            .env("KCOST_SERVER__PORT", port.to_string())
            .env("KCOST_SERVER__WORKERS", "1")
            .envs(env.iter().copied())
            .current_dir(cwd)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start kcost");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut pipe = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        Self {
            child,
            stderr,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    fn get(&self, client: &reqwest::Client, path: &str) -> RequestBuilder {
        client.get(format!("{}{path}", self.base))
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    async fn wait_healthy(&mut self, client: &reqwest::Client) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(response) = self.get(client, "/v1/health").send().await
                && response.status() == StatusCode::OK
            {
                return;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("kcost exited with {status}:\n{}", self.stderr());
            }
            assert!(
                Instant::now() < deadline,
                "not healthy in time:\n{}",
                self.stderr()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// SIGTERM, then the exit status must be success within the shutdown budget.
    fn terminate(mut self) -> String {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader thread drain the pipe.
                std::thread::sleep(Duration::from_millis(100));
                let stderr = self.stderr();
                assert!(status.success(), "exit {status}:\n{stderr}");
                return stderr;
            }
            assert!(Instant::now() < deadline, "no exit after SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The JSON body `request` is answered with.
async fn json_of(request: RequestBuilder) -> Value {
    request
        .send()
        .await
        .expect("request sent")
        .json()
        .await
        .expect("a JSON body")
}

/// The indented token line that follows the notice.
fn generated_token(stderr: &str) -> String {
    let after = stderr
        .split_once(GENERATED_NOTICE)
        .unwrap_or_else(|| panic!("no admin token notice in:\n{stderr}"))
        .1;
    after
        .lines()
        .map(str::trim)
        .find(|line| line.len() == 43 && !line.contains(' '))
        .expect("a 43-character token line")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_directory_serves_prints_the_token_once_and_keeps_data_over_a_restart() {
    let cwd = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();

    let mut first = Kcost::start(cwd.path());
    first.wait_healthy(&client).await;
    let token = generated_token(&first.stderr());
    assert!(cwd.path().join("kcost.db").exists());
    let created = client
        .post(format!("{}/v1/admin/tenants", first.base))
        .bearer_auth(&token)
        .json(&json!({ "name": "acme" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let stderr = first.terminate();
    assert_eq!(
        stderr.matches(&token).count(),
        1,
        "printed once, never logged"
    );
    assert!(stderr.contains("shutting down"), "{stderr}");
    // Every migration of both stores, summed up in one line; sea-orm's own per-migration
    // lines stay out.
    assert_eq!(stderr.matches("pending migrations").count(), 1, "{stderr}");
    assert!(!stderr.contains("Applying migration"), "{stderr}");

    let mut second = Kcost::start(cwd.path());
    second.wait_healthy(&client).await;
    let tenants = json_of(second.get(&client, "/v1/admin/tenants").bearer_auth(&token)).await;
    assert_eq!(tenants["tenants"][0]["name"], "acme", "{tenants}");
    let stderr = second.terminate();
    assert!(!stderr.contains(GENERATED_NOTICE), "{stderr}");
    assert!(!stderr.contains(&token));
    assert!(
        !stderr.contains("pending migrations"),
        "none pending: {stderr}"
    );
}

#[tokio::test]
async fn an_unreachable_redis_starts_degraded_and_its_password_is_never_logged() {
    let cwd = tempfile::tempdir().unwrap();
    let url = format!("redis://:redis-pw-0xfeed@127.0.0.1:{}/0", free_port());
    let mut kcost = Kcost::start_with(cwd.path(), &[("KCOST_REDIS__URL", url.as_str())]);
    let client = reqwest::Client::new();
    kcost.wait_healthy(&client).await;
    let health = json_of(kcost.get(&client, "/v1/health")).await;
    assert_eq!(health["components"]["cache"], "degraded", "{health}");
    let stderr = kcost.terminate();
    assert!(stderr.contains("Redis unavailable"), "{stderr}");
    assert!(!stderr.contains("redis-pw-0xfeed"), "{stderr}");
}
