//! The desktop simulator's machines, as a library so end-to-end tests run exactly the code the
//! `atelier-sim` binary runs.

pub mod demo;
