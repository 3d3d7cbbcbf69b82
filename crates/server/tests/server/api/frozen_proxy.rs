//! A TCP proxy that can freeze: while frozen it keeps every connection open and accepts new
//! ones but passes no byte either way, as a PostgreSQL under SIGSTOP or behind a dead
//! network path does. Bytes read while frozen are held and delivered on thaw, as a kernel
//! buffers them for a stopped process. It can also freeze itself on a given request, to
//! stop the database in the middle of a transaction.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct FrozenProxy {
    address: SocketAddr,
    frozen: Arc<watch::Sender<bool>>,
    trigger: Trigger,
    accepting: tokio::task::JoinHandle<()>,
}

/// Bytes whose next appearance in a client's request freezes the proxy before it is passed on.
type Trigger = Arc<Mutex<Option<Vec<u8>>>>;

impl FrozenProxy {
    /// Listens on a free local port and forwards every connection to `upstream`.
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let frozen = Arc::new(watch::Sender::new(false));
        let trigger = Trigger::default();
        let (state, armed) = (Arc::clone(&frozen), Arc::clone(&trigger));
        let accepting = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(upstream).await else {
                    continue;
                };
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                let requests = Some((Arc::clone(&armed), Arc::clone(&state)));
                tokio::spawn(pump(client_read, server_write, state.subscribe(), requests));
                tokio::spawn(pump(server_read, client_write, state.subscribe(), None));
            }
        });
        Self {
            address,
            frozen,
            trigger,
            accepting,
        }
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    pub fn freeze(&self) {
        self.frozen.send_replace(true);
    }

    pub fn thaw(&self) {
        self.frozen.send_replace(false);
    }

    pub fn is_frozen(&self) -> bool {
        *self.frozen.borrow()
    }

    /// Freezes the proxy when a client next sends `pattern`, holding that request.
    pub fn freeze_on(&self, pattern: &[u8]) {
        *self.trigger.lock().expect("trigger") = Some(pattern.to_vec());
    }
}

impl Drop for FrozenProxy {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

/// Copies `from` to `to`, holding each chunk while frozen; on the client side
/// (`requests`), a chunk holding the armed pattern freezes the proxy first.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut frozen: watch::Receiver<bool>,
    requests: Option<(Trigger, Arc<watch::Sender<bool>>)>,
) {
    let mut buffer = vec![0_u8; 64 * 1024];
    loop {
        if frozen.wait_for(|frozen| !frozen).await.is_err() {
            return;
        }
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(read) => read,
        };
        if let Some((trigger, state)) = &requests {
            let mut armed = trigger.lock().expect("trigger");
            let hit = armed.as_deref().is_some_and(|pattern| {
                buffer[..read]
                    .windows(pattern.len())
                    .any(|window| window == pattern)
            });
            if hit {
                *armed = None;
                state.send_replace(true);
            }
        }
        if frozen.wait_for(|frozen| !frozen).await.is_err() {
            return;
        }
        if to.write_all(&buffer[..read]).await.is_err() {
            return;
        }
    }
}
