//! Connections: accepting (plain or TLS) with a cap per client and in all, each read through the
//! framer (`frame`: the clocks of SPEC §11 and requests hyper would refuse by itself), a panic
//! in a handler caught, and draining on shutdown.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::net::IpAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio_rustls::rustls;
use tower::ServiceExt;

use super::frame::{Framed, Fresh, Shared};
use crate::error::{Error, Result};

/// The TLS settings from a certificate chain and a private key in PEM files.
pub fn tls_config(cert: &Path, key: &Path) -> Result<Arc<rustls::ServerConfig>> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let bad = |path: &Path, what: &str| {
        Error::usage_hint(
            format!(
                "{}: {what}",
                crate::text::terminal_safe(&path.display().to_string())
            ),
            "give a PEM certificate chain with --tls-cert and its PEM private key with --tls-key",
        )
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| bad(cert, &format!("could not read a certificate: {e}")))?
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| bad(cert, &format!("could not read a certificate: {e}")))?;
    if certs.is_empty() {
        return Err(bad(cert, "holds no certificate"));
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| bad(key, &format!("could not read a private key: {e}")))?;
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| Error::usage(format!("TLS: {e}")))?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .map_err(|e| {
        bad(
            cert,
            &format!("the certificate and key do not go together: {e}"),
        )
    })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Refused connections being told so at once; beyond, they are just closed.
const REFUSING: usize = 64;

/// The open connections of each client, so that one client cannot take every slot.
#[derive(Default)]
struct PerClient {
    clients: std::sync::Mutex<HashMap<IpAddr, Client>>,
    seq: AtomicU64,
}

#[derive(Default)]
struct Client {
    open: usize,
    /// Its connections that have not sent a head yet, oldest first (some may have since).
    fresh: VecDeque<Arc<Fresh>>,
}

/// One open connection of a client; the count goes down when it is dropped.
struct Seat {
    clients: Arc<PerClient>,
    key: IpAddr,
    fresh: Arc<Fresh>,
}

/// Lets go the oldest connection of a list that has not sent a head; false when there is none.
fn kick_oldest(fresh: &mut VecDeque<Arc<Fresh>>) -> bool {
    while let Some(f) = fresh.pop_front() {
        if f.kick() {
            return true;
        }
    }
    false
}

impl PerClient {
    /// A seat for a client. Beyond its share while the server is nearly full, its oldest
    /// connection that has not sent a head makes room (a flood of slow connections never keeps
    /// out the client's next real request); with none, the new connection is refused.
    fn take(self: &Arc<Self>, ip: IpAddr, limits: &super::Limits, open_now: usize) -> Option<Seat> {
        let key = super::secrets::client_key(ip);
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        let client = clients.entry(key).or_default();
        if client.open >= limits.per_client
            && open_now >= limits.busy()
            && !kick_oldest(&mut client.fresh)
        {
            return None;
        }
        client.open += 1;
        client.fresh.retain(|f| f.is_fresh());
        let fresh = Fresh::new(self.seq.fetch_add(1, AtomicOrdering::Relaxed));
        client.fresh.push_back(fresh.clone());
        Some(Seat {
            clients: self.clone(),
            key,
            fresh,
        })
    }

    /// The server is full: its oldest connection that has not sent a head makes room.
    fn kick_any(&self) -> bool {
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        for c in clients.values_mut() {
            c.fresh.retain(|f| f.is_fresh());
        }
        let oldest = clients
            .values_mut()
            .filter_map(|c| {
                let seq = c.fresh.front()?.seq;
                Some((seq, c))
            })
            .min_by_key(|(seq, _)| *seq);
        oldest.is_some_and(|(_, c)| kick_oldest(&mut c.fresh))
    }
}

impl Drop for Seat {
    fn drop(&mut self) {
        let mut clients = self
            .clients
            .clients
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(c) = clients.get_mut(&self.key) {
            c.open = c.open.saturating_sub(1);
            c.fresh.retain(|f| f.seq != self.fresh.seq);
            if c.open == 0 {
                clients.remove(&self.key);
            }
        }
    }
}

