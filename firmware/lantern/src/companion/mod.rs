//! The companion: the page and JSON API a phone uses to choose each surface's app, served by
//! `lantern run` on the shared web layer ([`atelier_web`]).
//!
//! Reading goes to the running lamp's outbox ([`crate::lamp::LampHandle`]) and the config in
//! force; every change is an edit of the config overlay in the state folder (validated as a
//! whole, written atomically, comments kept: [`atelier_config::Places::edit`]) followed by the
//! new config sent to the running lamp. A change the lamp cannot take changes nothing.
//!
//! The routes and who may call them are in [`router`]; `docs/api/lantern.openapi.json`
//! documents them, and a test holds the two together.

pub mod edits;

use std::sync::Arc;
use std::time::Duration;

use atelier_config::{ConfigError, Places, Problem};
use atelier_web::{Access, Api, ApiError, Gate, JsonBody, Route};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde::Deserialize;
use tokio::sync::{Mutex, Semaphore, oneshot};

use crate::config::LanternConfig;
use crate::lamp::{Command, LampHandle, LampState};
use crate::render::Frame;
use edits::{AppChoice, Place};

/// How long a change waits for the running lamp to take it.
const LAMP_REPLY: Duration = Duration::from_secs(3);

/// Preview streams open at once; more get a 503 (each costs an encode per preview frame).
pub const PREVIEW_STREAMS: usize = 4;

/// What the companion's routes share.
#[derive(Debug)]
pub struct Companion {
    places: Places,
    lamp: LampHandle,
    /// One change at a time: each reads, edits and writes the overlay whole.
    editing: Mutex<()>,
    streams: Arc<Semaphore>,
    /// The config in force as TOML, read once and again after each change: reading state is
    /// then a copy, not two files parsed and checked per request.
    in_force: std::sync::Mutex<Option<Arc<serde_json::Value>>>,
}

impl Companion {
    /// The companion of the lamp behind `lamp`, whose files are at `places`.
    pub fn new(places: Places, lamp: LampHandle) -> Arc<Companion> {
        Arc::new(Companion {
            places,
            lamp,
            editing: Mutex::new(()),
            streams: Arc::new(Semaphore::new(PREVIEW_STREAMS)),
            in_force: std::sync::Mutex::new(None),
        })
    }

    fn cached(&self) -> Option<Arc<serde_json::Value>> {
        self.in_force
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Reads the config in force from its files into the cache.
    async fn reload(&self) -> Result<Arc<serde_json::Value>, ApiError> {
        let places = self.places.clone();
        let merged = tokio::task::spawn_blocking(move || {
            atelier_config::effective_toml::<LanternConfig>(&places.defaults, &places.edits)
        })
        .await
        .map_err(|e| ApiError::internal(format!("reading the config failed: {e}")))?
        .map_err(config_error)?;
        let merged: toml::Table = toml::from_str(&merged)
            .map_err(|e| ApiError::internal(format!("the config in force: {e}")))?;
        let merged = Arc::new(config_view(&merged));
        *self
            .in_force
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Arc::clone(&merged));
        Ok(merged)
    }

    /// Applies `change` to the overlay and hands the resulting config to the running lamp.
    async fn change(
        self: &Arc<Self>,
        change: impl FnOnce(&mut toml_edit::DocumentMut, &toml_edit::DocumentMut) -> Result<(), Problem>
        + Send
        + 'static,
    ) -> Result<Json<serde_json::Value>, ApiError> {
        let _one_at_a_time = self.editing.lock().await;
        let places = self.places.clone();
        let config = tokio::task::spawn_blocking(move || places.edit::<LanternConfig>(change))
            .await
            .map_err(|e| ApiError::internal(format!("the config writer failed: {e}")))?
            .map_err(config_error)?;
        // The files changed: the cache follows whatever the lamp says.
        let reloaded = self.reload().await;
        self.reconfigure(config).await?;
        reloaded?;
        self.view().await.map(Json)
    }

    async fn reconfigure(&self, config: LanternConfig) -> Result<(), ApiError> {
        let (reply, answer) = oneshot::channel();
        self.lamp
            .send(Command::Reconfigure {
                config: Box::new(config),
                reply: Some(reply),
            })
            .map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?;
        match tokio::time::timeout(LAMP_REPLY, answer).await {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(why))) => Err(ApiError::invalid(format!(
                "saved, but the running lamp refused it: {why}"
            ))),
            Ok(Err(_)) | Err(_) => Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "saved; the lamp did not answer in time and takes it at its next start",
            )),
        }
    }

    /// The lamp's state and its config in force, for the page.
    async fn view(&self) -> Result<serde_json::Value, ApiError> {
        let merged = match self.cached() {
            Some(merged) => merged,
            None => self.reload().await?,
        };
        let state: LampState = self.lamp.state().borrow().clone();
        let mut view = (*merged).clone();
        view["lamp"] = serde_json::to_value(state).unwrap_or_default();
        Ok(view)
    }
}

