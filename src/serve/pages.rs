//! One handler per page: parse the request, check the secret and the form, call the session,
//! render a template. Every response, errors and redirects included, carries the security headers.

#![allow(clippy::result_large_err)] // handlers answer early with a whole page

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

use super::session::{self, Opened};
use super::{App, JoinRefused, Person, secrets};
use crate::interview::{Applied, Interview, Notes, Reply, State as QState};
use crate::model::report::Report;
use crate::text::page_safe;

/// Request bodies above this are refused (413), chunked or not.
pub const BODY_LIMIT: usize = 64 * 1024;
/// The longest name the team link takes, and the longest note, in characters.
const NAME_MAX: usize = 100;
const NOTE_MAX: usize = 4000;

const CSS: &str = include_str!("templates/serve.css");
const TEMPLATES: [(&str, &str); 10] = [
    ("base.html", include_str!("templates/base.html")),
    ("home.html", include_str!("templates/home.html")),
    ("question.html", include_str!("templates/question.html")),
    ("note.html", include_str!("templates/note.html")),
    ("review.html", include_str!("templates/review.html")),
    ("message.html", include_str!("templates/message.html")),
    ("join.html", include_str!("templates/join.html")),
    ("owner.html", include_str!("templates/owner.html")),
    (
        "invitations.html",
        include_str!("templates/invitations.html"),
    ),
    ("scores.html", include_str!("templates/scores.html")),
];

/// The page templates (escaping every value: their names end in `.html`) and the policy that
/// allows exactly their one inline style sheet.
pub struct Templates {
    env: Environment<'static>,
    pub(super) csp: HeaderValue,
}

fn csp(style_sources: &str) -> String {
    format!(
        "default-src 'none'; style-src {style_sources}; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
}

impl Templates {
    pub fn new() -> crate::error::Result<Templates> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Chainable);
        for (name, source) in TEMPLATES {
            env.add_template(name, source).map_err(template_error)?;
        }
        env.add_global("css", Value::from_safe_string(CSS.to_string()));
        let csp = HeaderValue::from_str(&csp(&secrets::csp_hash(CSS)))
            .map_err(|e| crate::error::Error::usage(e.to_string()))?;
        Ok(Templates { env, csp })
    }

    fn render(&self, status: StatusCode, name: &str, view: impl Serialize) -> Response {
        let html = self.env.get_template(name).and_then(|t| t.render(v(view)));
        match html {
            Ok(html) => (
                status,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                html,
            )
                .into_response(),
            Err(e) => {
                super::log(&format!("could not lay out the page {name}: {e}"));
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
            }
        }
    }

    /// A message page as text, for the refusals written below hyper.
    pub(super) fn message_html(&self, title: &str, text: &str) -> String {
        self.env
            .get_template("message.html")
            .and_then(|t| t.render(minijinja::context! { title => title, text => text }))
            .unwrap_or_else(|_| format!("{title}: {text}"))
    }

    fn message(&self, status: StatusCode, title: &str, text: &str) -> Response {
        self.render(
            status,
            "message.html",
            minijinja::context! { title => title, text => text },
        )
    }
}

/// Any serialisable view as a template value.
fn v<T: Serialize>(x: T) -> Value {
    Value::from(minijinja::value::Serde(x))
}

fn template_error(e: minijinja::Error) -> crate::error::Error {
    crate::error::Error::usage(format!("could not load the page templates: {e}"))
}

pub(super) type Shared = Arc<App>;

/// The parameters of a page's path. One that cannot be read (percent-encoded bytes that are
/// not UTF-8) reads as empty, which no secret is: a wrong link like any other (404, counted).
pub(super) struct Params<T>(T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Default + Send> FromRequestParts<S>
    for Params<T>
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Params(
            Path::<T>::from_request_parts(parts, state)
                .await
                .map(|p| p.0)
                .unwrap_or_default(),
        ))
    }
}

/// A wrong or missing secret: 404, or 429 once the client has missed too often.
fn miss(app: &App, peer: SocketAddr) -> Response {
    if app.rate.miss(peer.ip()) {
        app.pages.message(
            StatusCode::NOT_FOUND,
            "Page not found",
            "This link is not known here. Check that you opened the whole link you were given.",
        )
    } else {
        let mut res = app.pages.message(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many wrong links",
            "Too many unknown links were tried from this device. Wait a minute, then open the link you were given.",
        );
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        res
    }
}

