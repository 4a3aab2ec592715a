//! The polargraph plotter. The planner turns an image into the time of each motor step with no
//! I/O and no clock, so it is deterministic and runs the same on a Pi and in tests; the
//! executor plays those times onto the motor drivers and the pen servo on a clock.
//!
//! | stage | module |
//! |---|---|
//! | the machine's config (hardware/polargraph.toml) | [`config`] |
//! | cord lengths ↔ pen position, cord tension | [`kinematics`] |
//! | reading images and SVGs within limits | [`input`] |
//! | the pen's tone curve | [`tone`] |
//! | a picture laid out on the paper | [`field`] |
//! | drawing styles: darkness → strokes | [`styles`] |
//! | joining, ordering and orienting strokes | [`path`] |
//! | one line through single points (stipple dots) | [`point_tour`] |
//! | speeds, look-ahead and exact step times | [`motion`] |
//! | tying them together | [`plan`] |
//! | SVG, PNG, JSON and G-code | [`output`] |
//! | playing the step times onto the motors and the pen, lateness measured | [`executor`] |
//! | pictures, uploads, previews and job folders for a page | [`studio`] |
//! | `polargraph run`: the queue, and its page | [`daemon`], [`page`] |

pub mod calibration;
pub mod config;
pub mod daemon;
pub mod executor;
pub mod fidelity;
pub mod field;
pub mod geometry;
pub mod input;
pub mod job;
pub mod journal;
pub mod kinematics;
pub mod motion;
pub mod output;
pub mod page;
pub mod parts;
pub mod path;
pub mod plan;
pub mod plotter;
pub mod point_tour;
pub mod realtime;
pub mod session;
pub mod simulated;
pub mod studio;
pub mod styles;
pub mod tone;

pub use config::PlotterConfig;
pub use geometry::{Point, Rect, Stroke};
pub use kinematics::{Machine, Motor};
pub use motion::{Event, EventStream, StepEvent};
pub use plan::Plan;
pub use styles::Style;
