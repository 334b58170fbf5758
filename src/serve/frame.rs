//! The request framer in front of hyper (SPEC §11 "Safety").
//!
//! hyper answers a request it cannot read (a malformed request line or header, headers too large,
//! a link too long, a bad `Content-Length`) with a response of its own, which would lack the
//! security headers every response must carry. So every connection reads through [`Framed`]:
//! it reads each request head itself, refuses what it cannot accept with a page of ours (which
//! has the headers), and hands hyper only heads it wrote anew from the parsed parts, and chunked
//! bodies re-chunked, so hyper never meets anything it would answer by itself. Only one request
//! is framed at a time, so the refusal goes out after the responses before it (at shutdown).
//!
//! It also keeps the clocks of slow clients: a new connection's first head within the header
//! time (10 s), a later one within the header time of its first byte, a body within the body
//! time (30 s) of its head, at most the idle time (30 s) between one response and the next
//! request, and a client that stops reading its responses is cut off after the idle time.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, Method, StatusCode, Uri};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// The longest request head accepted (431 above).
const MAX_HEAD: usize = 16 * 1024;
/// The most header lines in one head (431 above).
const MAX_HEADERS: usize = 64;
/// The longest request target (414 above).
const MAX_URI: usize = 4 * 1024;
/// The longest chunk-size line, extensions included, and all trailers together.
const MAX_CHUNK_LINE: usize = 1024;
const MAX_TRAILERS: usize = 8 * 1024;
/// After a refusal, what the client still sends is read and dropped for this long at most (so
/// that the page is not lost to a reset), and this much at most.
const LINGER: Duration = Duration::from_secs(2);
const LINGER_BYTES: usize = 16 * 1024 * 1024;

/// The clocks of SPEC §11 and the per-client cap on connections. `Default` is what the SPEC
/// says; a server may be given shorter clocks or a lower cap (tests do), never longer or higher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A request head must arrive within this (from the connection, or from its first byte).
    pub header: Duration,
    /// A request body must arrive within this of its head.
    pub body: Duration,
    /// A connection with nothing to do for this long is closed.
    pub idle: Duration,
    /// Connections open at once in all; more wait to be accepted.
    pub connections: usize,
    /// Connections one client (an IPv6 client by its /64) may hold beyond this only while the
    /// server is not nearly full ([`Limits::busy`]): one client alone (a load test, or every
    /// phone behind one router's address) may use most of the server, but a flood from one
    /// address never keeps the others out.
    pub per_client: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header: Duration::from_secs(10),
            body: Duration::from_secs(30),
            idle: Duration::from_secs(30),
            connections: 1024,
            per_client: 64,
        }
    }
}

impl Limits {
    /// From this many open connections on (seven eighths of them), a client beyond its share
    /// makes room from its own connections that have not sent a head, or is refused.
    pub fn busy(&self) -> usize {
        self.connections - self.connections / 8
    }

    /// These limits, none weaker than the SPEC's.
    pub fn at_most_default(self) -> Limits {
        let d = Limits::default();
        Limits {
            header: self.header.min(d.header),
            body: self.body.min(d.body),
            idle: self.idle.min(d.idle),
            connections: self.connections.clamp(2, d.connections),
            per_client: self.per_client.clamp(1, d.per_client),
        }
    }
}

/// A connection that has not sent a whole request head yet: what a flood of slow connections is
/// made of, and the first to let go when the server or its client runs short of connections.
#[derive(Debug)]
pub struct Fresh {
    /// The order of acceptance: the oldest goes first.
    pub seq: u64,
    state: AtomicU8,
    /// Told when the connection is let go.
    pub kicked: tokio::sync::Notify,
}

const FRESH: u8 = 0;
const SERVED: u8 = 1;
const KICKED: u8 = 2;

impl Fresh {
    pub fn new(seq: u64) -> Arc<Fresh> {
        Arc::new(Fresh {
            seq,
            state: AtomicU8::new(FRESH),
            kicked: tokio::sync::Notify::new(),
        })
    }