pub(super) async fn not_found(
    State(app): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    uri: Uri,
) -> Response {
    // Browsers ask for these by themselves; they are no guess at a secret.
    if matches!(
        uri.path(),
        "/favicon.ico" | "/robots.txt" | "/apple-touch-icon.png"
    ) {
        return app
            .pages
            .message(StatusCode::NOT_FOUND, "Page not found", "Nothing here.");
    }
    miss(&app, peer)
}

fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// The respondent a secret belongs to, or the response to a wrong one.
fn respondent(app: &App, peer: SocketAddr, secret: &str) -> Result<Person, Response> {
    app.person(secret).ok_or_else(|| miss(app, peer))
}

/// A POST's checks, in order: the `Origin` (own, absent or `null`), the body (64 KiB within
/// 30 s), the CSRF token of the secret the form was served under.
async fn form(
    app: &App,
    headers: &HeaderMap,
    body: Body,
    secret: &str,
) -> Result<Vec<(String, String)>, Response> {
    if !same_origin(headers, app.tls) {
        return Err(app.pages.message(
            StatusCode::FORBIDDEN,
            "Refused",
            "This form was sent from another site, so it was not accepted.",
        ));
    }
    // Only the page's own form: no JSON, multipart or text/plain body is read as one.
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form_type {
        return Err(app.pages.message(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Refused",
            "Only this site's own forms can be sent here.",
        ));
    }
    let bytes =
        match tokio::time::timeout(app.limits.body, axum::body::to_bytes(body, BODY_LIMIT)).await {
            Err(_) => {
                return Err(app.pages.message(
                    StatusCode::REQUEST_TIMEOUT,
                    "Too slow",
                    "The form took too long to arrive. Please send it again.",
                ));
            }
            Ok(Err(e)) if too_large(&e) => {
                return Err(app.pages.message(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "Too large",
                    "What was sent is larger than any answer can be.",
                ));
            }
            Ok(Err(e)) if timed_out(&e) => {
                return Err(app.pages.message(
                    StatusCode::REQUEST_TIMEOUT,
                    "Too slow",
                    "The form took too long to arrive. Please send it again.",
                ));
            }
            Ok(Err(_)) => {
                return Err(app.pages.message(
                    StatusCode::BAD_REQUEST,
                    "Not understood",
                    "The form did not arrive whole. Please send it again.",
                ));
            }
            Ok(Ok(b)) => b,
        };
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).map_err(|_| {
        app.pages.message(
            StatusCode::BAD_REQUEST,
            "Not understood",
            "The form could not be read. Please go back and send it again.",
        )
    })?;
    let token = field(&fields, "csrf").unwrap_or_default();
    if !secrets::same(token, &app.csrf(secret)) {
        return Err(app.pages.message(
            StatusCode::FORBIDDEN,
            "Refused",
            "This form is out of date or did not come from this page. Go back, reload the page and try again.",
        ));
    }
    Ok(fields)
}

fn too_large(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = s.source();
    }
    false
}

fn timed_out(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
        {
            return true;
        }
        source = s.source();
    }
    false
}

fn field<'f>(fields: &'f [(String, String)], name: &str) -> Option<&'f str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// An `Origin` that is the server's own, absent, or `null` (what browsers send under
/// `no-referrer`).
fn same_origin(headers: &HeaderMap, tls: bool) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    if origin == "null" {
        return true;
    }
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let scheme = if tls { "https" } else { "http" };
    origin.eq_ignore_ascii_case(&format!("{scheme}://{host}"))
}

/// How the respondent goes through the questions: forward (on to the next one not yet
/// settled), walking on from "Back" (every question in turn, as `run` does after "back"), or
/// answering the skipped ones from the last page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Forward,
    Walk,
    Review,
}

impl Mode {
    fn of(uri: &Uri, fields: Option<&[(String, String)]>) -> Mode {
        let flag = |name: &str| {
            uri.query()
                .is_some_and(|q| q.split('&').any(|p| p == format!("{name}=1")))
                || fields.is_some_and(|f| field(f, name) == Some("1"))
        };
        if flag("review") {
            Mode::Review
        } else if flag("walk") {
            Mode::Walk
        } else {
            Mode::Forward
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Mode::Forward => "",
            Mode::Walk => "?walk=1",
            Mode::Review => "?review=1",
        }
    }

    /// The hidden field that carries the mode through a form.
    fn field(self) -> Option<&'static str> {
        match self {
            Mode::Forward => None,
            Mode::Walk => Some("walk"),
            Mode::Review => Some("review"),
        }
    }
}

fn base_of(headers: &HeaderMap, tls: bool) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    format!("{}://{host}", if tls { "https" } else { "http" })
}

/// What a respondent's files allow this request.
enum Outcome<T> {
    Done(T),
    /// A terminal holds the interview.
    Busy,
}

