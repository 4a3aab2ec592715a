//! The comic robot's page, served by `comic run` on the shared web layer ([`atelier_web`]): the
//! robot's state live (the LEDs' pattern, the queue, the printer's trouble), a press from the
//! phone, the archive with every comic's picture and a reprint button.
//!
//! Pairing codes are printed on the thermal paper (and written to the log, for when the paper
//! is out). Reading needs pairing unless `[page] open_read` says otherwise; pressing and
//! reprinting always do. The routes and who may call them are in [`router`];
//! `docs/api/comic.openapi.json` documents them, and a test holds the two together.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use atelier_web::{Access, Api, ApiError, Gate, Route};
use axum::Json;
use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tokio::sync::watch;

use crate::archive::Archive;
use crate::robot::spool::Spool;
use crate::robot::{Event, Inbox, Pattern, Request};

/// Lines of the robot's log the page shows.
const LOG_KEPT: usize = 30;

/// Comics the archive list shows, newest first.
pub const ARCHIVE_SHOWN: usize = 60;

/// The robot as the page shows it: built from its [`Event`]s.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RobotView {
    /// What the LEDs show.
    pub pattern: Option<Pattern>,
    /// Presses accepted since the robot started (reprints included).
    pub accepted: u64,
    /// Comics on paper since the robot started.
    pub printed: u64,
    /// The comic going to the printer now.
    pub printing: Option<u64>,
    /// Comics waiting (the one printing included), oldest first.
    pub queue: Vec<u64>,
    /// The printer's trouble, until a comic gets through.
    pub fault: Option<String>,
    /// The newest comic made.
    pub newest: Option<u64>,
    /// What happened, newest last.
    pub log: VecDeque<String>,
}

impl RobotView {
    /// Takes `event` in.
    pub fn record(&mut self, event: &Event) {
        let line = match event {
            Event::Accepted { number, .. } => {
                self.accepted += 1;
                if !self.queue.contains(number) {
                    self.queue.push(*number);
                }
                Some(format!("comic {number} accepted"))
            }
            Event::Ready { number, .. } => {
                self.newest = self.newest.max(Some(*number));
                None
            }
            Event::Refused { reason, .. } => Some(format!("refused: {reason}")),
            Event::Printing { number, .. } => {
                self.printing = Some(*number);
                self.fault = None;
                Some(format!("printing comic {number}"))
            }
            Event::Printed { number, .. } => {
                self.printed += 1;
                self.printing = None;
                self.fault = None;
                self.queue.retain(|n| n != number);
                Some(format!("comic {number} on paper"))
            }
            Event::Fault { number, fault, .. } => {
                self.printing = None;
                let text = fault.to_string();
                let changed = self.fault.as_deref() != Some(text.as_str());
                self.fault = Some(text);
                changed.then(|| format!("{fault}; comic {number} is kept"))
            }
            Event::Resynchronised => Some("printer brought back to a known state".to_owned()),
            Event::Showing(pattern) => {
                self.pattern = Some(*pattern);
                None
            }
            Event::Note { printed: true } => Some("pairing code printed".to_owned()),
            Event::Note { printed: false } => {
                Some("the pairing code could not be printed (it is in the log)".to_owned())
            }
            Event::ShutdownRequested => Some("shutting down after this comic".to_owned()),
            Event::ShutdownStarted => Some("shutting down".to_owned()),
        };
        if let Some(line) = line {
            if self.log.len() == LOG_KEPT {
                self.log.pop_front();
            }
            self.log.push_back(line);
        }
    }
}

/// The robot's view, published: the robot's event handler writes, pages read.
#[derive(Clone, Debug)]
pub struct Watch {
    sender: watch::Sender<RobotView>,
}

impl Default for Watch {
    fn default() -> Self {
        Watch::new()
    }
}

impl Watch {
    /// Nothing seen yet.
    pub fn new() -> Watch {
        Watch {
            sender: watch::Sender::new(RobotView::default()),
        }
    }

    /// Takes `event` in; pages hear of it only when the view changed.
    pub fn record(&self, event: &Event) {
        self.sender.send_if_modified(|view| {
            let before = view.clone();
            view.record(event);
            *view != before
        });
    }

    /// The view now.
    pub fn view(&self) -> RobotView {
        self.sender.borrow().clone()
    }

    fn subscribe(&self) -> watch::Receiver<RobotView> {
        self.sender.subscribe()
    }
}

/// Switching the robot's printer: the choice is saved in the config's edits (the packaged
/// defaults stay untouched), then the robot finishes the comic it is printing and starts again
/// with the new printer, its queue kept.
pub struct PrinterSwitch {
    places: atelier_config::Places,
    restart: Box<dyn Fn() + Send + Sync>,
}

