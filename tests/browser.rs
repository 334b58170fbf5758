//! `selfaudit serve` in a real browser: Chromium through chromedriver (Debian's `chromium` and
//! `chromium-driver`), at phone size and at desktop size, screenshots in target/screenshots/.
//! Ignored in a plain `cargo test`; `.ci/run` runs them: `cargo test --test browser -- --ignored`.
//! With AXE_CORE naming axe.min.js (npm's axe-core), every page checked passes axe's WCAG 2.2
//! A/AA rules.
//!
//! Made for a slow shared machine: each test has its own server on a free port and its own
//! chromedriver; nothing waits a fixed time for something to happen, every wait is for a sign
//! (a new document loaded, a line printed, a port open) with a generous limit.
#![cfg(unix)]

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use selfaudit::cli::ServeArgs;
use selfaudit::serve::{self, Config, Server};
use serde_json::json;

const PERIOD: &str = "2026-Q4";
/// The longest any one page, session or process start may take on a crowded 2-core machine.
const PATIENCE: Duration = Duration::from_secs(90);

/// A chromedriver of one test, in a process group of its own, so that the Chromium processes it
/// starts end with it even when the test fails half-way.
struct Driver {
    process: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.process.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits for `ready` to hold, checking every 25 ms, for `PATIENCE` at most.
async fn until<F, Fut>(what: &str, mut ready: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + PATIENCE;
    while !ready().await {
        assert!(Instant::now() < deadline, "waited too long for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn driver() -> Driver {
    use std::os::unix::process::CommandExt;
    let port = free_port();
    let process = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("chromedriver (Debian: apt-get install chromium chromium-driver)");
    until("chromedriver to listen", || async {
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
    })
    .await;
    Driver { process, port }
}

/// A headless Chromium, as a phone (`phone`: width in CSS pixels, touch, 2× pixels) or a desktop window.
async fn browser(driver: &Driver, width: u32, phone: bool, dark: bool) -> Client {
    let mut args = vec![
        "--headless=new".to_string(),
        "--no-sandbox".to_string(),
        "--disable-gpu".to_string(),
        "--disable-dev-shm-usage".to_string(),
        format!("--window-size={width},900"),
    ];
    if dark {
        args.push("--force-dark-mode".to_string());
    }
    let mut options = json!({ "args": args });
    if phone {
        options["mobileEmulation"] = json!({
            "deviceMetrics": { "width": width, "height": 844, "pixelRatio": 2.0, "touch": true }
        });
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".to_string(), options);
    caps.insert(
        "timeouts".to_string(),
        json!({ "pageLoad": PATIENCE.as_millis() as u64, "script": PATIENCE.as_millis() as u64 }),
    );
    let mut builder = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
    builder.capabilities(caps);
    let address = format!("http://127.0.0.1:{}", driver.port);
    tokio::time::timeout(PATIENCE, builder.connect(&address))
        .await
        .expect("a Chromium session within the time allowed")
        .expect("a Chromium session")
}

fn shots() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    std::fs::write(shots().join(format!("{name}.png")), png).unwrap();
}

/// The page is no wider than the window: nothing to scroll sideways.
async fn fits(c: &Client) {
    let v = c
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await
        .unwrap();
    let (scroll, inner) = (v[0].as_u64().unwrap(), v[1].as_u64().unwrap());
    assert!(
        scroll <= inner,
        "{} scrolls sideways: {scroll} > {inner}",
        c.current_url().await.unwrap()
    );
}

/// Passes axe and fits the window.
async fn no_sideways_scroll(c: &Client) {
    accessible(c).await;
    fits(c).await;
}

/// The browser shows the colour scheme asked for.
async fn is_dark(c: &Client) -> bool {
    c.execute(
        "return window.matchMedia('(prefers-color-scheme: dark)').matches;",
        vec![],
    )
    .await
    .unwrap()
    .as_bool()
    .unwrap()
}

/// With AXE_CORE naming axe.min.js (npm's axe-core), the page passes its WCAG 2.2 A/AA rules.
async fn accessible(c: &Client) {
    let Some(path) = std::env::var_os("AXE_CORE") else {
        return;
    };
    let axe = std::fs::read_to_string(path).expect("AXE_CORE names axe.min.js");
    // AXE_BEST_PRACTICE=1 adds axe's best-practice rules to the WCAG ones.
    let tags = if std::env::var_os("AXE_BEST_PRACTICE").is_some() {
        "'wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'"
    } else {
        "'wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'"
    };
    let script = format!(
        "{axe}\n;const done = arguments[arguments.length - 1];\
         axe.run(document, {{ runOnly: {{ type: 'tag', values: [{tags}] }} }})\
         .then(r => done(r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))))\
         .catch(e => done(['axe failed: ' + e]));"
    );
    let found = c.execute_async(&script, vec![]).await.unwrap();
    let found: Vec<String> = serde_json::from_value(found).unwrap();
    assert!(
        found.is_empty(),
        "{}: {found:#?}",
        c.current_url().await.unwrap()
    );
}

async fn start(dir: &Path, names: &[&str]) -> Server {
    if names.is_empty() {
        let args = ServeArgs {
            ids: vec![],
            period: Some(PERIOD.to_string()),
            team: None,
            listen: "127.0.0.1:0".to_string(),
            responses: dir.join("responses"),
            baseline: None,
            qr: false,
            tls_cert: None,
            tls_key: None,
        };
        return serve::start(Config::settle(None, &args).unwrap())
            .await
            .unwrap();
    }
    let mut text = String::from("[roles]\nowner = \"Owner\"\nstaff = \"Staff\"\n");
    for (i, n) in names.iter().enumerate() {
        text.push_str(&format!(
            "\n[[people]]\nname = {}\nrole = \"{}\"\n",
            toml::Value::String(n.to_string()),
            if i == 0 { "owner" } else { "staff" }
        ));
    }
    let team = dir.join("team.toml");
    std::fs::write(&team, text).unwrap();
    let args = ServeArgs {
        ids: vec![],
        period: Some(PERIOD.to_string()),
        team: Some(team),
        listen: "127.0.0.1:0".to_string(),
        responses: dir.join("responses"),
        baseline: None,
        qr: false,
        tls_cert: None,
        tls_key: None,
    };
    serve::start(Config::settle(None, &args).unwrap())
        .await
        .unwrap()
}

fn link_of(server: &Server, name: &str) -> String {
    server
        .person_urls()
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap()
        .1
}

/// Marks the document shown, so that [`next_page`] can tell when another has replaced it.
async fn mark(c: &Client) -> Result<(), String> {
    c.execute("window.__selfauditOld = true; return null;", vec![])
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Waits until a new document has replaced the marked one and has loaded: `Ok` if it is one of
/// the server's pages, `Err` if it is not (the browser's own page for a server that is gone),
/// or if `gone` turns true while the old document stays.
async fn next_page(c: &Client, gone: &dyn Fn() -> bool) -> Result<(), String> {
    let deadline = Instant::now() + PATIENCE;
    let mut gone_since: Option<Instant> = None;
    loop {
        let state = c
            .execute(
                "return [!window.__selfauditOld, document.readyState, !!document.querySelector('main#main')];",
                vec![],
            )
            .await;
        if let Ok(v) = state
            && v[0] == json!(true)
            && v[1] == json!("complete")
        {
            return if v[2] == json!(true) {
                Ok(())
            } else {
                Err(format!(
                    "not a page of the server: {}",
                    c.current_url()
                        .await
                        .map(|u| u.to_string())
                        .unwrap_or_default()
                ))
            };
        }
        if gone() {
            let since = *gone_since.get_or_insert_with(Instant::now);
            if since.elapsed() > Duration::from_secs(10) {
                return Err("the server is gone".to_string());
            }
        }
        if Instant::now() > deadline {
            return Err(format!("no new page after {} s", PATIENCE.as_secs()));
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Clicks, then waits until the next page has loaded.
async fn click(c: &Client, css: &str) {
    let element = c
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(css))
        .await
        .unwrap();
    click_element(c, element).await;
}

async fn click_element(c: &Client, element: fantoccini::elements::Element) {
    mark(c).await.unwrap();
    element.click().await.unwrap();
    next_page(c, &|| false).await.unwrap();
}

/// Answers the question shown: the top choice, or the first (then a note), skip, or n/a.
async fn answer(c: &Client, how: &str) {
    match how {
        "top" => {
            let choices = c
                .find_all(Locator::Css("button.choice:not(.na)"))
                .await
                .unwrap();
            click_element(c, choices.last().unwrap().clone()).await;
        }
        "low" => click(c, "button.choice").await,
        "skip" => click(c, "button[value=skip]").await,
        "na" => click(c, "button[value=na]").await,
        _ => unreachable!(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn a_whole_interview_on_a_phone() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(
        dir.path(),
        &["Helen Carter", "Dev Patel", "Tom <b>Becker</b>"],
    )
    .await;
    let d = driver().await;
    for (width, dark) in [(390, false), (360, true)] {
        let c = browser(&d, width, true, dark).await;
        let who = if dark {
            "Tom <b>Becker</b>"
        } else {
            "Dev Patel"
        };
        let tag = format!("phone-{width}{}", if dark { "-dark" } else { "" });
        c.goto(&link_of(&server, who)).await.unwrap();
        shot(&c, &format!("{tag}-1-start")).await;
        no_sideways_scroll(&c).await;
        click(&c, "a.button.primary").await;
        for n in 1..=21 {
            let url = c.current_url().await.unwrap();
            assert!(url.path().ends_with(&format!("/q/{n}")), "{url}");
            no_sideways_scroll(&c).await;
            match n {
                1 => {
                    shot(&c, &format!("{tag}-2-question")).await;
                    answer(&c, "top").await;
                }
                2 => {
                    answer(&c, "low").await;
                    let note = c.find(Locator::Css("textarea#note")).await.unwrap();
                    note.send_keys("The voicemail backlog since October")
                        .await
                        .unwrap();
                    shot(&c, &format!("{tag}-3-note")).await;
                    no_sideways_scroll(&c).await;
                    click(&c, "button[value=save]").await;
                }
                3 => answer(&c, "skip").await,
                4 => {
                    if c.find(Locator::Css("button[value=na]")).await.is_ok() {
                        answer(&c, "na").await;
                    } else {
                        answer(&c, "top").await;
                    }
                }
                _ => answer(&c, "top").await,
            }
        }
        assert!(c.current_url().await.unwrap().path().ends_with("/review"));
        shot(&c, &format!("{tag}-4-review")).await;
        no_sideways_scroll(&c).await;
        click(&c, "button.primary[type=submit]").await;
        let body = c.source().await.unwrap();
        assert!(body.contains("Your overall score"), "{body}");
        shot(&c, &format!("{tag}-5-scores")).await;
        no_sideways_scroll(&c).await;
        c.close().await.unwrap();
    }
    let out = dir
        .path()
        .join("responses")
        .join(PERIOD)
        .join("dev-patel.toml");
    let text = std::fs::read_to_string(out).unwrap();
    assert!(text.contains("voicemail backlog"), "{text}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn the_keyboard_alone_goes_through_a_question() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &["Helen Carter", "Dev Patel"]).await;
    let d = driver().await;
    let c = browser(&d, 390, false, false).await;
    c.goto(&format!("{}/q/1", link_of(&server, "Helen Carter")))
        .await
        .unwrap();
    // Tab until a choice has the focus, then Enter answers it.
    let mut reached = false;
    for _ in 0..12 {
        c.active_element()
            .await
            .unwrap()
            .send_keys("\u{E004}")
            .await
            .unwrap();
        let class = c
            .active_element()
            .await
            .unwrap()
            .attr("class")
            .await
            .unwrap()
            .unwrap_or_default();
        if class.contains("choice") {
            reached = true;
            break;
        }
    }
    assert!(reached, "Tab reaches the choices");
    shot(&c, "keyboard-focus").await;
    // The focus is visible: an outline of at least 2 pixels.
    let outline = c
        .execute(
            "const s = getComputedStyle(document.activeElement); return [s.outlineStyle, parseFloat(s.outlineWidth)];",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        outline[0] != json!("none") && outline[1].as_f64().unwrap() >= 2.0,
        "{outline}"
    );
    mark(&c).await.unwrap();
    c.active_element()
        .await
        .unwrap()
        .send_keys("\u{E007}")
        .await
        .unwrap();
    next_page(&c, &|| false).await.unwrap();
    let url = c.current_url().await.unwrap();
    assert!(
        url.path().ends_with("/q/2") || url.path().ends_with("/q/1/note"),
        "{url}"
    );
    c.close().await.unwrap();
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn the_owners_pages_on_a_laptop_and_a_phone() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(
        dir.path(),
        &["Helen Carter", "Dev Patel", "Sofia Rossi", "Tom Becker"],
    )
    .await;
    let d = driver().await;
    // Two people answer, one starts.
    let c = browser(&d, 390, true, false).await;
    for (who, count) in [("Helen Carter", 21), ("Dev Patel", 21), ("Sofia Rossi", 6)] {
        c.goto(&format!("{}/q/1", link_of(&server, who)))
            .await
            .unwrap();
        for n in 0..count {
            if n % 5 == 4 {
                answer(&c, "low").await;
                click(&c, "button[value=none]").await;
            } else {
                answer(&c, "top").await;
            }
        }
        if count == 21 {
            click(&c, "button.primary[type=submit]").await;
        }
    }
    c.goto(&server.owner_url()).await.unwrap();
    shot(&c, "owner-390").await;
    no_sideways_scroll(&c).await;
    c.close().await.unwrap();
    for dark in [false, true] {
        let c = browser(&d, 1200, false, dark).await;
        let tag = if dark { "-dark" } else { "" };
        c.goto(&server.owner_url()).await.unwrap();
        shot(&c, &format!("owner-1200{tag}")).await;
        accessible(&c).await;
        c.goto(&format!("{}/report", server.owner_url()))
            .await
            .unwrap();
        shot(&c, &format!("owner-report-1200{tag}")).await;
        accessible(&c).await;
        c.goto(&format!("{}/invitations", server.owner_url()))
            .await
            .unwrap();
        let qr = c.find_all(Locator::Css("svg.qr")).await.unwrap();
        assert_eq!(qr.len(), 4);
        shot(&c, &format!("invitations-1200{tag}")).await;
        accessible(&c).await;
        c.close().await.unwrap();
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn joining_through_the_team_link_on_a_phone() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &[]).await;
    let d = driver().await;
    let c = browser(&d, 390, true, false).await;
    c.goto(&server.team_url().unwrap()).await.unwrap();
    shot(&c, "team-1-join").await;
    no_sideways_scroll(&c).await;
    let name = c.find(Locator::Css("input#name")).await.unwrap();
    name.send_keys("Lucy Nguyen").await.unwrap();
    click(&c, "button.primary").await;
    let home = c.source().await.unwrap();
    assert!(home.contains("Your personal link"), "{home}");
    let personal = c.current_url().await.unwrap();
    assert!(personal.path().starts_with("/r/"), "{personal}");
    shot(&c, "team-2-personal-link").await;
    no_sideways_scroll(&c).await;
    click(&c, "a.button.primary").await;
    answer(&c, "top").await;
    assert!(c.current_url().await.unwrap().path().ends_with("/q/2"));
    // Another phone cannot take the same name over.
    let other = browser(&d, 390, true, false).await;
    other.goto(&server.team_url().unwrap()).await.unwrap();
    let name = other.find(Locator::Css("input#name")).await.unwrap();
    name.send_keys("lucy  NGUYEN").await.unwrap();
    click(&other, "button.primary").await;
    let refused = other.source().await.unwrap();
    assert!(refused.contains("already has a link"), "{refused}");
    shot(&other, "team-3-name-taken").await;
    no_sideways_scroll(&other).await;
    other.close().await.unwrap();
    c.close().await.unwrap();
    server.shutdown().await;
}

// ---- three people at once, one of them moving to the terminal, through a kill -9 -----------

/// A `selfaudit serve` process (the real binary), so that it can be killed with SIGKILL and
/// started again with the same arguments.
struct Serving {
    cwd: PathBuf,
    args: Vec<String>,
    child: Option<Child>,
    /// Its startup output, once it listens.
    out: String,
    runs: usize,
}

impl Drop for Serving {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Serving {
    async fn start(cwd: &Path, args: &[&str]) -> Serving {
        let mut s = Serving {
            cwd: cwd.to_path_buf(),
            args: args.iter().map(|a| a.to_string()).collect(),
            child: None,
            out: String::new(),
            runs: 0,
        };
        s.spawn().await;
        s
    }

    async fn spawn(&mut self) {
        self.runs += 1;
        let out = self.cwd.join(format!("serve-{}.out", self.runs));
        let err = self.cwd.join(format!("serve-{}.err", self.runs));
        let child = Command::new(env!("CARGO_BIN_EXE_selfaudit"))
            .current_dir(&self.cwd)
            .arg("serve")
            .args(&self.args)
            .env_remove("SELFAUDIT_CHECKLISTS")
            .env_remove("SELFAUDIT_TEAM")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(std::fs::File::create(&err).unwrap())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + PATIENCE;
        while !std::fs::read_to_string(&out).is_ok_and(|t| t.contains("Stop with Ctrl-C")) {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!(
                    "selfaudit serve {:?} ended before listening ({status}): {}",
                    self.args,
                    std::fs::read_to_string(&err).unwrap_or_default()
                );
            }
            assert!(Instant::now() < deadline, "selfaudit serve did not start");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        self.out = std::fs::read_to_string(&out).unwrap();
    }

    /// `kill -9`.
    fn kill(&mut self) {
        let mut c = self.child.take().unwrap();
        c.kill().unwrap();
        c.wait().unwrap();
    }

    /// SIGTERM: drains, prints who answered, exits 0.
    async fn stop(&mut self) -> String {
        let mut c = self.child.take().unwrap();
        let status = Command::new("kill")
            .args(["-TERM", &c.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + PATIENCE;
        let code = loop {
            if let Some(code) = c.try_wait().unwrap() {
                break code;
            }
            assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
            tokio::time::sleep(Duration::from_millis(25)).await;
        };
        assert!(code.success(), "{code:?}");
        std::fs::read_to_string(self.cwd.join(format!("serve-{}.out", self.runs))).unwrap()
    }

    /// The personal links printed at the start, by name (with a team list).
    fn links(&self) -> BTreeMap<String, String> {
        let lines: Vec<&str> = self.out.lines().collect();
        lines
            .windows(2)
            .filter(|w| w[1].starts_with("    http"))
            .map(|w| (w[0].trim().to_string(), w[1].trim().to_string()))
            .collect()
    }

    /// The owner's link, and the team link (without a team list).
    fn line_after(&self, heading: &str) -> String {
        let mut lines = self.out.lines().skip_while(|l| !l.starts_with(heading));
        lines.next().unwrap();
        lines.next().unwrap().trim().to_string()
    }

    fn base(&self) -> String {
        let owner = self.line_after("Owner's page");
        owner[..owner.find("/o/").unwrap()].to_string()
    }
}

/// One question of the default interview, in the order asked.
struct Q {
    checklist: String,
    item: String,
    top: String,
    low: String,
    na: bool,
}

fn questions() -> Vec<Q> {
    let registry = selfaudit::load::Registry::discover(None).unwrap();
    let mut qs = Vec::new();
    for id in selfaudit::load::DEFAULT_CHECKLISTS {
        let c = registry.get(id).unwrap();
        for s in &c.sections {
            for i in &s.items {
                qs.push(Q {
                    checklist: c.id.clone(),
                    item: i.id.clone(),
                    top: i.scale.choices.last().unwrap().key.clone(),
                    low: i.scale.choices[0].key.clone(),
                    na: i.na,
                });
            }
        }
    }
    assert_eq!(qs.len(), 21);
    qs
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Act {
    Top,
    Low,
    Skip,
    Na,
}

/// What is known to be saved: acknowledged to a browser (the next page came) or to the terminal.
#[derive(Debug, Clone, PartialEq)]
enum Fact {
    Answer(String),
    Skipped,
    Note(String),
    Submitted,
}

/// One of the three people.
#[derive(Clone)]
struct Who {
    name: &'static str,
    slug: &'static str,
    tag: &'static str,
    width: u32,
    dark: bool,
    /// Which server's folder their files are in.
    folder: PathBuf,
    plan: fn(usize, &Q) -> Act,
    note: Option<&'static str>,
    /// Answers the questions skipped from the last page (else submits without them).
    revisit: bool,
}

/// What the scenario shares between the three people, the terminal and the server's killer.
struct Scene {
    qs: Vec<Q>,
    killed: tokio::sync::watch::Sender<bool>,
    restarted: tokio::sync::watch::Sender<bool>,
    facts: Mutex<Vec<(&'static str, usize, Fact)>>,
    /// Who has found the server gone.
    lost: Mutex<HashSet<&'static str>>,
    /// (kind of page, dark) already checked with axe; (person, kind) already photographed.
    axed: Mutex<HashSet<(String, bool)>>,
    shot: Mutex<HashSet<(String, String)>>,
}

/// Where a person's browser is.
enum At {
    Home,
    Scores,
    Question(usize, bool),
    Note(usize),
    Review,
}

impl Scene {
    fn is_killed(&self) -> bool {
        *self.killed.borrow()
    }

    fn know(&self, who: &Who, n: usize, fact: Fact) {
        self.facts.lock().unwrap().push((who.name, n, fact));
    }

    fn answered(&self, who: &Who) -> usize {
        latest(&self.facts.lock().unwrap(), who.name)
            .values()
            .filter(|(a, _)| matches!(a, Some(Fact::Answer(_))))
            .count()
    }

    /// Every kind of page once: a screenshot per person, axe per colour scheme, no sideways scroll.
    async fn check(&self, c: &Client, who: &Who, kind: &str) {
        assert_eq!(is_dark(c).await, who.dark, "{kind} of {}", who.name);
        fits(c).await;
        if self
            .shot
            .lock()
            .unwrap()
            .insert((who.tag.to_string(), kind.to_string()))
        {
            shot(c, &format!("scenario-{}-{kind}", who.tag)).await;
        }
        if self
            .axed
            .lock()
            .unwrap()
            .insert((kind.to_string(), who.dark))
        {
            accessible(c).await;
        }
    }

    /// The server went away under this person: wait for it to come back, open the link again.
    /// The answer that was on its way may or may not have been saved (it was not acknowledged):
    /// the start page says which.
    async fn lost(
        &self,
        c: &Client,
        who: &Who,
        link: &str,
        why: String,
        in_flight: Option<(usize, Fact)>,
    ) {
        assert!(
            self.is_killed(),
            "{}: {why}\n{}",
            who.name,
            c.source().await.unwrap_or_default()
        );
        self.lost.lock().unwrap().insert(who.name);
        self.restarted.subscribe().wait_for(|r| *r).await.unwrap();
        c.goto(link).await.unwrap();
        // The start page tells how far they got: everything acknowledged, and perhaps the
        // answer that was on its way when the server died.
        let body = c.source().await.unwrap();
        let known = self.answered(who);
        let done = (known..=known + 1)
            .find(|d| body.contains(&format!("{d} of 21 questions done")))
            .unwrap_or_else(|| {
                panic!(
                    "{} after the restart, {known} answers acknowledged:\n{body}",
                    who.name
                )
            });
        if done > known {
            match in_flight {
                Some((n, fact @ Fact::Answer(_))) => self.know(who, n, fact),
                other => panic!("{}: one answer more than known, {other:?}", who.name),
            }
        }
        self.check(c, who, "home-after-restart").await;
    }

    /// Clicks the `nth` element that `css` finds (the last when `None`): whether one of the
    /// server's pages came next.
    async fn press(&self, c: &Client, css: &str, nth: Option<usize>) -> Result<(), String> {
        let all = c
            .find_all(Locator::Css(css))
            .await
            .map_err(|e| e.to_string())?;
        let element = match nth {
            Some(i) => all.get(i),
            None => all.last(),
        }
        .ok_or_else(|| format!("no {css}"))?
        .clone();
        mark(c).await?;
        element.click().await.map_err(|e| e.to_string())?;
        next_page(c, &|| self.is_killed()).await
    }

    async fn at(&self, c: &Client, link: &str) -> At {
        let url = c.current_url().await.unwrap();
        let own = reqwest::Url::parse(link).unwrap();
        let rest = url
            .path()
            .strip_prefix(own.path())
            .unwrap_or_else(|| panic!("{url} is not under {link}"));
        let review = url.query().is_some_and(|q| q.contains("review=1"));
        match rest {
            "" | "/" => {
                if c.source().await.unwrap().contains("Your overall score") {
                    At::Scores
                } else {
                    At::Home
                }
            }
            "/review" => At::Review,
            q => {
                let q = q.strip_prefix("/q/").unwrap();
                match q.strip_suffix("/note") {
                    Some(n) => At::Note(n.parse().unwrap()),
                    None => At::Question(q.parse().unwrap(), review),
                }
            }
        }
    }

    /// Answers from wherever the browser is, by the person's plan, until their scores show, or
    /// until question `pause` comes. Before question 7 comes, the server has been killed once.
    async fn go(&self, c: &Client, who: &Who, link: &str, pause: Option<usize>) {
        let mut revisited = false;
        loop {
            let mut in_flight = None;
            let step = match self.at(c, link).await {
                At::Scores => {
                    self.check(c, who, "scores").await;
                    // In the order asked, as `run` shows them.
                    let body = c.source().await.unwrap();
                    let first = body.find("The service self-audit").unwrap();
                    assert!(first < body.find("BE SURE").unwrap(), "{body}");
                    return;
                }
                At::Home => {
                    self.check(c, who, "home").await;
                    self.press(c, "a.button.primary", Some(0)).await
                }
                At::Question(n, review) => {
                    if pause == Some(n) {
                        return;
                    }
                    if n >= 7 {
                        self.killed.subscribe().wait_for(|k| *k).await.unwrap();
                    }
                    self.check(
                        c,
                        who,
                        if review {
                            "question-review"
                        } else {
                            "question"
                        },
                    )
                    .await;
                    let q = &self.qs[n - 1];
                    let act = if review { Act::Top } else { (who.plan)(n, q) };
                    let (css, nth, fact) = match act {
                        Act::Top => ("button.choice:not(.na)", None, Fact::Answer(q.top.clone())),
                        Act::Low => ("button.choice", Some(0), Fact::Answer(q.low.clone())),
                        Act::Skip => ("button[value=skip]", Some(0), Fact::Skipped),
                        Act::Na => ("button[value=na]", Some(0), Fact::Answer("n/a".into())),
                    };
                    let r = self.press(c, css, nth).await;
                    if r.is_ok() {
                        self.know(who, n, fact);
                    } else {
                        in_flight = Some((n, fact));
                    }
                    r
                }
                At::Note(n) => {
                    self.check(c, who, "note").await;
                    let r = match who.note {
                        Some(text) => {
                            let area = c.find(Locator::Css("textarea#note")).await.unwrap();
                            area.clear().await.unwrap();
                            area.send_keys(text).await.unwrap();
                            self.press(c, "button[value=save]", Some(0)).await
                        }
                        None => self.press(c, "button[value=none]", Some(0)).await,
                    };
                    if r.is_ok()
                        && let Some(text) = who.note
                    {
                        self.know(who, n, Fact::Note(text.to_string()));
                    }
                    r
                }
                At::Review => {
                    self.check(c, who, "review").await;
                    let open = c.find_all(Locator::Css("ol.open a")).await.unwrap();
                    if who.revisit && !revisited && !open.is_empty() {
                        revisited = true;
                        self.press(c, "ol.open a", Some(0)).await
                    } else {
                        let r = self.press(c, "button.primary[type=submit]", Some(0)).await;
                        if r.is_ok() {
                            self.know(who, 0, Fact::Submitted);
                        }
                        r
                    }
                }
            };
            if let Err(why) = step {
                self.lost(c, who, link, why, in_flight).await;
            }
        }
    }
}

/// The latest of each kind of fact per question of one person: (answer or skip, note).
fn latest(
    facts: &[(&'static str, usize, Fact)],
    name: &str,
) -> BTreeMap<usize, (Option<Fact>, Option<String>)> {
    let mut map: BTreeMap<usize, (Option<Fact>, Option<String>)> = BTreeMap::new();
    for (who, n, fact) in facts {
        if *who != name || *n == 0 {
            continue;
        }
        let e = map.entry(*n).or_default();
        match fact {
            Fact::Note(t) => e.1 = Some(t.clone()),
            f => e.0 = Some(f.clone()),
        }
    }
    map
}

/// Every fact known about `who` is in their file on disk (the progress file, or the responses
/// file once submitted).
fn on_disk(qs: &[Q], facts: &[(&'static str, usize, Fact)], who: &Who) {
    let submitted = facts
        .iter()
        .any(|(n, _, f)| *n == who.name && *f == Fact::Submitted);
    let file = who.folder.join(format!(
        "{}.toml{}",
        who.slug,
        if submitted { "" } else { ".partial" }
    ));
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let doc: toml::Table = text.parse().unwrap();
    if submitted {
        assert!(
            !who.folder
                .join(format!("{}.toml.partial", who.slug))
                .exists()
        );
    }
    for (n, (answer, note)) in latest(facts, who.name) {
        let q = &qs[n - 1];
        let saved = doc
            .get("answers")
            .and_then(|a| a.get(&q.checklist))
            .and_then(|a| a.get(&q.item));
        let (choice, saved_note) = match saved {
            None => (None, None),
            Some(toml::Value::String(s)) => (Some(s.as_str()), None),
            Some(t) => (
                t.get("choice").and_then(|c| c.as_str()),
                t.get("note").and_then(|c| c.as_str()),
            ),
        };
        match answer {
            Some(Fact::Answer(key)) => {
                assert_eq!(choice, Some(key.as_str()), "{} q{n}:\n{text}", who.name)
            }
            Some(Fact::Skipped) => assert_eq!(choice, None, "{} q{n}:\n{text}", who.name),
            _ => {}
        }
        if let Some(note) = note {
            assert_eq!(
                saved_note,
                Some(note.as_str()),
                "{} q{n}:\n{text}",
                who.name
            );
        }
    }
}

/// `selfaudit run` in a pseudo-terminal, as tests/it/serve_terminal.rs drives it.
fn terminal(cwd: &Path, name: &str) -> expectrl::session::OsSession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_selfaudit"));
    cmd.current_dir(cwd)
        .args(["run", "service-self-audit", "be-sure", "--respondent", name])
        .args(["--period", PERIOD])
        .env_remove("SELFAUDIT_CHECKLISTS")
        .env_remove("SELFAUDIT_TEAM")
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut s = expectrl::Session::spawn(cmd).unwrap();
    s.set_expect_timeout(Some(PATIENCE));
    s
}

/// Reads a folder with `selfaudit report` as it is: exit 0, and these respondents.
fn report_reads(cwd: &Path, respondents: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_selfaudit"))
        .current_dir(cwd)
        .args(["report", &format!("responses/{PERIOD}"), "--format", "json"])
        .env_remove("SELFAUDIT_CHECKLISTS")
        .env_remove("SELFAUDIT_TEAM")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["respondents"], json!(respondents), "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn three_phones_a_terminal_and_a_kill_9() {
    use expectrl::Expect;
    let dir = tempfile::tempdir().unwrap();
    // Server A: a team list, personal links. Server B: no team list, the team link.
    let (team_dir, open_dir) = (dir.path().join("team"), dir.path().join("open"));
    std::fs::create_dir_all(&team_dir).unwrap();
    std::fs::create_dir_all(&open_dir).unwrap();
    std::fs::write(
        team_dir.join("team.toml"),
        "[roles]\nowner = \"Owner\"\nstaff = \"Staff\"\n\n\
         [[people]]\nname = \"Helen Carter\"\nrole = \"owner\"\n\n\
         [[people]]\nname = \"Dev Patel\"\nrole = \"staff\"\n\n\
         [[people]]\nname = \"Sofia Rossi\"\nrole = \"staff\"\n",
    )
    .unwrap();
    let (port_a, port_b) = (free_port(), free_port());
    let listen_a = format!("127.0.0.1:{port_a}");
    let listen_b = format!("127.0.0.1:{port_b}");
    let mut a = Serving::start(
        &team_dir,
        &[
            "--team",
            "team.toml",
            "--period",
            PERIOD,
            "--listen",
            &listen_a,
        ],
    )
    .await;
    let mut b = Serving::start(&open_dir, &["--period", PERIOD, "--listen", &listen_b]).await;
    let links = a.links();
    let team_link = b.line_after("Team link");
    let d = driver().await;
    let (killed, _) = tokio::sync::watch::channel(false);
    let (restarted, _) = tokio::sync::watch::channel(false);
    let scene = Scene {
        qs: questions(),
        killed,
        restarted,
        facts: Mutex::new(Vec::new()),
        lost: Mutex::new(HashSet::new()),
        axed: Mutex::new(HashSet::new()),
        shot: Mutex::new(HashSet::new()),
    };
    let folder_a = team_dir.join("responses").join(PERIOD);
    let folder_b = open_dir.join("responses").join(PERIOD);
    let helen = Who {
        name: "Helen Carter",
        slug: "helen-carter",
        tag: "helen-390",
        width: 390,
        dark: false,
        folder: folder_a.clone(),
        plan: |n, q| match n {
            2 => Act::Low,
            3 => Act::Skip,
            4 if q.na => Act::Na,
            _ => Act::Top,
        },
        note: Some("Voicemail <b>backlog</b> since October & \"no one\" calls back"),
        revisit: true,
    };
    let dev = Who {
        name: "Dev Patel",
        slug: "dev-patel",
        tag: "dev-390-dark",
        width: 390,
        dark: true,
        folder: folder_a.clone(),
        plan: |n, _| match n {
            2 => Act::Low,
            5 => Act::Skip,
            _ => Act::Top,
        },
        note: Some("Parts arrive late; we promise the day before we know"),
        revisit: false,
    };
    let lucy = Who {
        name: "Lucy Nguyen",
        slug: "lucy-nguyen",
        tag: "lucy-360",
        width: 360,
        dark: false,
        folder: folder_b.clone(),
        plan: |n, _| if n == 6 { Act::Low } else { Act::Top },
        note: None,
        revisit: false,
    };

    let helen_flow = async {
        let c = browser(&d, helen.width, true, helen.dark).await;
        let link = &links["Helen Carter"];
        c.goto(link).await.unwrap();
        scene.go(&c, &helen, link, None).await;
        c.close().await.unwrap();
    };

    let dev_flow = async {
        let c = browser(&d, dev.width, true, dev.dark).await;
        let link = &links["Dev Patel"];
        c.goto(link).await.unwrap();
        // Half-way on the phone, then the terminal.
        scene.go(&c, &dev, link, Some(11)).await;
        scene.restarted.subscribe().wait_for(|r| *r).await.unwrap();
        let answered = scene.answered(&dev);
        let cwd = team_dir.clone();
        let s = tokio::task::spawn_blocking(move || {
            let mut s = terminal(&cwd, "Dev Patel");
            s.expect(format!("{answered} of 21 questions answered").as_str())
                .unwrap();
            s.expect("Resume").unwrap();
            s.send("\r").unwrap();
            s.expect("[11/21]").unwrap();
            s
        })
        .await
        .unwrap();
        // While the terminal holds the interview, the phone says so and changes nothing; a
        // second browser with the same link (light) sees the same.
        for url in [link.clone(), format!("{link}/q/11")] {
            c.goto(&url).await.unwrap();
            let body = c.source().await.unwrap();
            assert!(body.contains("open in a terminal"), "{body}");
        }
        scene.check(&c, &dev, "busy").await;
        let light = browser(&d, 390, true, false).await;
        light.goto(link).await.unwrap();
        assert!(light.source().await.unwrap().contains("open in a terminal"));
        let lighter = Who {
            tag: "dev-390",
            dark: false,
            ..dev.clone()
        };
        scene.check(&light, &lighter, "busy").await;
        light.close().await.unwrap();
        let tops: Vec<String> = (11..=15).map(|n| scene.qs[n - 1].top.clone()).collect();
        let mut s = s;
        tokio::task::spawn_blocking(move || {
            for (i, key) in tops.iter().enumerate() {
                s.send(format!("{key}\r")).unwrap();
                s.expect(format!("[{}/21]", 12 + i).as_str()).unwrap();
            }
            s.send("\x03").unwrap();
            s.expect(expectrl::Eof).unwrap();
            match s.get_process().wait().unwrap() {
                expectrl::process::unix::WaitStatus::Exited(_, code) => assert_eq!(code, 130),
                other => panic!("{other:?}"),
            }
        })
        .await
        .unwrap();
        for n in 11..=15 {
            scene.know(&dev, n, Fact::Answer(scene.qs[n - 1].top.clone()));
        }
        // Back on the phone: the five answers of the terminal are there; on from question 16.
        c.goto(link).await.unwrap();
        let body = c.source().await.unwrap();
        assert!(
            body.contains(&format!("{} of 21 questions done", answered + 5)),
            "{body}"
        );
        let go_on = c.find(Locator::Css("a.button.primary")).await.unwrap();
        assert!(
            go_on
                .attr("href")
                .await
                .unwrap()
                .unwrap()
                .ends_with("/q/16"),
            "{body}"
        );
        scene.check(&c, &dev, "home-after-terminal").await;
        scene.go(&c, &dev, link, None).await;
        c.close().await.unwrap();
    };

    let lucy_flow = async {
        let c = browser(&d, lucy.width, true, lucy.dark).await;
        c.goto(&team_link).await.unwrap();
        scene.check(&c, &lucy, "join").await;
        let name = c.find(Locator::Css("input#name")).await.unwrap();
        name.send_keys("Lucy Nguyen").await.unwrap();
        scene.press(&c, "button.primary", Some(0)).await.unwrap();
        let body = c.source().await.unwrap();
        assert!(body.contains("Your personal link"), "{body}");
        let mut personal = c.current_url().await.unwrap();
        personal.set_query(None);
        scene.check(&c, &lucy, "home").await;
        scene.go(&c, &lucy, personal.as_str(), None).await;
        c.close().await.unwrap();
    };

    let killer = async {
        // Once all three are under way (two answers each, eight in all), kill both servers.
        until("all three to be under way", || async {
            let facts = scene.facts.lock().unwrap();
            facts.len() >= 8
                && ["Helen Carter", "Dev Patel", "Lucy Nguyen"]
                    .iter()
                    .all(|n| facts.iter().filter(|(w, _, _)| w == n).count() >= 2)
        })
        .await;
        scene.killed.send_replace(true);
        a.kill();
        b.kill();
        // Every answer acknowledged before the kill is on disk.
        let facts = scene.facts.lock().unwrap().clone();
        for who in [&helen, &dev, &lucy] {
            on_disk(&scene.qs, &facts, who);
        }
        // Each of them finds the server gone before it comes back.
        until("all three to find the server gone", || async {
            scene.lost.lock().unwrap().len() == 3
        })
        .await;
        // The same arguments again: the same links.
        a.spawn().await;
        b.spawn().await;
        assert_eq!(a.links(), links);
        assert_eq!(b.line_after("Team link"), team_link);
        scene.restarted.send_replace(true);
    };

    tokio::join!(helen_flow, dev_flow, lucy_flow, killer);

    // Every other kind of page, light and dark, on a phone and on a laptop.
    let owner_a = a.line_after("Owner's page");
    let owner_b = b.line_after("Owner's page");
    for (width, dark) in [(390, false), (390, true), (1200, false), (1200, true)] {
        let phone = width < 900;
        let c = browser(&d, width, phone, dark).await;
        assert_eq!(is_dark(&c).await, dark);
        let tag = format!("{width}{}", if dark { "-dark" } else { "" });
        let pages = [
            ("owner", owner_a.clone()),
            ("owner-report", format!("{owner_a}/report")),
            ("invitations", format!("{owner_a}/invitations")),
            ("owner-open", owner_b.clone()),
            ("invitations-open", format!("{owner_b}/invitations")),
            ("join", team_link.clone()),
            ("not-found", format!("{}/r/{}", a.base(), "A".repeat(32))),
            // Someone who has not started: looking changes nothing.
            ("start", links["Sofia Rossi"].clone()),
            ("question", format!("{}/q/1", links["Sofia Rossi"])),
        ];
        for (kind, url) in pages {
            c.goto(&url).await.unwrap();
            c.wait()
                .at_most(PATIENCE)
                .for_element(Locator::Css("main, body"))
                .await
                .unwrap();
            shot(&c, &format!("scenario-{kind}-{tag}")).await;
            accessible(&c).await;
            fits(&c).await;
        }
        let owner = {
            c.goto(&owner_a).await.unwrap();
            c.source().await.unwrap()
        };
        for n in ["Helen Carter", "Dev Patel", "Sofia Rossi"] {
            assert!(owner.contains(n), "{owner}");
        }
        // A name already taken, at the team link.
        c.goto(&team_link).await.unwrap();
        let name = c.find(Locator::Css("input#name")).await.unwrap();
        name.send_keys("lucy  NGUYEN").await.unwrap();
        click(&c, "button.primary").await;
        assert!(c.source().await.unwrap().contains("already has a link"));
        shot(&c, &format!("scenario-name-taken-{tag}")).await;
        no_sideways_scroll(&c).await;
        c.close().await.unwrap();
    }

    // Sofia starts and stops after two answers: her progress file does not disturb `report`.
    let c = browser(&d, 390, true, false).await;
    c.goto(&format!("{}/q/1", links["Sofia Rossi"]))
        .await
        .unwrap();
    answer(&c, "top").await;
    answer(&c, "top").await;
    assert!(c.current_url().await.unwrap().path().ends_with("/q/3"));
    c.close().await.unwrap();

    // Ctrl-C's signal: each server stops with exit 0 and says who answered.
    let said = a.stop().await;
    assert!(
        said.contains("Answered (2): Helen Carter, Dev Patel"),
        "{said}"
    );
    assert!(
        said.contains("In progress (1): Sofia Rossi (2 of 21)"),
        "{said}"
    );
    let said = b.stop().await;
    assert!(said.contains("Answered (1): Lucy Nguyen"), "{said}");

    // Everything acknowledged is in the responses files, and `report` reads them as they are.
    let facts = scene.facts.lock().unwrap().clone();
    for who in [&helen, &dev, &lucy] {
        assert!(
            facts.contains(&(who.name, 0, Fact::Submitted)),
            "{}",
            who.name
        );
        on_disk(&scene.qs, &facts, who);
    }
    let helen_file = std::fs::read_to_string(folder_a.join("helen-carter.toml")).unwrap();
    assert!(helen_file.contains("respondent = \"Helen Carter\""));
    report_reads(&team_dir, &["Dev Patel", "Helen Carter"]);
    report_reads(&open_dir, &["Lucy Nguyen"]);
}