/// Runs `f` on a respondent's files, in turn with the other requests of that respondent and under
/// the file lock, off the async threads. The turn is released only when `f` has ended, even if
/// the client went away meanwhile.
async fn locked<T: Send + 'static>(
    app: &Shared,
    person: &Person,
    f: impl for<'a> FnOnce(&'a App, Opened<'a>) -> crate::error::Result<T> + Send + 'static,
) -> Result<Outcome<T>, Response> {
    let turn = app.turn(&person.files).lock_owned().await;
    let (app2, person2) = (app.clone(), person.clone());
    let joined = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        let web = app2.web();
        match web.open(&person2.name, person2.role.as_deref(), &person2.files)? {
            None => Ok(Outcome::Busy),
            Some(opened) => f(&app2, opened).map(Outcome::Done),
        }
    })
    .await;
    match joined {
        Ok(Ok(outcome)) => Ok(outcome),
        Ok(Err(e)) => {
            super::log(&format!(
                "{}: {e}",
                crate::text::terminal_safe(&person.name)
            ));
            Err(app.pages.message(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "Your answers could not be read or saved. Nothing was changed. Please tell the person who sent you the link.",
            ))
        }
        Err(_) => Err(app.pages.message(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "Nothing was changed. Please try again.",
        )),
    }
}

fn busy(app: &App, status: StatusCode, secret: &str) -> Response {
    app.pages.render(
        status,
        "message.html",
        minijinja::context! {
            title => "Open in a terminal",
            text => "This interview is open in a terminal (selfaudit run) right now, so nothing was changed here. Once it is closed there, you can go on here from where it stopped.",
            retry => format!("/r/{secret}"),
        },
    )
}

// ---- views -------------------------------------------------------------------------------

#[derive(Serialize)]
struct ChoiceView {
    value: String,
    label: String,
    current: bool,
}

#[derive(Serialize)]
struct QuestionView {
    name: String,
    period: String,
    number: usize,
    total: usize,
    percent: usize,
    checklist: String,
    section: String,
    text: String,
    help: Option<String>,
    choices: Vec<ChoiceView>,
    na: bool,
    na_current: bool,
    skipped: bool,
    back: Option<String>,
    action: String,
    csrf: String,
    /// The hidden field that keeps the way through the questions.
    mode: Option<&'static str>,
    home: String,
}

fn question_view(
    app: &App,
    interview: &Interview,
    n: usize,
    secret: &str,
    mode: Mode,
) -> QuestionView {
    let q = interview.question(n, n > 0);
    let current = q.current;
    let choices = q
        .item
        .scale
        .choices
        .iter()
        .enumerate()
        .map(|(i, c)| ChoiceView {
            value: format!("c{i}"),
            label: page_safe(&c.label),
            current: current == Some(Reply::Choice(i)),
        })
        .collect();
    let suffix = mode.suffix();
    QuestionView {
        name: page_safe(&interview.respondent),
        period: page_safe(&interview.period),
        number: q.number,
        total: q.total,
        percent: interview.answered() * 100 / q.total.max(1),
        checklist: page_safe(&q.checklist.title),
        section: page_safe(&q.section.title),
        text: page_safe(&q.item.text),
        help: q.item.help.as_deref().map(page_safe),
        choices,
        na: q.item.na,
        na_current: current == Some(Reply::NotApplicable),
        skipped: current == Some(Reply::Skip),
        back: if mode == Mode::Review {
            Some(format!("/r/{secret}/review"))
        } else {
            (n > 0).then(|| format!("/r/{secret}/q/{n}?walk=1"))
        },
        action: format!("/r/{secret}/q/{}{suffix}", n + 1),
        csrf: app.csrf(secret),
        mode: mode.field(),
        home: format!("/r/{secret}"),
    }
}

/// The first question with no answer and not skipped.
fn first_pending(interview: &Interview) -> Option<usize> {
    interview
        .states()
        .iter()
        .position(|s| *s == QState::Pending)
}

/// Where to go after question `n`: forward, the next question not yet settled (the way `run`
/// passes over what an earlier session settled); walking on from "Back", the next question;
/// in review, the next one still unanswered; then the last page.
fn next_after(interview: &Interview, n: usize, mode: Mode, secret: &str) -> String {
    let states = interview.states();
    if mode == Mode::Walk && n + 1 < states.len() {
        return format!("/r/{secret}/q/{}?walk=1", n + 2);
    }
    let review = mode == Mode::Review;
    let open = |s: &QState| {
        if review {
            !matches!(s, QState::Answered { .. })
        } else {
            *s == QState::Pending
        }
    };
    let next = (n + 1..states.len())
        .find(|&i| open(&states[i]))
        .or_else(|| {
            if review {
                None
            } else {
                first_pending(interview)
            }
        });
    match next {
        Some(i) if review => format!("/r/{secret}/q/{}?review=1", i + 1),
        Some(i) => format!("/r/{secret}/q/{}", i + 1),
        None => format!("/r/{secret}/review"),
    }
}

