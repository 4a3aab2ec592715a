//! The comic robot's printing: from a grayscale comic to the bytes a thermal printer needs.
//!
//! This crate is the pure core of the printing path plus the one piece of driver logic that
//! needs the clock. Composing the comic, transports and the daemon live elsewhere.
//!
//! - [`config`]: the machine's config, hardware/comic.toml.
//! - [`panels`]: finding the panels of a hand-drawn grid (enclosed blank regions).
//! - [`raster`]: grayscale image → printer width (scaled down, never cropped) → 1-bit bitmap by a
//!   selectable binarisation (threshold, Floyd–Steinberg, Atkinson, Bayer, blue noise).
//! - [`profile`]: what differs between printer models (width, raster commands, band limit,
//!   cutter, link, speed, buffer), as TOML, with built-in profiles.
//! - [`escpos`]: the job as an ESC/POS byte stream, banded for the profile, with a record of
//!   where the paper moves; status queries.
//! - [`timing`]: how long a job takes, link and paper, before it is sent.
//! - [`pacing`]: sending to a printer without flow control without overflowing its buffer.
//!
//! The simulator's `ThermalPrinter` (in `atelier-sim`) decodes these streams independently; the
//! tests print every built-in profile and binarisation on it and compare dot for dot.

pub mod config;
pub mod escpos;
pub mod pacing;
pub mod panels;
pub mod profile;
pub mod raster;
pub mod timing;

#[cfg(test)]
mod test_support;
