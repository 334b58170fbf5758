//! `selfaudit serve` (SPEC §11): settle what is asked and where it is written, listen, route,
//! and stop cleanly. Pages live in `pages`, links and their guards in `secrets`.

mod conn;
mod frame;
mod pages;
pub mod qr;
pub mod secrets;
pub mod session;

use std::collections::HashMap;
use std::fs;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use tower_http::limit::RequestBodyLimitLayer;

use crate::app;
use crate::cli::ServeArgs;
use crate::error::{EXIT_OK, Error, Result};
use crate::load::DEFAULT_CHECKLISTS;
use crate::load::{self, Registry};
use crate::model::report::Report;
use crate::team::Team;
use crate::text::terminal_safe;

pub use frame::Limits;
use secrets::{Links, PersonLink};
use session::{Files, Status};

/// Everything `serve` settles before it listens.
pub struct Config {
    pub registry: Registry,
    pub ids: Vec<String>,
    pub period: String,
    /// `DIR/<period>/`.
    pub folder: PathBuf,
    pub team: Option<(PathBuf, String, Team)>,
    pub baseline: Option<Report>,
    pub listen: String,
    pub tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
    /// The clocks and the caps on connections: the SPEC's, or (given through the library, as
    /// tests do) stricter ones; `start` never lets them be weaker.
    pub limits: Limits,
}

impl Config {
    /// Reads the checklists, the team list, the baseline and the TLS files; any problem is a
    /// usage error before anything listens.
    pub fn settle(dir: Option<&Path>, args: &ServeArgs) -> Result<Config> {
        let baseline = args
            .baseline
            .as_deref()
            .map(load::read_report)
            .transpose()?;
        let mut registry = Registry::discover(dir)?;
        let mut ids = app::resolve_checklists(&mut registry, &args.ids)?;
        if ids.is_empty() {
            ids = DEFAULT_CHECKLISTS
                .iter()
                .filter(|id| registry.get(id).is_some())
                .map(|s| s.to_string())
                .collect();
        }
        if ids.is_empty() {
            ids = registry.ids();
        }
        if ids.is_empty() {
            return Err(Error::usage_hint(
                "no checklists to ask",
                "name one: selfaudit serve CHECKLIST (see `selfaudit list`)",
            ));
        }
        let period = args
            .period
            .as_deref()
            .map_or_else(crate::env::current_quarter, |p| p.trim().to_string());
        if period.is_empty() {
            return Err(Error::usage_hint(
                "the period is empty",
                "give a label with --period LABEL, e.g. 2026-Q4, or leave it out for the current quarter",
            ));
        }
        let team = crate::collect::find_team(args.team.as_deref())?;
        if let Some((_, name, list)) = &team {
            let mut slugs: HashMap<String, &str> = HashMap::new();
            for p in &list.people {
                if let Some(other) = slugs.insert(crate::text::slug(&p.name), &p.name) {
                    return Err(Error::usage_hint(
                        format!(
                            "{}: `{}` and `{}` would write the same responses file",
                            terminal_safe(name),
                            terminal_safe(other),
                            terminal_safe(&p.name)
                        ),
                        "make the two names differ in their letters or digits",
                    ));
                }
            }
        }
        let tls = match (&args.tls_cert, &args.tls_key) {
            (Some(cert), Some(key)) => Some(conn::tls_config(cert, key)?),
            _ => None,
        };
        let folder = args.responses.join(crate::text::period_slug(&period));
        Ok(Config {
            registry,
            ids,
            period,
            folder,
            team,
            baseline,
            listen: args.listen.clone(),
            tls,
            limits: Limits::default(),
        })
    }
}

/// Who may answer: one entry per secret.
#[derive(Debug, Clone)]
pub struct Person {
    pub name: String,
    pub role: Option<String>,
    pub files: Files,
}

/// The state every request shares.
pub struct App {
    pub registry: Registry,
    pub ids: Vec<String>,
    pub period: String,
    pub folder: PathBuf,
    pub team: Option<(PathBuf, String, Team)>,
    pub baseline: Option<Report>,
    pub tls: bool,
    pub limits: Limits,
    links_path: PathBuf,
    links: Mutex<Links>,
    /// The owner's secret, the team link's and the CSRF key: fixed for the period.
    owner: String,
    team_secret: String,
    csrf_key: String,
    /// Secret → person.
    people: Mutex<HashMap<String, Person>>,
    /// One in-process lock per responses file, so that two requests of one respondent take turns
    /// before the file lock (which would otherwise read as "open in a terminal").
    turns: Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>,
    pub rate: secrets::RateLimit,
    /// Names given at the team link, per client: the same limit as wrong secrets.
    pub joins: secrets::RateLimit,
    pub pages: pages::Templates,
}