#[derive(Serialize)]
struct ScoreRow {
    title: String,
    score: String,
    value: f64,
    sections: Vec<ScoreRow>,
}

#[derive(Serialize)]
struct ScoresView {
    checklists: Vec<ScoreRow>,
    overall: String,
    overall_value: f64,
    critical: Vec<String>,
}

fn scores_view(report: &Report) -> ScoresView {
    let row = |title: &str, score: Option<f64>| ScoreRow {
        title: page_safe(title),
        score: crate::render::score(score),
        value: score.unwrap_or(0.0).clamp(0.0, 100.0),
        sections: Vec::new(),
    };
    ScoresView {
        checklists: report
            .checklists
            .iter()
            .map(|c| ScoreRow {
                sections: c.sections.iter().map(|s| row(&s.title, s.score)).collect(),
                ..row(&c.title, c.score)
            })
            .collect(),
        overall: crate::render::score(report.score),
        overall_value: report.score.unwrap_or(0.0).clamp(0.0, 100.0),
        critical: report
            .critical_gaps
            .iter()
            .map(|g| {
                format!(
                    "{} ({})",
                    page_safe(if g.text.is_empty() { &g.item } else { &g.text }),
                    crate::render::score(Some(g.score))
                )
            })
            .collect(),
    }
}

// ---- the respondent's pages -------------------------------------------------------------------

/// What the respondent's start page shows.
enum Home {
    Open {
        name: String,
        total: usize,
        /// Answered or skipped.
        done: usize,
        answered: usize,
        minutes: usize,
        next: Option<usize>,
        checklists: Vec<(String, usize)>,
    },
    Submitted {
        name: String,
        scores: ScoresView,
    },
}

pub(super) async fn home(
    State(app): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Params(secret): Params<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let person = match respondent(&app, peer, &secret) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let outcome = locked(&app, &person, |app, opened| {
        Ok(match opened {
            Opened::Open(session) => {
                let interview = session.interview();
                let intro = interview.intro();
                Home::Open {
                    name: page_safe(&interview.respondent),
                    total: intro.total,
                    done: intro.done,
                    answered: interview.answered(),
                    minutes: intro.minutes,
                    next: first_pending(interview),
                    checklists: intro
                        .checklists
                        .iter()
                        .map(|(t, n)| (page_safe(t), *n))
                        .collect(),
                }
            }
            Opened::Submitted(responses) => Home::Submitted {
                name: page_safe(&responses.respondent),
                scores: scores_view(&session::own_report(&app.registry, &app.ids, &responses)),
            },
        })
    })
    .await;
    let home = match outcome {
        Ok(Outcome::Done(h)) => h,
        Ok(Outcome::Busy) => return busy(&app, StatusCode::OK, &secret),
        Err(r) => return r,
    };
    let link = format!("{}/r/{secret}", base_of(&headers, app.tls));
    let fresh = uri.query().is_some_and(|q| q.contains("new=1"));
    match home {
        Home::Open {
            name,
            total,
            done,
            answered,
            minutes,
            next,
            checklists,
        } => app.pages.render(
            StatusCode::OK,
            "home.html",
            minijinja::context! {
                name, total, done, answered, minutes, checklists, link, fresh,
                skipped => done - answered,
                period => page_safe(&app.period),
                start => match next {
                    Some(n) => format!("/r/{secret}/q/{}", n + 1),
                    None => format!("/r/{secret}/review"),
                },
            },
        ),
        Home::Submitted { name, scores } => app.pages.render(
            StatusCode::OK,
            "scores.html",
            minijinja::context! { name, scores => v(scores), period => page_safe(&app.period) },
        ),
    }
}

/// The question number of a path, 1-based, as an index.
fn index(n: &str) -> Option<usize> {
    n.parse::<usize>().ok().filter(|&n| n >= 1).map(|n| n - 1)
}