/// The page's picture of the lamp's config: surfaces with their apps, the apps there are, and
/// where the lamp is (the live state joins it per request).
fn config_view(merged: &toml::Table) -> serde_json::Value {
    let apps = merged
        .get("apps")
        .and_then(toml::Value::as_array)
        .cloned()
        .unwrap_or_default();
    let surfaces: Vec<serde_json::Value> = merged
        .get("surfaces")
        .and_then(|s| s.get("surfaces"))
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .map(|surface| {
            let name = surface.get("name").and_then(toml::Value::as_str).unwrap_or("");
            let app = apps
                .iter()
                .find(|a| a.get("surface").and_then(toml::Value::as_str) == Some(name));
            let (kind, settings) = app
                .and_then(toml::Value::as_table)
                .and_then(|table| {
                    crate::apps::AppSettings::NAMES
                        .iter()
                        .find_map(|kind| table.get(*kind).map(|s| (*kind, s.clone())))
                })
                .map_or((None, serde_json::Value::Null), |(kind, s)| {
                    (Some(kind), serde_json::to_value(s).unwrap_or_default())
                });
            serde_json::json!({
                "name": name,
                "direction": serde_json::to_value(surface.get("direction")).unwrap_or_default(),
                "app": kind,
                "settings": settings,
                "rotation": app.and_then(|a| a.get("rotation")).and_then(toml::Value::as_integer).unwrap_or(0),
                "mirror": app.and_then(|a| a.get("mirror")).and_then(toml::Value::as_bool).unwrap_or(false),
            })
        })
        .collect();
    serde_json::json!({
        "surfaces": surfaces,
        "apps": crate::apps::AppSettings::NAMES,
        "location": serde_json::to_value(merged.get("location")).unwrap_or_default(),
    })
}

/// A config the change would make is refused with what is wrong, not where the lamp keeps its
/// files (the log has the whole message).
fn config_error(error: ConfigError) -> ApiError {
    tracing::info!("companion: change refused: {error}");
    match error {
        ConfigError::Invalid {
            key: Some(key),
            message,
            ..
        } => ApiError::invalid(format!("{key}: {message}")),
        ConfigError::Invalid { message, .. } => ApiError::invalid(message),
        _ => ApiError::internal(error.to_string()),
    }
}

/// Shows pairing codes on the lamp, and in the log for a lamp whose projector is off.
#[derive(Debug)]
pub struct ProjectedCode(pub LampHandle);

impl atelier_web::CodeDisplay for ProjectedCode {
    fn show(&self, code: &str, lifetime: Duration) {
        tracing::info!(
            code,
            "pairing code, shown on the lamp for {} s",
            lifetime.as_secs()
        );
        if let Err(error) = self.0.send(Command::ShowPairingCode {
            code: code.to_owned(),
            lifetime,
        }) {
            tracing::warn!("pairing code: {error}");
        }
    }

    fn paired(&self, _device: &atelier_web::Device) {
        let _ = self.0.send(Command::HidePairingCode);
    }
}

/// The lamp's gate: pairings kept in the state folder (`pairings.json`), codes projected, the
/// lamp's mDNS name accepted as a Host.
pub fn gate(
    places: &Places,
    settings: &crate::config::Companion,
    lamp: LampHandle,
) -> Result<Arc<Gate>, atelier_web::pairing::LoadError> {
    let pairing = atelier_web::Pairing::persistent(
        atelier_web::PairingPolicy::default(),
        &places.in_state(std::path::Path::new("pairings.json")),
    )?;
    Ok(Gate::new(
        atelier_web::GateConfig {
            open_read: settings.open_read,
            ..atelier_web::GateConfig::for_machine(&settings.hostname)
        },
        pairing,
        ProjectedCode(lamp),
    ))
}

