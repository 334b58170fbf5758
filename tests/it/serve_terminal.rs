//! One interview moving between the phone and the terminal: the web answers, `selfaudit run`
//! resumes in a pseudo-terminal (the web link meanwhile says so and changes nothing), and the
//! web finishes it. The files are the same ones, under the same lock.
#![cfg(unix)]

use std::path::Path;
use std::time::Duration;

use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession as Session;
use expectrl::{Eof, Expect};
use selfaudit::cli::ServeArgs;
use selfaudit::serve::{self, Config};

const MINI: &str = r#"
id = "mini"
title = "Mini"
version = "1"
scale = "yes-no"

[[sections]]
id = "calls"
title = "Calls"

[[sections.items]]
id = "return-calls"
text = "Do we return every call within a day?"

[[sections.items]]
id = "greet"
text = "Do we greet every visitor?"

[[sections.items]]
id = "tidy"
text = "Is the shop tidy?"
"#;

const ENTER: &str = "\r";
const CTRL_C: &str = "\x03";

fn run_in_terminal(dir: &Path) -> Session {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_selfaudit"));
    cmd.current_dir(dir)
        .args([
            "--checklists",
            "cl",
            "run",
            "mini",
            "--respondent",
            "Ann Lee",
            "--period",
            "2026-Q4",
        ])
        .env_remove("SELFAUDIT_CHECKLISTS")
        .env_remove("SELFAUDIT_TEAM")
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut s = expectrl::Session::spawn(cmd).unwrap();
    s.set_expect_timeout(Some(Duration::from_secs(20)));
    s
}

async fn page(c: &reqwest::Client, url: &str) -> (reqwest::StatusCode, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status(), r.text().await.unwrap().replace("&#x2f;", "/"))
}

fn csrf(body: &str) -> String {
    let at = body.find("name=\"csrf\" value=\"").unwrap() + 19;
    body[at..].split('"').next().unwrap().to_string()
}

async fn answer(c: &reqwest::Client, link: &str, n: usize, a: &str) -> reqwest::Response {
    let (_, body) = page(c, &format!("{link}/q/{n}")).await;
    c.post(format!("{link}/q/{n}"))
        .form(&[("csrf", csrf(&body).as_str()), ("a", a)])
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interview_moves_from_the_phone_to_the_terminal_and_back() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("cl")).unwrap();
    std::fs::write(dir.path().join("cl/mini.toml"), MINI).unwrap();
    std::fs::write(
        dir.path().join("team.toml"),
        "[[people]]\nname = \"Ann Lee\"\n\n[[people]]\nname = \"Bo Chen\"\n",
    )
    .unwrap();
    let args = ServeArgs {
        ids: vec!["mini".to_string()],
        period: Some("2026-Q4".to_string()),
        team: Some(dir.path().join("team.toml")),
        listen: "127.0.0.1:0".to_string(),
        responses: dir.path().join("responses"),
        baseline: None,
        qr: false,
        tls_cert: None,
        tls_key: None,
    };
    let server = serve::start(Config::settle(Some(&dir.path().join("cl")), &args).unwrap())
        .await
        .unwrap();
    let link = server
        .person_urls()
        .into_iter()
        .find(|(n, _)| n == "Ann Lee")
        .unwrap()
        .1;
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // The phone answers the first question.
    assert_eq!(answer(&c, &link, 1, "c1").await.status(), 303);

    // The terminal goes on from there.
    let mut s = run_in_terminal(dir.path());
    s.expect("1 of 3 questions answered").unwrap();
    s.expect("Resume").unwrap();
    s.send(ENTER).unwrap();
    s.expect("[2/3]").unwrap();
    // While the terminal has it open, the web link says so and changes nothing.
    let (_, body) = page(&c, &link).await;
    assert!(body.contains("open in a terminal"), "{body}");
    let (_, q3) = page(&c, &format!("{link}/q/3")).await;
    assert!(q3.contains("open in a terminal"));
    s.send(format!("yes{ENTER}")).unwrap();
    s.expect("[3/3]").unwrap();
    s.send(CTRL_C).unwrap();
    s.expect(Eof).unwrap();
    match s.get_process().wait().unwrap() {
        WaitStatus::Exited(_, code) => assert_eq!(code, 130),
        other => panic!("{other:?}"),
    }

    // Back on the phone: two answered, the third is next; finish and submit.
    let (_, home) = page(&c, &link).await;
    assert!(home.contains("2 of 3 questions done"), "{home}");
    assert!(home.contains("/q/3\""), "{home}");
    let r = answer(&c, &link, 3, "c1").await;
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .ends_with("/review")
    );
    let (_, review) = page(&c, &format!("{link}/review")).await;
    let r = c
        .post(format!("{link}/submit"))
        .form(&[("csrf", csrf(&review).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let out = dir.path().join("responses/2026-Q4/ann-lee.toml");
    let text = std::fs::read_to_string(&out).unwrap();
    for item in [
        "return-calls = \"yes\"",
        "greet = \"yes\"",
        "tidy = \"yes\"",
    ] {
        assert!(text.contains(item), "{text}");
    }
    // `selfaudit report` reads the folder as it is.
    let report = std::process::Command::new(env!("CARGO_BIN_EXE_selfaudit"))
        .current_dir(dir.path())
        .args([
            "--checklists",
            "cl",
            "report",
            "responses/2026-Q4",
            "--format",
            "json",
        ])
        .env_remove("SELFAUDIT_TEAM")
        .output()
        .unwrap();
    assert!(
        report.status.success(),
        "{}",
        String::from_utf8_lossy(&report.stderr)
    );
    server.shutdown().await;
}