pub(super) async fn question(
    State(app): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Params((secret, n)): Params<(String, String)>,
    uri: Uri,
) -> Response {
    let person = match respondent(&app, peer, &secret) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mode = Mode::of(&uri, None);
    let s = secret.clone();
    let outcome = locked(&app, &person, move |app, opened| {
        Ok(match opened {
            Opened::Submitted(_) => Err(format!("/r/{s}")),
            Opened::Open(session) => {
                let interview = session.interview();
                match index(&n).filter(|&n| n < interview.total()) {
                    Some(n) => Ok(question_view(app, interview, n, &s, mode)),
                    None => Err(format!("/r/{s}")),
                }
            }
        })
    })
    .await;
    match outcome {
        Ok(Outcome::Done(Ok(view))) => app.pages.render(StatusCode::OK, "question.html", view),
        Ok(Outcome::Done(Err(to))) => redirect(&to),
        Ok(Outcome::Busy) => busy(&app, StatusCode::OK, &secret),
        Err(r) => r,
    }
}

pub(super) async fn answer(
    State(app): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Params((secret, n)): Params<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
    body: Body,
) -> Response {
    let person = match respondent(&app, peer, &secret) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let fields = match form(&app, &headers, body, &secret).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let mode = Mode::of(&uri, Some(&fields));
    let reply = match field(&fields, "a") {
        Some("na") => Reply::NotApplicable,
        Some("skip") => Reply::Skip,
        Some(c) => match c.strip_prefix('c').and_then(|i| i.parse::<usize>().ok()) {
            Some(i) => Reply::Choice(i),
            None => {
                return app.pages.message(
                    StatusCode::BAD_REQUEST,
                    "Not understood",
                    "That answer is not one of the choices. Go back and choose again.",
                );
            }
        },
        None => {
            return app.pages.message(
                StatusCode::BAD_REQUEST,
                "Not understood",
                "No answer was chosen. Go back and choose one.",
            );
        }
    };
    let s = secret.clone();
    let outcome = locked(&app, &person, move |_, opened| {
        let mut session = match opened {
            Opened::Submitted(_) => return Ok(format!("/r/{s}")),
            Opened::Open(session) => session,
        };
        let Some(n) = index(&n).filter(|&n| n < session.interview().total()) else {
            return Ok(format!("/r/{s}"));
        };
        let suffix = mode.suffix();
        // Saved through the session before the next page is sent.
        Ok(match session.interview_mut().apply(n, reply, Notes::Gaps) {
            Applied::Unchanged => format!("/r/{s}/q/{}{suffix}", n + 1),
            Applied::Skipped => {
                session.save()?;
                next_after(session.interview(), n, mode, &s)
            }
            Applied::Answered { ask_note, .. } => {
                session.save()?;
                if ask_note {
                    format!("/r/{s}/q/{}/note{suffix}", n + 1)
                } else {
                    next_after(session.interview(), n, mode, &s)
                }
            }
        })
    })
    .await;
    match outcome {
        Ok(Outcome::Done(to)) => redirect(&to),
        Ok(Outcome::Busy) => busy(&app, StatusCode::CONFLICT, &secret),
        Err(r) => r,
    }
}

#[derive(Serialize)]
struct NoteView {
    period: String,
    question: QuestionView,
    answer: String,
    note: String,
    error: Option<String>,
    max: usize,
}

fn note_view(
    app: &App,
    interview: &Interview,
    n: usize,
    secret: &str,
    mode: Mode,
) -> Option<NoteView> {
    let QState::Answered { choice, note } = &interview.states()[n] else {
        return None;
    };
    let q = interview.question(n, true);
    let answer = match choice {
        Some(c) => page_safe(&q.item.scale.choices[*c].label),
        None => "Not applicable".to_string(),
    };
    let suffix = mode.suffix();
    let mut question = question_view(app, interview, n, secret, mode);
    question.action = format!("/r/{secret}/q/{}/note{suffix}", n + 1);
    question.back = Some(format!("/r/{secret}/q/{}{suffix}", n + 1));
    Some(NoteView {
        period: page_safe(&interview.period),
        question,
        answer,
        note: note.clone().unwrap_or_default(),
        error: None,
        max: NOTE_MAX,
    })
}

pub(super) async fn note_page(
    State(app): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Params((secret, n)): Params<(String, String)>,
    uri: Uri,
) -> Response {
    let person = match respondent(&app, peer, &secret) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mode = Mode::of(&uri, None);
    let s = secret.clone();
    let outcome = locked(&app, &person, move |app, opened| {
        Ok(match opened {
            Opened::Submitted(_) => Err(format!("/r/{s}")),
            Opened::Open(session) => {
                let interview = session.interview();
                match index(&n).filter(|&n| n < interview.total()) {
                    Some(n) => note_view(app, interview, n, &s, mode)
                        .ok_or_else(|| format!("/r/{s}/q/{}", n + 1)),
                    None => Err(format!("/r/{s}")),
                }
            }
        })
    })
    .await;
    match outcome {
        Ok(Outcome::Done(Ok(view))) => app.pages.render(StatusCode::OK, "note.html", view),
        Ok(Outcome::Done(Err(to))) => redirect(&to),
        Ok(Outcome::Busy) => busy(&app, StatusCode::OK, &secret),
        Err(r) => r,
    }
}