    /// Lets the connection go, unless a head of it was handed on already.
    pub fn kick(&self) -> bool {
        let kicked = self
            .state
            .compare_exchange(FRESH, KICKED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        if kicked {
            self.kicked.notify_one();
        }
        kicked
    }

    /// Marks a head handed on; false when the connection was let go first.
    pub fn serve(&self) -> bool {
        match self
            .state
            .compare_exchange(FRESH, SERVED, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => true,
            Err(state) => state == SERVED,
        }
    }

    pub fn is_fresh(&self) -> bool {
        self.state.load(Ordering::Acquire) == FRESH
    }
}

/// What every connection shares: the clocks, the body limit and the refusal pages.
pub struct Shared {
    pub limits: Limits,
    body_limit: u64,
    pages: Vec<(StatusCode, Arc<[u8]>)>,
}

/// The statuses the framer (and the accept loop) answer by themselves.
pub const REFUSALS: [(StatusCode, &str, &str); 7] = [
    (
        StatusCode::BAD_REQUEST,
        "Not understood",
        "This request could not be read.",
    ),
    (
        StatusCode::REQUEST_TIMEOUT,
        "Too slow",
        "The request took too long to arrive. Please try again.",
    ),
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        "Too large",
        "What was sent is larger than any answer can be.",
    ),
    (
        StatusCode::URI_TOO_LONG,
        "Link too long",
        "This link is longer than any link here. Check that you opened the link you were given.",
    ),
    (
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        "Too large",
        "The request's headers are larger than any browser sends.",
    ),
    (
        StatusCode::TOO_MANY_REQUESTS,
        "Too many connections",
        "Too many connections are open from this device. Close some tabs, wait a moment and try again.",
    ),
    (
        StatusCode::HTTP_VERSION_NOT_SUPPORTED,
        "Not understood",
        "This server speaks HTTP/1.1.",
    ),
];

impl Shared {
    /// `page(title, text)` lays out a refusal page; `headers` are the security headers.
    pub fn new(
        limits: Limits,
        body_limit: usize,
        headers: &[(HeaderName, HeaderValue)],
        page: impl Fn(&str, &str) -> String,
    ) -> Shared {
        let pages = REFUSALS
            .iter()
            .map(|(status, title, text)| {
                let body = page(title, text);
                let mut head = format!(
                    "HTTP/1.1 {} {}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n",
                    status.as_u16(),
                    status.canonical_reason().unwrap_or(""),
                    body.len()
                )
                .into_bytes();
                if *status == StatusCode::TOO_MANY_REQUESTS {
                    head.extend_from_slice(b"retry-after: 10\r\n");
                }
                for (name, value) in headers {
                    head.extend_from_slice(name.as_str().as_bytes());
                    head.extend_from_slice(b": ");
                    head.extend_from_slice(value.as_bytes());
                    head.extend_from_slice(b"\r\n");
                }
                head.extend_from_slice(b"\r\n");
                head.extend_from_slice(body.as_bytes());
                (*status, Arc::from(head))
            })
            .collect();
        Shared {
            limits,
            body_limit: body_limit as u64,
            pages,
        }
    }

    /// The whole response (head and page) of a refusal.
    pub fn refusal(&self, status: StatusCode) -> Arc<[u8]> {
        self.pages
            .iter()
            .find(|(s, _)| *s == status)
            .or(self.pages.first())
            .map(|(_, p)| p.clone())
            .unwrap_or_else(|| Arc::from(&b""[..]))
    }
}

/// Where the reading of the current request stands.
#[derive(Debug)]
enum In {
    /// Waiting for a head; `started` once a byte of it came.
    Head {
        started: bool,
    },
    /// A body of this many bytes still to come.
    Length(u64),
    Chunked(Chunk),
    /// A head was refused: hyper reads the end, the refusal goes out at shutdown.
    Refused,
    /// The client closed, its body could not be framed, or it was too slow: hyper reads the end.
    Ended,
}

#[derive(Debug)]
enum Chunk {
    Size {
        value: u64,
        digits: usize,
        space: bool,
        ext: bool,
        cr: bool,
        len: usize,
    },
    Data(u64),
    DataEnd {
        cr: bool,
    },
    Trailers {
        line: usize,
        cr: bool,
        total: usize,
    },
}

impl Chunk {
    fn size() -> Chunk {
        Chunk::Size {
            value: 0,
            digits: 0,
            space: false,
            ext: false,
            cr: false,
            len: 0,
        }
    }
}

/// A connection's stream as hyper sees it; see the module's comment.
pub struct Framed<S> {
    inner: S,
    shared: Arc<Shared>,
    /// Bytes read, not yet framed.
    raw: Vec<u8>,
    /// How far `raw` was searched for the end of a head.
    scanned: usize,
    /// Framed bytes, not yet read by hyper.
    out: Vec<u8>,
    out_at: usize,
    state: In,
    /// A head was handed to hyper before (the clocks of a later request differ).
    served: bool,
    /// Decoded bytes of the current chunked body.
    body_seen: u64,
    eof: bool,
    /// The deadline of the current phase of reading.
    clock: Pin<Box<Sleep>>,
    /// Set while a write waits: the client must read within the idle time.
    stall: Pin<Box<Sleep>>,
    stalling: bool,
    refusal: Option<(Arc<[u8]>, usize)>,
    closing: Option<Closing>,
    fresh: Option<Arc<Fresh>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Closing {
    Flushing,
    Lingering { drained: usize },
    Done,
}

fn timed_out(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, what.to_string())
}

