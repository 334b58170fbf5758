//! `selfaudit serve` driven over HTTP: the server runs in-process on port 0 (the kill -9 test
//! spawns the real binary). Interviews, resume, the owner's page, attacks, concurrency.

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use selfaudit::cli::ServeArgs;
use selfaudit::load::Registry;
use selfaudit::model::Source;
use selfaudit::model::responses::Responses;
use selfaudit::serve::{self, Config, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub(super) const PERIOD: &str = "2026-Q4";

pub(super) fn args(dir: &Path, team: Option<&Path>) -> ServeArgs {
    ServeArgs {
        ids: vec![],
        period: Some(PERIOD.to_string()),
        team: team.map(Path::to_path_buf),
        listen: "127.0.0.1:0".to_string(),
        responses: dir.join("responses"),
        baseline: None,
        qr: false,
        tls_cert: None,
        tls_key: None,
    }
}

pub(super) async fn start(dir: &Path, team: Option<&Path>) -> Server {
    let config = Config::settle(None, &args(dir, team)).unwrap();
    serve::start(config).await.unwrap()
}

pub(super) fn team_file(dir: &Path, names: &[&str]) -> PathBuf {
    let mut text = String::from("[roles]\nowner = \"Owner\"\nstaff = \"Staff\"\n");
    for (i, n) in names.iter().enumerate() {
        text.push_str(&format!(
            "\n[[people]]\nname = {}\nrole = \"{}\"\n",
            toml_str(n),
            if i == 0 { "owner" } else { "staff" }
        ));
    }
    let path = dir.join("team.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

pub(super) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub(super) struct Page {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) body: String,
}

impl Page {
    pub(super) fn location(&self) -> String {
        self.headers
            .get("location")
            .map(|l| l.to_str().unwrap().to_string())
            .unwrap_or_default()
    }

    pub(super) fn csrf(&self) -> String {
        let at = self.body.find("name=\"csrf\" value=\"").expect("a form") + 19;
        self.body[at..].split('"').next().unwrap().to_string()
    }
}

pub(super) async fn get(c: &reqwest::Client, url: &str) -> Page {
    let r = c.get(url).send().await.unwrap();
    let (status, headers) = (r.status(), r.headers().clone());
    Page {
        status,
        headers,
        // minijinja writes `/` as `&#x2f;` in attributes; read it back as a browser does.
        body: r.text().await.unwrap().replace("&#x2f;", "/"),
    }
}

pub(super) async fn post(c: &reqwest::Client, url: &str, fields: &[(&str, &str)]) -> Page {
    let r = c.post(url).form(fields).send().await.unwrap();
    let (status, headers) = (r.status(), r.headers().clone());
    Page {
        status,
        headers,
        body: r.text().await.unwrap(),
    }
}

pub(super) fn assert_safe_headers(p: &Page) {
    let csp = p.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(
        !csp.contains("script-src") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(p.headers["x-frame-options"], "DENY");
    assert_eq!(p.headers["referrer-policy"], "no-referrer");
    assert_eq!(p.headers["cache-control"], "no-store");
}

/// The personal link of a name on the team list.
pub(super) fn link_of(server: &Server, name: &str) -> String {
    server
        .person_urls()
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, u)| u)
        .unwrap()
}

/// Answers question `n` (1-based) of a personal link with `a` (`c0`…, `na`, `skip`); returns the redirect.
pub(super) async fn answer(c: &reqwest::Client, link: &str, n: usize, a: &str) -> String {
    let page = get(c, &format!("{link}/q/{n}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let top;
    let a = if a == "top" {
        let last = page
            .body
            .match_indices("value=\"c")
            .filter_map(|(i, _)| page.body[i + 8..].split('"').next()?.parse::<usize>().ok())
            .max()
            .unwrap();
        top = format!("c{last}");
        top.as_str()
    } else {
        a
    };
    let r = post(
        c,
        &format!("{link}/q/{n}"),
        &[("csrf", &page.csrf()), ("a", a)],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_safe_headers(&r);
    r.location()
}

pub(super) fn origin_of(link: &str) -> String {
    let rest = link.split("://").nth(1).unwrap();
    format!("http://{}", rest.split('/').next().unwrap())
}

pub(super) fn read_responses(path: &Path) -> Responses {
    let registry = Registry::discover(None).unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    Responses::parse(
        &Source {
            name: "r",
            text: &text,
        },
        |id| registry.get(id),
        || registry.ids(),
    )
    .unwrap()
    .0
}

pub(super) fn folder(dir: &Path) -> PathBuf {
    dir.join("responses").join(PERIOD)
}

/// Answers every question with the top choice except the ones given, then submits.
async fn whole_interview(c: &reqwest::Client, link: &str) {
    let home = get(c, link).await;
    assert_eq!(home.status, StatusCode::OK);
    let mut n = 1;
    loop {
        let to = answer(c, link, n, "top").await;
        if to.ends_with("/review") {
            break;
        }
        n += 1;
        assert!(to.ends_with(&format!("/q/{n}")), "{to}");
    }
    assert_eq!(n, 21);
    let page = get(c, &format!("{link}/review")).await;
    assert!(page.body.contains("Every question has an answer"));
    let r = post(c, &format!("{link}/submit"), &[("csrf", &page.csrf())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let done = get(c, link).await;
    assert!(done.body.contains("Your overall score"), "{}", done.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_interview_through_the_team_link_lands_as_run_writes_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), None).await;
    let c = client();
    let team = server.team_url().unwrap();
    let form = get(&c, &team).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_safe_headers(&form);
    let r = post(&c, &team, &[("csrf", &form.csrf()), ("name", "Ann Lee")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let link = format!("{}{}", server.base, r.location().trim_end_matches("?new=1"));
    let home = get(&c, &format!("{link}?new=1")).await;
    let secret = link.rsplit('/').next().unwrap();
    assert!(
        home.body.contains(secret),
        "the page hands back the personal link"
    );
    whole_interview(&c, &link).await;
    let out = folder(dir.path()).join("ann-lee.toml");
    let responses = read_responses(&out);
    assert_eq!(responses.respondent, "Ann Lee");
    assert_eq!(
        responses
            .sets
            .iter()
            .map(|s| s.answers.len())
            .sum::<usize>(),
        21
    );
    assert!(!folder(dir.path()).join("ann-lee.toml.partial").exists());
    // The same name cannot be taken over from another browser.
    let again = post(&c, &team, &[("csrf", &form.csrf()), ("name", " ann  LEE ")]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    // `selfaudit report` reads the folder unchanged.
    let report = assert_cmd::Command::cargo_bin("selfaudit")
        .unwrap()
        .args(["report", "--format", "json"])
        .arg(folder(dir.path()))
        .output()
        .unwrap();
    assert!(
        report.status.success(),
        "{}",
        String::from_utf8_lossy(&report.stderr)
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_skip_not_applicable_and_notes_follow_run() {
    let dir = tempfile::tempdir().unwrap();
    let team = team_file(dir.path(), &["Helen Carter", "Dev Patel"]);
    let server = start(dir.path(), Some(&team)).await;
    assert!(server.team_url().is_none(), "no team link with a team list");
    let c = client();
    let link = link_of(&server, "Dev Patel");
    // Top of the scale: straight on. Below the top: the note page.
    assert!(answer(&c, &link, 1, "top").await.ends_with("/q/2"));
    let to = answer(&c, &link, 2, "c0").await;
    assert!(to.ends_with("/q/2/note"), "{to}");
    let note = get(&c, &format!("{}{to}", server.base)).await;
    assert!(note.body.contains("What would improve this?"));
    let r = post(
        &c,
        &format!("{}{to}", server.base),
        &[
            ("csrf", &note.csrf()),
            ("a", "save"),
            ("note", "voicemail <script>alert(1)</script> backlog"),
        ],
    )
    .await;
    assert!(r.location().ends_with("/q/3"));
    assert!(answer(&c, &link, 3, "skip").await.ends_with("/q/4"));
    assert!(answer(&c, &link, 4, "na").await.ends_with("/q/5"));
    // Back shows the earlier answer as current, with its note kept when it stays.
    let q2 = get(&c, &format!("{link}/q/2")).await;
    assert!(q2.body.contains("✓ your answer"));
    assert!(
        q2.body.contains("/q/1?walk=1\" rel=\"prev\""),
        "{}",
        q2.body
    );
    let q3 = get(&c, &format!("{link}/q/3")).await;
    assert!(q3.body.contains("You skipped this question"));
    for n in 5..=21 {
        answer(&c, &link, n, "top").await;
    }
    let review = get(&c, &format!("{link}/review")).await;
    assert!(
        review.body.contains("Not answered yet (1)"),
        "{}",
        review.body
    );
    assert!(review.body.contains("/q/3?review=1"));
    // Answering a skipped question from the review comes back to the review.
    let to = answer(&c, &link, 3, "top").await;
    assert!(to.ends_with("/review"), "{to}");
    let partial =
        std::fs::read_to_string(folder(dir.path()).join("dev-patel.toml.partial")).unwrap();
    assert!(partial.contains("[resume]"));
    let review = get(&c, &format!("{link}/review")).await;
    let r = post(&c, &format!("{link}/submit"), &[("csrf", &review.csrf())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let text = std::fs::read_to_string(folder(dir.path()).join("dev-patel.toml")).unwrap();
    assert!(
        text.contains("voicemail <script>alert(1)</script> backlog"),
        "{text}"
    );
    assert!(text.contains("\"n/a\""), "{text}");
    assert!(text.contains("role = \"staff\""), "{text}");
    let done = get(&c, &link).await;
    assert!(done.body.contains("Thank you, Dev Patel"));
    // After submitting, questions lead back to the scores.
    let q = get(&c, &format!("{link}/q/1")).await;
    assert_eq!(q.status, StatusCode::SEE_OTHER);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_and_links_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let team = team_file(dir.path(), &["Helen Carter", "Sofia Rossi"]);
    let server = start(dir.path(), Some(&team)).await;
    let c = client();
    let link = link_of(&server, "Sofia Rossi");
    let owner = server.owner_url();
    let path = link.split_once("/r/").unwrap().1.to_string();
    for n in 1..=5 {
        answer(&c, &link, n, "top").await;
    }
    server.shutdown().await;
    let server = start(dir.path(), Some(&team)).await;
    let link2 = link_of(&server, "Sofia Rossi");
    assert_eq!(link2.split_once("/r/").unwrap().1, path, "links are stable");
    assert_eq!(
        server.owner_url().split_once("/o/").unwrap().1,
        owner.split_once("/o/").unwrap().1
    );
    let home = get(&c, &link2).await;
    assert!(
        home.body.contains("5 of 21 questions done"),
        "{}",
        home.body
    );
    assert!(
        home.body.contains("/q/6\""),
        "goes on at the first unanswered question"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(folder(dir.path()).join(".selfaudit-links"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owners_page_knows_who_answered_and_shows_the_live_report() {
    let dir = tempfile::tempdir().unwrap();
    let team = team_file(dir.path(), &["Helen Carter", "Dev Patel", "Tom Becker"]);
    let server = start(dir.path(), Some(&team)).await;
    let c = client();
    whole_interview(&c, &link_of(&server, "Helen Carter")).await;
    answer(&c, &link_of(&server, "Dev Patel"), 1, "c0").await;
    let owner = get(&c, &server.owner_url()).await;
    assert_eq!(owner.status, StatusCode::OK);
    let answered = owner.body.split("Answered (1)").nth(1).unwrap();
    assert!(
        answered
            .split("In progress")
            .next()
            .unwrap()
            .contains("Helen Carter")
    );
    assert!(owner.body.contains("Dev Patel — 1 of 21"));
    assert!(
        owner
            .body
            .split("Not started (1)")
            .nth(1)
            .unwrap()
            .contains("Tom Becker")
    );
    let report = get(&c, &format!("{}/report", server.owner_url())).await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(report.body.contains("Helen Carter"));
    let csp = report.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("'sha256-") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    let sheet = get(&c, &format!("{}/invitations", server.owner_url())).await;
    assert_eq!(sheet.body.matches("<svg class=\"qr\"").count(), 3);
    assert!(sheet.body.contains(&link_of(&server, "Tom Becker")));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_secrets_are_404_then_429_while_a_right_one_still_works() {
    let dir = tempfile::tempdir().unwrap();
    let team = team_file(dir.path(), &["Helen Carter", "Dev Patel"]);
    let server = start(dir.path(), Some(&team)).await;
    let c = client();
    let link = link_of(&server, "Dev Patel");
    let guesses = [
        "/".to_string(),
        "/r/".to_string(),
        "/r/AAAAAAAAAAAAAAAAAAAAAAAA".to_string(),
        "/o/AAAAAAAAAAAAAAAAAAAAAAAA".to_string(),
        "/t/AAAAAAAAAAAAAAAAAAAAAAAA".to_string(),
        "/r/..%2F..%2Fetc%2Fpasswd".to_string(),
        format!("/o/{}", link.rsplit('/').next().unwrap()),
    ];
    for g in &guesses {
        let p = get(&c, &format!("{}{g}", server.base)).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{g}");
        assert_safe_headers(&p);
    }
    let mut limited = false;
    for i in 0..30 {
        let p = get(
            &c,
            &format!("{}/r/BBBBBBBBBBBBBBBBBBBBBB{i:02}", server.base),
        )
        .await;
        assert_safe_headers(&p);
        if p.status == StatusCode::TOO_MANY_REQUESTS {
            limited = true;
            break;
        }
        assert_eq!(p.status, StatusCode::NOT_FOUND);
    }
    assert!(limited, "wrong secrets are rate-limited");
    let ok = get(&c, &link).await;
    assert_eq!(ok.status, StatusCode::OK, "a right secret still works");
    // One person's link never shows another's answers.
    answer(&c, &link_of(&server, "Helen Carter"), 1, "c0").await;
    let mine = get(&c, &format!("{link}/q/1")).await;
    assert!(!mine.body.contains("✓ your answer"));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_need_their_token_and_own_origin_and_small_bodies() {
    let dir = tempfile::tempdir().unwrap();
    let team = team_file(dir.path(), &["Helen Carter", "Dev Patel"]);
    let server = start(dir.path(), Some(&team)).await;
    let c = client();
    let link = link_of(&server, "Dev Patel");
    let other = link_of(&server, "Helen Carter");
    let url = format!("{link}/q/1");
    let page = get(&c, &url).await;
    let token = page.csrf();
    let partial = folder(dir.path()).join("dev-patel.toml.partial");
    // No token, a wrong token, another person's token.
    for fields in [
        vec![("a", "c0")],
        vec![("a", "c0"), ("csrf", "x")],
        vec![
            ("a", "c0"),
            ("csrf", &get(&c, &format!("{other}/q/1")).await.csrf()),
        ],
    ] {
        let r = post(&c, &url, &fields).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_safe_headers(&r);
    }
    // A foreign Origin is refused; null and our own are accepted.
    let send = |origin: &'static str| {
        let c = c.clone();
        let url = url.clone();
        let token = token.clone();
        async move {
            c.post(&url)
                .header("origin", origin)
                .form(&[("csrf", token.as_str()), ("a", "c0")])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(send("http://evil.example").await, StatusCode::FORBIDDEN);
    assert_eq!(send("https://127.0.0.1").await, StatusCode::FORBIDDEN);
    assert!(!partial.exists(), "nothing refused was saved");
    assert_eq!(send("null").await, StatusCode::SEE_OTHER);
    let own = origin_of(&link);
    let r = c
        .post(&url)
        .header("origin", own)
        .form(&[("csrf", token.as_str()), ("a", "c1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Bodies over 64 KiB: declared, and chunked.
    let big = format!("csrf={token}&a=c0&note={}", "x".repeat(70 * 1024));
    let r = c
        .post(&url)
        .body(big.clone())
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    // Chunked, with no length declared, on a raw connection.
    let path = url
        .split_once("://")
        .unwrap()
        .1
        .split_once('/')
        .unwrap()
        .1
        .to_string();
    let mut raw = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    raw.write_all(format!("POST /{path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n").as_bytes()).await.unwrap();
    for chunk in big.as_bytes().chunks(4096) {
        let frame = [format!("{:x}\r\n", chunk.len()).as_bytes(), chunk, b"\r\n"].concat();
        if raw.write_all(&frame).await.is_err() {
            break;
        }
    }
    let _ = raw.write_all(b"0\r\n\r\n").await;
    let mut head = vec![0u8; 64];
    let n = raw.read(&mut head).await.unwrap();
    assert!(
        String::from_utf8_lossy(&head[..n]).starts_with("HTTP/1.1 413"),
        "{}",
        String::from_utf8_lossy(&head[..n])
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_are_cut_off_and_others_are_served_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), None).await;
    let mut slow = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // Meanwhile, others are served.
    let c = client();
    assert_eq!(
        get(&c, &server.team_url().unwrap()).await.status,
        StatusCode::OK
    );
    let started = std::time::Instant::now();
    let mut buf = [0u8; 256];
    let n = tokio::time::timeout(Duration::from_secs(20), slow.read(&mut buf))
        .await
        .expect("the server closes a connection whose headers do not come")
        .unwrap_or(0);
    let _ = n;
    assert!(started.elapsed() < Duration::from_secs(15));
    // A body that does not come in time.
    let team = server.team_url().unwrap();
    let path = team.split_once("://").unwrap().1.split_once('/').unwrap().1;
    let mut slow = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    slow.write_all(
        format!("POST /{path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nname=A").as_bytes(),
    )
    .await
    .unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(40), slow.read_to_end(&mut out)).await;
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_names_and_notes_are_text_on_every_page() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = "<img src=x onerror=alert(1)>\"'&../../etc/passwd\u{202E}";
    let team = team_file(dir.path(), &["Helen Carter", hostile]);
    let server = start(dir.path(), Some(&team)).await;
    let c = client();
    let link = link_of(&server, hostile);
    // The file stays in its folder, under a slug.
    answer(&c, &link, 1, "c0").await;
    let note_url = format!("{link}/q/1/note");
    let note = get(&c, &note_url).await;
    post(
        &c,
        &note_url,
        &[
            ("csrf", &note.csrf()),
            ("a", "save"),
            ("note", "</textarea><script>alert(2)</script>"),
        ],
    )
    .await;
    let files: Vec<String> = std::fs::read_dir(folder(dir.path()))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        files
            .iter()
            .any(|f| f.ends_with(".toml.partial") && !f.contains('/') && !f.contains('<')),
        "{files:?}"
    );
    for n in 2..=21 {
        answer(&c, &link, n, "c1").await;
    }
    let mut pages = vec![
        get(&c, &link).await,
        get(&c, &format!("{link}/q/1")).await,
        get(&c, &note_url).await,
        get(&c, &format!("{link}/review")).await,
    ];
    let review = get(&c, &format!("{link}/review")).await;
    post(&c, &format!("{link}/submit"), &[("csrf", &review.csrf())]).await;
    pages.push(get(&c, &link).await);
    let owner = server.owner_url();
    pages.push(get(&c, &owner).await);
    pages.push(get(&c, &format!("{owner}/report")).await);
    pages.push(get(&c, &format!("{owner}/invitations")).await);
    for (i, p) in pages.iter().enumerate() {
        assert!(!p.body.contains('\u{202E}'), "page {i}");
        assert!(!p.body.contains("<img src=x"), "{}", p.body);
        assert!(!p.body.contains("<script>"), "{}", p.body);
        assert!(!p.body.contains("</textarea><"), "{}", p.body);
        assert!(!p.body.contains('\u{202E}'));
    }
    assert!(pages[0].body.contains("&lt;img src=x"));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminal_holding_the_lock_keeps_the_web_out() {
    let dir = tempfile::tempdir().unwrap();
    let team = team_file(dir.path(), &["Helen Carter", "Dev Patel"]);
    let server = start(dir.path(), Some(&team)).await;
    let c = client();
    let link = link_of(&server, "Dev Patel");
    answer(&c, &link, 1, "c1").await;
    let token = get(&c, &format!("{link}/q/2")).await.csrf();
    let partial = folder(dir.path()).join("dev-patel.toml.partial");
    let before = std::fs::read_to_string(&partial).unwrap();
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(folder(dir.path()).join("dev-patel.toml.lock"))
        .unwrap();
    lock.lock().unwrap();
    let page = get(&c, &link).await;
    assert!(page.body.contains("open in a terminal"), "{}", page.body);
    let r = post(&c, &format!("{link}/q/2"), &[("csrf", &token), ("a", "c0")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(std::fs::read_to_string(&partial).unwrap(), before);
    drop(lock);
    let r = post(&c, &format!("{link}/q/2"), &[("csrf", &token), ("a", "c1")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_respondents_at_once_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..50).map(|i| format!("Person {i:02}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let team = team_file(dir.path(), &refs);
    let server = start(dir.path(), Some(&team)).await;
    let mut tasks = Vec::new();
    for name in &names {
        let link = link_of(&server, name);
        tasks.push(tokio::spawn(async move {
            let c = client();
            // Two tabs of one person, answering the same questions at once.
            let (a, b) = tokio::join!(
                async {
                    for n in 1..=21 {
                        answer(&c, &link, n, "c1").await;
                    }
                },
                async {
                    for n in (1..=21).rev() {
                        answer(&c, &link, n, "c1").await;
                    }
                }
            );
            let _ = (a, b);
            let review = get(&c, &format!("{link}/review")).await;
            let r = post(&c, &format!("{link}/submit"), &[("csrf", &review.csrf())]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    for i in 0..50 {
        let r = read_responses(&folder(dir.path()).join(format!("person-{i:02}.toml")));
        assert_eq!(
            r.sets.iter().map(|s| s.answers.len()).sum::<usize>(),
            21,
            "person {i}"
        );
    }
    server.shutdown().await;
}

/// The real binary, its address and the links it printed.
struct Spawned {
    child: std::process::Child,
    base: String,
    links: Vec<(String, String)>,
}

fn spawn_binary(dir: &Path, team: &Path, port: u16) -> Spawned {
    use std::io::BufRead;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("selfaudit"))
        .args(["serve", "--period", PERIOD, "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--team")
        .arg(team)
        .arg("--responses")
        .arg(dir.join("responses"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = std::io::BufReader::new(stdout).lines();
    let mut base = String::new();
    let mut links = Vec::new();
    let mut name = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("Listening on ") {
            base = rest.split(' ').next().unwrap().to_string();
        } else if line.starts_with("    http") {
            links.push((name.take().unwrap(), line.trim().to_string()));
        } else if let Some(n) = line.strip_prefix("  ").filter(|l| !l.starts_with(' ')) {
            name = Some(n.to_string());
        }
        if line.starts_with("Stop with Ctrl-C") {
            break;
        }
    }
    // Keep reading so the pipe never fills.
    std::thread::spawn(move || for _ in lines {});
    Spawned { child, base, links }
}

pub(super) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_load_loses_no_acknowledged_answer() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..12).map(|i| format!("Worker {i:02}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let team = team_file(dir.path(), &refs);
    let port = free_port();
    let mut first = spawn_binary(dir.path(), &team, port);
    assert_eq!(first.links.len(), 12, "{:?}", first.links);
    let acked = std::sync::Arc::new(std::sync::Mutex::new(std::collections::HashMap::new()));
    let mut tasks = Vec::new();
    for (name, link) in first.links.clone() {
        let acked = acked.clone();
        tasks.push(tokio::spawn(async move {
            let c = client();
            for n in 1..=21 {
                let Ok(page) = c.get(format!("{link}/q/{n}")).send().await else {
                    return;
                };
                let Ok(body) = page.text().await else { return };
                let body = body.replace("&#x2f;", "/");
                let Some(at) = body.find("name=\"csrf\" value=\"") else {
                    return;
                };
                let token = body[at + 19..].split('"').next().unwrap().to_string();
                let Ok(r) = c
                    .post(format!("{link}/q/{n}"))
                    .form(&[("csrf", token.as_str()), ("a", "c0")])
                    .send()
                    .await
                else {
                    return;
                };
                if r.status() != StatusCode::SEE_OTHER {
                    return;
                }
                acked.lock().unwrap().insert(name.clone(), n);
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    first.child.kill().unwrap(); // SIGKILL
    first.child.wait().unwrap();
    for t in tasks {
        let _ = t.await;
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.values().any(|&n| n > 0),
        "some answers were acknowledged before the kill"
    );
    let mut second = spawn_binary(dir.path(), &team, port);
    assert_eq!(second.links, first.links, "the same links after a restart");
    let registry = Registry::discover(None).unwrap();
    for (name, n) in &acked {
        let slug = name.to_lowercase().replace(' ', "-");
        let path = folder(dir.path()).join(format!("{slug}.toml.partial"));
        let text = std::fs::read_to_string(&path).unwrap();
        let saved = selfaudit::interview::partial::parse(
            &Source {
                name: "p",
                text: &text,
            },
            |id| registry.get(id),
            || registry.ids(),
        )
        .unwrap();
        assert!(
            saved.answered() >= *n,
            "{name}: {} saved, {n} acknowledged",
            saved.answered()
        );
    }
    // The restarted server goes on, and stops cleanly on SIGTERM with a summary.
    let c = client();
    let (_, link) = &second.links[0];
    let home = get(&c, link).await;
    assert_eq!(home.status, StatusCode::OK);
    let _ = &second.base;
    std::process::Command::new("kill")
        .args(["-TERM", &second.child.id().to_string()])
        .status()
        .unwrap();
    let status = second.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn the_paper_form_has_a_sheet_per_checklist_with_tick_boxes() {
    let out = assert_cmd::Command::cargo_bin("selfaudit")
        .unwrap()
        .args(["template", "--format", "html", "--period", "2026-Q4 <b>"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let html = String::from_utf8(out.stdout).unwrap();
    assert_eq!(html.matches("<section class=\"sheet\"").count(), 2);
    assert_eq!(html.matches("<li value=").count(), 21);
    assert!(html.contains("☐ Not applicable"));
    assert!(html.contains("break-after: page"));
    assert!(html.contains("2026-Q4 &lt;b&gt;") && !html.contains("2026-Q4 <b>"));
}

/// A server's settings for HTTPS with a fresh self-signed certificate for `localhost` in
/// `dir`, and a client connector that trusts only that certificate.
pub fn tls_setup(dir: &Path) -> (Config, tokio_rustls::TlsConnector) {
    use tokio_rustls::rustls;
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    std::fs::write(dir.join("cert.pem"), cert.cert.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), cert.key_pair.serialize_pem()).unwrap();
    let mut a = args(dir, None);
    a.tls_cert = Some(dir.join("cert.pem"));
    a.tls_key = Some(dir.join("key.pem"));
    let config = Config::settle(None, &a).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.cert.der().clone()).unwrap();
    let client = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    (
        config,
        tokio_rustls::TlsConnector::from(std::sync::Arc::new(client)),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_the_owners_certificate() {
    use tokio_rustls::rustls;
    let dir = tempfile::tempdir().unwrap();
    let (config, connector) = tls_setup(dir.path());
    let server = serve::start(config).await.unwrap();
    let team = server.team_url().unwrap();
    assert!(team.starts_with("https://"), "{team}");
    let tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = connector.connect(name, tcp).await.unwrap();
    let path = team.split_once("://").unwrap().1.split_once('/').unwrap().1;
    tls.write_all(
        format!("GET /{path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut out = Vec::new();
    let _ = tls.read_to_end(&mut out).await;
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("content-security-policy"));
    // Plain HTTP to the TLS port gets nothing.
    let mut plain = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    plain
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(15), plain.read_to_end(&mut buf)).await;
    assert!(!String::from_utf8_lossy(&buf).contains("200 OK"));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_back_the_questions_come_one_by_one_as_in_run() {
    let dir = tempfile::tempdir().unwrap();
    let team = team_file(dir.path(), &["Helen Carter", "Dev Patel"]);
    let server = start(dir.path(), Some(&team)).await;
    let c = client();
    let link = link_of(&server, "Dev Patel");
    for n in 1..=5 {
        answer(&c, &link, n, "top").await;
    }
    let q5 = get(&c, &format!("{link}/q/5")).await;
    assert!(q5.body.contains("/q/4?walk=1\""), "Back walks: {}", q5.body);
    // Changing question 3 from Back goes on to question 4 (answered), then 5, then 6.
    let page = get(&c, &format!("{link}/q/3?walk=1")).await;
    assert!(page.body.contains("name=\"walk\" value=\"1\""));
    let r = post(
        &c,
        &format!("{link}/q/3?walk=1"),
        &[("csrf", &page.csrf()), ("a", "c0"), ("walk", "1")],
    )
    .await;
    let note = r.location();
    assert!(note.ends_with("/q/3/note?walk=1"), "{note}");
    let page = get(&c, &format!("{}{note}", server.base)).await;
    let r = post(
        &c,
        &format!("{}{note}", server.base),
        &[("csrf", &page.csrf()), ("a", "none"), ("walk", "1")],
    )
    .await;
    assert!(r.location().ends_with("/q/4?walk=1"), "{}", r.location());
    let q4 = get(&c, &format!("{link}/q/4?walk=1")).await;
    assert!(q4.body.contains("✓ your answer"));
    server.shutdown().await;
}