/// Accepts connections until `stop` turns true, then lets those open finish their requests.
pub async fn accept_loop(
    listener: TcpListener,
    router: Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    shared: Arc<Shared>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let most = shared.limits.connections;
    let slots = Arc::new(tokio::sync::Semaphore::new(most));
    let clients = Arc::new(PerClient::default());
    let refusing = Arc::new(tokio::sync::Semaphore::new(REFUSING));
    loop {
        let permit = match slots.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(tokio::sync::TryAcquireError::Closed) => break,
            Err(tokio::sync::TryAcquireError::NoPermits) => {
                // Full: the oldest connection that has not sent a head makes room, if any.
                clients.kick_any();
                tokio::select! {
                    p = slots.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
                    _ = stop.changed() => break,
                }
            }
        };
        let (tcp, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(_) => {
                    // Out of descriptors or the like: wait a little rather than spin.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        // This connection holds a slot already.
        let open_now = most - slots.available_permits() - 1;
        let Some(seat) = clients.take(peer.ip(), &shared.limits, open_now) else {
            // Over its cap: this client is told so (plain text on a TLS port is just noise
            // to it), and the connection closes at once.
            // A few at a time get the page, read to the end so that a reset does not lose it.
            if acceptor.is_none()
                && let Ok(turn) = refusing.clone().try_acquire_owned()
            {
                let status = axum::http::StatusCode::TOO_MANY_REQUESTS;
                let mut framed = Framed::refused(tcp, shared.clone(), status);
                tokio::spawn(async move {
                    use tokio::io::AsyncWriteExt;
                    let _ = tokio::time::timeout(Duration::from_secs(3), framed.shutdown()).await;
                    drop(turn);
                });
            }
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let router = router.clone();
        let service =
            hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                CatchPanic(Box::pin(router.clone().oneshot(req)))
            });
        let mut builder = hyper::server::conn::http1::Builder::new();
        // The framer keeps the clocks (hyper's header timeout would also cut the wait between
        // two requests of one connection at 10 s) and hands hyper whole, canonical heads.
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(None)
            // The framer ends the stream after a refused head: the responses before it still go.
            .half_close(true)
            .max_buf_size(64 * 1024)
            .keep_alive(true);
        let shared = shared.clone();
        match &acceptor {
            None => {
                let framed = Framed::new(tcp, shared).with_fresh(seat.fresh.clone());
                let conn = graceful.watch(builder.serve_connection(TokioIo::new(framed), service));
                tokio::spawn(async move {
                    tokio::select! {
                        _ = conn => {}
                        _ = seat.fresh.kicked.notified() => {}
                    }
                    drop((permit, seat));
                });
            }
            Some(acceptor) => {
                let acceptor = acceptor.clone();
                let watcher = graceful.watcher();
                let fresh = seat.fresh.clone();
                tokio::spawn(async move {
                    // Let go like a plain connection while it has not sent a head (the
                    // handshake included): a kick that left it open would make no room.
                    let serve = async move {
                        let Ok(Ok(stream)) =
                            tokio::time::timeout(shared.limits.header, acceptor.accept(tcp)).await
                        else {
                            return;
                        };
                        let framed = Framed::new(stream, shared).with_fresh(fresh);
                        let conn = builder.serve_connection(TokioIo::new(framed), service);
                        let _ = watcher.watch(conn).await;
                    };
                    tokio::select! {
                        _ = serve => {}
                        _ = seat.fresh.kicked.notified() => {}
                    }
                    drop((permit, seat));
                });
            }
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(super::DRAIN, graceful.shutdown()).await;
}

type Answer = std::result::Result<axum::response::Response, std::convert::Infallible>;

/// A request whose handler panics gets a 500 page (through the same headers) instead of a
/// connection torn down; the server and the other requests go on.
struct CatchPanic(Pin<Box<dyn Future<Output = Answer> + Send>>);

impl Future for CatchPanic {
    type Output = Answer;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Answer> {
        let inner = &mut self.0;
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| inner.as_mut().poll(cx))) {
            Ok(p) => p,
            Err(_) => {
                super::log("a request failed inside the server (a bug); the others go on");
                Poll::Ready(Ok(super::panicked()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_handler_gets_a_page_with_the_headers() {
        let answer = CatchPanic(Box::pin(async { panic!("a bug") }))
            .await
            .unwrap();
        assert_eq!(answer.status(), 500);
        for h in [
            "content-security-policy",
            "x-frame-options",
            "referrer-policy",
            "cache-control",
        ] {
            assert!(answer.headers().contains_key(h), "{h}");
        }
    }

    #[test]
    fn a_client_holds_its_share_only_while_the_server_is_busy() {
        let clients = Arc::new(PerClient::default());
        let limits = super::super::Limits {
            connections: 8,
            per_client: 2,
            ..Default::default()
        };
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let mut seats = Vec::new();
        for open in 0..4 {
            seats.push(clients.take(a, &limits, open).expect("room"));
        }
        // Not nearly full (7 of 8), a may go beyond its share.
        assert!(clients.take(a, &limits, 6).is_some(), "room below busy");
        // Nearly full, a has its share: its oldest connection without a head makes room...
        let newer = clients.take(a, &limits, 7).expect("room made");
        assert!(!seats[0].fresh.is_fresh() && seats[1].fresh.is_fresh());
        // ...but connections that sent a head are not let go: then the new one is refused.
        for s in &seats[1..] {
            assert!(s.fresh.serve());
        }
        assert!(newer.fresh.serve());
        assert!(clients.take(a, &limits, 7).is_none(), "a has its share");
        assert!(clients.take(b, &limits, 7).is_some(), "b has its own");
        drop(newer);
        seats.truncate(1);
        assert!(
            clients.take(a, &limits, 7).is_some(),
            "a is below its share again"
        );
        // Full: the oldest connection without a head, of any client, makes room.
        let c: IpAddr = "10.0.0.3".parse().unwrap();
        let first = clients.take(c, &limits, 0).unwrap();
        let second = clients.take(c, &limits, 0).unwrap();
        assert!(clients.kick_any());
        assert!(!first.fresh.is_fresh() && second.fresh.is_fresh());
    }
}