fn find_head_end(raw: &[u8], from: usize) -> Option<usize> {
    (from.saturating_sub(3)..raw.len()).find_map(|i| {
        if raw[i] != b'\n' {
            return None;
        }
        match (raw.get(i + 1), raw.get(i + 2)) {
            (Some(b'\n'), _) => Some(i + 2),
            (Some(b'\r'), Some(b'\n')) => Some(i + 3),
            _ => None,
        }
    })
}

/// What a head asks of the body.
enum Body {
    None,
    Length(u64),
    Chunked,
}

/// Reads one complete head: the canonical head for hyper, its body, and how many bytes it took;
/// `Ok(None)` when `raw` holds only empty lines so far; or the status to refuse it with.
fn parse_head(raw: &[u8], body_limit: u64) -> Result<Option<(Vec<u8>, Body, usize)>, StatusCode> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let used = match req.parse(raw) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
        }
        Err(httparse::Error::Version) => return Err(StatusCode::HTTP_VERSION_NOT_SUPPORTED),
        Err(_) => return Err(StatusCode::BAD_REQUEST),
    };
    let bad = StatusCode::BAD_REQUEST;
    let (Some(method), Some(path), Some(version)) = (req.method, req.path, req.version) else {
        return Err(bad);
    };
    if path.len() > MAX_URI {
        return Err(StatusCode::URI_TOO_LONG);
    }
    let method = Method::from_bytes(method.as_bytes()).map_err(|_| bad)?;
    if method == Method::CONNECT {
        return Err(bad);
    }
    if Uri::try_from(path).is_err() {
        return Err(bad);
    }
    let mut out = format!("{method} {path} HTTP/1.{version}\r\n").into_bytes();
    let (mut hosts, mut length, mut chunked, mut encodings) = (0, None, false, 0);
    for h in req.headers.iter() {
        let name = HeaderName::from_bytes(h.name.as_bytes()).map_err(|_| bad)?;
        let value = HeaderValue::from_bytes(h.value).map_err(|_| bad)?;
        match name.as_str() {
            "host" => hosts += 1,
            "content-length" => {
                let v = value.as_bytes();
                if v.is_empty() || v.len() > 18 || !v.iter().all(u8::is_ascii_digit) {
                    return Err(bad);
                }
                let n: u64 = value.to_str().map_err(|_| bad)?.parse().map_err(|_| bad)?;
                if length.is_some_and(|l| l != n) {
                    return Err(bad);
                }
                length = Some(n);
            }
            "transfer-encoding" => {
                encodings += 1;
                chunked = value
                    .to_str()
                    .is_ok_and(|v| v.trim().eq_ignore_ascii_case("chunked"));
            }
            // hyper would answer these by itself (a bare "100 Continue", an upgrade): the page
            // decides alone, and no client needs them here.
            "expect" | "upgrade" | "http2-settings" => continue,
            _ => {}
        }
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    // Nobody names two hosts (RFC 9112 §3.2); a missing one is let pass, as hyper would.
    if hosts > 1 {
        return Err(bad);
    }
    let body = if encodings > 0 {
        // Only `chunked`, only once, only in HTTP/1.1, never beside a length (no smuggling).
        if encodings > 1 || !chunked || version == 0 || length.is_some() {
            return Err(bad);
        }
        Body::Chunked
    } else {
        match length {
            Some(n) if n > body_limit => return Err(StatusCode::PAYLOAD_TOO_LARGE),
            Some(0) | None => Body::None,
            Some(n) => Body::Length(n),
        }
    };
    Ok(Some((out, body, used)))
}

impl<S> Framed<S> {
    pub fn new(inner: S, shared: Arc<Shared>) -> Framed<S> {
        let header = shared.limits.header;
        let idle = shared.limits.idle;
        Framed {
            inner,
            shared,
            raw: Vec::new(),
            scanned: 0,
            out: Vec::new(),
            out_at: 0,
            state: In::Head { started: false },
            served: false,
            body_seen: 0,
            eof: false,
            clock: Box::pin(tokio::time::sleep(header)),
            stall: Box::pin(tokio::time::sleep(idle)),
            stalling: false,
            refusal: None,
            closing: None,
            fresh: None,
        }
    }

    /// A connection refused before its first request: shutting it down writes the page.
    pub fn refused(inner: S, shared: Arc<Shared>, status: StatusCode) -> Framed<S> {
        let mut f = Framed::new(inner, shared);
        f.refuse(status);
        f
    }

    /// The connection's mark while it has not sent a head (see [`Fresh`]).
    pub fn with_fresh(mut self, fresh: Arc<Fresh>) -> Framed<S> {
        self.fresh = Some(fresh);
        self
    }

