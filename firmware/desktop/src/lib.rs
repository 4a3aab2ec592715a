//! The desktop simulator's machines, as a library so end-to-end tests run exactly the code the
//! `atelier-sim` binary runs.
//!
//! - [`demo`]: the button-and-light demo (`atelier-sim demo`).
//! - [`desk_comic`]: the comic robot on a simulated board, with its button, LEDs, paper and
//!   printer faults.
//! - [`desk_lamp`]: the lamp on a simulated board, its companion page, and the hardware
//!   panel's controls.
//! - [`desk_plotter`]: the polargraph plotter on a simulated board, plotting samples at ×1 …
//!   ×1000.
//! - [`headless`]: scripted runs without a page, every output written to a folder.
//! - [`recording`]: a logic analyser on each simulated board, downloaded as VCD.
//! - [`shell`]: the desktop page, with each machine's own page beside its panel.

pub mod demo;
pub mod desk_comic;
pub mod desk_lamp;
pub mod desk_plotter;
pub mod headless;
pub mod recording;
pub mod shell;
