//! Which surface the lamp points at: a pure state machine over timed accelerometer samples.
//!
//! # Convention
//! Surfaces are named gravity directions in the sensor frame (unit vectors pointing at the
//! earth), the same convention as `atelier_sim::OrientationScript`. A resting accelerometer reads
//! the opposite (+1 g up), so the classifier works with `−reading`. With the sensor mounted so
//! +Z runs along the beam and +Y points to the top of the picture on a wall, the defaults are:
//!
//! | surface | the lamp points | gravity in the sensor frame |
//! |---|---|---|
//! | `ceiling` | up | (0, 0, −1) |
//! | `wall` | horizontally | (0, −1, 0) |
//! | `table` | down | (0, 0, +1) |
//!
//! Any other mounting works after [`Classifier::calibrate`]: point the lamp, save the direction.
//!
//! # How a sample becomes a surface
//! 1. An exponential low-pass in Cartesian space (τ = 200 ms, `alpha = dt / (τ + dt)`), restarted
//!    after a gap of more than a second: filtering before normalising keeps noise from biasing
//!    the angle, and a stale filter state is worse than none.
//! 2. Motion gating: a reading whose magnitude is more than 0.3 g from 1 g (a knock, a hand) or
//!    that jumps more than 0.5 g from the filtered vector (a swing) puts the classifier in
//!    [`State::Moving`] until 300 ms after the last such reading, so the display can dim instead
//!    of flashing the wrong app. Magnitude outliers are kept out of the filter; swings go in, so
//!    the filter follows a lamp that was turned quickly.
//! 3. Hysteresis: a surface is entered within 30° of its reference and left only beyond 50°
//!    (references 90° apart leave a 20°-wide dead band around the 45° line). Pointing between
//!    surfaces keeps the last one. When two references are closer than enter + exit, a surface
//!    inside its enter cone and closer than the current one takes over, so calibrated neighbours
//!    stay reachable.
//! 4. Dwell: a new surface must win for 400 ms without interruption, which outlasts a spring
//!    arm's wobble. Returning to the surface shown before a movement needs no dwell.

mod classifier;
mod config;
mod vector;

#[cfg(test)]
mod tests;

pub use classifier::{CalibrationError, Classifier, Event, State};
pub use config::{Config, ConfigError, SurfaceSpec};