impl std::fmt::Debug for PrinterSwitch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrinterSwitch")
            .field("places", &self.places)
            .finish_non_exhaustive()
    }
}

impl PrinterSwitch {
    /// Saves through `places`; `restart` starts the robot again once it is saved.
    pub fn new(
        places: atelier_config::Places,
        restart: impl Fn() + Send + Sync + 'static,
    ) -> PrinterSwitch {
        PrinterSwitch {
            places,
            restart: Box::new(restart),
        }
    }
}

/// What the page's routes share.
#[derive(Debug)]
pub struct ComicPage {
    watch: Watch,
    inbox: Inbox,
    archive: Archive,
    spool: Spool,
    printer: PrinterSwitch,
}

impl ComicPage {
    /// The page of the robot that `inbox` reaches and `watch` follows, its comics in `archive`,
    /// its waiting jobs in `spool`, its printer switched by `printer`.
    pub fn new(
        watch: Watch,
        inbox: Inbox,
        archive: Archive,
        spool: Spool,
        printer: PrinterSwitch,
    ) -> Arc<ComicPage> {
        Arc::new(ComicPage {
            watch,
            inbox,
            archive,
            spool,
            printer,
        })
    }
}

/// Prints pairing codes on the robot's paper, and logs them for when the paper is out.
#[derive(Debug)]
pub struct PrintedCode(pub Inbox);

impl atelier_web::CodeDisplay for PrintedCode {
    fn show(&self, code: &str, lifetime: Duration) {
        tracing::info!(
            code,
            "pairing code, printed on the paper; valid for {} s",
            lifetime.as_secs()
        );
        let minutes = lifetime.as_secs().div_ceil(60);
        let note = vec![
            "Comic robot pairing code".to_owned(),
            code.to_owned(),
            format!("Type it on the page within {minutes} min."),
        ];
        if let Err(error) = self.0.send(Request::Note(note)) {
            tracing::warn!("pairing code not printed: {error}");
        }
    }
}

/// The robot's gate: pairings kept in `pairings` (a file in the state folder), codes printed,
/// `hostname.local` accepted as a Host.
pub fn gate(
    pairings: &Path,
    settings: &crate::config::PageSettings,
    inbox: Inbox,
) -> Result<Arc<Gate>, atelier_web::pairing::LoadError> {
    let pairing =
        atelier_web::Pairing::persistent(atelier_web::PairingPolicy::default(), pairings)?;
    Ok(Gate::new(
        atelier_web::GateConfig {
            open_read: settings.open_read,
            ..atelier_web::GateConfig::for_machine(&settings.hostname)
        },
        pairing,
        PrintedCode(inbox),
    ))
}

/// The page's files, embedded in the binary: a Pi at a fair has no CDN.
const PAGE: &[(&str, &str, &[u8])] = &[
    (
        "/",
        "text/html; charset=utf-8",
        include_bytes!("index.html"),
    ),
    (
        "/app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("app.js"),
    ),
    (
        "/app.css",
        "text/css; charset=utf-8",
        include_bytes!("app.css"),
    ),
];

/// The page's routes behind `gate`: the page, pairing (from the web layer) and the robot's
/// API. Returns the router and its route table.
pub fn router(page: Arc<ComicPage>, gate: Arc<Gate>) -> (Router, Vec<Route>) {
    let mut api = Api::<Arc<ComicPage>>::new(gate);
    for (path, content_type, body) in PAGE {
        api = api.asset(path, content_type, body);
    }
    api.route(Method::GET, "/api/state", Access::Read, get_state)
        .route(Method::GET, "/api/live", Access::Read, live)
        .route(Method::POST, "/api/press", Access::Paired, press)
        .route(Method::GET, "/api/archive", Access::Read, archive)
        .route(
            Method::GET,
            "/api/archive/{number}/comic.png",
            Access::Read,
            comic_png,
        )
        .route(
            Method::POST,
            "/api/archive/{number}/reprint",
            Access::Paired,
            reprint,
        )
        .route(Method::GET, "/api/printer", Access::Read, printer)
        .route(Method::PUT, "/api/printer", Access::Paired, switch_printer)
        .finish(page)
}

/// The state with the spool's waiting jobs (the files are the truth: a job spooled before a
/// restart is there too).
fn state_of(page: &ComicPage) -> RobotView {
    let mut view = page.watch.view();
    if let Ok(pending) = page.spool.pending() {
        view.queue = pending.into_iter().map(|job| job.number).collect();
    }
    view
}

async fn get_state(State(page): State<Arc<ComicPage>>) -> Json<RobotView> {
    Json(state_of(&page))
}

async fn live(State(page): State<Arc<ComicPage>>) -> impl IntoResponse {
    atelier_web::live::sse(page.watch.subscribe(), "state")
}

