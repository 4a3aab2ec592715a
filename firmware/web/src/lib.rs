//! The web layer every Atelier machine's page is built on.
//!
//! - [`pairing`]: a short code the machine shows, exchanged for a long random token kept only
//!   as a hash; wrong codes lock pairing; devices are listed and revoked; kept across restarts.
//! - [`gate`]: every request's Host (no DNS rebinding) and Origin (no cross-site requests)
//!   checks, a rate limit per address, and each route's [`Access`].
//! - [`api`]: the route table a machine builds its page and JSON API from ([`Api`]), with the
//!   pairing routes, embedded assets, body limit and security headers.
//! - [`error`]: errors as JSON naming what was wrong ([`ApiError`], [`JsonBody`]).
//! - [`live`]: state changes to open pages by server-sent events.
//! - [`serve`]: serving a router on a listener until shutdown; [`serve_in_background`] for a
//!   machine whose loop is not async (bound at start, announced, stopped when dropped).
//! - [`openapi`]: a machine's OpenAPI file held to its route table.
//! - [`discovery`]: being found as `_http._tcp` / `NAME.local`, through avahi where it runs.
//!
//! # For machine authors
//! Make a [`Gate`] (with how the machine shows a pairing code), an [`Api`] over it, add the
//! machine's routes with their [`Access`], [`Api::finish`] with the machine's state, and
//! [`serve`] the router. Test every route through the table [`Api::finish`] returns.

pub mod api;
pub mod discovery;
pub mod error;
pub mod gate;
pub mod live;
pub mod openapi;
pub mod pairing;
mod server;

pub use api::{Api, DEFAULT_BODY_LIMIT, Route};
pub use error::{ApiError, JsonBody};
pub use gate::{Access, Caller, CodeDisplay, Gate, GateConfig};
pub use pairing::{Device, PairError, Pairing, PairingPolicy};
pub use server::{Background, Site, serve, serve_in_background};
