//! The desktop simulator's page: every machine's own page side by side, each in a frame exactly
//! as its daemon serves it on a Pi, with a hardware panel for the simulated parts. Served on
//! 127.0.0.1 behind the shared web layer's checks (Host and Origin, rate limits, body limits).

use std::sync::Arc;
use std::time::Duration;

use atelier_web::{Access, Api, ApiError, Gate, GateConfig, JsonBody, Pairing, PairingPolicy};
use axum::extract::{Request, State};
use axum::http::{Method, Uri};
use axum::{Json, Router};
use tower::ServiceExt as _;

use crate::desk_lamp::{DeskLamp, Panel, PanelChange};

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
pub fn router(lamp: Arc<DeskLamp>) -> anyhow::Result<Router> {
    let gate = Gate::new(
        GateConfig::for_machine("atelier-sim"),
        Pairing::in_memory(PairingPolicy::default()),
        |code: &str, _valid: Duration| tracing::info!("pairing code for the simulator: {code}"),
    );
    let mut api = Api::<Arc<DeskLamp>>::new(gate);
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
        .finish(Arc::clone(&lamp));
    let companion = lamp.companion_router()?;
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

async fn get_panel(State(lamp): State<Arc<DeskLamp>>) -> Json<Panel> {
    Json(lamp.panel())
}

async fn change_panel(
    State(lamp): State<Arc<DeskLamp>>,
    JsonBody(change): JsonBody<PanelChange>,
) -> Result<Json<Panel>, ApiError> {
    lamp.change(&change).map(Json).map_err(ApiError::invalid)
}
