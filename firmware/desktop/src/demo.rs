//! The button-and-light demo: each press of a push button toggles a light (hardware/demo.md).

use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use atelier_board::{Bcm, Board, Pull};
use atelier_button::{DebouncedButton, toggle_on_press};
use atelier_hal::{Clock, Instant};
use serde::Deserialize;

/// hardware/demo.toml.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoConfig {
    /// Which GPIO is which.
    pub pins: DemoPins,
    /// How the button is wired.
    pub button: ButtonConfig,
}

/// The `[pins]` table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoPins {
    /// The push button.
    pub button: Bcm,
    /// The light it toggles.
    pub light: Bcm,
}

/// A logic level as written in config files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// 0 V.
    Low,
    /// 3.3 V.
    High,
}

/// The `[button]` table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ButtonConfig {
    /// The pull resistor.
    pub pull: Pull,
    /// What the pin reads while the button is held.
    pub pressed_level: Level,
    /// How long the contact must be still before a change counts, in milliseconds (1–500).
    #[serde(deserialize_with = "settle_ms")]
    pub settle_ms: u64,
}

fn settle_ms<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    let ms = u64::deserialize(deserializer)?;
    if (1..=500).contains(&ms) {
        Ok(ms)
    } else {
        Err(serde::de::Error::custom(format!(
            "{ms} ms is outside 1–500 ms: contacts settle within a few ms, and people notice more than half a second"
        )))
    }
}

impl DemoConfig {
    /// Reads the demo's config file.
    pub fn load(path: &Path) -> anyhow::Result<DemoConfig> {
        Ok(atelier_config::load(path)?)
    }
}

/// Runs the demo on `board` until `until`; returns the number of presses.
pub fn run(board: &mut Board, config: &DemoConfig, until: Instant) -> anyhow::Result<u32> {
    let clock = board.clock();
    let pin = board
        .input(config.pins.button, config.button.pull, "button")
        .context("opening the button")?;
    let mut light = board
        .output(config.pins.light, "light")
        .context("opening the light")?;
    let mut button = DebouncedButton::new(
        pin,
        clock.clone(),
        config.button.pressed_level == Level::High,
        Duration::from_millis(config.button.settle_ms),
    )?;
    let presses = toggle_on_press(&mut button, &mut light, until, |at, on| {
        tracing::info!(%at, light = if on { "on" } else { "off" }, "press");
    })?;
    tracing::info!(presses, at = %clock.now(), "demo finished");
    Ok(presses)
}
