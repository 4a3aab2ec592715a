//! The machine's config: hardware/lantern.toml.

use std::path::Path;

use atelier_board::BoardConfig;
use atelier_board::config::{self, Check, ConfigError, Problem};
use serde::Deserialize;

use crate::surface;

/// Everything about one lamp that the sensing half needs: the board, the accelerometer, and the
/// surfaces it tells apart. (Apps per surface join this file with the apps.)
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanternConfig {
    /// Which backend drives the bus.
    #[serde(default)]
    pub board: BoardConfig,
    /// The accelerometer.
    pub sensor: Sensor,
    /// The surface classifier and the surfaces.
    #[serde(default)]
    pub surfaces: surface::Config,
}

/// The `[sensor]` table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sensor {
    /// The I2C bus (`/dev/i2c-1` is the header's SDA/SCL on every Pi).
    #[serde(default = "Sensor::default_bus")]
    pub i2c_bus: u8,
    /// How often to read it, Hz (25–100: the classifier filters over ~200 ms).
    #[serde(default = "Sensor::default_rate")]
    pub rate_hz: u32,
}

impl Sensor {
    fn default_bus() -> u8 {
        1
    }
    fn default_rate() -> u32 {
        50
    }
}

impl LanternConfig {
    /// Reads and checks a lamp's config.
    pub fn load(path: &Path) -> Result<LanternConfig, ConfigError> {
        config::load_checked(path)
    }
}

impl Check for LanternConfig {
    /// Checks what TOML types cannot.
    fn check(&self) -> Result<(), Problem> {
        if !(1..=400).contains(&self.sensor.rate_hz) {
            return Err(Problem::new(
                "sensor.rate_hz",
                format!(
                    "{} Hz is outside 1–400 Hz (25–100 suits a lamp)",
                    self.sensor.rate_hz
                ),
            ));
        }
        self.surfaces.validate().map_err(|error| {
            Problem::new(
                format!("surfaces.{}", error.field),
                format!(
                    "{} is not accepted: expected {}",
                    error.value, error.expected
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> String {
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../hardware/lantern.toml"
        ))
        .expect("hardware/lantern.toml")
    }

    fn parse(text: &str) -> Result<LanternConfig, ConfigError> {
        config::parse_checked(text, Path::new("lantern.toml"))
    }

    #[test]
    fn the_shipped_config_is_valid_and_lists_the_default_surfaces() {
        let config = parse(&shipped()).expect("valid");
        let names: Vec<_> = config
            .surfaces
            .surfaces
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(names, ["ceiling", "wall", "table"]);
        assert_eq!(config.sensor.i2c_bus, 1);
    }

    #[test]
    fn classifier_errors_name_the_surfaces_key() {
        let text = shipped().replace("exit_deg = 50.0", "exit_deg = 20.0");
        let error = parse(&text).expect_err("exit inside enter").to_string();
        assert!(
            error.starts_with("lantern.toml: key `surfaces.exit_deg`: 20.0 is not accepted"),
            "{error}"
        );
        let rate = parse(&shipped().replace("rate_hz = 50", "rate_hz = 0"))
            .expect_err("0 Hz")
            .to_string();
        assert!(rate.contains("key `sensor.rate_hz`"), "{rate}");
    }
}
