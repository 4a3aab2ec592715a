//! Which backend a board runs on, chosen at run time.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where a [`Board`](crate::Board)'s pins come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    /// A Raspberry Pi through rppal (memory-mapped GPIO; Pi 1 to Pi 5).
    Rpi,
    /// Any Linux board through the GPIO character device and i2c-dev.
    Cdev,
    /// The simulated board: virtual time, recorded edges, device models.
    Sim,
}

impl BackendKind {
    /// Every backend, in the order `--help` lists them.
    pub const ALL: [BackendKind; 3] = [BackendKind::Rpi, BackendKind::Cdev, BackendKind::Sim];

    /// The name used on the command line and in config files.
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Rpi => "rpi",
            BackendKind::Cdev => "cdev",
            BackendKind::Sim => "sim",
        }
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for BackendKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        BackendKind::ALL
            .into_iter()
            .find(|kind| kind.name() == s)
            .ok_or_else(|| format!("unknown board `{s}`: use rpi, cdev or sim"))
    }
}
