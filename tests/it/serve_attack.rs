//! `selfaudit serve` as an attacker sees it (SPEC §11 "Safety"): malformed and raw requests,
//! slow clients and floods of connections, guessed and borrowed links, CSRF, path-like and
//! hostile names and notes, broken files, and what the log says. None may read or change
//! another's answers, break a page, stop the server, or get a response without the headers.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use selfaudit::serve::{self, Config, Limits, Server};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use super::serve::{
    PERIOD, answer, args, assert_safe_headers, client, folder, get, link_of, post, start,
    team_file, tls_setup,
};

async fn start_with(dir: &Path, team: Option<&Path>, limits: Limits) -> Server {
    let mut config = Config::settle(None, &args(dir, team)).unwrap();
    config.limits = limits;
    serve::start(config).await.unwrap()
}

/// The path of a link.
fn path_of(link: &str) -> String {
    let rest = link.split_once("://").unwrap().1;
    format!("/{}", rest.split_once('/').unwrap().1)
}

fn secret_of(link: &str) -> String {
    link.rsplit('/').next().unwrap().to_string()
}

/// Reads until the server closes, or `wait` has passed.
async fn read_all<S: AsyncRead + Unpin>(s: &mut S, wait: Duration) -> String {
    let mut out = Vec::new();
    let _ = tokio::time::timeout(wait, async {
        let mut buf = [0u8; 8192];
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    String::from_utf8_lossy(&out).into_owned()
}

/// Sends raw bytes on a new connection and reads until the server closes (5 s at most).
async fn raw(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let _ = s.write_all(bytes).await;
    read_all(&mut s, Duration::from_secs(5)).await
}

/// One request on its own connection: the status and the whole response.
async fn fetch(addr: SocketAddr, method: &str, path: &str) -> (u16, String) {
    let text = raw(
        addr,
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await;
    let statuses = statuses(&text);
    assert_eq!(statuses.len(), 1, "{method} {path}: {text}");
    (statuses[0], text)
}

/// The status of every response in a raw stream, each checked for the headers of SPEC §11.
fn statuses(text: &str) -> Vec<u16> {
    text.split("HTTP/1.")
        .skip(1)
        .map(|part| {
            let head = part[2..]
                .split("\r\n\r\n")
                .next()
                .unwrap()
                .to_ascii_lowercase();
            let csp = head
                .lines()
                .find_map(|l| l.strip_prefix("content-security-policy: "))
                .unwrap_or_else(|| panic!("no content-security-policy: {head}"));
            assert!(csp.contains("default-src 'none'"), "{head}");
            assert!(
                !csp.contains("script-src") && !csp.contains("unsafe-inline"),
                "{head}"
            );
            for h in [
                "x-frame-options: deny",
                "referrer-policy: no-referrer",
                "cache-control: no-store",
            ] {
                assert!(head.lines().any(|l| l == h), "{h} missing: {head}");
            }
            head[..3].parse().unwrap()
        })
        .collect()
}

/// Reads one response of a kept-alive connection (its head and `Content-Length` body).
async fn read_response<S: AsyncRead + Unpin>(s: &mut S) -> String {
    let mut out = Vec::new();
    let mut byte = [0u8; 1];
    while !out.ends_with(b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut byte))
            .await
            .expect("a response")
            .unwrap();
        assert_eq!(n, 1, "closed early: {}", String::from_utf8_lossy(&out));
        out.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&out).to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .map_or(0, |v| v.trim().parse().unwrap());
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).await.unwrap();
    out.extend_from_slice(&body);
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_hyper_would_refuse_get_our_pages_and_headers() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), None).await;
    let addr = server.addr;
    let team = path_of(&server.team_url().unwrap());
    let form = "Content-Type: application/x-www-form-urlencoded\r\n";
    let cases: Vec<(&str, String, Vec<u16>)> = vec![
        (
            "a bad request line",
            "GET / HTTP/1.1 x\r\nHost: a\r\n\r\n".into(),
            vec![400],
        ),
        (
            "a bad method",
            "G@T / HTTP/1.1\r\nHost: a\r\n\r\n".into(),
            vec![400],
        ),
        (
            "a header without a colon",
            "GET / HTTP/1.1\r\nHost a\r\n\r\n".into(),
            vec![400],
        ),
        (
            "a control byte in a header",
            "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{1}b\r\n\r\n".into(),
            vec![400],
        ),
        (
            "no Host",
            format!("GET {team} HTTP/1.1\r\nConnection: close\r\n\r\n"),
            vec![200],
        ),
        (
            "two Hosts",
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n".into(),
            vec![400],
        ),
        (
            "headers too large",
            format!(
                "GET / HTTP/1.1\r\nHost: a\r\nX: {}\r\n\r\n",
                "a".repeat(20_000)
            ),
            vec![431],
        ),
        (
            "too many headers",
            format!(
                "GET / HTTP/1.1\r\nHost: a\r\n{}\r\n",
                "X: a\r\n".repeat(200)
            ),
            vec![431],
        ),
        (
            "a link too long",
            format!("GET /r/{} HTTP/1.1\r\nHost: a\r\n\r\n", "a".repeat(9000)),
            vec![414],
        ),
        (
            "a huge link",
            format!("GET /r/{} HTTP/1.1\r\nHost: a\r\n\r\n", "a".repeat(100_000)),
            vec![431],
        ),
        ("HTTP/0.9", "GET /\r\n\r\n".into(), vec![400]),
        (
            "HTTP/1.2",
            "GET / HTTP/1.2\r\nHost: a\r\n\r\n".into(),
            vec![505],
        ),
        (
            "the HTTP/2 preface",
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".into(),
            vec![505],
        ),
        (
            "garbage",
            "\u{16}\u{3}\u{1}\u{0}\u{a5}\r\n\r\n".into(),
            vec![400],
        ),
        (
            "CONNECT",
            "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n".into(),
            vec![400],
        ),
        (
            "a bad Content-Length",
            format!("POST {team} HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n"),
            vec![400],
        ),
        (
            "a negative Content-Length",
            format!("POST {team} HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n"),
            vec![400],
        ),
        (
            "two Content-Lengths",
            format!(
                "POST {team} HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"
            ),
            vec![400],
        ),
        (
            "a length and chunked",
            format!(
                "POST {team} HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
            ),
            vec![400],
        ),
        (
            "an unknown coding",
            format!(
                "POST {team} HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked, x\r\n\r\n"
            ),
            vec![400],
        ),
        (
            "a length over 64 KiB",
            format!(
                "POST {team} HTTP/1.1\r\nHost: a\r\n{form}Content-Length: 100000\r\n\r\nname=x"
            ),
            vec![413],
        ),
        (
            "invalid chunks",
            format!(
                "POST {team} HTTP/1.1\r\nHost: a\r\n{form}Transfer-Encoding: chunked\r\n\r\nzz\r\nname=x\r\n0\r\n\r\n"
            ),
            vec![400],
        ),
        (
            "a chunk too short",
            format!(
                "POST {team} HTTP/1.1\r\nHost: a\r\n{form}Transfer-Encoding: chunked\r\n\r\n3\r\nname=x\r\n0\r\n\r\n"
            ),
            vec![400],
        ),
        (
            "100-continue",
            format!(
                "POST {team} HTTP/1.1\r\nHost: a\r\n{form}Expect: 100-continue\r\nContent-Length: 6\r\nConnection: close\r\n\r\nname=x"
            ),
            vec![403],
        ),
        (
            "PUT",
            format!("PUT {team} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"),
            vec![405],
        ),
        (
            "DELETE",
            format!("DELETE {team} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"),
            vec![405],
        ),
        (
            "HEAD",
            format!("HEAD {team} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"),
            vec![200],
        ),
        (
            "the absolute form",
            format!("GET http://a{team} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"),
            vec![200],
        ),
        (
            "HTTP/1.0",
            format!("GET {team} HTTP/1.0\r\n\r\n"),
            vec![200],
        ),
        (
            "empty lines first",
            format!("\r\n\r\nGET {team} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"),
            vec![200],
        ),
        (
            "bare newlines",
            format!("GET {team} HTTP/1.1\nHost: a\nConnection: close\n\n"),
            vec![200],
        ),
        (
            "trailers",
            format!(
                "POST {team} HTTP/1.1\r\nHost: a\r\n{form}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n6;x=y\r\nname=x\r\n0\r\nX-Trailer: 1\r\n\r\n"
            ),
            vec![403],
        ),
        (
            "a good request, then a bad one",
            format!("GET {team} HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1 x\r\n\r\n"),
            vec![200, 400],
        ),
        (
            "two good requests, then too large",
            format!(
                "GET {team} HTTP/1.1\r\nHost: a\r\n\r\nHEAD {team} HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nX: {}\r\n\r\n",
                "a".repeat(20_000)
            ),
            vec![200, 200, 431],
        ),
    ];
    // A chunked body over 64 KiB: the page says 413.
    let mut chunked =
        format!("POST {team} HTTP/1.1\r\nHost: a\r\n{form}Transfer-Encoding: chunked\r\n\r\n");
    for _ in 0..20 {
        chunked.push_str(&format!("1000\r\n{}\r\n", "x".repeat(4096)));
    }
    chunked.push_str("0\r\n\r\n");
    let mut cases = cases;
    cases.push(("chunks over 64 KiB", chunked, vec![413]));
    for (what, request, expected) in &cases {
        let text = raw(addr, request.as_bytes()).await;
        assert_eq!(&statuses(&text), expected, "{what}: {text}");
        assert!(
            !text.contains("HTTP/1.1 100"),
            "{what}: no bare 100 Continue"
        );
    }
    // A client that sends 10 MB anyway reads its 413 (the server reads on before it closes).
    let r = client()
        .post(server.team_url().unwrap())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![b'x'; 10 << 20])
        .send()
        .await
        .expect("the 413 arrives");
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    // A head that never ends, sent as fast as the server reads it.
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: a\r\nX: ")
        .await
        .unwrap();
    for _ in 0..40 {
        if s.write_all(&[b'a'; 1024]).await.is_err() {
            break;
        }
    }
    let text = read_all(&mut s, Duration::from_secs(5)).await;
    assert_eq!(statuses(&text), vec![431], "{text}");
    // The server goes on.
    let (status, _) = fetch(addr, "GET", &team).await;
    assert_eq!(status, 200);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_tls_a_bad_request_gets_our_headers_too() {
    use tokio_rustls::rustls;
    let dir = tempfile::tempdir().unwrap();
    let (config, connector) = tls_setup(dir.path());
    let server = serve::start(config).await.unwrap();
    for (request, expected) in [
        (
            "GET / HTTP/1.1 x\r\nHost: localhost\r\n\r\n".to_string(),
            400,
        ),
        (
            format!(
                "GET / HTTP/1.1\r\nHost: localhost\r\nX: {}\r\n\r\n",
                "a".repeat(20_000)
            ),
            431,
        ),
        (
            "GET /r/x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".to_string(),
            404,
        ),
    ] {
        let tcp = TcpStream::connect(server.addr).await.unwrap();
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        let mut tls = connector.connect(name, tcp).await.unwrap();
        tls.write_all(request.as_bytes()).await.unwrap();
        let text = read_all(&mut tls, Duration::from_secs(5)).await;
        assert_eq!(statuses(&text), vec![expected], "{text}");
    }
    server.shutdown().await;
}

