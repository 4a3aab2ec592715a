//! What Atelier's drivers need beyond the embedded-hal 1.0 traits.
//!
//! embedded-hal gives drivers pins, buses and delays; it has no notion of *when*. Atelier's
//! machines need one clock per run that every task and every simulated device shares, so that a
//! recording is consistent and time can be virtual in simulation. This crate is that contract and
//! nothing else: it names no backend.
//!
//! # For driver authors
//! Take a [`Clock`] (by value; `&C` and `Arc<C>` are clocks too) instead of sleeping on the
//! operating system, and a [`WaitForEdge`] pin where you would otherwise poll an input in a loop.
//! Convert a clock into an embedded-hal `DelayNs` with [`ClockDelay`].
//!
//! # For backend authors
//! A real backend uses [`MonotonicClock`]; the simulator brings a virtual one. Implement
//! [`WaitForEdge`] for your input pin with whatever the platform offers (interrupts, line events)
//! and measure the edge's time on the run's clock, and [`SetTogether`] where one write sets
//! several outputs.

mod edge;
mod time;
mod together;

pub use edge::{Edge, WaitForEdge};
pub use time::{Clock, ClockDelay, Instant, MonotonicClock};
pub use together::SetTogether;