/// The preview as a JPEG.
fn jpeg(frame: &Frame) -> Vec<u8> {
    let mut out = Vec::new();
    let image = frame.to_image();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80);
    if let Err(error) = image.write_with_encoder(encoder) {
        tracing::warn!("preview: {error}");
    }
    out
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Name {
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewSurface {
    name: String,
}

/// The page's files, embedded in the binary: a Pi on a LAN has no CDN.
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

/// The companion's routes behind `gate`: the page, pairing (from the web layer), and the lamp's
/// API. Returns the router and its route table.
pub fn router(companion: Arc<Companion>, gate: Arc<Gate>) -> (Router, Vec<Route>) {
    let mut api = Api::<Arc<Companion>>::new(gate);
    for (path, content_type, body) in PAGE {
        api = api.asset(path, content_type, body);
    }
    api.route(Method::GET, "/api/state", Access::Read, get_state)
        .route(Method::GET, "/api/live", Access::Read, live)
        .route(Method::GET, "/api/preview.jpg", Access::Read, preview)
        .route(
            Method::GET,
            "/api/preview.mjpeg",
            Access::Read,
            preview_stream,
        )
        .route(Method::PUT, "/api/lamp", Access::Paired, rename_lamp)
        .route(Method::PUT, "/api/location", Access::Paired, set_location)
        .route(
            Method::POST,
            "/api/surfaces",
            Access::Paired,
            add_surface_here,
        )
        .route(
            Method::PATCH,
            "/api/surfaces/{name}",
            Access::Paired,
            rename_surface,
        )
        .route(
            Method::DELETE,
            "/api/surfaces/{name}",
            Access::Paired,
            remove_surface,
        )
        .route(
            Method::PUT,
            "/api/surfaces/{name}/app",
            Access::Paired,
            set_app,
        )
        .route(
            Method::POST,
            "/api/surfaces/{name}/here",
            Access::Paired,
            surface_here,
        )
        .finish(companion)
}

async fn get_state(
    State(companion): State<Arc<Companion>>,
) -> Result<Json<serde_json::Value>, ApiError> {
    companion.view().await.map(Json)
}

async fn live(State(companion): State<Arc<Companion>>) -> impl IntoResponse {
    atelier_web::live::sse(companion.lamp.state(), "state")
}

async fn preview(State(companion): State<Arc<Companion>>) -> Response {
    let frame = companion.lamp.preview().borrow().clone();
    let body = tokio::task::spawn_blocking(move || jpeg(&frame))
        .await
        .unwrap_or_default();
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response()
}

/// Motion JPEG: each new preview as one part of a never-ending multipart response, which an
/// `<img>` shows as video with no script at all.
async fn preview_stream(State(companion): State<Arc<Companion>>) -> Response {
    let Ok(permit) = Arc::clone(&companion.streams).try_acquire_owned() else {
        return ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("{PREVIEW_STREAMS} previews are already open: close one"),
        )
        .into_response();
    };
    let frames = companion.lamp.preview();
    let stream = futures_util::stream::unfold(
        (frames, permit, true),
        |(mut frames, permit, first)| async move {
            if !first && frames.changed().await.is_err() {
                return None;
            }
            let frame = frames.borrow_and_update().clone();
            let jpeg = tokio::task::spawn_blocking(move || jpeg(&frame))
                .await
                .ok()?;
            let mut part = format!(
                "--frame\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n",
                jpeg.len()
            )
            .into_bytes();
            part.extend_from_slice(&jpeg);
            part.extend_from_slice(b"\r\n");
            Some((
                Ok::<_, std::convert::Infallible>(part),
                (frames, permit, false),
            ))
        },
    );
    (
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("multipart/x-mixed-replace; boundary=frame"),
            ),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

async fn rename_lamp(
    State(companion): State<Arc<Companion>>,
    JsonBody(body): JsonBody<Name>,
) -> Result<Json<serde_json::Value>, ApiError> {
    companion
        .change(move |edits, _| edits::rename_lamp(edits, &body.name))
        .await
}

async fn set_location(
    State(companion): State<Arc<Companion>>,
    JsonBody(place): JsonBody<Place>,
) -> Result<Json<serde_json::Value>, ApiError> {
    companion
        .change(move |edits, _| edits::set_location(edits, &place))
        .await
}

async fn set_app(
    State(companion): State<Arc<Companion>>,
    Path(name): Path<String>,
    JsonBody(choice): JsonBody<AppChoice>,
) -> Result<Json<serde_json::Value>, ApiError> {
    companion
        .change(move |edits, defaults| edits::set_app(edits, defaults, &name, &choice))
        .await
}

async fn rename_surface(
    State(companion): State<Arc<Companion>>,
    Path(name): Path<String>,
    JsonBody(body): JsonBody<Name>,
) -> Result<Json<serde_json::Value>, ApiError> {
    companion
        .change(move |edits, defaults| edits::rename_surface(edits, defaults, &name, &body.name))
        .await
}

async fn remove_surface(
    State(companion): State<Arc<Companion>>,
    Path(name): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    companion
        .change(move |edits, defaults| edits::remove_surface(edits, defaults, &name))
        .await
}

async fn add_surface_here(
    State(companion): State<Arc<Companion>>,
    JsonBody(body): JsonBody<NewSurface>,
) -> Result<Json<serde_json::Value>, ApiError> {
    surface_here(State(companion), Path(body.name)).await
}

/// "The lamp points at surface NAME now": the running lamp measures the direction, and the
/// overlay keeps it.
async fn surface_here(
    State(companion): State<Arc<Companion>>,
    Path(name): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let name = edits::check_name("name", &name).map_err(|p| ApiError::invalid(p.message))?;
    let (reply, answer) = oneshot::channel();
    companion
        .lamp
        .send(Command::Calibrate {
            surface: name.clone(),
            reply,
        })
        .map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?;
    let direction = match tokio::time::timeout(LAMP_REPLY, answer).await {
        Ok(Ok(Ok(direction))) => direction,
        Ok(Ok(Err(why))) => return Err(ApiError::new(StatusCode::CONFLICT, why)),
        Ok(Err(_)) | Err(_) => {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the lamp did not answer in time",
            ));
        }
    };
    companion
        .change(move |edits, defaults| {
            crate::config::calibrate_surface(edits, defaults, &name, direction)
        })
        .await
}
