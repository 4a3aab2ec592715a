//! The plotter's page, served by `polargraph run` on the shared web layer ([`atelier_web`]):
//! pick a sample or upload a picture, choose a style and a seed, preview the plan with its time
//! (and download it as SVG, PNG or G-code), plot, pause, resume, go home, and watch the gondola
//! on its cords, the step counters and the pen, live. On the simulated board it also shows the
//! paper as the simulated pen inked it.
//!
//! Everything goes through the daemon's [`Control`], as `polargraph plot` on the console does:
//! one queue, one plotter. Pairing codes come from `polargraph pair` on the Pi's console (and
//! the log). Watching needs pairing unless `[page] open_read` says otherwise; every change
//! always does. `docs/api/polargraph.openapi.json` documents the routes; a test holds the two
//! together.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use atelier_sim::SimPlotter;
use atelier_web::{Access, Api, ApiError, Gate, JsonBody, Route};
use axum::Json;
use axum::Router;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::config::PageSettings;
use crate::daemon::{Control, Request, Status};
use crate::geometry::Rect;
use crate::kinematics::Machine;
use crate::session::Session;
use crate::studio::{MAX_UPLOAD_BYTES, PlotRequest, Studio};

/// How often a live page looks at the plotter: twenty times a second, however fast it steps, so
/// a page shows at least ten updates a second while the gondola moves even on a busy Pi (at
/// 80 ms the desktop simulator measured 9.5 to 10.2 at ×1000).
pub const LIVE_INTERVAL: Duration = Duration::from_millis(50);

/// Pixels per millimetre of the simulated paper sent to the page.
const CANVAS_PX_PER_MM: f64 = 1.5;

/// What `polargraph run` needs to serve the page besides the plotter.
#[derive(Clone, Debug)]
pub struct PageSite {
    /// `[page]` from the config.
    pub settings: PageSettings,
    /// The sample pictures (the assets' `plotter` folder).
    pub samples: PathBuf,
}

/// What the page's routes share.
pub struct PlotterPage {
    control: Control,
    studio: Studio,
    machine: Machine,
    pen_width_mm: f64,
    /// The simulated plotter's world, on `--board sim`: its paper for the page.
    world: Option<SimPlotter>,
}

impl std::fmt::Debug for PlotterPage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlotterPage").finish_non_exhaustive()
    }
}

impl PlotterPage {
    /// The page of the daemon behind `control`, for the plotter `session` opened; job folders
    /// go to `jobs` in the state folder.
    pub fn new(control: Control, session: &Session, samples: &std::path::Path) -> Arc<Self> {
        let jobs = session.state.join("jobs");
        Arc::new(PlotterPage {
            control,
            studio: Studio::new(session.config.clone(), samples, &session.state, &jobs),
            machine: session.plotter.machine().clone(),
            pen_width_mm: session.config.pen.width_mm,
            world: session.rig.as_ref().map(|rig| rig.plotter.clone()),
        })
    }

    /// The plotter as the page shows it.
    pub fn view(&self) -> PlotterView {
        let status = self.control.status();
        let mm = self.machine.mm_per_step;
        let at = status.steps.map(|[left, right]| {
            let (l, r) = (left as f64 * mm, right as f64 * mm);
            let pen = self.machine.position(l, r);
            ([pen.x, pen.y], [l, r])
        });
        let paper = self.machine.paper;
        PlotterView {
            pen_mm: at.map(|(pen, _)| pen),
            cords_mm: at.map(|(_, cords)| cords),
            motor_spacing_mm: self.machine.spacing,
            paper_mm: [paper.left, paper.top, paper.width, paper.height],
            simulated: self.world.is_some(),
            status,
        }
    }
}

/// The plotter for the page.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlotterView {
    /// What the daemon is doing, its job, progress and last message.
    pub status: Status,
    /// Where the pen is, mm from the left motor (x right, y down), when known.
    pub pen_mm: Option<[f64; 2]>,
    /// The cords' lengths from the step counters, mm.
    pub cords_mm: Option<[f64; 2]>,
    /// The distance between the motors, mm.
    pub motor_spacing_mm: f64,
    /// The paper: left, top, width, height, mm.
    pub paper_mm: [f64; 4],
    /// Whether this is the simulated plotter (its paper is at `api/canvas.png`).
    pub simulated: bool,
}

/// Logs pairing codes asked for from the page: the plotter has no screen, so the code is in
/// its log, and `polargraph pair` on its console prints a fresh one.
#[derive(Debug)]
struct LoggedCode;

