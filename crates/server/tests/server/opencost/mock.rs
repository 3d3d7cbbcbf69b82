//! A stand-in for OpenCost on 127.0.0.1 (port 0): `/healthz` answers 200 and
//! `/allocation/compute` answers the allocation response it was given, whatever the
//! query. Dropping it closes the port, which is how a test takes OpenCost down.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub struct MockOpenCost {
    pub base_url: String,
    server: JoinHandle<()>,
}

impl MockOpenCost {
    pub async fn start(allocation_body: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let body = allocation_body.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let head = String::from_utf8_lossy(&head);
                    let target = head.split_whitespace().nth(1).unwrap_or("/");
                    let path = target.split('?').next().unwrap_or(target);
                    let (status, body) = match path {
                        "/healthz" => ("200 OK", "{}".to_owned()),
                        "/allocation/compute" | "/allocation" => ("200 OK", body),
                        _ => ("404 Not Found", "{}".to_owned()),
                    };
                    let response = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\n\
                         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = stream.write_all(response.as_bytes()).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        Self { base_url, server }
    }
}

impl Drop for MockOpenCost {
    fn drop(&mut self) {
        self.server.abort();
    }
}
