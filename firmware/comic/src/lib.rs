//! The comic robot's printing: from a grayscale comic to the bytes a thermal printer needs.
//!
//! This crate is the pure core of the printing path plus the one piece of driver logic that
//! needs the clock. Composing the comic, transports and the daemon live elsewhere.
//!
//! - [`cli`]: the `comic` command line (make, print, reprint, check).
//! - [`daemon`]: `comic run`, the robot on a real or simulated board until a signal.
//! - [`config`]: the machine's config, hardware/comic.toml.
//! - [`library`]: grids and art from disk, broken files skipped with a warning.
//! - [`compose`]: a seed and a library → a comic page (grid, art in every panel, footer).
//! - [`maker`]: the library indexed once; a comic composed, encoded and archived in one step.
//! - [`archive`]: numbered comics on disk (PNG, printer bytes, JSON sidecar), written atomically.
//! - [`robot`]: the machine: button, LEDs, spool, composing ahead, printing through faults.
//! - [`page`]: the robot's page for phones (state, press, archive and reprint), on the shared
//!   web layer.
//! - [`simulated`]: the simulator's printer and link matching a profile.
//! - [`print`]: a comic → the printer's job; asking about paper; sending at the printer's pace.
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

pub mod archive;
pub mod cli;
pub mod compose;
pub mod config;
pub mod daemon;
pub mod escpos;
pub mod library;
pub mod maker;
pub mod pacing;
pub mod page;
pub mod panels;
pub mod print;
pub mod profile;
pub mod raster;
pub mod robot;
pub mod simulated;
pub mod timing;

#[cfg(test)]
mod test_support;
