//! Lantern: a projector lamp that shows a different app on each surface it points at.
//!
//! - [`apps`]: the mini apps (clock, calendar, now-playing, lamp, message, info, blank, space
//!   porthole) behind one small trait, with data refreshed off the drawing path.
//! - [`catalog`]: the bundled bright-star catalog and constellation figures; [`catalog::sky_at`]
//!   lists the stars above the horizon for a place and time.
//! - [`companion`]: the page and JSON API a phone uses to choose the apps, on the shared web
//!   layer.
//! - [`config`]: the machine's config, hardware/lantern.toml.
//! - [`lamp`]: the loop as a testable state machine: samples → surface → app → frame → output,
//!   with an inbox for commands and an outbox of state and preview ([`lamp::LampHandle`]).
//! - [`porthole`]: the space porthole: where the lamp's beam points in the sky (from gravity and
//!   a configured heading), the projection, and drawing onto any embedded-graphics target.
//! - [`refreshing`]: the apps' refreshers on a tokio runtime, each at its own period.
//! - [`render`]: the in-memory frame, text at projector size, rotation, crossfades and the
//!   outputs (framebuffer, PNG, simulated projector).
//! - [`sensor`]: drivers for the two accelerometers Lantern uses (ADXL345, MPU-6050), generic
//!   over embedded-hal 1.0 I2C; [`sensor::probe`] finds whichever is fitted, [`sensor::retry`]
//!   rides out I2C glitches.
//! - [`simulated`]: the simulated lamp (an accelerometer model on the configured bus) that
//!   `--board sim`, the tests and the desktop simulator share.
//! - [`sky`]: star positions for a place and time (sidereal time, precession, altitude and
//!   azimuth), for the ceiling's star map.
//! - [`surface`]: the pure classifier from timed samples to a surface (or "moving"), with
//!   hysteresis, dwell and user calibration.
//!
//! Data flows one way: a driver reads an [`Acceleration`], the [`lamp`] stamps it with the clock,
//! the [`surface::Classifier`] names the surface, that surface's app draws a [`render::Frame`],
//! and the frame goes out through a [`render::FrameSink`].

pub mod apps;
pub mod catalog;
pub mod companion;
pub mod config;
pub mod lamp;
pub mod porthole;
pub mod refreshing;
pub mod render;
pub mod sensor;
pub mod simulated;
pub mod sky;
pub mod surface;

pub use sensor::Acceleration;