/// Holds a connection open by sending bytes now and then (never more than `every` apart).
async fn trickle<S: AsyncWrite + AsyncRead + Unpin>(s: &mut S, bytes: &[u8], every: Duration) {
    for b in bytes {
        if s.write_all(&[*b]).await.is_err() {
            return;
        }
        tokio::time::sleep(every).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_idle_connections_are_closed_on_their_own_clocks() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        header: Duration::from_secs(1),
        body: Duration::from_secs(2),
        idle: Duration::from_secs(5),
        ..Limits::default()
    };
    let server = start_with(dir.path(), None, limits).await;
    let addr = server.addr;
    let team = path_of(&server.team_url().unwrap());
    let form = "Content-Type: application/x-www-form-urlencoded\r\n";
    let silent = async {
        // A new connection that says nothing is closed on the header clock, not the idle one.
        let mut s = TcpStream::connect(addr).await.unwrap();
        let t = Instant::now();
        let text = read_all(&mut s, Duration::from_secs(15)).await;
        assert!(text.is_empty(), "{text}");
        assert!(
            t.elapsed() < Duration::from_millis(4500),
            "{:?}",
            t.elapsed()
        );
    };
    let kept_alive = async {
        // Between two requests a connection may wait longer than the header clock...
        let mut s = TcpStream::connect(addr).await.unwrap();
        let request = format!("GET {team} HTTP/1.1\r\nHost: a\r\n\r\n");
        s.write_all(request.as_bytes()).await.unwrap();
        assert_eq!(statuses(&read_response(&mut s).await), vec![200]);
        tokio::time::sleep(Duration::from_millis(2500)).await;
        s.write_all(request.as_bytes()).await.unwrap();
        assert_eq!(statuses(&read_response(&mut s).await), vec![200]);
        // ...and is closed once idle for the idle time.
        let t = Instant::now();
        let text = read_all(&mut s, Duration::from_secs(20)).await;
        assert!(text.is_empty(), "{text}");
        let waited = t.elapsed();
        assert!(
            waited >= Duration::from_secs(4) && waited < Duration::from_secs(15),
            "{waited:?}"
        );
    };
    let slow_head = async {
        // A head that stops halfway gets 408 on the header clock.
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET / HTTP/1.1\r\nHost: a\r\n").await.unwrap();
        let t = Instant::now();
        let text = read_all(&mut s, Duration::from_secs(15)).await;
        assert_eq!(statuses(&text), vec![408], "{text}");
        assert!(
            t.elapsed() < Duration::from_millis(4500),
            "{:?}",
            t.elapsed()
        );
    };
    let trickled_head = async {
        // A head sent a byte at a time is cut off on the header clock all the same.
        let mut s = TcpStream::connect(addr).await.unwrap();
        let t = Instant::now();
        trickle(
            &mut s,
            &b"GET / HTTP/1.1\r\nX: ".repeat(10),
            Duration::from_millis(100),
        )
        .await;
        let text = read_all(&mut s, Duration::from_secs(15)).await;
        assert!(t.elapsed() < Duration::from_secs(8), "{:?}", t.elapsed());
        assert!(statuses(&text).iter().all(|&s| s == 408), "{text}");
    };
    let slow_body = async {
        // A body that stops halfway gets 408 on the body clock.
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(
            format!("POST {team} HTTP/1.1\r\nHost: a\r\n{form}Content-Length: 100\r\n\r\nname=A")
                .as_bytes(),
        )
        .await
        .unwrap();
        let t = Instant::now();
        let text = read_all(&mut s, Duration::from_secs(15)).await;
        assert_eq!(statuses(&text), vec![408], "{text}");
        assert!(t.elapsed() < Duration::from_secs(6), "{:?}", t.elapsed());
    };
    let trickled_body = async {
        // So does a body sent a byte at a time, though bytes keep coming.
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(
            format!("POST {team} HTTP/1.1\r\nHost: a\r\n{form}Content-Length: 100\r\n\r\n")
                .as_bytes(),
        )
        .await
        .unwrap();
        let t = Instant::now();
        trickle(&mut s, &[b'x'; 60], Duration::from_millis(100)).await;
        let text = read_all(&mut s, Duration::from_secs(15)).await;
        assert!(t.elapsed() < Duration::from_secs(8), "{:?}", t.elapsed());
        assert!(statuses(&text).iter().all(|&s| s == 408), "{text}");
    };
    tokio::join!(
        silent,
        kept_alive,
        slow_head,
        trickled_head,
        slow_body,
        trickled_body
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        idle: Duration::from_secs(2),
        ..Limits::default()
    };
    let server = start_with(dir.path(), None, limits).await;
    let team = path_of(&server.team_url().unwrap());
    let s = TcpStream::connect(server.addr).await.unwrap();
    let (mut reader, mut writer) = s.into_split();
    // Far more pages than the socket buffers hold, asked for at once and not read.
    let asked = 4000;
    let request = format!("GET {team} HTTP/1.1\r\nHost: a\r\n\r\n").repeat(asked);
    let sending = tokio::spawn(async move {
        let _ = writer.write_all(request.as_bytes()).await;
        writer
    });
    tokio::time::sleep(Duration::from_secs(6)).await;
    // Meanwhile, others are served.
    assert_eq!(fetch(server.addr, "GET", &team).await.0, 200);
    let t = Instant::now();
    let mut got = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(30), reader.read_to_end(&mut got)).await;
    assert!(
        t.elapsed() < Duration::from_secs(25),
        "the connection was closed"
    );
    let text = String::from_utf8_lossy(&got);
    let served = text.matches("HTTP/1.1 200").count();
    assert!(served < asked, "cut off after {served} pages");
    drop(sending);
    server.shutdown().await;
}

