//! `selfaudit serve` in a real browser: Chromium through chromedriver (Debian's `chromium` and
//! `chromium-driver`), at phone size and at desktop size, screenshots in target/screenshots/.
//! Ignored in a plain `cargo test`; `.ci/run` runs them: `cargo test --test browser -- --ignored`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use selfaudit::cli::ServeArgs;
use selfaudit::serve::{self, Config, Server};
use serde_json::json;

const PERIOD: &str = "2026-Q4";

struct Driver {
    process: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
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

async fn driver() -> Driver {
    let port = free_port();
    let process = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver (Debian: apt-get install chromium chromium-driver)");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
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
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
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
async fn no_sideways_scroll(c: &Client) {
    accessible(c).await;
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

/// With AXE_CORE naming axe.min.js (npm's axe-core), the page passes its WCAG 2.2 A/AA rules.
async fn accessible(c: &Client) {
    let Some(path) = std::env::var_os("AXE_CORE") else {
        return;
    };
    let axe = std::fs::read_to_string(path).expect("AXE_CORE names axe.min.js");
    let script = format!(
        "{axe}\n;const done = arguments[arguments.length - 1];\
         axe.run(document, {{ runOnly: {{ type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }} }})\
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

/// Clicks, then waits until the next page has loaded (the address changes).
async fn click(c: &Client, css: &str) {
    let element = c.wait().for_element(Locator::Css(css)).await.unwrap();
    click_element(c, element).await;
}

async fn click_element(c: &Client, element: fantoccini::elements::Element) {
    let before = c.current_url().await.unwrap();
    element.click().await.unwrap();
    for _ in 0..100 {
        if c.current_url().await.unwrap() != before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    c.wait().for_element(Locator::Css("main")).await.unwrap();
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
    c.active_element()
        .await
        .unwrap()
        .send_keys("\u{E007}")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
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