fn asked(page: &ComicPage, request: Request) -> Result<Response, ApiError> {
    page.inbox
        .send(request)
        .map_err(|e| ApiError::too_many(e.to_string(), 1))?;
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "asked": true })),
    )
        .into_response())
}

async fn press(State(page): State<Arc<ComicPage>>) -> Result<Response, ApiError> {
    tracing::info!("a press from the page");
    asked(&page, Request::Press)
}

/// One archived comic, for the list.
#[derive(Debug, Serialize)]
struct Archived {
    number: u64,
    footer: String,
    picture: String,
}

async fn archive(State(page): State<Arc<ComicPage>>) -> Result<Json<Vec<Archived>>, ApiError> {
    let archive = page.archive.clone();
    let listed = tokio::task::spawn_blocking(move || -> Result<Vec<Archived>, String> {
        let numbers = archive.numbers().map_err(|e| e.to_string())?;
        Ok(numbers
            .iter()
            .rev()
            .take(ARCHIVE_SHOWN)
            .filter_map(|&number| {
                let sidecar = archive.sidecar(number).ok()?;
                Some(Archived {
                    number,
                    footer: sidecar.footer,
                    picture: format!("api/archive/{number}/comic.png"),
                })
            })
            .collect())
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?
    .map_err(ApiError::internal)?;
    Ok(Json(listed))
}

fn number_of(text: &str) -> Result<u64, ApiError> {
    text.parse::<u64>()
        .map_err(|_| ApiError::bad_request(format!("{text:?} is not a comic number")))
}

async fn comic_png(
    State(page): State<Arc<ComicPage>>,
    UrlPath(number): UrlPath<String>,
) -> Result<Response, ApiError> {
    let number = number_of(&number)?;
    let archive = page.archive.clone();
    let bytes = tokio::task::spawn_blocking(move || {
        let sidecar = archive
            .sidecar(number)
            .map_err(|e| ApiError::not_found(e.to_string()))?;
        std::fs::read(archive.path_of(&sidecar.png))
            .map_err(|e| ApiError::internal(format!("{}: {e}", sidecar.png)))
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))??;
    Ok((
        [
            (CONTENT_TYPE, "image/png"),
            // A comic's picture never changes once archived.
            (CACHE_CONTROL, "private, max-age=86400"),
        ],
        bytes,
    )
        .into_response())
}

async fn reprint(
    State(page): State<Arc<ComicPage>>,
    UrlPath(number): UrlPath<String>,
) -> Result<Response, ApiError> {
    let number = number_of(&number)?;
    page.archive
        .sidecar(number)
        .map_err(|e| ApiError::not_found(e.to_string()))?;
    tracing::info!(number, "a reprint from the page");
    asked(&page, Request::Reprint(number))
}

/// A printer the page offers.
#[derive(Debug, Serialize)]
struct Offered {
    name: String,
    width_mm: f64,
    link: &'static str,
}

async fn printer(State(page): State<Arc<ComicPage>>) -> Result<Json<serde_json::Value>, ApiError> {
    let places = page.printer.places.clone();
    let config = tokio::task::spawn_blocking(move || crate::config::ComicConfig::load(&places))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let offered: Vec<Offered> = crate::profile::PrinterProfile::builtin()
        .into_iter()
        .map(|profile| Offered {
            width_mm: f64::from(profile.width_dots) * 25.4 / f64::from(profile.dpi),
            link: if profile.serial.is_some() {
                "serial"
            } else {
                "USB or network"
            },
            name: profile.name,
        })
        .collect();
    Ok(Json(serde_json::json!({
        "profile": config.printer.profile,
        "profiles": offered,
    })))
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PrinterChoice {
    profile: String,
}

async fn switch_printer(
    State(page): State<Arc<ComicPage>>,
    atelier_web::JsonBody(choice): atelier_web::JsonBody<PrinterChoice>,
) -> Result<Response, ApiError> {
    // Only built-in profiles from the page: a path would let a phone point the robot at any
    // file on the Pi.
    crate::profile::PrinterProfile::builtin_named(&choice.profile)
        .map_err(|e| ApiError::invalid(e.to_string()))?;
    let places = page.printer.places.clone();
    let name = choice.profile.clone();
    tokio::task::spawn_blocking(move || {
        places.edit::<crate::config::ComicConfig>(|edits, _| {
            edits["printer"]["profile"] = toml_edit::value(name);
            Ok(())
        })
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?
    .map_err(|e| ApiError::invalid(e.to_string()))?;
    tracing::info!(profile = %choice.profile, "printer switched from the page");
    (page.printer.restart)();
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "profile": choice.profile, "restarting": true })),
    )
        .into_response())
}
