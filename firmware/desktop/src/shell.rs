//! The desktop simulator's page: every machine's own page side by side, each in a frame exactly
//! as its daemon serves it on a Pi, with a hardware panel for the simulated parts. Served on
//! 127.0.0.1 behind the shared web layer's checks (Host and Origin, rate limits, body limits).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use atelier_web::{Access, Api, ApiError, Gate, GateConfig, JsonBody, Pairing, PairingPolicy};
use axum::extract::{Path, Query, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, HeaderValue};
use axum::http::{Method, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::{Json, Router};
use tower::ServiceExt as _;

use crate::desk_comic::{ComicPanel, DeskComic, PrinterChange};
use crate::desk_lamp::{DeskLamp, Panel, PanelChange};
use crate::desk_plotter::{DeskPlotter, MAX_UPLOAD_BYTES, PlotRequest, PlotterPanel};
use crate::recording::{Recording, RecordingState};

/// The machines the page shows.
#[derive(Clone, Debug)]
pub struct Machines {
    /// The Lantern lamp.
    pub lamp: Arc<DeskLamp>,
    /// The comic robot.
    pub comic: Arc<DeskComic>,
    /// The polargraph plotter.
    pub plotter: Arc<DeskPlotter>,
    /// A recording per machine, by the machine's name in the page's paths.
    pub recordings: Arc<BTreeMap<&'static str, Recording>>,
}

impl Machines {
    /// The three machines, each with a recording of its board.
    pub fn new(lamp: Arc<DeskLamp>, comic: Arc<DeskComic>, plotter: Arc<DeskPlotter>) -> Machines {
        let recordings = BTreeMap::from([
            ("lantern", Recording::of(lamp.board())),
            ("comic", Recording::of(comic.board())),
            ("plotter", Recording::of(plotter.board())),
        ]);
        Machines {
            lamp,
            comic,
            plotter,
            recordings: Arc::new(recordings),
        }
    }

    fn recording(&self, machine: &str) -> Result<&Recording, ApiError> {
        self.recordings.get(machine).ok_or_else(|| {
            ApiError::not_found(format!(
                "no machine {machine:?} to record: lantern, comic or plotter"
            ))
        })
    }
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
        .route(Method::POST, "/api/plotter/uploads", Access::Public, upload)
        .route(
            Method::POST,
            "/api/plotter/preview",
            Access::Public,
            preview,
        )
        .route(
            Method::GET,
            "/api/plotter/preview/{file}",
            Access::Public,
            preview_file,
        )
        .route(
            Method::GET,
            "/api/recordings/{machine}",
            Access::Public,
            recording_state,
        )
        .route(
            Method::PUT,
            "/api/recordings/{machine}",
            Access::Public,
            set_recording,
        )
        .route(
            Method::GET,
            "/api/recordings/{machine}/vcd",
            Access::Public,
            recording_vcd,
        )
        // Pictures for the plotter are the largest bodies; the JSON routes take only what their
        // types say.
        .body_limit(MAX_UPLOAD_BYTES)
        .finish(machines.clone());
    let companion = machines.lamp.companion_router()?;
    let robot_page = machines.comic.page_router()?;
    let plotter_page = machines.plotter.page_router();
    Ok(shell
        // Each machine's page under its name (`/lantern/`), so its relative links stay there
        // (axum's nest answers `/lantern` alone for the nested `/`).
        .route_service("/lantern/", companion.clone().map_request(at_root))
        .nest("/lantern", companion)
        .route_service("/comic/", robot_page.clone().map_request(at_root))
        .nest("/comic", robot_page)
        .route_service("/polargraph/", plotter_page.clone().map_request(at_root))
        .nest("/polargraph", plotter_page))
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

async fn recording_state(
    State(machines): State<Machines>,
    Path(machine): Path<String>,
) -> Result<Json<RecordingState>, ApiError> {
    Ok(Json(machines.recording(&machine)?.state()))
}

/// Start or stop a recording.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SetRecording {
    recording: bool,
}

async fn set_recording(
    State(machines): State<Machines>,
    Path(machine): Path<String>,
    JsonBody(SetRecording { recording }): JsonBody<SetRecording>,
) -> Result<Json<RecordingState>, ApiError> {
    Ok(Json(machines.recording(&machine)?.set(recording)))
}

async fn recording_vcd(
    State(machines): State<Machines>,
    Path(machine): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    machines.recording(&machine)?;
    let recordings = Arc::clone(&machines.recordings);
    let name = machine.clone();
    // A window of a million changes is tens of megabytes of text: off the async threads.
    let vcd =
        tokio::task::spawn_blocking(move || recordings.get(name.as_str()).map(Recording::vcd))
            .await
            .map_err(|e| ApiError::internal(format!("writing the recording: {e}")))?
            .ok_or_else(|| ApiError::not_found("no such machine"))?
            .map_err(|e| ApiError::new(StatusCode::CONFLICT, e))?;
    let disposition = format!("attachment; filename=\"atelier-sim-{machine}.vcd\"");
    let disposition =
        HeaderValue::from_str(&disposition).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok((
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            ),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (CONTENT_DISPOSITION, disposition),
        ],
        vcd,
    ))
}

/// Which picture an upload is.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct UploadName {
    name: String,
}

async fn upload(
    State(machines): State<Machines>,
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
    let plotter = Arc::clone(&machines.plotter);
    // Decoding a picture takes a while: off the async threads.
    let kept = tokio::task::spawn_blocking(move || plotter.upload(&name, &bytes))
        .await
        .map_err(|e| ApiError::internal(format!("checking the upload: {e}")))?
        .map_err(ApiError::invalid)?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "sample": kept })),
    ))
}

async fn preview(
    State(machines): State<Machines>,
    JsonBody(request): JsonBody<PlotRequest>,
) -> Result<Json<polargraph::output::Summary>, ApiError> {
    let plotter = Arc::clone(&machines.plotter);
    // Planning takes a while: off the async threads.
    tokio::task::spawn_blocking(move || plotter.preview(request))
        .await
        .map_err(|e| ApiError::internal(format!("planning: {e}")))?
        .map(Json)
        .map_err(ApiError::invalid)
}

/// The latest preview as `plan.svg`, `plan.png` or `plan.gcode`, for download.
async fn preview_file(
    State(machines): State<Machines>,
    Path(file): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let preview = machines
        .plotter
        .latest_preview()
        .ok_or_else(|| ApiError::new(StatusCode::CONFLICT, "preview a plot first"))?;
    let (content_type, body) = match file.as_str() {
        "plan.svg" => ("image/svg+xml", preview.svg.into_bytes()),
        "plan.png" => ("image/png", preview.png),
        "plan.gcode" => ("text/plain; charset=utf-8", preview.gcode.into_bytes()),
        _ => {
            return Err(ApiError::not_found(format!(
                "no preview file {file:?}: plan.svg, plan.png or plan.gcode"
            )));
        }
    };
    let stem = preview
        .request
        .sample
        .rsplit('/')
        .next()
        .unwrap_or("plot")
        .rsplit_once('.')
        .map_or("plot", |(stem, _)| stem)
        .to_owned();
    let extension = file.rsplit('.').next().unwrap_or("txt");
    let name = format!(
        "{stem}-{}-{}.{extension}",
        preview.request.style, preview.request.seed
    );
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok((
        [
            (CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (CONTENT_DISPOSITION, disposition),
        ],
        body,
    ))
}