impl atelier_web::CodeDisplay for LoggedCode {
    fn show(&self, code: &str, lifetime: Duration) {
        tracing::info!(
            code,
            "pairing code for the page, valid for {} s (`polargraph pair` prints a new one)",
            lifetime.as_secs()
        );
    }
}

/// The plotter's gate: pairings kept in `pairings` (in the state folder), codes in the log and
/// from `polargraph pair`, `hostname.local` accepted as a Host.
pub fn gate(
    pairings: &std::path::Path,
    settings: &PageSettings,
) -> Result<Arc<Gate>, atelier_web::pairing::LoadError> {
    let pairing =
        atelier_web::Pairing::persistent(atelier_web::PairingPolicy::default(), pairings)?;
    Ok(Gate::new(
        atelier_web::GateConfig {
            open_read: settings.open_read,
            ..atelier_web::GateConfig::for_machine(&settings.hostname)
        },
        pairing,
        LoggedCode,
    ))
}

/// Where the page listens and the name it is found by (the package ships avahi's service file
/// for the defaults: cross/deb/polargraph/avahi-polargraph.xml).
pub fn web_site(settings: &crate::config::PageSettings) -> atelier_web::Site {
    atelier_web::Site {
        bind: settings.bind.clone(),
        port: settings.port,
        hostname: settings.hostname.clone(),
        instance: "Polargraph".to_owned(),
        table: "page",
    }
}

/// Serves the page as `site` says, for the daemon behind `control` (which hands out pairing
/// codes through the same gate); nothing when the page is switched off.
pub fn serve(
    site: &PageSite,
    control: &Control,
    session: &Session,
) -> anyhow::Result<Option<atelier_web::Background>> {
    let settings = &site.settings;
    if !settings.enabled {
        return Ok(None);
    }
    let gate = gate(&session.state.join("pairings.json"), settings)?;
    control.attach_gate(Arc::clone(&gate));
    let page = PlotterPage::new(control.clone(), session, &site.samples);
    let (router, _) = router(page, gate);
    let served = atelier_web::serve_in_background(&web_site(settings), router)?;
    let url = format!("http://{}/", served.address());
    tracing::info!(
        "the plotter's page: {url} (or http://{}.local:{}/); `polargraph pair` prints a pairing \
         code",
        settings.hostname,
        served.address().port()
    );
    control.page_served_at(url);
    Ok(Some(served))
}

/// The page's files, embedded in the binary.
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

/// The page's routes behind `gate`. Returns the router and its route table.
pub fn router(page: Arc<PlotterPage>, gate: Arc<Gate>) -> (Router, Vec<Route>) {
    let mut api = Api::<Arc<PlotterPage>>::new(gate);
    for (path, content_type, body) in PAGE {
        api = api.asset(path, content_type, body);
    }
    api.route(Method::GET, "/api/state", Access::Read, get_state)
        .route(Method::GET, "/api/live", Access::Read, live)
        .route(Method::GET, "/api/pictures", Access::Read, pictures)
        .route(Method::POST, "/api/uploads", Access::Paired, upload)
        .route(Method::POST, "/api/preview", Access::Paired, preview)
        .route(
            Method::GET,
            "/api/preview/{file}",
            Access::Read,
            preview_file,
        )
        .route(Method::POST, "/api/plot", Access::Paired, plot)
        .route(Method::POST, "/api/pause", Access::Paired, pause)
        .route(Method::POST, "/api/resume", Access::Paired, resume)
        .route(Method::POST, "/api/home", Access::Paired, home)
        .route(Method::POST, "/api/set-home", Access::Paired, set_home)
        .route(Method::GET, "/api/canvas.png", Access::Read, canvas)
        // Pictures are the largest bodies; JSON routes take only what their types say.
        .body_limit(MAX_UPLOAD_BYTES)
        .finish(page)
}

async fn get_state(State(page): State<Arc<PlotterPage>>) -> Json<PlotterView> {
    Json(page.view())
}

async fn live(State(page): State<Arc<PlotterPage>>) -> impl IntoResponse {
    atelier_web::live::sse_sampled(move || page.view(), LIVE_INTERVAL, "state")
}

async fn pictures(State(page): State<Arc<PlotterPage>>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "pictures": page.studio.pictures(),
        "styles": page.studio.styles(),
    }))
}