/// The most names the team link takes in one period.
const MAX_JOINED: usize = 1000;

impl App {
    fn new(config: Config) -> Result<App> {
        fs::create_dir_all(&config.folder).map_err(|e| Error::io(&config.folder, e))?;
        crate::paths::refuse_link(&config.folder)?;
        let links_path = config.folder.join(secrets::LINKS_FILE);
        let mut links = match Links::read(&links_path)? {
            Some(l) => l,
            None => Links::new(&config.period)?,
        };
        let mut people = HashMap::new();
        match &config.team {
            Some((_, _, team)) => {
                for p in &team.people {
                    let secret = match links.secret_of(&p.name) {
                        Some(s) => s.to_string(),
                        None => {
                            let s = secrets::new_secret()?;
                            links.people.push(PersonLink {
                                name: p.name.clone(),
                                secret: s.clone(),
                            });
                            s
                        }
                    };
                    people.insert(
                        secret,
                        Person {
                            name: p.name.clone(),
                            role: p.role.clone(),
                            files: Files::new(&config.folder, &crate::text::slug(&p.name)),
                        },
                    );
                }
            }
            None => {
                for p in &links.people {
                    people.insert(
                        p.secret.clone(),
                        Person {
                            name: p.name.clone(),
                            role: None,
                            files: Files::new(&config.folder, &crate::text::slug(&p.name)),
                        },
                    );
                }
            }
        }
        links.write(&links_path)?;
        Ok(App {
            registry: config.registry,
            ids: config.ids,
            period: config.period,
            folder: config.folder,
            team: config.team,
            baseline: config.baseline,
            tls: config.tls.is_some(),
            limits: config.limits.at_most_default(),
            links_path,
            owner: links.owner.clone(),
            team_secret: links.team.clone(),
            csrf_key: links.csrf.clone(),
            links: Mutex::new(links),
            people: Mutex::new(people),
            turns: Mutex::new(HashMap::new()),
            rate: secrets::RateLimit::default(),
            joins: secrets::RateLimit::default(),
            pages: pages::Templates::new()?,
        })
    }

