//! Where an Atelier machine's files live, and how they are read and written.
//!
//! A machine has packaged defaults (`/etc/atelier/<machine>.toml` when installed, the checkout's
//! `hardware/<machine>.toml` in development) that it never rewrites, and an edits overlay in its
//! state folder that calibration and the web pages write. Reading merges the two; every error
//! names the file, the line, the key and what would be accepted.

mod atomic;
mod edits;
mod failpoint;
mod layered;
mod load;
mod locate;
mod places;

pub use atomic::write_atomically;
pub use edits::copy_from_defaults;
pub use failpoint::{FAILPOINT_VARIABLE, failpoint};
pub use layered::{effective_toml, load_layered};
pub use load::{Check, ConfigError, Problem, load, load_checked, parse, parse_checked};
pub use places::{Places, Surroundings};