/// A connection from another loopback address (Linux answers on all of 127/8).
async fn connect_from(ip: &str, addr: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind(format!("{ip}:0").parse().unwrap())?;
    socket.connect(addr).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_slow_connections_from_one_client_does_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        connections: 16,
        per_client: 4,
        ..Limits::default()
    };
    let server = start_with(dir.path(), None, limits).await;
    let addr = server.addr;
    let team = path_of(&server.team_url().unwrap());
    let get_team = format!("GET {team} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    // Slowloris: 40 connections (more than the server has), each with half a head.
    let mut held = Vec::new();
    for _ in 0..40 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        let _ = s.write_all(b"GET / HTTP/1.1\r\nHost: a\r\n").await;
        held.push(s);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The same client's next real request is served at once: its oldest slow connection made
    // room. So is another client's.
    let t = Instant::now();
    let text = raw(addr, get_team.as_bytes()).await;
    assert_eq!(statuses(&text), vec![200], "{text}");
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    if let Ok(mut other) = connect_from("127.0.0.2", addr).await {
        let t = Instant::now();
        other.write_all(get_team.as_bytes()).await.unwrap();
        let text = read_all(&mut other, Duration::from_secs(5)).await;
        assert_eq!(statuses(&text), vec![200], "{text}");
        assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    }
    // The flood's oldest connections were let go, without a response (they asked nothing).
    let mut closed = 0;
    for s in &mut held {
        let mut buf = [0u8; 64];
        if let Ok(Ok(0) | Err(_)) =
            tokio::time::timeout(Duration::from_millis(50), s.read(&mut buf)).await
        {
            closed += 1;
        }
    }
    assert!(closed >= 40 - 16, "{closed} closed");
    drop(held);
    // Connections that hold a request each (kept alive) are not let go: beyond its share,
    // the client's new ones are refused with a page that has the headers...
    let mut alive = Vec::new();
    let mut refused = 0;
    for _ in 0..16 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(format!("GET {team} HTTP/1.1\r\nHost: a\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let text = read_response(&mut s).await;
        match statuses(&text)[..] {
            [200] => alive.push(s),
            [429] => refused += 1,
            _ => panic!("{text}"),
        }
    }
    // Seven eighths of 16 is 14: from there on, this client is beyond its share.
    assert!(refused >= 16 - 14, "{refused} refused");
    // ...while another client is still served.
    if let Ok(mut other) = connect_from("127.0.0.2", addr).await {
        other.write_all(get_team.as_bytes()).await.unwrap();
        let text = read_all(&mut other, Duration::from_secs(5)).await;
        assert_eq!(statuses(&text), vec![200], "{text}");
    }
    drop(alive);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(fetch(addr, "GET", &team).await.0, 200);
    server.shutdown().await;
}

/// The same flood over TLS, of connections that never even start the handshake: they too are
/// let go for the client's next real request (they were "let go" but left open, so the flood
/// kept every slot until the handshake clock ran out).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_silent_tls_connections_does_not_stop_the_others() {
    use tokio_rustls::rustls;
    let dir = tempfile::tempdir().unwrap();
    let (mut config, connector) = tls_setup(dir.path());
    config.limits = Limits {
        connections: 16,
        per_client: 4,
        ..Limits::default()
    };
    let server = serve::start(config).await.unwrap();
    let mut held = Vec::new();
    for _ in 0..40 {
        held.push(TcpStream::connect(server.addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let t = Instant::now();
    let text = tokio::time::timeout(Duration::from_secs(5), async {
        let tcp = TcpStream::connect(server.addr).await.unwrap();
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        let mut tls = connector.connect(name, tcp).await.unwrap();
        tls.write_all(b"GET /r/x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        read_all(&mut tls, Duration::from_secs(5)).await
    })
    .await
    .unwrap_or_else(|_| panic!("no answer within 5 s: the flood holds every slot"));
    assert_eq!(statuses(&text), vec![404], "{text}");
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    drop(held);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_way_of_guessing_a_link_is_a_404_that_counts() {
    let dir = tempfile::tempdir().unwrap();
    let team = team_file(dir.path(), &["Helen Carter", "Dev Patel"]);
    let server = start(dir.path(), Some(&team)).await;
    let addr = server.addr;
    let s = secret_of(&link_of(&server, "Dev Patel"));
    let o = secret_of(&server.owner_url());
    let guesses = [
        "/r/AAAAAAAAAAAAAAAAAAAAAAAA".to_string(),
        format!("/r/{s}/"),
        format!("/r/{}", s.to_uppercase()),
        format!("/r/{s}x"),
        format!("/r/{s}/../"),
        format!("//r/{s}"),
        format!("/r/{}", "%41".repeat(24)),
        "/r/%FF%FE%FDAAAAAAAAAAAAAAAAAAAAAA".to_string(),
        format!("/r/{}", "A".repeat(3000)),
        format!("/r/{}", &s[..s.len() - 1]),
        format!("/o/{s}"),
        format!("/r/{o}"),
        format!("/t/{o}"),
        "/r/AAAAAAAAAAAAAAAAAAAAAAAA?x=1".to_string(),
        format!("/R/{s}"),
        format!("/r/{s}%20"),
        "/r/..%2F..%2F.selfaudit-links".to_string(),
        "/.selfaudit-links".to_string(),
        format!("/r/{s}/q/1/../../../o/{o}"),
        format!("/o/{o}/"),
    ];
    let mut bodies = std::collections::HashSet::new();
    for g in &guesses {
        let (status, text) = fetch(addr, "GET", g).await;
        assert_eq!(status, 404, "{g}: {text}");
        assert!(!text.contains(&s) && !text.contains(&o), "{g}");
        bodies.insert(text.split("\r\n\r\n").nth(1).unwrap().to_string());
    }
    assert_eq!(bodies.len(), 1, "every wrong link gets the same page");
    // Twenty misses: the next guess, of any shape, is limited...
    let (status, _) = fetch(addr, "GET", &format!("/r/{}", "%FF".repeat(8))).await;
    assert_eq!(status, 429);
    let (status, _) = fetch(addr, "POST", "/t/AAAAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!(status, 429);
    // ...while the right links from the same client still work.
    assert_eq!(fetch(addr, "GET", &format!("/r/{s}")).await.0, 200);
    assert_eq!(fetch(addr, "GET", &format!("/o/{o}")).await.0, 200);
    server.shutdown().await;
}

/// A form POST with the given headers and body, over its own connection.
async fn send_form(addr: SocketAddr, path: &str, headers: &str, body: &[u8]) -> (u16, String) {
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{headers}Content-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    let text = raw(addr, &request).await;
    let statuses = statuses(&text);
    assert_eq!(statuses.len(), 1, "{text}");
    (statuses[0], text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_forms_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let team = team_file(dir.path(), &["Helen Carter", "Dev Patel"]);
    let server = start(dir.path(), Some(&team)).await;
    let addr = server.addr;
    let c = client();
    let link = link_of(&server, "Dev Patel");
    let path = path_of(&format!("{link}/q/1"));
    let token = get(&c, &format!("{link}/q/1")).await.csrf();
    let helens = get(&c, &format!("{}/q/1", link_of(&server, "Helen Carter")))
        .await
        .csrf();
    // The same name's token under another server's links (another period's, or an old one).
    let elsewhere = tempfile::tempdir().unwrap();
    let team2 = team_file(elsewhere.path(), &["Helen Carter", "Dev Patel"]);
    let other_server = start(elsewhere.path(), Some(&team2)).await;
    let old = get(&c, &format!("{}/q/1", link_of(&other_server, "Dev Patel")))
        .await
        .csrf();
    other_server.shutdown().await;
    let form = "Content-Type: application/x-www-form-urlencoded\r\n";
    let own = format!("Origin: http://{addr}\r\n");
    let good = format!("csrf={token}&a=c0");
    let many = format!("{}csrf={token}&a=c0", "x=1&".repeat(15_000));
    let cases: Vec<(&str, String, Vec<u8>, u16)> = vec![
        ("no token", form.to_string(), b"a=c0".to_vec(), 403),
        (
            "an empty token",
            form.to_string(),
            b"csrf=&a=c0".to_vec(),
            403,
        ),
        (
            "another person's token",
            form.to_string(),
            format!("csrf={helens}&a=c0").into_bytes(),
            403,
        ),
        (
            "an old token",
            form.to_string(),
            format!("csrf={old}&a=c0").into_bytes(),
            403,
        ),
        (
            "a wrong token first",
            form.to_string(),
            format!("csrf=x&csrf={token}&a=c0").into_bytes(),
            403,
        ),
        (
            "a foreign origin",
            format!("{form}Origin: http://evil.example\r\n"),
            good.clone().into_bytes(),
            403,
        ),
        (
            "a look-alike origin",
            format!("{form}Origin: http://{addr}.evil.example\r\n"),
            good.clone().into_bytes(),
            403,
        ),
        (
            "an origin with user info",
            format!("{form}Origin: http://{addr}@evil.example\r\n"),
            good.clone().into_bytes(),
            403,
        ),
        (
            "our page as referer, a foreign origin",
            format!("{form}Origin: http://evil.example\r\nReferer: http://{addr}{path}\r\n"),
            good.clone().into_bytes(),
            403,
        ),
        (
            "two origins",
            format!("{form}Origin: http://evil.example\r\n{own}"),
            good.clone().into_bytes(),
            403,
        ),
        (
            "JSON",
            format!("Content-Type: application/json\r\n{own}"),
            format!("{{\"csrf\":\"{token}\",\"a\":\"c0\"}}").into_bytes(),
            415,
        ),
        (
            "text/plain",
            "Content-Type: text/plain\r\n".to_string(),
            good.clone().into_bytes(),
            415,
        ),
        (
            "multipart",
            "Content-Type: multipart/form-data; boundary=x\r\n".to_string(),
            format!(
                "--x\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n--x--\r\n"
            )
            .into_bytes(),
            415,
        ),
        (
            "no content type",
            String::new(),
            good.clone().into_bytes(),
            415,
        ),
        (
            "a method override",
            format!("{form}X-HTTP-Method-Override: PUT\r\n"),
            b"_method=PUT&a=c0".to_vec(),
            403,
        ),
        (
            "15,000 fields without a token",
            form.to_string(),
            "x=1&".repeat(15_000).into_bytes(),
            403,
        ),
    ];
    let partial = folder(dir.path()).join("dev-patel.toml.partial");
    for (what, headers, body, expected) in &cases {
        let (status, text) = send_form(addr, &path, headers, body).await;
        assert_eq!(status, *expected, "{what}: {text}");
        assert!(!partial.exists(), "{what}: nothing refused is saved");
    }
    // Question numbers that are none: back to the start, never an error.
    for n in [
        "0",
        "-1",
        "22",
        "99999999999999999999999",
        "1.5",
        "1%2F..%2F..",
    ] {
        let (status, text) =
            fetch(addr, "GET", &format!("{}/{n}", path.trim_end_matches("/1"))).await;
        assert_eq!(status, 303, "{n}: {text}");
        let (status, _) = send_form(
            addr,
            &format!("{}/{n}", path.trim_end_matches("/1")),
            form,
            good.as_bytes(),
        )
        .await;
        assert_eq!(status, 303, "{n}");
    }
    // One that cannot be read at all reads as a wrong link.
    let bad = format!("{}/%FF", path.trim_end_matches("/1"));
    assert_eq!(fetch(addr, "GET", &bad).await.0, 404);
    assert!(!partial.exists());
    // GET with the form's fields in the query changes nothing.
    let (status, _) = fetch(addr, "GET", &format!("{path}?csrf={token}&a=c0")).await;
    assert_eq!(status, 200);
    assert!(!partial.exists());
    // A valid token with our own origin, none, or `null` is accepted; so are many fields
    // and a second `a` (the first counts).
    for (headers, body) in [
        (format!("{form}{own}"), good.clone()),
        (form.to_string(), good.clone()),
        (format!("{form}Origin: null\r\n"), good.clone()),
        (form.to_string(), many),
        (form.to_string(), format!("csrf={token}&a=c1&a=c0")),
    ] {
        let (status, text) = send_form(addr, &path, &headers, body.as_bytes()).await;
        assert_eq!(status, 303, "{headers}: {text}");
    }
    assert!(partial.exists());
    // A note that is not UTF-8 is data, not an error.
    let note = path_of(&format!("{link}/q/1/note"));
    let (status, text) = send_form(
        addr,
        &note,
        form,
        format!("csrf={token}&a=save&note=%FF%FE%00ok").as_bytes(),
    )
    .await;
    assert!(status == 303 || status == 422, "{text}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_that_collide_or_look_like_paths_take_nothing_over() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), None).await;
    let c = client();
    let team = server.team_url().unwrap();
    let token = get(&c, &team).await.csrf();
    let join = |name: &'static str| {
        let c = c.clone();
        let team = team.clone();
        let token = token.clone();
        async move { post(&c, &team, &[("csrf", &token), ("name", name)]).await }
    };
    let ann = join("Ann Lee").await;
    assert_eq!(ann.status, StatusCode::SEE_OTHER);
    let ann = format!(
        "{}{}",
        server.base,
        ann.location().trim_end_matches("?new=1")
    );
    answer(&c, &ann, 1, "c0").await;
    let before = std::fs::read_to_string(folder(dir.path()).join("ann-lee.toml.partial")).unwrap();
    for same in [
        "ann lee",
        "ANN LEE",
        "  Ann   Lee ",
        "Ann\u{200B} Lee",
        "Ann\u{00A0}Lee",
        "Ann\tLee",
        "Ann-Lee",
        "Ann.Lee!",
    ] {
        let r = join(same).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{same:?}: {}", r.body);
        assert_safe_headers(&r);
    }
    assert_eq!(join("José").await.status, StatusCode::SEE_OTHER);
    assert_eq!(join("Jose\u{301}").await.status, StatusCode::CONFLICT);
    // Answers written in a terminal belong to someone.
    std::fs::write(folder(dir.path()).join("carl.toml"), "not mine").unwrap();
    assert_eq!(join("Carl").await.status, StatusCode::CONFLICT);
    // After a restart (the team link takes 20 names a minute from one device): path-like,
    // reserved, empty, long and control-character names get a link or a refusal, never a file
    // outside the folder, never an error.
    server.shutdown().await;
    let server = start(dir.path(), None).await;
    let team = server.team_url().unwrap();
    let join = |name: &'static str| {
        let c = c.clone();
        let team = team.clone();
        let token = token.clone();
        async move { post(&c, &team, &[("csrf", &token), ("name", name)]).await }
    };
    let long: &'static str = "x".repeat(100).leak();
    let longer: &'static str = "y".repeat(101).leak();
    for name in [
        "../x",
        "a/b",
        "..",
        "/etc/passwd",
        ".selfaudit-links",
        "con",
        "nul.txt",
        long,
        longer,
        "",
        "   ",
        "\u{0}\u{1}\u{1b}[31mred",
        "\u{202E}evil",
        "\u{200B}",
    ] {
        let r = join(name).await;
        assert!(
            [303, 409, 422].contains(&r.status.as_u16()),
            "{name:?}: {} {}",
            r.status,
            r.body
        );
        assert_safe_headers(&r);
    }
    assert_eq!(
        std::fs::read_to_string(folder(dir.path()).join("ann-lee.toml.partial")).unwrap(),
        before,
        "Ann's progress is untouched"
    );
    let mut names: Vec<String> = std::fs::read_dir(folder(dir.path()))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            assert!(e.file_type().unwrap().is_file(), "{:?}", e.path());
            e.file_name().to_string_lossy().into_owned()
        })
        .collect();
    names.sort();
    assert!(
        names.iter().all(|n| n == ".selfaudit-links"
            || (n.ends_with(".toml") || n.contains(".toml."))
                && !n.starts_with('.')
                && n.chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '.')),
        "{names:?}"
    );
    let outside: Vec<_> = std::fs::read_dir(dir.path().join("responses"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(outside, vec![std::ffi::OsString::from(PERIOD)]);
    // The owner's secret and the team's are no respondent's, and the reverse.
    let o = secret_of(&server.owner_url());
    let t = secret_of(&team);
    let a = secret_of(&ann);
    for p in [
        format!("/r/{o}"),
        format!("/r/{t}"),
        format!("/o/{a}"),
        format!("/o/{t}"),
        format!("/t/{a}"),
    ] {
        assert_eq!(fetch(server.addr, "GET", &p).await.0, 404, "{p}");
    }
    server.shutdown().await;
    // The links file still reads, and every link still works after a restart.
    let again = start(dir.path(), None).await;
    assert_eq!(get(&c, &format!("{}/r/{a}", again.base)).await.status, 200);
    again.shutdown().await;
}

/// Checks that a page is well-formed where it matters: no script, no event handler, no
/// `javascript:` link, at most one text area, and every form posts to its own page.
fn assert_inert(what: &str, html: &str) {
    let doc = scraper::Html::parse_document(html);
    let all = scraper::Selector::parse("*").unwrap();
    for el in doc.select(&all) {
        let name = el.value().name();
        assert!(
            !matches!(
                name,
                "script" | "iframe" | "frame" | "object" | "embed" | "base"
            ),
            "{what}: a <{name}> element: {html}"
        );
        assert!(
            name != "meta" || el.value().attr("http-equiv").is_none(),
            "{what}: {html}"
        );
        for (attr, value) in el.value().attrs() {
            assert!(!attr.starts_with("on"), "{what}: {attr}={value}");
            let v = value.trim().to_ascii_lowercase();
            assert!(
                !v.starts_with("javascript:") && !v.starts_with("data:text"),
                "{what}: {attr}={value}"
            );
            if attr == "style" {
                assert!(!value.contains("url("), "{what}: {value}");
            }
        }
    }
    let areas = scraper::Selector::parse("textarea").unwrap();
    assert!(doc.select(&areas).count() <= 1, "{what}");
    let styles = scraper::Selector::parse("style").unwrap();
    assert!(doc.select(&styles).count() <= 1, "{what}: one style sheet");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_names_and_notes_break_no_page_and_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), None).await;
    let c = client();
    let team = server.team_url().unwrap();
    let token = get(&c, &team).await.csrf();
    let name = "</title><script>alert(1)</script>\"'><img src=x onerror=alert(2)> \u{202E}😀";
    let r = post(&c, &team, &[("csrf", &token), ("name", name)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let link = format!("{}{}", server.base, r.location().trim_end_matches("?new=1"));
    let notes = [
        "</textarea><script>alert(3)</script>",
        "\"><svg onload=alert(4)>",
        "javascript:alert(5)",
        "<style>body{display:none}</style><a href=\"javascript:alert(6)\">x</a>",
        "{{ 7*7 }} {% if 1 %}x{% endif %}",
        "a\u{0}b\u{7}c\u{1b}[31md\r\ne",
        "😀 \u{202E}tfel-ot-thgir \u{200F}",
    ];
    let mut n = 1;
    let mut pages = Vec::new();
    while n <= 21 {
        let to = answer(&c, &link, n, "c0").await;
        if to.contains("/note") {
            let url = format!("{}{to}", server.base);
            let page = get(&c, &url).await;
            let note = notes[n % notes.len()];
            let r = post(
                &c,
                &url,
                &[("csrf", &page.csrf()), ("a", "save"), ("note", note)],
            )
            .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            pages.push(get(&c, &url).await);
            if n == 1 {
                // Too long a note comes back on its page, escaped, and is not saved.
                let big = format!("{}{}", notes[0], "x".repeat(60 * 1024));
                let r = post(
                    &c,
                    &url,
                    &[("csrf", &page.csrf()), ("a", "save"), ("note", &big)],
                )
                .await;
                assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
                assert_safe_headers(&r);
                pages.push(r);
            }
        }
        n += 1;
    }
    pages.push(get(&c, &link).await);
    pages.push(get(&c, &format!("{link}/q/1")).await);
    let review = get(&c, &format!("{link}/review")).await;
    let r = post(&c, &format!("{link}/submit"), &[("csrf", &review.csrf())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    pages.push(review);
    pages.push(get(&c, &link).await);
    let owner = server.owner_url();
    pages.push(get(&c, &owner).await);
    pages.push(get(&c, &format!("{owner}/report")).await);
    pages.push(get(&c, &format!("{owner}/invitations")).await);
    for (i, p) in pages.iter().enumerate() {
        assert!(p.status.is_success() || p.status == StatusCode::UNPROCESSABLE_ENTITY);
        assert_safe_headers(p);
        assert_inert(&format!("page {i}"), &p.body);
        assert!(
            !p.body.contains('\u{202E}') && !p.body.contains('\u{0}'),
            "page {i}"
        );
    }
    // The responses file is valid and `report` reads it, in every format.
    for format in ["json", "markdown", "html"] {
        let out = assert_cmd::Command::cargo_bin("selfaudit")
            .unwrap()
            .args(["report", "--format", format])
            .arg(folder(dir.path()))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if format == "html" {
            assert_inert("report", &String::from_utf8_lossy(&out.stdout));
        }
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_files_give_a_page_and_the_others_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let team = team_file(
        dir.path(),
        &["Helen Carter", "Dev Patel", "Eve Ng", "Finn Ode"],
    );
    let server = start(dir.path(), Some(&team)).await;
    let c = client();
    let f = folder(dir.path());
    let links: Vec<String> = ["Dev Patel", "Eve Ng", "Finn Ode"]
        .iter()
        .map(|n| link_of(&server, n))
        .collect();
    for l in &links {
        answer(&c, l, 1, "c0").await;
    }
    // Dev's progress is garbage; Eve's is a folder; Finn's a link to a file outside.
    std::fs::write(f.join("dev-patel.toml.partial"), "\u{0}garbage = [").unwrap();
    std::fs::remove_file(f.join("eve-ng.toml.partial")).unwrap();
    std::fs::create_dir(f.join("eve-ng.toml.partial")).unwrap();
    std::fs::remove_file(f.join("finn-ode.toml.partial")).unwrap();
    let outside = dir.path().join("outside.txt");
    std::fs::write(&outside, "keep").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, f.join("finn-ode.toml.partial")).unwrap();
    let token = get(&c, &format!("{}/q/1", link_of(&server, "Helen Carter")))
        .await
        .csrf();
    for l in &links {
        for p in [
            get(&c, l).await,
            get(&c, &format!("{l}/q/2")).await,
            get(&c, &format!("{l}/review")).await,
        ] {
            assert!(
                p.status.is_client_error() || p.status.is_server_error(),
                "{l}: {}",
                p.body
            );
            assert_safe_headers(&p);
            assert!(p.body.contains("<main"), "a whole page: {}", p.body);
        }
        // Their tokens are their own; the form is refused or fails as a page.
        let csrf = selfaudit_token(&c, l).await.unwrap_or(token.clone());
        let r = post(&c, &format!("{l}/q/2"), &[("csrf", &csrf), ("a", "c0")]).await;
        assert_ne!(r.status, StatusCode::SEE_OTHER, "{l}");
        assert_safe_headers(&r);
    }
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "keep");
    assert!(f.join("eve-ng.toml.partial").is_dir());
    // Helen goes on, and the owner's pages work.
    let helen = link_of(&server, "Helen Carter");
    for n in 1..=3 {
        answer(&c, &helen, n, "c1").await;
    }
    let owner = server.owner_url();
    assert_eq!(get(&c, &owner).await.status, StatusCode::OK);
    assert_eq!(
        get(&c, &format!("{owner}/report")).await.status,
        StatusCode::OK
    );
    server.shutdown().await;
}

/// The form token of a link's first question, when its page can be read.
async fn selfaudit_token(c: &reqwest::Client, link: &str) -> Option<String> {
    let p = get(c, &format!("{link}/q/1")).await;
    p.body.contains("name=\"csrf\"").then(|| p.csrf())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_links_file_fails_one_join_not_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), None).await;
    let c = client();
    let team = server.team_url().unwrap();
    let token = get(&c, &team).await.csrf();
    let r = post(&c, &team, &[("csrf", &token), ("name", "Ann")]).await;
    let ann = format!("{}{}", server.base, r.location().trim_end_matches("?new=1"));
    let links = folder(dir.path()).join(".selfaudit-links");
    std::fs::remove_file(&links).unwrap();
    std::fs::create_dir(&links).unwrap();
    let r = post(&c, &team, &[("csrf", &token), ("name", "Bo")]).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
    assert_safe_headers(&r);
    // Bo got no link that would not last; Ann goes on.
    assert_eq!(get(&c, &team).await.status, StatusCode::OK);
    answer(&c, &ann, 1, "c0").await;
    server.shutdown().await;
}

#[test]
fn no_secret_reaches_the_log() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let port = super::serve::free_port();
    let err = std::fs::File::create(dir.path().join("stderr")).unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("selfaudit"))
        .args(["serve", "--period", PERIOD, "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--responses")
        .arg(dir.path().join("responses"))
        .stdout(std::process::Stdio::piped())
        .stderr(err)
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut urls = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(at) = line.find("http://") {
            urls.push(line[at..].trim().to_string());
        }
        if line.starts_with("Stop with Ctrl-C") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    let owner = urls.iter().find(|u| u.contains("/o/")).unwrap().clone();
    let team = urls.iter().find(|u| u.contains("/t/")).unwrap().clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let c = client();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let token = get(&c, &team).await.csrf();
        let mut people = Vec::new();
        for name in ["Ann Lee", "Bo <b>", "Cy\u{1b}[2J"] {
            let r = post(&c, &team, &[("csrf", &token), ("name", name)]).await;
            people.push(format!(
                "http://127.0.0.1:{port}{}",
                r.location().trim_end_matches("?new=1")
            ));
        }
        for l in &people {
            answer(&c, l, 1, "c0").await;
        }
        // Errors of every kind: a broken progress file, wrong links, bad requests, a submit.
        let f = folder(dir.path());
        std::fs::write(f.join("ann-lee.toml.partial"), "garbage = [").unwrap();
        get(&c, &people[0]).await;
        get(&c, &format!("{}/q/2", people[0])).await;
        for p in [
            format!("/r/{}x", secret_of(&people[1])),
            format!("/o/{}/", secret_of(&owner)),
        ] {
            fetch(addr, "GET", &p).await;
        }
        raw(
            addr,
            format!("GET /r/{} HTTP/1.1 x\r\n\r\n", secret_of(&people[1])).as_bytes(),
        )
        .await;
        let review = get(&c, &format!("{}/review", people[1])).await;
        post(
            &c,
            &format!("{}/submit", people[1]),
            &[("csrf", &review.csrf())],
        )
        .await;
        get(&c, &format!("{owner}/report")).await;
    });
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
    let log = std::fs::read_to_string(dir.path().join("stderr")).unwrap();
    assert!(log.contains("joined"), "{log}");
    let links = std::fs::read_to_string(folder(dir.path()).join(".selfaudit-links")).unwrap();
    let secrets: Vec<&str> = links
        .lines()
        .filter_map(|l| l.split_once(" = \"").map(|(_, v)| v.trim_end_matches('"')))
        .filter(|v| v.len() >= 22 && !v.contains(' '))
        .collect();
    assert!(secrets.len() >= 6, "{links}");
    for s in secrets {
        assert!(!log.contains(s), "a secret in the log: {log}");
    }
    assert!(!log.contains('\u{1b}'), "{log:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_links_file_stops_the_start_with_a_clear_message_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(folder(dir.path())).unwrap();
    let links = folder(dir.path()).join(".selfaudit-links");
    for text in [
        "garbage = [".to_string(),
        "\u{0}\u{1}".to_string(),
        "format = \"selfaudit-links/1\"\nperiod = \"x\"\nowner = \"short\"\nteam = \"short\"\ncsrf = \"short\"\n".to_string(),
    ] {
        std::fs::write(&links, &text).unwrap();
        let config = Config::settle(None, &args(dir.path(), None)).unwrap();
        let Err(e) = serve::start(config).await else {
            panic!("started with {text:?}");
        };
        let message = e.to_string();
        assert!(message.contains(".selfaudit-links"), "{message}");
    }
    // A folder in its place is refused as clearly.
    std::fs::remove_file(&links).unwrap();
    std::fs::create_dir(&links).unwrap();
    let config = Config::settle(None, &args(dir.path(), None)).unwrap();
    assert!(serve::start(config).await.is_err());
}

/// Makes a folder immutable (even to root) while it lives: `chattr +i`.
struct Immutable(std::path::PathBuf);

impl Immutable {
    fn set(path: &Path) -> Option<Immutable> {
        let ok = std::process::Command::new("chattr")
            .arg("+i")
            .arg(path)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Immutable(path.to_path_buf()))
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&self.0)
            .status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_that_cannot_be_written_gives_pages_then_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let team = team_file(dir.path(), &["Helen Carter", "Dev Patel"]);
    let server = start(dir.path(), Some(&team)).await;
    let c = client();
    let dev = link_of(&server, "Dev Patel");
    answer(&c, &dev, 1, "c0").await;
    let partial = folder(dir.path()).join("dev-patel.toml.partial");
    let before = std::fs::read_to_string(&partial).unwrap();
    let token = get(&c, &format!("{dev}/q/2")).await.csrf();
    let Some(frozen) = Immutable::set(&folder(dir.path())) else {
        eprintln!("chattr is not available here: skipped");
        return;
    };
    let r = post(&c, &format!("{dev}/q/2"), &[("csrf", &token), ("a", "c0")]).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
    assert_safe_headers(&r);
    assert!(r.body.contains("could not be read or saved"), "{}", r.body);
    let helen = get(&c, &link_of(&server, "Helen Carter")).await;
    assert!(helen.status.is_server_error(), "{}", helen.body);
    assert_safe_headers(&helen);
    assert_eq!(get(&c, &server.owner_url()).await.status, StatusCode::OK);
    drop(frozen);
    assert_eq!(std::fs::read_to_string(&partial).unwrap(), before);
    // Once the folder can be written again, both go on.
    let r = post(&c, &format!("{dev}/q/2"), &[("csrf", &token), ("a", "c0")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    answer(&c, &link_of(&server, "Helen Carter"), 1, "c1").await;
    server.shutdown().await;
}

/// Smuggling and desync over raw TCP: every way of saying where a body ends that the framer
/// accepts, hyper reads the same way (it only sees the framer's canonical head and chunks), so
/// a request hidden in a body gets no response of its own and each response pairs with its
/// request; every obfuscated or doubled framing is refused with our page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smuggled_requests_never_ride_inside_a_body() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), None).await;
    let addr = server.addr;
    let team = path_of(&server.team_url().unwrap());
    let form = "Content-Type: application/x-www-form-urlencoded\r\n";
    let post = format!("POST {team} HTTP/1.1\r\nHost: a\r\n{form}");
    // The last request closes, so that each case ends at once.
    let last = format!("GET {team} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    // A request that would answer 404 if it were ever read as one.
    let hidden = "GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n";
    let cases: Vec<(&str, String, Vec<u16>)> = vec![
        (
            "a length with leading zeros",
            format!("{post}Content-Length: 0006\r\n\r\nname=x{last}"),
            vec![403, 200],
        ),
        (
            "two equal lengths",
            format!("{post}Content-Length: 6\r\nContent-Length: 06\r\n\r\nname=x{last}"),
            vec![403, 200],
        ),
        (
            "a length of +6",
            format!("{post}Content-Length: +6\r\n\r\nname=x{last}"),
            vec![400],
        ),
        (
            "a length in hex",
            format!("{post}Content-Length: 0x6\r\n\r\nname=x{last}"),
            vec![400],
        ),
        (
            "a length past u64",
            format!("{post}Content-Length: 99999999999999999999999\r\n\r\nname=x{last}"),
            vec![400],
        ),
        (
            "a length listed twice in one header",
            format!("{post}Content-Length: 6, 6\r\n\r\nname=x{last}"),
            vec![400],
        ),
        (
            "CHUNKED with tabs",
            format!("{post}Transfer-Encoding:\tCHUNKED\t\r\n\r\n6\r\nname=x\r\n0\r\n\r\n{last}"),
            vec![403, 200],
        ),
        (
            "chunked, identity",
            format!(
                "{post}Transfer-Encoding: chunked, identity\r\n\r\n6\r\nname=x\r\n0\r\n\r\n{last}"
            ),
            vec![400],
        ),
        (
            "chunked twice",
            format!(
                "{post}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nname=x\r\n0\r\n\r\n{last}"
            ),
            vec![400],
        ),
        (
            "chunked on a folded line",
            format!("{post}Transfer-Encoding:\r\n chunked\r\n\r\n6\r\nname=x\r\n0\r\n\r\n{last}"),
            vec![400],
        ),
        (
            "a space before the colon",
            format!("{post}Transfer-Encoding : chunked\r\n\r\n6\r\nname=x\r\n0\r\n\r\n{last}"),
            vec![400],
        ),
        (
            "TE.CL",
            format!(
                "{post}Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n6\r\nname=x\r\n0\r\n\r\n{hidden}{last}"
            ),
            vec![400],
        ),
        (
            "a chunk size past u64",
            format!(
                "{post}Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n{hidden}\r\n0\r\n\r\n{last}"
            ),
            vec![400],
        ),
        (
            "a bare CR in a chunk extension",
            format!(
                "{post}Transfer-Encoding: chunked\r\n\r\n6;a\rb\r\nname=x\r\n0\r\n\r\n{hidden}{last}"
            ),
            vec![400],
        ),
        (
            "bare LFs in chunks",
            format!("{post}Transfer-Encoding: chunked\r\n\r\n6\nname=x\n0\n\n{last}"),
            vec![403, 200],
        ),
        (
            "a request as a trailer",
            format!("{post}Transfer-Encoding: chunked\r\n\r\n6\r\nname=x\r\n0\r\n{hidden}{last}"),
            vec![403, 200],
        ),
        (
            "a request inside a GET's body",
            format!(
                "GET {team} HTTP/1.1\r\nHost: a\r\nContent-Length: {}\r\n\r\n{hidden}{last}",
                hidden.len()
            ),
            vec![200, 200],
        ),
        (
            "a NUL in a header",
            format!("GET {team} HTTP/1.1\r\nHost: a\0\r\n\r\n{last}"),
            vec![400],
        ),
        (
            "upgrade to h2c",
            format!(
                "GET {team} HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n{last}"
            ),
            vec![200, 200],
        ),
        (
            "the authority form",
            format!("GET a:80 HTTP/1.1\r\nHost: a\r\n\r\n{last}"),
            vec![404, 200],
        ),
        (
            "an asterisk",
            format!("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n{last}"),
            vec![404, 200],
        ),
        (
            "a long method",
            format!(
                "{} {team} HTTP/1.1\r\nHost: a\r\n\r\n{last}",
                "A".repeat(5000)
            ),
            vec![405, 200],
        ),
        (
            "fifty in one packet",
            format!(
                "{}{last}",
                format!(
                    "GET {team} HTTP/1.1\r\nHost: a\r\n\r\n{post}Content-Length: 6\r\n\r\nname=x"
                )
                .repeat(50)
            ),
            [200, 403].repeat(50).into_iter().chain([200]).collect(),
        ),
    ];
    for (what, request, expected) in &cases {
        let text = raw(addr, request.as_bytes()).await;
        assert_eq!(&statuses(&text), expected, "{what}: {text}");
    }
    // A head one byte at a time, then a half-closed socket: the answers still come.
    let mut s = TcpStream::connect(addr).await.unwrap();
    let two =
        format!("GET {team} HTTP/1.1\r\nHost: a\r\n\r\nGET {team} HTTP/1.1\r\nHost: a\r\n\r\n");
    for b in two.as_bytes() {
        s.write_all(&[*b]).await.unwrap();
    }
    s.shutdown().await.unwrap();
    let text = read_all(&mut s, Duration::from_secs(5)).await;
    assert_eq!(statuses(&text), vec![200, 200], "{text}");
    // A body cut short by a close.
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("{post}Content-Length: 60\r\n\r\nname=x").as_bytes())
        .await
        .unwrap();
    s.shutdown().await.unwrap();
    let text = read_all(&mut s, Duration::from_secs(5)).await;
    assert_eq!(statuses(&text), vec![400], "{text}");
    let (status, _) = fetch(addr, "GET", &team).await;
    assert_eq!(status, 200);
    server.shutdown().await;
}