pub(super) async fn note_post(
    State(app): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Params((secret, n)): Params<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
    body: Body,
) -> Response {
    let person = match respondent(&app, peer, &secret) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let fields = match form(&app, &headers, body, &secret).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let mode = Mode::of(&uri, Some(&fields));
    let note = match field(&fields, "a") {
        Some("none") => None,
        _ => Some(page_safe(field(&fields, "note").unwrap_or_default())),
    };
    let too_long = note
        .as_deref()
        .is_some_and(|n| n.chars().count() > NOTE_MAX);
    let s = secret.clone();
    let outcome = locked(&app, &person, move |app, opened| {
        let mut session = match opened {
            Opened::Submitted(_) => return Ok(Err(format!("/r/{s}"))),
            Opened::Open(session) => session,
        };
        let Some(n) = index(&n).filter(|&n| n < session.interview().total()) else {
            return Ok(Err(format!("/r/{s}")));
        };
        if too_long {
            return Ok(Ok(note_view(app, session.interview(), n, &s, mode).map(
                |mut v| {
                    v.note = note.unwrap_or_default();
                    v.error = Some(format!(
                        "A note can be at most {NOTE_MAX} characters long; please shorten it."
                    ));
                    v
                },
            )));
        }
        if session.interview_mut().set_note(n, note) {
            session.save()?;
        }
        Ok(Err(next_after(session.interview(), n, mode, &s)))
    })
    .await;
    match outcome {
        Ok(Outcome::Done(Ok(Some(view)))) => {
            app.pages
                .render(StatusCode::UNPROCESSABLE_ENTITY, "note.html", view)
        }
        Ok(Outcome::Done(Ok(None))) => redirect(&format!("/r/{secret}")),
        Ok(Outcome::Done(Err(to))) => redirect(&to),
        Ok(Outcome::Busy) => busy(&app, StatusCode::CONFLICT, &secret),
        Err(r) => r,
    }
}

#[derive(Serialize)]
struct OpenQuestion {
    href: String,
    number: usize,
    text: String,
    place: String,
}

pub(super) async fn review(
    State(app): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Params(secret): Params<String>,
) -> Response {
    let person = match respondent(&app, peer, &secret) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let s = secret.clone();
    let outcome = locked(&app, &person, move |app, opened| {
        let session = match opened {
            Opened::Submitted(_) => return Ok(None),
            Opened::Open(session) => session,
        };
        let interview = session.interview();
        let open: Vec<OpenQuestion> = interview
            .states()
            .iter()
            .enumerate()
            .filter(|(_, st)| !matches!(st, QState::Answered { .. }))
            .map(|(n, _)| {
                let q = interview.question(n, false);
                OpenQuestion {
                    href: format!("/r/{s}/q/{}?review=1", n + 1),
                    number: n + 1,
                    text: page_safe(&q.item.text),
                    place: page_safe(&format!("{} · {}", q.checklist.title, q.section.title)),
                }
            })
            .collect();
        Ok(Some(minijinja::context! {
            name => page_safe(&interview.respondent),
            period => page_safe(&interview.period),
            total => interview.total(),
            answered => interview.answered(),
            open => v(open),
            csrf => app.csrf(&s),
            action => format!("/r/{s}/submit"),
            back => format!("/r/{s}/q/{}", interview.total()),
        }))
    })
    .await;
    match outcome {
        Ok(Outcome::Done(Some(view))) => app.pages.render(StatusCode::OK, "review.html", view),
        Ok(Outcome::Done(None)) => redirect(&format!("/r/{secret}")),
        Ok(Outcome::Busy) => busy(&app, StatusCode::OK, &secret),
        Err(r) => r,
    }
}

pub(super) async fn submit(
    State(app): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Params(secret): Params<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let person = match respondent(&app, peer, &secret) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if let Err(r) = form(&app, &headers, body, &secret).await {
        return r;
    }
    let outcome = locked(&app, &person, move |_, opened| {
        if let Opened::Open(session) = opened {
            let (answered, total) = (session.interview().answered(), session.interview().total());
            let responses = session::submit(session)?;
            super::log(&format!(
                "{} submitted ({answered} of {total} answered)",
                crate::text::terminal_safe(&responses.respondent),
            ));
        }
        Ok(())
    })
    .await;
    match outcome {
        Ok(Outcome::Done(())) => redirect(&format!("/r/{secret}")),
        Ok(Outcome::Busy) => busy(&app, StatusCode::CONFLICT, &secret),
        Err(r) => r,
    }
}

