//! The desktop simulator's page: every machine's own page side by side, each in a frame exactly
//! as its daemon serves it on a Pi, with a hardware panel for the simulated parts. Served on
//! 127.0.0.1 behind the shared web layer's checks (Host and Origin, rate limits, body limits).

use std::sync::Arc;
use std::time::Duration;

use atelier_web::{Access, Api, ApiError, Gate, GateConfig, JsonBody, Pairing, PairingPolicy};
use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use axum::http::{Method, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::{Json, Router};
use tower::ServiceExt as _;

use crate::desk_comic::{ComicPanel, DeskComic, PrinterChange};
use crate::desk_lamp::{DeskLamp, Panel, PanelChange};
use crate::desk_plotter::{DeskPlotter, PlotRequest, PlotterPanel};

/// The machines the page shows.
#[derive(Clone, Debug)]
pub struct Machines {
    /// The Lantern lamp.
    pub lamp: Arc<DeskLamp>,
    /// The comic robot.
    pub comic: Arc<DeskComic>,
    /// The polargraph plotter.
    pub plotter: Arc<DeskPlotter>,
}

const PAGE: &[(&str, &str, &[u8])] = &[
    (
        "/",
        "text/html; charset=utf-8",
        include_bytes!("page/index.html"),
    ),
    (
        "/app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("page/app.js"),
    ),
    (
        "/app.css",
        "text/css; charset=utf-8",
        include_bytes!("page/app.css"),
    ),
];

/// The desktop page and the panel's API, with each machine's own router under its name
/// (`/lantern/`). The simulator's own routes need no pairing: it listens on 127.0.0.1 only,
/// and the gate still refuses other sites and other host names.
pub fn router(machines: Machines) -> anyhow::Result<Router> {
    let gate = Gate::new(
        GateConfig::for_machine("atelier-sim"),
        Pairing::in_memory(PairingPolicy::default()),
        |code: &str, _valid: Duration| tracing::info!("pairing code for the simulator: {code}"),
    );
    let mut api = Api::<Machines>::new(gate);
    for (path, content_type, body) in PAGE {
        api = api.asset(path, content_type, body);
    }
    let (shell, _) = api
        .route(Method::GET, "/api/lantern/panel", Access::Public, get_panel)
        .route(
            Method::PUT,
            "/api/lantern/panel",
            Access::Public,
            change_panel,
        )
        .route(Method::GET, "/api/comic/panel", Access::Public, comic_panel)
        .route(Method::POST, "/api/comic/press", Access::Public, press)
        .route(
            Method::PUT,
            "/api/comic/printer",
            Access::Public,
            change_printer,
        )
        .route(Method::GET, "/api/comic/paper.png", Access::Public, paper)
        .route(
            Method::GET,
            "/api/plotter/panel",
            Access::Public,
            plotter_panel,
        )
        .route(Method::POST, "/api/plotter/plot", Access::Public, plot)
        .route(Method::POST, "/api/plotter/pause", Access::Public, pause)
        .route(Method::POST, "/api/plotter/resume", Access::Public, resume)
        .route(Method::PUT, "/api/plotter/speed", Access::Public, set_speed)
        .route(
            Method::GET,
            "/api/plotter/canvas.png",
            Access::Public,
            canvas,
        )
        .finish(machines.clone());
    let companion = machines.lamp.companion_router()?;
    Ok(shell
        // The machine's page at `/lantern/`, so its relative links stay under `/lantern/`
        // (axum's nest answers `/lantern` alone for the nested `/`).
        .route_service("/lantern/", companion.clone().map_request(at_root))
        .nest("/lantern", companion))
}

/// The same request for the nested router's own `/`.
fn at_root(mut request: Request) -> Request {
    *request.uri_mut() = Uri::from_static("/");
    request
}

async fn get_panel(State(machines): State<Machines>) -> Json<Panel> {
    Json(machines.lamp.panel())
}

async fn change_panel(
    State(machines): State<Machines>,
    JsonBody(change): JsonBody<PanelChange>,
) -> Result<Json<Panel>, ApiError> {
    machines
        .lamp
        .change(&change)
        .map(Json)
        .map_err(ApiError::invalid)
}

async fn comic_panel(State(machines): State<Machines>) -> Json<ComicPanel> {
    Json(machines.comic.panel())
}

async fn press(State(machines): State<Machines>) -> (StatusCode, Json<ComicPanel>) {
    machines.comic.press();
    (StatusCode::ACCEPTED, Json(machines.comic.panel()))
}

async fn change_printer(
    State(machines): State<Machines>,
    JsonBody(change): JsonBody<PrinterChange>,
) -> Json<ComicPanel> {
    Json(machines.comic.change_printer(&change))
}

async fn paper(State(machines): State<Machines>) -> Result<impl IntoResponse, ApiError> {
    let comic = Arc::clone(&machines.comic);
    // Drawing a long roll takes a while: off the async threads.
    let png = tokio::task::spawn_blocking(move || comic.paper_png())
        .await
        .map_err(|e| ApiError::internal(format!("drawing the paper: {e}")))?
        .map_err(|e| ApiError::internal(format!("{e:#}")))?;
    Ok((
        [
            (CONTENT_TYPE, HeaderValue::from_static("image/png")),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        png,
    ))
}

async fn plotter_panel(State(machines): State<Machines>) -> Json<PlotterPanel> {
    Json(machines.plotter.panel())
}

async fn plot(
    State(machines): State<Machines>,
    JsonBody(request): JsonBody<PlotRequest>,
) -> Result<(StatusCode, Json<PlotterPanel>), ApiError> {
    machines.plotter.plot(request).map_err(refusal)?;
    Ok((StatusCode::ACCEPTED, Json(machines.plotter.panel())))
}

async fn pause(State(machines): State<Machines>) -> (StatusCode, Json<PlotterPanel>) {
    machines.plotter.pause();
    (StatusCode::ACCEPTED, Json(machines.plotter.panel()))
}

async fn resume(
    State(machines): State<Machines>,
) -> Result<(StatusCode, Json<PlotterPanel>), ApiError> {
    machines.plotter.resume().map_err(refusal)?;
    Ok((StatusCode::ACCEPTED, Json(machines.plotter.panel())))
}

/// How fast the plotter's clock runs.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Speed {
    speed: f64,
}

async fn set_speed(
    State(machines): State<Machines>,
    JsonBody(Speed { speed }): JsonBody<Speed>,
) -> Result<Json<PlotterPanel>, ApiError> {
    machines
        .plotter
        .set_speed(speed)
        .map_err(ApiError::invalid)?;
    Ok(Json(machines.plotter.panel()))
}

async fn canvas(State(machines): State<Machines>) -> Result<impl IntoResponse, ApiError> {
    let plotter = Arc::clone(&machines.plotter);
    let png = tokio::task::spawn_blocking(move || plotter.canvas_png())
        .await
        .map_err(|e| ApiError::internal(format!("drawing the canvas: {e}")))?
        .map_err(|e| ApiError::internal(format!("{e:#}")))?;
    Ok((
        [
            (CONTENT_TYPE, HeaderValue::from_static("image/png")),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        png,
    ))
}

/// A request the machine cannot take now (busy) is a conflict; one it can never take, invalid.
fn refusal(message: String) -> ApiError {
    if message.contains("busy") || message.contains("nothing is paused") {
        ApiError::new(StatusCode::CONFLICT, message)
    } else {
        ApiError::invalid(message)
    }
}
