//! Lantern: a projector lamp that shows a different app on each surface it points at.
//!
//! This crate is the sensing half: from accelerometer registers to "the lamp points at the
//! wall".
//!
//! - [`config`]: the machine's config, hardware/lantern.toml.
//! - [`sensor`]: drivers for the two accelerometers Lantern uses (ADXL345, MPU-6050), generic
//!   over embedded-hal 1.0 I2C; [`sensor::probe`] finds whichever is fitted, [`sensor::retry`]
//!   rides out I2C glitches.
//! - [`sky`]: star positions for a place and time (sidereal time, precession, altitude and
//!   azimuth), for the ceiling's star map.
//! - [`surface`]: the pure classifier from timed samples to a surface (or "moving"), with
//!   hysteresis, dwell and user calibration.
//!
//! Data flows one way: a driver reads an [`Acceleration`], the shell stamps it with the clock,
//! the [`surface::Classifier`] turns the stream into [`surface::Event`]s.

pub mod apps;
pub mod config;
pub mod lamp;
pub mod render;
pub mod sensor;
pub mod sky;
pub mod surface;

pub use sensor::Acceleration;