    pub fn web(&self) -> session::Web<'_> {
        session::Web {
            registry: &self.registry,
            ids: &self.ids,
            period: &self.period,
        }
    }

    pub fn person(&self, secret: &str) -> Option<Person> {
        if !secrets::looks_like_secret(secret) {
            return None;
        }
        self.people.lock().ok()?.get(secret).cloned()
    }

    /// The team link's secret.
    pub fn team_secret(&self) -> &str {
        &self.team_secret
    }

    fn links(&self) -> Links {
        self.links
            .lock()
            .map(|l| l.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    pub fn is_owner(&self, secret: &str) -> bool {
        secrets::looks_like_secret(secret) && secrets::same(secret, &self.owner)
    }

    /// The team link works only without a team list.
    pub fn is_team(&self, secret: &str) -> bool {
        self.team.is_none()
            && secrets::looks_like_secret(secret)
            && secrets::same(secret, &self.team_secret)
    }

    pub fn csrf(&self, secret: &str) -> String {
        secrets::csrf_token(&self.csrf_key, secret)
    }

    /// The turn of one respondent's files.
    pub fn turn(&self, files: &Files) -> Arc<tokio::sync::Mutex<()>> {
        let mut turns = self.turns.lock().unwrap_or_else(|p| p.into_inner());
        turns.entry(files.output.clone()).or_default().clone()
    }

    /// Everyone with a link, in list order (team list) or the order they joined.
    pub fn everyone(&self) -> Vec<(String, Person)> {
        let links = self.links();
        let people = self.people.lock().map(|p| p.clone()).unwrap_or_default();
        links
            .people
            .iter()
            .filter_map(|l| people.get(&l.secret).map(|p| (l.secret.clone(), p.clone())))
            .collect()
    }

    /// A name given at the team link: a new personal link, saved before it is handed out, or why not.
    pub fn join(&self, name: &str) -> std::result::Result<String, JoinRefused> {
        let key = crate::team::identity(name);
        if key.is_empty() {
            return Err(JoinRefused::Empty);
        }
        let slug = crate::text::slug(name);
        let mut links = self.links.lock().map_err(|_| JoinRefused::Failed)?;
        if links.people.len() >= MAX_JOINED {
            return Err(JoinRefused::Full);
        }
        if links.secret_of(name).is_some() {
            return Err(JoinRefused::Taken);
        }
        if links
            .people
            .iter()
            .any(|p| crate::text::slug(&p.name) == slug)
        {
            return Err(JoinRefused::Taken);
        }
        let files = Files::new(&self.folder, &slug);
        // Answers or progress from a terminal (or an earlier period's links file) are someone's.
        if fs::symlink_metadata(&files.output).is_ok()
            || fs::symlink_metadata(&files.partial).is_ok()
        {
            return Err(JoinRefused::Taken);
        }
        let secret = secrets::new_secret().map_err(|_| JoinRefused::Failed)?;
        links.people.push(PersonLink {
            name: name.to_string(),
            secret: secret.clone(),
        });
        if let Err(e) = links.write(&self.links_path) {
            links.people.pop();
            log(&format!("could not save the links file: {e}"));
            return Err(JoinRefused::Failed);
        }
        if let Ok(mut people) = self.people.lock() {
            people.insert(
                secret.clone(),
                Person {
                    name: name.to_string(),
                    role: None,
                    files,
                },
            );
        }
        log(&format!(
            "{} joined through the team link",
            terminal_safe(name)
        ));
        Ok(secret)
    }

    /// Who has answered, who is in progress, who has not started; and respondents found in the
    /// folder without a link (answered in a terminal).
    pub fn roll(&self) -> Roll {
        let web = self.web();
        let mut roll = Roll::default();
        let mut known = std::collections::HashSet::new();
        let listed: Vec<(String, Files)> = match &self.team {
            Some((_, _, team)) => team
                .people
                .iter()
                .map(|p| {
                    (
                        p.name.clone(),
                        Files::new(&self.folder, &crate::text::slug(&p.name)),
                    )
                })
                .collect(),
            None => self
                .everyone()
                .into_iter()
                .map(|(_, p)| (p.name, p.files))
                .collect(),
        };
        for (name, files) in listed {
            known.insert(files.output.clone());
            match web.status(&files) {
                Status::Submitted => roll.answered.push(name),
                Status::InProgress { answered, total } => {
                    roll.in_progress.push((name, answered, total))
                }
                Status::NotStarted => roll.not_started.push(name),
            }
        }
        if let Ok(found) = load::expand_inputs(std::slice::from_ref(&self.folder)) {
            for f in found.files {
                if !known.contains(&f) {
                    roll.others.push(
                        f.file_stem()
                            .map(|s| s.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                    );
                }
            }
        }
        roll
    }

    /// The responses files written so far (not the progress files).
    pub fn answered_files(&self) -> Vec<PathBuf> {
        load::expand_inputs(std::slice::from_ref(&self.folder))
            .map(|i| i.files)
            .unwrap_or_default()
    }
}

/// Why the team link refused a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinRefused {
    Empty,
    Taken,
    Full,
    Failed,
}

#[derive(Debug, Default, Clone)]
pub struct Roll {
    pub answered: Vec<String>,
    pub in_progress: Vec<(String, usize, usize)>,
    pub not_started: Vec<String>,
    /// Responses files of people without a link (by file name).
    pub others: Vec<String>,
}

/// One line on stderr, never holding a secret (callers name routes and people, never links).
pub fn log(line: &str) {
    crate::out::eline(&terminal_safe(line));
}

/// Every page, behind the body limit and the guard that puts the security headers on every response.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/r/{s}", get(pages::home))
        .route("/r/{s}/q/{n}", get(pages::question).post(pages::answer))
        .route(
            "/r/{s}/q/{n}/note",
            get(pages::note_page).post(pages::note_post),
        )
        .route("/r/{s}/review", get(pages::review))
        .route("/r/{s}/submit", post(pages::submit))
        .route("/t/{s}", get(pages::join_page).post(pages::join_post))
        .route("/o/{s}", get(pages::owner))
        .route("/o/{s}/report", get(pages::owner_report))
        .route("/o/{s}/invitations", get(pages::invitations))
        .fallback(pages::not_found)
        .layer(RequestBodyLimitLayer::new(pages::BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

/// The headers of SPEC §11, on every response; server errors logged by route, never by path.
async fn guard(
    State(app): State<Arc<App>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let method = req.method().clone();
    // The route's pattern (`/r/{s}/q/{n}`), never the path: that holds the secret.
    let path = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("(no page)", |m| m.as_str())
        .to_string();
    let mut res = next.run(req).await;
    if res.status().is_server_error() {
        log(&format!("{method} {path}: {}", res.status()));
    }
    let h = res.headers_mut();
    for (name, value) in security_headers(&app.pages.csp) {
        // The live report brings a policy of its own (its style sheet by hash).
        if name != header::CONTENT_SECURITY_POLICY || !h.contains_key(&name) {
            h.insert(name, value);
        }
    }
    res
}

/// The headers of SPEC §11 that every response carries, with the policy of the page.
pub(crate) fn security_headers(csp: &HeaderValue) -> [(HeaderName, HeaderValue); 5] {
    [
        (header::CONTENT_SECURITY_POLICY, csp.clone()),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
    ]
}

/// The answer to a request whose handler panicked: plain text, with the headers.
fn panicked() -> Response {
    let mut res = Response::new(axum::body::Body::from(
        "Something went wrong. Nothing was changed. Please try again.",
    ));
    *res.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    for (name, value) in security_headers(&HeaderValue::from_static("default-src 'none'")) {
        h.insert(name, value);
    }
    res
}

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    /// `http://host:port` as phones reach it.
    pub base: String,
    pub app: Arc<App>,
    stop: tokio::sync::watch::Sender<bool>,
    done: tokio::task::JoinHandle<()>,
}

impl Server {
    pub fn owner_url(&self) -> String {
        format!("{}/o/{}", self.base, self.app.owner)
    }

    /// The team link, without a team list.
    pub fn team_url(&self) -> Option<String> {
        self.app
            .team
            .is_none()
            .then(|| format!("{}/t/{}", self.base, self.app.team_secret))
    }

    /// Each person's name and link.
    pub fn person_urls(&self) -> Vec<(String, String)> {
        self.app
            .everyone()
            .into_iter()
            .map(|(s, p)| (p.name, format!("{}/r/{s}", self.base)))
            .collect()
    }

    /// Stops accepting, lets the requests in flight finish (30 s at most), and returns.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.done.await;
    }
}

/// Binds and starts serving; returns once it listens.
pub async fn start(config: Config) -> Result<Server> {
    let tls = config.tls.clone();
    let listen = config.listen.clone();
    let addr: SocketAddr = listen.parse().map_err(|_| {
        Error::usage_hint(
            format!(
                "--listen {}: not an address and port",
                terminal_safe(&listen)
            ),
            "give one like 127.0.0.1:8080, or 0.0.0.0:8080 to reach phones on the network",
        )
    })?;
    let app = Arc::new(App::new(config)?);
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        Error::usage_hint(
            format!("could not listen on {addr}: {e}"),
            "choose another port with --listen, e.g. --listen 127.0.0.1:8081",
        )
    })?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::usage(e.to_string()))?;
    let base = base_url(addr, tls.is_some());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let router = router(app.clone());
    let shared = Arc::new(frame::Shared::new(
        app.limits,
        pages::BODY_LIMIT,
        &security_headers(&app.pages.csp),
        |title, text| app.pages.message_html(title, text),
    ));
    let done = tokio::spawn(conn::accept_loop(listener, router, tls, shared, stopped));
    Ok(Server {
        addr,
        base,
        app,
        stop,
        done,
    })
}