// ---- the team link ------------------------------------------------------------------------

fn join_form(
    app: &App,
    status: StatusCode,
    secret: &str,
    name: &str,
    error: Option<&str>,
) -> Response {
    app.pages.render(
        status,
        "join.html",
        minijinja::context! {
            period => page_safe(&app.period),
            action => format!("/t/{secret}"),
            csrf => app.csrf(secret),
            name => name,
            error => error,
            max => NAME_MAX,
        },
    )
}

pub(super) async fn join_page(
    State(app): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Params(secret): Params<String>,
) -> Response {
    if !app.is_team(&secret) {
        return miss(&app, peer);
    }
    join_form(&app, StatusCode::OK, &secret, "", None)
}

pub(super) async fn join_post(
    State(app): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Params(secret): Params<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if !app.is_team(&secret) {
        return miss(&app, peer);
    }
    let fields = match form(&app, &headers, body, &secret).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    // A name is one line of visible text.
    let name = crate::text::terminal_safe(field(&fields, "name").unwrap_or_default());
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.chars().count() > NAME_MAX {
        return join_form(
            &app,
            StatusCode::UNPROCESSABLE_ENTITY,
            &secret,
            "",
            Some(&format!(
                "A name can be at most {NAME_MAX} characters long."
            )),
        );
    }
    if !app.joins.miss(peer.ip()) {
        let mut res = join_form(
            &app,
            StatusCode::TOO_MANY_REQUESTS,
            &secret,
            &name,
            Some("Too many names were given from this device. Wait a minute, then try again."),
        );
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        return res;
    }
    let app2 = app.clone();
    let joined = {
        let name = name.clone();
        tokio::task::spawn_blocking(move || app2.join(&name)).await
    };
    match joined {
        Ok(Ok(personal)) => redirect(&format!("/r/{personal}?new=1")),
        Ok(Err(JoinRefused::Empty)) => join_form(
            &app,
            StatusCode::UNPROCESSABLE_ENTITY,
            &secret,
            "",
            Some("Please give your name."),
        ),
        Ok(Err(JoinRefused::Taken)) => join_form(
            &app,
            StatusCode::CONFLICT,
            &secret,
            &name,
            Some(
                "This name already has a link, answers or progress. If it is yours, open the personal link you were given the first time (or ask the owner); otherwise, give your name in full.",
            ),
        ),
        Ok(Err(JoinRefused::Full)) => join_form(
            &app,
            StatusCode::SERVICE_UNAVAILABLE,
            &secret,
            "",
            Some("No more names can be taken for this period."),
        ),
        Ok(Err(JoinRefused::Failed)) | Err(_) => join_form(
            &app,
            StatusCode::INTERNAL_SERVER_ERROR,
            &secret,
            &name,
            Some("Your link could not be saved. Please try again."),
        ),
    }
}

// ---- the owner's pages ----------------------------------------------------------------------

pub(super) async fn owner(
    State(app): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Params(secret): Params<String>,
) -> Response {
    if !app.is_owner(&secret) {
        return miss(&app, peer);
    }
    let app2 = app.clone();
    let Ok(roll) = tokio::task::spawn_blocking(move || app2.roll()).await else {
        return app.pages.message(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "Please reload the page.",
        );
    };
    let in_progress: Vec<String> = roll
        .in_progress
        .iter()
        .map(|(n, a, t)| format!("{} — {a} of {t}", page_safe(n)))
        .collect();
    app.pages.render(
        StatusCode::OK,
        "owner.html",
        minijinja::context! {
            period => page_safe(&app.period),
            answered => roll.answered.iter().map(|n| page_safe(n)).collect::<Vec<_>>(),
            others => roll.others.iter().map(|n| page_safe(n)).collect::<Vec<_>>(),
            in_progress,
            not_started => roll.not_started.iter().map(|n| page_safe(n)).collect::<Vec<_>>(),
            team_list => app.team.is_some(),
            report => format!("/o/{secret}/report"),
            invitations => format!("/o/{secret}/invitations"),
            folder => page_safe(&app.folder.display().to_string()),
            wide => true,
        },
    )
}

