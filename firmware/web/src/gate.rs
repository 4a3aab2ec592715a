//! Who may ask what: the Host and Origin checks every request passes, the per-address rate
//! limit, and the token check of each route's [`Access`].

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{AUTHORIZATION, COOKIE, HOST, ORIGIN};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::ApiError;
use crate::pairing::{Device, Pairing};

/// What a route needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// Anyone on the network: the page itself, pairing.
    Public,
    /// A paired device, unless the machine opens its read-only view to everyone.
    Read,
    /// A paired device, always: every route that changes something.
    Paired,
}

/// Where the machine shows a pairing code: projected, printed, on the console.
pub trait CodeDisplay: Send + Sync {
    /// Shows `code` for `lifetime` (it is void after).
    fn show(&self, code: &str, lifetime: Duration);

    /// A device paired: the code is used up and can go.
    fn paired(&self, device: &Device) {
        let _ = device;
    }
}

/// A closure shows the code and does nothing on pairing.
impl<F: Fn(&str, Duration) + Send + Sync> CodeDisplay for F {
    fn show(&self, code: &str, lifetime: Duration) {
        self(code, lifetime);
    }
}

/// How the gate is set up.
#[derive(Debug, Clone)]
pub struct GateConfig {
    /// Host names the machine answers to besides IP addresses and `localhost` (its mDNS name,
    /// such as `lantern.local`). Anything else is refused: a DNS-rebinding page cannot talk to
    /// the machine under a name of its own.
    pub hosts: Vec<String>,
    /// Whether [`Access::Read`] routes answer without pairing.
    pub open_read: bool,
    /// The cookie holding the token: one per machine, since cookies do not tell ports apart and
    /// the desktop simulator serves all three machines on 127.0.0.1.
    pub cookie: String,
    /// Requests per second each address may make, sustained.
    pub requests_per_second: f64,
    /// Requests each address may make in a burst.
    pub burst: f64,
}

impl GateConfig {
    /// The defaults for a machine called `machine` (its mDNS name is `machine.local`).
    pub fn for_machine(machine: &str) -> GateConfig {
        GateConfig {
            hosts: vec![format!("{machine}.local")],
            open_read: false,
            cookie: format!("{machine}_token"),
            requests_per_second: 100.0,
            burst: 200.0,
        }
    }
}

/// The paired device a request came from, for handlers (`Extension<Caller>`).
#[derive(Clone, Debug)]
pub struct Caller {
    /// The device, when the request carried a valid token.
    pub device: Option<Device>,
}

/// The gate: pairing state, the checks' settings, and the rate limiter.
pub struct Gate {
    pub(crate) pairing: Mutex<Pairing>,
    pub(crate) config: GateConfig,
    pub(crate) display: Box<dyn CodeDisplay>,
    limiter: Mutex<Limiter>,
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Gate {
    /// A gate over `pairing`; `display` puts new codes where the person can read them.
    pub fn new(
        config: GateConfig,
        pairing: Pairing,
        display: impl CodeDisplay + 'static,
    ) -> Arc<Gate> {
        let limiter = Limiter::new(config.requests_per_second, config.burst);
        Arc::new(Gate {
            pairing: Mutex::new(pairing),
            config,
            display: Box::new(display),
            limiter: Mutex::new(limiter),
        })
    }

    /// The pairing state, locked.
    pub fn pairing(&self) -> MutexGuard<'_, Pairing> {
        self.pairing.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn host_allowed(&self, host: &str) -> bool {
        let name = strip_port(host).trim_end_matches('.').to_ascii_lowercase();
        if name.parse::<IpAddr>().is_ok() || name == "localhost" {
            return true;
        }
        self.config
            .hosts
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(&name))
    }

    /// The token a request carries: `Authorization: Bearer …`, or the machine's cookie.
    fn token<'a>(&self, headers: &'a HeaderMap) -> Option<(&'a str, bool)> {
        if let Some(bearer) = headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        {
            return Some((bearer.trim(), false));
        }
        headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == self.config.cookie)
            .map(|(_, value)| (value, true))
    }
}

/// `host` without its port; IPv6 literals lose their brackets.
fn strip_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    }
}