/// The address phones use: the machine's address on the network when listening on all of them.
fn base_url(addr: SocketAddr, tls: bool) -> String {
    let scheme = if tls { "https" } else { "http" };
    let ip = if addr.ip().is_unspecified() {
        local_ip().unwrap_or(addr.ip())
    } else {
        addr.ip()
    };
    match ip {
        IpAddr::V6(v6) => format!("{scheme}://[{v6}]:{}", addr.port()),
        IpAddr::V4(v4) => format!("{scheme}://{v4}:{}", addr.port()),
    }
}

/// This machine's address on its network: the one a UDP socket would send from (nothing is sent).
fn local_ip() -> Option<IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    socket.local_addr().ok().map(|a| a.ip())
}

/// `selfaudit serve`: settle, listen, print the links, wait for Ctrl-C or SIGTERM, drain, print who answered.
pub fn run(dir: Option<&Path>, args: ServeArgs) -> Result<u8> {
    let config = Config::settle(dir, &args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(64)
        .build()
        .map_err(|e| Error::usage(format!("could not start the server: {e}")))?;
    let responses = args.responses.clone();
    runtime.block_on(async move {
        let server = start(config).await?;
        load::write_stdout(startup_text(&server, args.qr).as_bytes())?;
        wait_for_stop().await;
        log("stopping: finishing the requests in flight");
        let app = server.app.clone();
        server.shutdown().await;
        load::write_stdout(summary_text(&app, &responses).as_bytes())?;
        Ok(EXIT_OK)
    })
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).ok();
        let term = async {
            match term.as_mut() {
                Some(t) => {
                    t.recv().await;
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn startup_text(server: &Server, qr: bool) -> String {
    let app = &server.app;
    let total: usize = app
        .ids
        .iter()
        .filter_map(|id| app.registry.get(id))
        .map(|c| c.item_count())
        .sum();
    let mut out = format!(
        "selfaudit serve: {} ({} questions) for {}; answers go to {}\n",
        app.ids.join(", "),
        total,
        terminal_safe(&app.period),
        terminal_safe(&format!("{}/", app.folder.display()))
    );
    out.push_str(&format!("Listening on {}", server.base));
    if server.addr.ip().is_loopback() {
        out.push_str(" (this computer only; to reach phones: --listen 0.0.0.0:8080)");
    }
    out.push_str("\n\nOwner's page (keep it to yourself):\n  ");
    out.push_str(&server.owner_url());
    out.push('\n');
    match server.team_url() {
        Some(url) => {
            out.push_str(
                "\nTeam link: each person opens it, gives their name and gets a personal link:\n  ",
            );
            out.push_str(&url);
            out.push_str("\n\n");
            out.push_str(&qr::terminal(&url));
        }
        None => {
            out.push_str(
                "\nPersonal links (the owner's page has a printable sheet with QR codes):\n",
            );
            for (name, url) in server.person_urls() {
                out.push_str(&format!("  {}\n    {url}\n", terminal_safe(&name)));
                if qr {
                    out.push_str(&qr::terminal(&url));
                }
            }
        }
    }
    out.push_str(
        "\nStop with Ctrl-C: the requests in flight finish, then who has answered is listed.\n",
    );
    out
}

fn summary_text(app: &App, responses: &Path) -> String {
    let roll = app.roll();
    let mut out = String::from("\nStopped.\n");
    let names = |v: &[String]| {
        v.iter()
            .map(|n| terminal_safe(n))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let answered = roll.answered.len() + roll.others.len();
    out.push_str(&format!(
        "Answered ({answered}): {}\n",
        if answered == 0 {
            "nobody yet".to_string()
        } else {
            let mut all = roll.answered.clone();
            all.extend(roll.others.iter().map(|o| format!("{o}.toml")));
            names(&all)
        }
    ));
    if !roll.in_progress.is_empty() {
        let list: Vec<String> = roll
            .in_progress
            .iter()
            .map(|(n, a, t)| format!("{} ({a} of {t})", terminal_safe(n)))
            .collect();
        out.push_str(&format!(
            "In progress ({}): {}\n",
            list.len(),
            list.join(", ")
        ));
    }
    if !roll.not_started.is_empty() {
        out.push_str(&format!(
            "Not started ({}): {}\n",
            roll.not_started.len(),
            names(&roll.not_started)
        ));
    }
    let folder = responses.join(crate::text::period_slug(&app.period));
    let mut command = format!(
        "selfaudit report {}",
        crate::text::shell_quote(&folder.display().to_string())
    );
    if let Some((path, _, _)) = &app.team {
        command.push_str(&format!(
            " --team {}",
            crate::text::shell_quote(&path.display().to_string())
        ));
    }
    out.push_str(&format!("The team report: {command}\n"));
    out
}

/// How long the requests in flight get to finish after Ctrl-C.
pub const DRAIN: Duration = Duration::from_secs(30);
