//! A machine's page and JSON API as a table of routes, each with its [`Access`], built into an
//! axum router behind the gate. The table is what the tests walk and the OpenAPI file is
//! checked against, so a route cannot be added without its access being decided.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path};
use axum::handler::Handler;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HeaderValue, REFERRER_POLICY, SET_COOKIE,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{Method, StatusCode};
use axum::middleware::{from_fn_with_state, map_response};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, on};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, JsonBody};
use crate::gate::{Access, Caller, Gate, check_access, check_request};
use crate::pairing::{Device, PairError};

/// One route of the table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Route {
    /// GET, POST, PUT, DELETE…
    #[serde(serialize_with = "method_name")]
    pub method: Method,
    /// The path, with `{name}` for a parameter (axum's syntax, and OpenAPI's).
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
}

fn method_name<S: serde::Serializer>(method: &Method, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(method.as_str())
}

/// The largest request body a machine takes unless it says otherwise.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// A machine's routes being put together.
#[derive(Debug)]
pub struct Api<S> {
    router: Router<S>,
    routes: Vec<Route>,
    gate: Arc<Gate>,
    body_limit: usize,
}

impl<S: Clone + Send + Sync + 'static> Api<S> {
    /// An API behind `gate`, with the pairing routes every machine has:
    /// - `GET /api/session`: whether this device is paired (public, for the page);
    /// - `POST /api/pair/code`: the machine shows a new code;
    /// - `POST /api/pair`: a code and a device name for a token (also set as a cookie);
    /// - `GET /api/devices`, `DELETE /api/devices/{id}`: list and revoke paired devices.
    pub fn new(gate: Arc<Gate>) -> Api<S> {
        let api = Api {
            router: Router::new(),
            routes: Vec::new(),
            gate: Arc::clone(&gate),
            body_limit: DEFAULT_BODY_LIMIT,
        };
        let g = Arc::clone(&gate);
        let api = api.route(
            Method::GET,
            "/api/session",
            Access::Public,
            move |Extension(caller): Extension<Caller>| async move {
                Json(serde_json::json!({
                    "paired": caller.device.is_some(),
                    "device": caller.device.map(|d| d.name),
                    "read_open": g.config.open_read,
                }))
            },
        );
        let g = Arc::clone(&gate);
        let api = api.route(
            Method::POST,
            "/api/pair/code",
            Access::Public,
            move || async move {
                let code = g.pairing().new_code(Instant::now());
                match code {
                    Ok(code) => {
                        let lifetime = g.pairing().code_lifetime();
                        g.display.show(&code, lifetime);
                        tracing::info!("pairing code requested; shown on the machine");
                        (
                            StatusCode::ACCEPTED,
                            Json(serde_json::json!({ "expires_in_s": lifetime.as_secs() })),
                        )
                            .into_response()
                    }
                    Err(e) => pair_error(e).into_response(),
                }
            },
        );
        let g = Arc::clone(&gate);
        let api = api.route(
            Method::POST,
            "/api/pair",
            Access::Public,
            move |JsonBody(request): JsonBody<PairRequest>| async move {
                let result = g
                    .pairing()
                    .redeem(&request.code, &request.name, Instant::now());
                match result {
                    Ok(token) => {
                        let device = g.pairing().device_of(&token).cloned();
                        if let Some(device) = &device {
                            g.display.paired(device);
                        }
                        let cookie = format!(
                            "{}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=31536000",
                            g.config.cookie
                        );
                        let mut response =
                            Json(serde_json::json!({ "token": token, "device": device }))
                                .into_response();
                        if let Ok(value) = HeaderValue::from_str(&cookie) {
                            response.headers_mut().insert(SET_COOKIE, value);
                        }
                        response
                    }
                    Err(e) => pair_error(e).into_response(),
                }
            },
        );
        let g = Arc::clone(&gate);
        let api = api.route(
            Method::GET,
            "/api/devices",
            Access::Paired,
            move || async move { Json(g.pairing().devices().to_vec()) },
        );
        let g = Arc::clone(&gate);
        api.route(
            Method::DELETE,
            "/api/devices/{id}",
            Access::Paired,
            move |Path(id): Path<String>| async move {
                let removed = g.pairing().revoke(&id);
                removed
                    .map(|device: Device| Json(device))
                    .map_err(pair_error)
            },
        )
    }

    /// Adds `handler` for `method` on `path`, open to `access`.
    ///
    /// # Panics
    /// When the route is already in the table (a programming error, found by any test).
    pub fn route<H, T>(
        mut self,
        method: Method,
        path: &'static str,
        access: Access,
        handler: H,
    ) -> Self
    where
        H: Handler<T, S>,
        T: 'static,
    {
        assert!(
            !self
                .routes
                .iter()
                .any(|r| r.method == method && r.path == path),
            "{method} {path} is routed twice"
        );
        let filter = MethodFilter::try_from(method.clone())
            .unwrap_or_else(|_| panic!("{method} is not a routable method"));
        let layer = from_fn_with_state((Arc::clone(&self.gate), access), check_access);
        self.router = self
            .router
            .route(path, on(filter, handler).route_layer(layer));
        self.routes.push(Route {
            method,
            path,
            access,
        });
        self
    }

    /// Serves a file embedded in the binary at `path`, to anyone (the page itself).
    pub fn asset(
        self,
        path: &'static str,
        content_type: &'static str,
        body: &'static [u8],
    ) -> Self {
        self.route(Method::GET, path, Access::Public, move || async move {
            (
                [
                    (CONTENT_TYPE, HeaderValue::from_static(content_type)),
                    (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
                ],
                body,
            )
        })
    }

    /// Request bodies larger than `bytes` get a 413 (the default is [`DEFAULT_BODY_LIMIT`]).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// The route table so far.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// The finished router with the machine's state, behind the gate's checks, with the body
    /// limit, security headers and JSON 404s; and the route table.
    pub fn finish(self, state: S) -> (Router, Vec<Route>) {
        let router = self
            .router
            .fallback(|| async { ApiError::not_found("no such page or API route on this machine") })
            .layer(DefaultBodyLimit::max(self.body_limit))
            .layer(from_fn_with_state(Arc::clone(&self.gate), check_request))
            .layer(map_response(security_headers))
            .with_state(state);
        (router, self.routes)
    }
}

/// What a pairing request carries.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairRequest {
    /// The code the machine shows.
    pub code: String,
    /// A name for this device.
    pub name: String,
}

fn pair_error(error: PairError) -> ApiError {
    let message = error.to_string();
    match error {
        PairError::NoCode | PairError::Expired | PairError::Wrong { .. } => {
            ApiError::new(StatusCode::FORBIDDEN, message)
        }
        PairError::TooMany { retry_after } => {
            ApiError::too_many(message, retry_after.as_secs_f64().ceil() as u64)
        }
        PairError::BadName => ApiError::invalid(message),
        PairError::UnknownDevice(_) => ApiError::not_found(message),
        PairError::Save { .. } => ApiError::internal(message),
    }
}

/// No framing by other sites, no sniffing, no referrer, and nothing loaded from anywhere but
/// the machine itself (the pages work offline, and an injected tag cannot phone home). Pages of
/// the same origin may frame each other: the desktop simulator shows each machine's own page
/// in a frame of its own page.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; \
             frame-ancestors 'self'",
        ),
    );
    response
}
