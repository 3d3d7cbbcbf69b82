//! A scripted stand-in for OpenCost on 127.0.0.1 (port 0): each path answers from its
//! own list of replies, in order, repeating the last one; unknown paths get 404. Every
//! connection is closed after one exchange, so requests are easy to count.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What the mock does with one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Answer with `status` and a JSON `body`.
    Respond { status: u16, body: String },
    /// Close the connection without a word: a connection error for the client.
    Hangup,
    /// Answer only after `delay`: a timeout for a client less patient than that.
    Stall { delay: Duration },
}

impl Reply {
    pub fn ok(body: impl Into<String>) -> Self {
        Self::status(200, body)
    }

    pub fn status(status: u16, body: impl Into<String>) -> Self {
        Self::Respond {
            status,
            body: body.into(),
        }
    }
}

#[derive(Debug, Default)]
struct Script {
    replies: HashMap<String, Vec<Reply>>,
    /// Request targets (path and query) in arrival order.
    requests: Vec<String>,
}

/// The running mock; stops when dropped.
#[derive(Debug)]
pub struct MockOpenCost {
    pub base_url: String,
    script: Arc<Mutex<Script>>,
    server: JoinHandle<()>,
}

impl MockOpenCost {
    /// Serves `routes` (path → replies) on a fresh port.
    pub async fn start(routes: Vec<(&str, Vec<Reply>)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let script = Arc::new(Mutex::new(Script {
            replies: routes
                .into_iter()
                .map(|(path, replies)| (path.to_owned(), replies))
                .collect(),
            requests: Vec::new(),
        }));
        let shared = Arc::clone(&script);
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, Arc::clone(&shared)));
            }
        });
        Self {
            base_url,
            script,
            server,
        }
    }

    /// Request targets received so far, e.g. `/allocation/compute?window=…`.
    pub fn requests(&self) -> Vec<String> {
        self.script.lock().unwrap().requests.clone()
    }

    /// How many requests reached `path`.
    pub fn hits(&self, path: &str) -> usize {
        self.requests()
            .iter()
            .filter(|target| path_of(target) == path)
            .count()
    }
}

impl Drop for MockOpenCost {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn path_of(target: &str) -> &str {
    target.split('?').next().unwrap_or(target)
}

async fn serve(mut stream: TcpStream, script: Arc<Mutex<Script>>) {
    let Some(target) = read_request_target(&mut stream).await else {
        return;
    };
    let reply = {
        let mut script = script.lock().unwrap();
        script.requests.push(target.clone());
        next_reply(&mut script, path_of(&target))
    };
    let (status, body) = match reply {
        Reply::Hangup => return,
        Reply::Stall { delay } => {
            tokio::time::sleep(delay).await;
            (
                200,
                r#"{"code":200,"status":"success","data":[]}"#.to_owned(),
            )
        }
        Reply::Respond { status, body } => (status, body),
    };
    let response = format!(
        "HTTP/1.1 {status} Mock\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    // The client may have given up already; that is what some tests are about.
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn next_reply(script: &mut Script, path: &str) -> Reply {
    match script.replies.get_mut(path) {
        Some(replies) if replies.len() > 1 => replies.remove(0),
        Some(replies) if !replies.is_empty() => replies[0].clone(),
        _ => Reply::status(404, "404 page not found"),
    }
}

/// Reads the request head (GETs have no body) and returns its target.
async fn read_request_target(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut buffer = [0_u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let read = stream.read(&mut buffer).await.ok()?;
        if read == 0 || head.len() > 64 * 1024 {
            return None;
        }
        head.extend_from_slice(&buffer[..read]);
    }
    let head = String::from_utf8_lossy(&head);
    head.lines()
        .next()?
        .split_whitespace()
        .nth(1)
        .map(str::to_owned)
}