    fn set_clock(&mut self, after: Duration) {
        self.clock.as_mut().reset(Instant::now() + after);
    }

    fn refuse(&mut self, status: StatusCode) {
        self.refusal = Some((self.shared.refusal(status), 0));
        self.state = In::Refused;
        self.raw.clear();
    }

    fn next_head(&mut self) {
        self.state = In::Head { started: false };
        self.served = true;
        self.scanned = 0;
        self.body_seen = 0;
        let idle = self.shared.limits.idle;
        self.set_clock(idle);
    }

    /// Frames what has been read; true when something changed.
    fn frame(&mut self) -> bool {
        match &mut self.state {
            In::Head { started } => {
                if self.raw.is_empty() {
                    return false;
                }
                // Empty lines before a request line are allowed (RFC 9112 §2.2).
                let blank = self
                    .raw
                    .iter()
                    .take_while(|b| matches!(b, b'\r' | b'\n'))
                    .count();
                if !*started {
                    *started = true;
                    if self.served {
                        let header = self.shared.limits.header;
                        self.set_clock(header);
                    }
                }
                if blank > 0 {
                    self.raw.drain(..blank);
                    self.scanned = 0;
                    if self.raw.is_empty() {
                        return false;
                    }
                }
                let Some(end) = find_head_end(&self.raw, self.scanned) else {
                    self.scanned = self.raw.len();
                    if self.raw.len() > MAX_HEAD {
                        self.refuse(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
                        return true;
                    }
                    return false;
                };
                if end > MAX_HEAD {
                    self.refuse(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
                    return true;
                }
                match parse_head(&self.raw[..end], self.shared.body_limit) {
                    Err(status) => {
                        self.refuse(status);
                        true
                    }
                    // A head that ends and is not complete.
                    Ok(None) => {
                        self.refuse(StatusCode::BAD_REQUEST);
                        true
                    }
                    Ok(Some((head, body, used))) => {
                        if self.fresh.as_ref().is_some_and(|f| !f.serve()) {
                            // Let go for a newer connection: this head goes nowhere.
                            self.raw.clear();
                            self.state = In::Ended;
                            return true;
                        }
                        self.out.extend_from_slice(&head);
                        self.raw.drain(..used);
                        self.scanned = 0;
                        match body {
                            Body::None => self.next_head(),
                            Body::Length(n) => {
                                self.state = In::Length(n);
                                let t = self.shared.limits.body;
                                self.set_clock(t);
                            }
                            Body::Chunked => {
                                self.state = In::Chunked(Chunk::size());
                                let t = self.shared.limits.body;
                                self.set_clock(t);
                            }
                        }
                        true
                    }
                }
            }
            In::Length(n) => {
                let take = (*n).min(self.raw.len() as u64) as usize;
                *n -= take as u64;
                let done = *n == 0;
                self.out.extend(self.raw.drain(..take));
                if done {
                    self.next_head();
                }
                take > 0 || done
            }
            In::Chunked(_) => match self.dechunk() {
                Ok(progress) => progress,
                Err(()) => {
                    self.state = In::Ended;
                    true
                }
            },
            In::Refused | In::Ended => false,
        }
    }

    /// Re-chunks what has been read of a chunked body; `Err` when it is not chunked.
    fn dechunk(&mut self) -> Result<bool, ()> {
        let limit = self.shared.body_limit;
        let mut i = 0;
        let mut finished = false;
        while i < self.raw.len() && !finished {
            let In::Chunked(chunk) = &mut self.state else {
                break;
            };
            match chunk {
                Chunk::Data(n) => {
                    let take = (*n).min((self.raw.len() - i) as u64) as usize;
                    self.out.extend_from_slice(&self.raw[i..i + take]);
                    i += take;
                    *n -= take as u64;
                    self.body_seen += take as u64;
                    if *n == 0 {
                        *chunk = Chunk::DataEnd { cr: false };
                    }
                    if self.body_seen > limit {
                        // Enough for the page to say 413; the rest is not wanted.
                        self.raw.clear();
                        self.state = In::Ended;
                        return Ok(true);
                    }
                    continue;
                }
                Chunk::Size {
                    value,
                    digits,
                    space,
                    ext,
                    cr,
                    len,
                } => {
                    let b = self.raw[i];
                    i += 1;
                    *len += 1;
                    if *len > MAX_CHUNK_LINE {
                        return Err(());
                    }
                    let end = if *cr {
                        if b != b'\n' {
                            return Err(());
                        }
                        true
                    } else if b == b'\r' {
                        *cr = true;
                        false
                    } else if b == b'\n' {
                        true
                    } else if *ext {
                        if b.is_ascii_control() && b != b'\t' {
                            return Err(());
                        }
                        false
                    } else if b.is_ascii_hexdigit() && !*space {
                        *digits += 1;
                        if *digits > 15 {
                            return Err(());
                        }
                        *value = *value * 16 + u64::from((b as char).to_digit(16).unwrap_or(0));
                        false
                    } else if (b == b' ' || b == b'\t') && *digits > 0 {
                        *space = true;
                        false
                    } else if b == b';' && *digits > 0 {
                        *ext = true;
                        false
                    } else {
                        return Err(());
                    };
                    if end {
                        if *digits == 0 {
                            return Err(());
                        }
                        if *value == 0 {
                            *chunk = Chunk::Trailers {
                                line: 0,
                                cr: false,
                                total: 0,
                            };
                        } else {
                            self.out
                                .extend_from_slice(format!("{value:x}\r\n").as_bytes());
                            *chunk = Chunk::Data(*value);
                        }
                    }
                }
                Chunk::DataEnd { cr } => {
                    let b = self.raw[i];
                    i += 1;
                    if b == b'\r' && !*cr {
                        *cr = true;
                    } else if b == b'\n' {
                        self.out.extend_from_slice(b"\r\n");
                        *chunk = Chunk::size();
                    } else {
                        return Err(());
                    }
                }
                Chunk::Trailers { line, cr, total } => {
                    let b = self.raw[i];
                    i += 1;
                    *total += 1;
                    if *total > MAX_TRAILERS {
                        return Err(());
                    }
                    if b == b'\n' {
                        if *line == 0 {
                            self.out.extend_from_slice(b"0\r\n\r\n");
                            finished = true;
                        } else {
                            *line = 0;
                            *cr = false;
                        }
                    } else if *cr {
                        return Err(());
                    } else if b == b'\r' {
                        *cr = true;
                    } else {
                        *line += 1;
                    }
                }
            }
        }
        self.raw.drain(..i);
        if finished {
            self.next_head();
        }
        Ok(i > 0 || finished)
    }

    /// The clock ran out while hyper waits to read.
    fn clock_ran_out(&mut self) -> io::Result<()> {
        match self.state {
            // Nothing of a request came: the connection just closes.
            In::Head { started: false } => {
                self.state = In::Ended;
                Ok(())
            }
            In::Head { started: true } => {
                self.refuse(StatusCode::REQUEST_TIMEOUT);
                Ok(())
            }
            In::Length(_) | In::Chunked(_) => {
                self.state = In::Ended;
                self.raw.clear();
                Err(timed_out("the request body took too long"))
            }
            In::Refused | In::Ended => Ok(()),
        }
    }

    /// Whether a write has waited for the client for the idle time.
    fn stalled(&mut self, cx: &mut Context<'_>) -> bool {
        if !self.stalling {
            self.stalling = true;
            let idle = self.shared.limits.idle;
            self.stall.as_mut().reset(Instant::now() + idle);
        }
        self.stall.as_mut().poll(cx).is_ready()
    }

    fn wrote(&mut self, n: usize) {
        self.stalling = false;
        // Between requests, the idle time counts from the last byte of the response.
        if n > 0 && self.served && matches!(self.state, In::Head { started: false }) {
            let idle = self.shared.limits.idle;
            self.set_clock(idle);
        }
    }

    /// Whether the client was still sending when the connection closes.
    fn should_linger(&self) -> bool {
        self.refusal.is_some()
            || !self.raw.is_empty()
            || !matches!(self.state, In::Head { started: false })
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Framed<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            if this.out_at < this.out.len() {
                let n = buf.remaining().min(this.out.len() - this.out_at);
                buf.put_slice(&this.out[this.out_at..this.out_at + n]);
                this.out_at += n;
                if this.out_at == this.out.len() {
                    this.out.clear();
                    this.out_at = 0;
                }
                return Poll::Ready(Ok(()));
            }
            if this.frame() {
                continue;
            }
            if matches!(this.state, In::Refused | In::Ended) {
                return Poll::Ready(Ok(()));
            }
            if this.eof {
                // The client closed; hyper reads the end (and a body cut short is an error).
                this.state = In::Ended;
                return Poll::Ready(Ok(()));
            }
            let mut space = [0u8; 8 * 1024];
            let mut read = ReadBuf::new(&mut space);
            match Pin::new(&mut this.inner).poll_read(cx, &mut read) {
                Poll::Ready(Ok(())) => {
                    if read.filled().is_empty() {
                        this.eof = true;
                    } else {
                        this.raw.extend_from_slice(read.filled());
                    }
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => {
                    if this.clock.as_mut().poll(cx).is_ready() {
                        if let Err(e) = this.clock_ran_out() {
                            return Poll::Ready(Err(e));
                        }
                        continue;
                    }
                    return Poll::Pending;
                }
            }
        }
    }
}

impl<S: AsyncWrite + AsyncRead + Unpin> AsyncWrite for Framed<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write(cx, buf) {
            Poll::Ready(Ok(n)) => {
                self.wrote(n);
                Poll::Ready(Ok(n))
            }
            Poll::Ready(e) => Poll::Ready(e),
            Poll::Pending if self.stalled(cx) => {
                Poll::Ready(Err(timed_out("the client stopped reading")))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write_vectored(cx, bufs) {
            Poll::Ready(Ok(n)) => {
                self.wrote(n);
                Poll::Ready(Ok(n))
            }
            Poll::Ready(e) => Poll::Ready(e),
            Poll::Pending if self.stalled(cx) => {
                Poll::Ready(Err(timed_out("the client stopped reading")))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match Pin::new(&mut self.inner).poll_flush(cx) {
            Poll::Ready(r) => {
                self.stalling = false;
                Poll::Ready(r)
            }
            Poll::Pending if self.stalled(cx) => {
                Poll::Ready(Err(timed_out("the client stopped reading")))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    /// hyper closes: the refusal goes out first (after every response before it), then what
    /// the client still sends is read and dropped for a moment, so that it reads the page.
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.closing.is_none() {
            this.closing = Some(Closing::Flushing);
        }
        loop {
            match this.closing {
                Some(Closing::Flushing) => {
                    if let Some((page, at)) = this.refusal.take() {
                        if at < page.len() {
                            match Pin::new(&mut this.inner).poll_write(cx, &page[at..]) {
                                Poll::Ready(Ok(0)) | Poll::Ready(Err(_)) => {}
                                Poll::Ready(Ok(n)) => {
                                    this.stalling = false;
                                    this.refusal = Some((page, at + n));
                                    continue;
                                }
                                Poll::Pending => {
                                    if this.stalled(cx) {
                                        return Poll::Ready(Err(timed_out(
                                            "the client stopped reading",
                                        )));
                                    }
                                    this.refusal = Some((page, at));
                                    return Poll::Pending;
                                }
                            }
                        }
                        // Written (or the client is gone): remembered for the linger.
                        this.refusal = Some((page.clone(), page.len()));
                    }
                    match Pin::new(&mut this.inner).poll_flush(cx) {
                        Poll::Pending => {
                            if this.stalled(cx) {
                                return Poll::Ready(Err(timed_out("the client stopped reading")));
                            }
                            return Poll::Pending;
                        }
                        Poll::Ready(_) => {}
                    }
                    match Pin::new(&mut this.inner).poll_shutdown(cx) {
                        Poll::Pending => {
                            if this.stalled(cx) {
                                return Poll::Ready(Err(timed_out("the client stopped reading")));
                            }
                            return Poll::Pending;
                        }
                        Poll::Ready(_) => {}
                    }
                    if this.should_linger() && !this.eof {
                        this.clock.as_mut().reset(Instant::now() + LINGER);
                        this.closing = Some(Closing::Lingering { drained: 0 });
                    } else {
                        this.closing = Some(Closing::Done);
                    }
                }
                Some(Closing::Lingering { drained }) => {
                    let mut space = [0u8; 8 * 1024];
                    let mut read = ReadBuf::new(&mut space);
                    match Pin::new(&mut this.inner).poll_read(cx, &mut read) {
                        Poll::Ready(Ok(())) if !read.filled().is_empty() => {
                            let drained = drained + read.filled().len();
                            this.closing = Some(if drained > LINGER_BYTES {
                                Closing::Done
                            } else {
                                Closing::Lingering { drained }
                            });
                        }
                        Poll::Ready(_) => this.closing = Some(Closing::Done),
                        Poll::Pending => {
                            if this.clock.as_mut().poll(cx).is_ready() {
                                this.closing = Some(Closing::Done);
                            } else {
                                return Poll::Pending;
                            }
                        }
                    }
                }
                Some(Closing::Done) | None => return Poll::Ready(Ok(())),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(raw: &str) -> Result<Option<(String, usize)>, u16> {
        parse_head(raw.as_bytes(), 64 * 1024)
            .map(|o| o.map(|(h, _, n)| (String::from_utf8(h).unwrap(), n)))
            .map_err(|s| s.as_u16())
    }

    #[test]
    fn heads_are_rewritten_or_refused_with_our_status() {
        let (h, n) = head("GET /r/x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\nrest")
            .unwrap()
            .unwrap();
        assert_eq!(h, "GET /r/x HTTP/1.1\r\nhost: a\r\n\r\n");
        assert_eq!(
            n,
            "GET /r/x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n".len()
        );
        assert_eq!(head("\r\n").unwrap(), None);
        for (raw, status) in [
            ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
            ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
            ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
            ("GET /\r\n\r\n", 400),
            ("G@T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
            ("CONNECT a:1 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
            (
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
                400,
            ),
            (
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 1\r\n\r\n",
                400,
            ),
            (
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                400,
            ),
            (
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999\r\n\r\n",
                413,
            ),
            (
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n",
                400,
            ),
            (
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
                400,
            ),
            ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{1}b\r\n\r\n", 400),
        ] {
            assert_eq!(head(raw).err(), Some(status), "{raw:?}");
        }
        let long = format!("GET /{} HTTP/1.1\r\nHost: a\r\n\r\n", "a".repeat(MAX_URI));
        assert_eq!(head(&long).err(), Some(414));
        let many: String = (0..MAX_HEADERS + 1)
            .map(|i| format!("X-{i}: a\r\n"))
            .collect();
        let many = format!("GET / HTTP/1.1\r\nHost: a\r\n{many}\r\n");
        assert_eq!(head(&many).err(), Some(431));
    }

    #[test]
    fn limits_can_be_made_stricter_never_weaker() {
        let weak = Limits {
            header: Duration::from_secs(3600),
            body: Duration::from_secs(3600),
            idle: Duration::from_secs(3600),
            connections: 1 << 20,
            per_client: 1 << 20,
        };
        assert_eq!(weak.at_most_default(), Limits::default());
        let strict = Limits {
            header: Duration::from_secs(1),
            per_client: 2,
            ..Limits::default()
        };
        assert_eq!(strict.at_most_default(), strict);
    }

    /// Feeds `input` to a framer and returns what hyper would read.
    async fn framed(input: &[u8]) -> (Vec<u8>, Option<Vec<u8>>) {
        let (mut client, server) = tokio::io::duplex(1 << 20);
        let shared = Arc::new(Shared::new(Limits::default(), 64 * 1024, &[], |t, _| {
            t.to_string()
        }));
        let mut f = Framed::new(server, shared);
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        client.write_all(input).await.unwrap();
        drop(client);
        let mut out = Vec::new();
        let _ = f.read_to_end(&mut out).await;
        let refusal = f.refusal.as_ref().map(|(p, _)| p.to_vec());
        (out, refusal)
    }

    #[tokio::test]
    async fn chunked_bodies_are_re_chunked_and_the_next_head_found() {
        let (out, refusal) = framed(
            b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n00A\nabcdefghij\n0\r\nT: 1\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n",
        )
        .await;
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "POST / HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\na\r\nabcdefghij\r\n0\r\n\r\nGET /b HTTP/1.1\r\nhost: a\r\n\r\n"
        );
        assert!(refusal.is_none());
        // A bad head after a good one: the good one passes, the bad one is refused.
        let (out, refusal) =
            framed(b"GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /a HTTP/1.1 x\r\n\r\n").await;
        assert_eq!(out, b"GET /a HTTP/1.1\r\nhost: a\r\n\r\n");
        assert!(
            String::from_utf8(refusal.unwrap())
                .unwrap()
                .starts_with("HTTP/1.1 400 Bad Request\r\n")
        );
        // Bad chunks end the body where they start.
        let (out, refusal) = framed(b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\nzz\r\nGET / HTTP/1.1\r\n\r\n").await;
        assert!(
            String::from_utf8(out)
                .unwrap()
                .ends_with("\r\n\r\n2\r\nab\r\n")
        );
        assert!(refusal.is_none());
    }

    #[test]
    fn the_end_of_a_head_is_found_across_reads() {
        assert_eq!(
            find_head_end(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nX", 0),
            Some(27)
        );
        assert_eq!(find_head_end(b"GET / HTTP/1.1\nHost: a\n\nX", 0), Some(24));
        assert_eq!(find_head_end(b"GET / HTTP/1.1\r\nHost: a\r\n", 0), None);
        assert_eq!(
            find_head_end(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", 25),
            Some(27)
        );
    }
}

/// Random requests, read in pieces of random sizes: what hyper reads is always well framed
/// (whole heads, canonical chunks, bodies of their lengths), and the framer never panics.
#[cfg(test)]
mod fuzz {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Reads `out` as hyper would, strictly; the number of heads, or where it went wrong.
    fn check(out: &[u8]) -> Result<usize, String> {
        let mut at = 0;
        let mut n = 0;
        while at < out.len() {
            let mut hs = [httparse::EMPTY_HEADER; 80];
            let mut r = httparse::Request::new(&mut hs);
            let used = match r.parse(&out[at..]) {
                Ok(httparse::Status::Complete(u)) => u,
                Ok(httparse::Status::Partial) => return Err(format!("partial head at {at}")),
                Err(e) => return Err(format!("bad head {e:?} at {at}")),
            };
            n += 1;
            let mut cl = None;
            let mut te = false;
            for h in r.headers.iter() {
                if h.name.eq_ignore_ascii_case("content-length") {
                    cl = Some(
                        std::str::from_utf8(h.value)
                            .unwrap()
                            .parse::<usize>()
                            .unwrap(),
                    );
                }
                if h.name.eq_ignore_ascii_case("transfer-encoding") {
                    te = true;
                }
            }
            at += used;
            if te {
                loop {
                    let rest = &out[at..];
                    let Some(nl) = rest.windows(2).position(|w| w == b"\r\n") else {
                        return Ok(n);
                    };
                    let size = usize::from_str_radix(std::str::from_utf8(&rest[..nl]).unwrap(), 16)
                        .map_err(|e| format!("{e} {:?}", String::from_utf8_lossy(&rest[..nl])))?;
                    at += nl + 2;
                    if size == 0 {
                        if out.len() < at + 2 {
                            return Ok(n);
                        }
                        if &out[at..at + 2] != b"\r\n" {
                            return Err("no end".into());
                        }
                        at += 2;
                        break;
                    }
                    if out.len() < at + size + 2 {
                        return Ok(n);
                    }
                    if &out[at + size..at + size + 2] != b"\r\n" {
                        return Err("bad data end".into());
                    }
                    at += size + 2;
                }
            } else if let Some(cl) = cl {
                at += cl.min(out.len() - at);
            }
        }
        Ok(n)
    }

    #[tokio::test]
    async fn what_hyper_reads_is_always_well_framed() {
        let frags: &[&[u8]] = &[
            b"GET / HTTP/1.1\r\n",
            b"POST /x HTTP/1.1\r\n",
            b"Host: a\r\n",
            b"\r\n",
            b"\n",
            b"\r",
            b"Transfer-Encoding: chunked\r\n",
            b"Content-Length: 5\r\n",
            b"Content-Length: 0\r\n",
            b"3\r\n",
            b"abc",
            b"0\r\n",
            b"5;x=y\r\n",
            b"hello",
            b"ffffffffffffffff\r\n",
            b" ",
            b"\t",
            b";",
            b"X: y\r\n",
            b"HTTP/1.0\r\n",
            b"GET",
            b"\0",
            b"a",
            b"Expect: 100-continue\r\n",
            b"0\r\n\r\n",
            b"1\r\nx\r\n",
            b"\xff",
            b":",
        ];
        let mut seed: u64 = 0x1234_5678;
        let mut rnd = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..3000 {
            let mut input = Vec::new();
            let lines: &[&[u8]] = &[
                b"GET / HTTP/1.1\r\n",
                b"POST /x HTTP/1.1\r\n",
                b"POST /x HTTP/1.1\n",
                b"GET / HTTP/1.0\r\n",
            ];
            let hdrs: &[&[u8]] = &[
                b"Host: a\r\n",
                b"Transfer-Encoding: chunked\r\n",
                b"Transfer-Encoding: chunked\n",
                b"Content-Length: 5\r\n",
                b"Content-Length: 3\r\n",
                b"X: y\r\n",
                b"Transfer-Encoding:  Chunked \r\n",
            ];
            for _ in 0..(1 + rnd() % 3) {
                input.extend_from_slice(lines[(rnd() % lines.len() as u64) as usize]);
                for _ in 0..(rnd() % 4) {
                    input.extend_from_slice(hdrs[(rnd() % hdrs.len() as u64) as usize]);
                }
                input.extend_from_slice(if rnd() % 2 == 0 { b"\r\n" } else { b"\n" });
                for _ in 0..(rnd() % 8) {
                    input.extend_from_slice(frags[(rnd() % frags.len() as u64) as usize]);
                }
            }
            let cap = 1 + (rnd() % 9) as usize;
            let (mut client, server) = tokio::io::duplex(cap);
            let shared = Arc::new(Shared::new(Limits::default(), 64, &[], |t, _| {
                t.to_string()
            }));
            let mut f = Framed::new(server, shared);
            let inp = input.clone();
            let w = tokio::spawn(async move {
                let _ = client.write_all(&inp).await;
                drop(client);
            });
            let mut out = Vec::new();
            let _ = f.read_to_end(&mut out).await;
            w.abort();
            if let Err(e) = check(&out) {
                panic!(
                    "{e}\nin: {:?}\nout: {:?}",
                    String::from_utf8_lossy(&input),
                    String::from_utf8_lossy(&out)
                );
            }
        }
    }
}