/// The policy for the HTML report: its own inline style sheet and style attributes, by hash.
fn report_csp(html: &str) -> Option<HeaderValue> {
    let mut sources = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<style>") {
        let after = &rest[start + "<style>".len()..];
        let end = after.find("</style>")?;
        sources.push(secrets::csp_hash(&after[..end]));
        rest = &after[end..];
    }
    let mut attrs = std::collections::BTreeSet::new();
    let mut rest = html;
    while let Some(start) = rest.find(" style=\"") {
        let after = &rest[start + " style=\"".len()..];
        let end = after.find('"')?;
        attrs.insert(secrets::csp_hash(&after[..end]));
        rest = &after[end..];
    }
    if !attrs.is_empty() {
        sources.push("'unsafe-hashes'".to_string());
        sources.extend(attrs);
    }
    HeaderValue::from_str(&csp(&sources.join(" "))).ok()
}

pub(super) async fn owner_report(
    State(app): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Params(secret): Params<String>,
) -> Response {
    if !app.is_owner(&secret) {
        return miss(&app, peer);
    }
    let app2 = app.clone();
    let built = tokio::task::spawn_blocking(move || {
        let files = app2.answered_files();
        if files.is_empty() {
            return Ok(None);
        }
        let team = crate::collect::TeamOptions {
            team: app2
                .team
                .as_ref()
                .map(|(_, name, t)| (name.clone(), t.clone())),
            min_group: None,
            path: app2.team.as_ref().map(|(p, _, _)| p.clone()),
        };
        let report = crate::collect::build_team_report(
            &app2.registry,
            &files,
            Some(app2.period.clone()),
            false,
            1,
            &team,
            &|_, _| {},
        )?;
        crate::render::html::report(&report, app2.baseline.as_ref(), 10).map(Some)
    })
    .await;
    match built {
        Ok(Ok(Some(html))) => {
            let mut res = (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                html.clone(),
            )
                .into_response();
            if let Some(policy) = report_csp(&html) {
                res.headers_mut()
                    .insert(header::CONTENT_SECURITY_POLICY, policy);
            }
            res
        }
        Ok(Ok(None)) => app.pages.message(
            StatusCode::OK,
            "No answers yet",
            "The team report appears here once someone has submitted their answers.",
        ),
        Ok(Err(e)) => app.pages.message(
            StatusCode::OK,
            "The report cannot be made yet",
            &crate::text::terminal_safe(&e.to_string()),
        ),
        Err(_) => app.pages.message(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "Please reload the page.",
        ),
    }
}

#[derive(Serialize)]
struct Invitation {
    name: String,
    role: Option<String>,
    link: String,
    qr_svg: String,
}

pub(super) async fn invitations(
    State(app): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Params(secret): Params<String>,
    headers: HeaderMap,
) -> Response {
    if !app.is_owner(&secret) {
        return miss(&app, peer);
    }
    let base = base_of(&headers, app.tls);
    let cards: Vec<Invitation> = if app.team.is_some() {
        app.everyone()
            .into_iter()
            .map(|(s, p)| {
                let link = format!("{base}/r/{s}");
                Invitation {
                    qr_svg: super::qr::svg(
                        &link,
                        &format!("QR code of the link of {}", page_safe(&p.name)),
                    ),
                    name: page_safe(&p.name),
                    role: p.role.as_deref().map(|r| {
                        page_safe(
                            &app.team
                                .as_ref()
                                .map_or_else(|| r.to_string(), |(_, _, t)| t.title(r)),
                        )
                    }),
                    link,
                }
            })
            .collect()
    } else {
        let link = format!("{base}/t/{}", app.team_secret());
        vec![Invitation {
            qr_svg: super::qr::svg(&link, "QR code of the team link"),
            name: "Everyone on the team".to_string(),
            role: None,
            link,
        }]
    };
    app.pages.render(
        StatusCode::OK,
        "invitations.html",
        minijinja::context! {
            cards => v(cards),
            period => page_safe(&app.period),
            owner => format!("/o/{secret}"),
            wide => true,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_own_absent_or_null() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("10.0.0.2:8080"));
        assert!(same_origin(&h, false));
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(same_origin(&h, false));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://10.0.0.2:8080"),
        );
        assert!(same_origin(&h, false));
        assert!(!same_origin(&h, true));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://evil.example"),
        );
        assert!(!same_origin(&h, false));
    }

    #[test]
    fn the_report_policy_allows_its_styles_by_hash() {
        let csp = report_csp("<style>a{}</style><span style=\"--c: #fff\">x</span>").unwrap();
        let csp = csp.to_str().unwrap();
        assert!(csp.contains("'unsafe-hashes'") && !csp.contains("unsafe-inline"));
    }
}