/// The daemon's answer: 202 when taken, 409 with its reason when not.
fn answered(page: &PlotterPage, request: Request) -> Response {
    let reply = page.control.ask(request);
    let status = if reply.ok {
        StatusCode::ACCEPTED
    } else {
        StatusCode::CONFLICT
    };
    (status, Json(reply)).into_response()
}

async fn plot(
    State(page): State<Arc<PlotterPage>>,
    JsonBody(request): JsonBody<PlotRequest>,
) -> Result<Response, ApiError> {
    page.studio.check(&request).map_err(ApiError::invalid)?;
    let made = Arc::clone(&page);
    // Copying the picture and writing the job folder: off the async threads.
    let job = tokio::task::spawn_blocking(move || made.studio.new_job(&request))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .map_err(|e| ApiError::internal(format!("{e:#}")))?;
    tracing::info!(job = %job.dir.display(), "a plot from the page");
    Ok(answered(&page, Request::Plot { dir: job.dir }))
}

async fn pause(State(page): State<Arc<PlotterPage>>) -> Response {
    answered(&page, Request::Pause)
}

async fn resume(State(page): State<Arc<PlotterPage>>) -> Response {
    answered(&page, Request::Resume { dir: None })
}

async fn home(State(page): State<Arc<PlotterPage>>) -> Response {
    answered(&page, Request::Home)
}

async fn set_home(State(page): State<Arc<PlotterPage>>) -> Response {
    answered(&page, Request::SetHome)
}

#[derive(Debug, Deserialize)]
struct UploadName {
    name: String,
}

async fn upload(
    State(page): State<Arc<PlotterPage>>,
    Query(UploadName { name }): Query<UploadName>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let bytes = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "{name} is larger than the {} MiB a picture may be",
                    MAX_UPLOAD_BYTES / (1024 * 1024)
                ),
            )
        } else {
            ApiError::bad_request(rejection.body_text())
        }
    })?;
    // Decoding a picture takes a while: off the async threads.
    let kept = tokio::task::spawn_blocking(move || page.studio.upload(&name, &bytes))
        .await
        .map_err(|e| ApiError::internal(format!("checking the upload: {e}")))?
        .map_err(ApiError::invalid)?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "sample": kept })),
    ))
}

async fn preview(
    State(page): State<Arc<PlotterPage>>,
    JsonBody(request): JsonBody<PlotRequest>,
) -> Result<Json<crate::output::Summary>, ApiError> {
    // Planning takes up to a second or so: off the async threads.
    tokio::task::spawn_blocking(move || page.studio.preview(request))
        .await
        .map_err(|e| ApiError::internal(format!("planning: {e}")))?
        .map(Json)
        .map_err(ApiError::invalid)
}

async fn preview_file(
    State(page): State<Arc<PlotterPage>>,
    UrlPath(file): UrlPath<String>,
) -> Result<Response, ApiError> {
    let preview = page
        .studio
        .latest_preview()
        .ok_or_else(|| ApiError::not_found("nothing previewed yet: POST /api/preview first"))?;
    let (content_type, body) = match file.as_str() {
        "plan.svg" => ("image/svg+xml", preview.svg.into_bytes()),
        "plan.png" => ("image/png", preview.png),
        "plan.gcode" => ("text/plain; charset=utf-8", preview.gcode.into_bytes()),
        other => {
            return Err(ApiError::not_found(format!(
                "no preview file {other:?}: plan.svg, plan.png or plan.gcode"
            )));
        }
    };
    Ok((
        [
            (CONTENT_TYPE, content_type.to_owned()),
            (CONTENT_DISPOSITION, format!("inline; filename=\"{file}\"")),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

async fn canvas(State(page): State<Arc<PlotterPage>>) -> Result<Response, ApiError> {
    let Some(world) = page.world.clone() else {
        return Err(ApiError::not_found(
            "a real plotter's paper is on the wall: only the simulated plotter has one here",
        ));
    };
    let (paper, pen) = (page.machine.paper, page.pen_width_mm);
    let png = tokio::task::spawn_blocking(move || paper_png(&world, paper, pen))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .map_err(ApiError::internal)?;
    Ok((
        [(CONTENT_TYPE, "image/png"), (CACHE_CONTROL, "no-store")],
        png,
    )
        .into_response())
}

/// The simulated paper as a PNG.
fn paper_png(world: &SimPlotter, paper: Rect, pen_width_mm: f64) -> Result<Vec<u8>, String> {
    let image = crate::simulated::canvas(&world.ink(), paper, pen_width_mm, CANVAS_PX_PER_MM);
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| format!("encoding the paper: {e}"))?;
    Ok(png)
}