/// Every request: the address's rate, the Host header, and a same-origin Origin when a browser
/// sends one.
pub(crate) async fn check_request(
    State(gate): State<Arc<Gate>>,
    request: Request,
    next: Next,
) -> Response {
    let address = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    if let Some(wait) = gate
        .limiter
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take(address, Instant::now())
    {
        return ApiError::too_many(
            "too many requests from this address: slow down",
            wait.as_secs_f64().ceil() as u64,
        )
        .into_response();
    }
    let headers = request.headers();
    let Some(host) = headers.get(HOST).and_then(|v| v.to_str().ok()) else {
        return ApiError::bad_request("a Host header is required").into_response();
    };
    if !gate.host_allowed(host) {
        return ApiError::new(
            StatusCode::MISDIRECTED_REQUEST,
            format!(
                "this machine answers to its IP address, localhost or {}; not to {host:?}",
                gate.config.hosts.join(", ")
            ),
        )
        .into_response();
    }
    if let Some(origin) = headers.get(ORIGIN) {
        let same = origin
            .to_str()
            .ok()
            .and_then(|o| {
                o.strip_prefix("http://")
                    .or_else(|| o.strip_prefix("https://"))
            })
            .is_some_and(|o| o.eq_ignore_ascii_case(host));
        if !same {
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "cross-site request refused: use the machine's own page",
            )
            .into_response();
        }
    }
    next.run(request).await
}

/// One route's access: the token where the route needs it, and for a change made with the
/// cookie, a browser's Origin header (set on every cross-site capable request; a form or a
/// script on another site cannot fake it, and its absence means an old or odd client).
pub(crate) async fn check_access(
    State((gate, access)): State<(Arc<Gate>, Access)>,
    mut request: Request,
    next: Next,
) -> Response {
    let token = gate
        .token(request.headers())
        .map(|(t, c)| (t.to_owned(), c));
    let device = token
        .as_ref()
        .and_then(|(token, _)| gate.pairing().device_of(token).cloned());
    let needs_token = match access {
        Access::Public => false,
        Access::Read => !gate.config.open_read,
        Access::Paired => true,
    };
    if needs_token && device.is_none() {
        let message = if token.is_some() {
            "this device's pairing is no longer valid: pair it again"
        } else {
            "pair this device first: ask the machine for a code"
        };
        return ApiError::new(StatusCode::UNAUTHORIZED, message).into_response();
    }
    let changes = !matches!(*request.method(), Method::GET | Method::HEAD);
    let by_cookie = token.as_ref().is_some_and(|(_, cookie)| *cookie);
    if access == Access::Paired && changes && by_cookie && !request.headers().contains_key(ORIGIN) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "a change made with the pairing cookie must come from the machine's page",
        )
        .into_response();
    }
    request.extensions_mut().insert(Caller { device });
    next.run(request).await
}

/// A token bucket per client address, forgetting idle addresses when the table fills.
#[derive(Debug)]
struct Limiter {
    rate: f64,
    burst: f64,
    buckets: HashMap<Option<IpAddr>, (f64, Instant)>,
}

impl Limiter {
    const MAX_ADDRESSES: usize = 1024;

    fn new(rate: f64, burst: f64) -> Limiter {
        Limiter {
            rate,
            burst,
            buckets: HashMap::new(),
        }
    }

    /// Takes one request's token; `Some(wait)` when the address must wait.
    fn take(&mut self, address: Option<IpAddr>, now: Instant) -> Option<Duration> {
        if self.buckets.len() >= Self::MAX_ADDRESSES && !self.buckets.contains_key(&address) {
            let (rate, burst) = (self.rate, self.burst);
            self.buckets.retain(|_, (tokens, at)| {
                *tokens + now.saturating_duration_since(*at).as_secs_f64() * rate < burst
            });
            if self.buckets.len() >= Self::MAX_ADDRESSES {
                // Every address is busy: the newcomer waits rather than the table growing.
                return Some(Duration::from_secs(1));
            }
        }
        let (tokens, at) = self.buckets.entry(address).or_insert((self.burst, now));
        *tokens = (*tokens + now.saturating_duration_since(*at).as_secs_f64() * self.rate)
            .min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            None
        } else {
            Some(Duration::from_secs_f64((1.0 - *tokens) / self.rate))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_and_brackets_come_off_host_names() {
        assert_eq!(strip_port("lantern.local:8080"), "lantern.local");
        assert_eq!(strip_port("[::1]:80"), "::1");
        assert_eq!(strip_port("192.168.1.9"), "192.168.1.9");
        assert_eq!(strip_port("lantern.local"), "lantern.local");
    }

    #[test]
    fn the_limiter_allows_a_burst_then_the_rate() {
        let mut limiter = Limiter::new(10.0, 5.0);
        let now = Instant::now();
        let ip = Some(IpAddr::from([10, 0, 0, 1]));
        for _ in 0..5 {
            assert!(limiter.take(ip, now).is_none());
        }
        let wait = limiter.take(ip, now).expect("over the burst");
        assert!(wait <= Duration::from_millis(100));
        // Another address has its own bucket.
        assert!(
            limiter
                .take(Some(IpAddr::from([10, 0, 0, 2])), now)
                .is_none()
        );
        assert!(limiter.take(ip, now + Duration::from_millis(150)).is_none());
    }
}
