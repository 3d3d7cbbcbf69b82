//! A webhook receiver on 127.0.0.1 (port 0) for alert-delivery tests: it answers each
//! request with the next scripted status (repeating the last), optionally after a delay,
//! and keeps every request body it received.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One scripted answer.
#[derive(Debug, Clone, Copy)]
pub struct Answer {
    pub status: u16,
    /// Wait this long before answering (a slow receiver).
    pub delay: Duration,
}

impl Answer {
    pub const fn status(status: u16) -> Self {
        Self {
            status,
            delay: Duration::ZERO,
        }
    }
}

#[derive(Debug, Default)]
struct State {
    answers: Vec<Answer>,
    bodies: Vec<String>,
}

/// The running receiver; stops when dropped.
#[derive(Debug)]
pub struct WebhookReceiver {
    /// `http://127.0.0.1:<port>/hook`.
    pub url: String,
    state: Arc<Mutex<State>>,
    server: JoinHandle<()>,
}

impl WebhookReceiver {
    /// Answers with `answers` in order, repeating the last (200 if none).
    pub async fn start(answers: Vec<Answer>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("address"));
        let state = Arc::new(Mutex::new(State {
            answers,
            bodies: Vec::new(),
        }));
        let shared = Arc::clone(&state);
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, Arc::clone(&shared)));
            }
        });
        Self { url, state, server }
    }

    /// Bodies received so far, in order.
    pub fn bodies(&self) -> Vec<String> {
        self.state.lock().expect("lock").bodies.clone()
    }
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn serve(mut stream: TcpStream, state: Arc<Mutex<State>>) {
    let Some(body) = read_request(&mut stream).await else {
        return;
    };
    let answer = {
        let mut state = state.lock().expect("lock");
        let index = state.bodies.len();
        state.bodies.push(body);
        state
            .answers
            .get(index)
            .or(state.answers.last())
            .copied()
            .unwrap_or(Answer::status(200))
    };
    tokio::time::sleep(answer.delay).await;
    let response = format!(
        "HTTP/1.1 {} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        answer.status
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// The body of one HTTP/1.1 request with a `content-length`.
async fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut buffer = Vec::new();
    let mut chunk = [0_u8; 4096];
    loop {
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
        let text = String::from_utf8_lossy(&buffer);
        if let Some(head_end) = text.find("\r\n\r\n") {
            let length = text[..head_end]
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            let body_start = head_end + 4;
            if buffer.len() >= body_start + length {
                return Some(
                    String::from_utf8_lossy(&buffer[body_start..body_start + length]).into_owned(),
                );
            }
        }
    }
}
