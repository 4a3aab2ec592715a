//! The classifier's settings, as they appear in `hardware/lantern.toml`.

use serde::{Deserialize, Serialize};

use super::vector::normalize;

/// A named surface: where gravity points in the sensor frame when the lamp faces it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurfaceSpec {
    /// The surface's name, which the apps are keyed by.
    pub name: String,
    /// Gravity direction in the sensor frame; any non-zero length.
    pub direction: [f32; 3],
}

impl SurfaceSpec {
    /// A surface named `name` at `direction`.
    pub fn new(name: impl Into<String>, direction: [f32; 3]) -> SurfaceSpec {
        SurfaceSpec {
            name: name.into(),
            direction,
        }
    }
}

/// Classifier settings. Every field has a default; see the [module docs](super) for why each
/// default is what it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The surfaces to tell apart (may be empty until calibrated).
    pub surfaces: Vec<SurfaceSpec>,
    /// Enter a surface within this angle of its reference, degrees.
    pub enter_deg: f32,
    /// Leave it only beyond this angle, degrees.
    pub exit_deg: f32,
    /// A new surface must hold this long before it is shown, ms.
    pub dwell_ms: u64,
    /// Low-pass time constant, ms.
    pub tau_ms: u64,
    /// Restart the filter after a gap between samples longer than this, ms.
    pub gap_ms: u64,
    /// A reading further than this from 1 g in magnitude means the lamp is being moved, g.
    pub moving_magnitude_g: f32,
    /// A reading further than this from the filtered vector means the lamp is swung, g.
    pub moving_change_g: f32,
    /// Stay [`Moving`](super::State::Moving) this long after the last such reading, ms.
    pub moving_hold_ms: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            surfaces: vec![
                SurfaceSpec::new("ceiling", [0.0, 0.0, -1.0]),
                SurfaceSpec::new("wall", [0.0, -1.0, 0.0]),
                SurfaceSpec::new("table", [0.0, 0.0, 1.0]),
            ],
            enter_deg: 30.0,
            exit_deg: 50.0,
            dwell_ms: 400,
            tau_ms: 200,
            gap_ms: 1000,
            moving_magnitude_g: 0.3,
            moving_change_g: 0.5,
            moving_hold_ms: 300,
        }
    }
}

/// A setting out of bounds, named as in the TOML file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("surface classifier config: `{field}` = {value}: {expected}")]
pub struct ConfigError {
    /// The field, e.g. `exit_deg` or `surfaces[1].direction`.
    pub field: String,
    /// Its value as given.
    pub value: String,
    /// What would be accepted.
    pub expected: String,
}

impl ConfigError {
    fn new(
        field: impl Into<String>,
        value: impl std::fmt::Debug,
        expected: impl Into<String>,
    ) -> Self {
        ConfigError {
            field: field.into(),
            value: format!("{value:?}"),
            expected: expected.into(),
        }
    }
}

impl Config {
    /// Checks every field; the first problem found is reported.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(self.enter_deg.is_finite() && self.enter_deg > 0.0) {
            return Err(ConfigError::new(
                "enter_deg",
                self.enter_deg,
                "expected an angle above 0 and below exit_deg",
            ));
        }
        if !(self.exit_deg.is_finite() && self.exit_deg > self.enter_deg && self.exit_deg < 90.0) {
            return Err(ConfigError::new(
                "exit_deg",
                self.exit_deg,
                format!(
                    "expected an angle above enter_deg ({}) and below 90",
                    self.enter_deg
                ),
            ));
        }
        for (field, value) in [
            ("dwell_ms", self.dwell_ms),
            ("tau_ms", self.tau_ms),
            ("gap_ms", self.gap_ms),
            ("moving_hold_ms", self.moving_hold_ms),
        ] {
            if value == 0 {
                return Err(ConfigError::new(
                    field,
                    value,
                    "expected a positive time in ms",
                ));
            }
        }
        for (field, value) in [
            ("moving_magnitude_g", self.moving_magnitude_g),
            ("moving_change_g", self.moving_change_g),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return Err(ConfigError::new(
                    field,
                    value,
                    "expected a positive acceleration in g",
                ));
            }
        }
        for (i, surface) in self.surfaces.iter().enumerate() {
            if surface.name.trim().is_empty() {
                return Err(ConfigError::new(
                    format!("surfaces[{i}].name"),
                    &surface.name,
                    "expected a non-empty name",
                ));
            }
            if self.surfaces[..i].iter().any(|s| s.name == surface.name) {
                return Err(ConfigError::new(
                    format!("surfaces[{i}].name"),
                    &surface.name,
                    "expected a name not used by an earlier surface",
                ));
            }
            if normalize(surface.direction).is_none() {
                return Err(ConfigError::new(
                    format!("surfaces[{i}].direction"),
                    surface.direction,
                    "expected a finite, non-zero [x, y, z] vector",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_field(toml_text: &str) -> String {
        let config: Config = toml::from_str(toml_text).expect("parses");
        config.validate().expect_err("invalid").field
    }

    #[test]
    fn defaults_are_valid_and_round_trip_through_toml() {
        let config = Config::default();
        config.validate().expect("valid");
        let text = toml::to_string(&config).expect("serialise");
        let back: Config = toml::from_str(&text).expect("parse");
        assert_eq!(back, config);
        let partial: Config = toml::from_str("dwell_ms = 600").expect("parse");
        assert_eq!(partial.dwell_ms, 600);
        assert_eq!(partial.surfaces.len(), 3);
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(error_field("enter_deg = 60.0"), "exit_deg");
        assert_eq!(error_field("enter_deg = 0.0"), "enter_deg");
        assert_eq!(error_field("exit_deg = 95.0"), "exit_deg");
        assert_eq!(error_field("dwell_ms = 0"), "dwell_ms");
        assert_eq!(error_field("tau_ms = 0"), "tau_ms");
        assert_eq!(
            error_field("moving_magnitude_g = -1.0"),
            "moving_magnitude_g"
        );
        assert_eq!(
            error_field(
                "[[surfaces]]\nname = \"a\"\ndirection = [0.0, 0.0, 1.0]\n\
                 [[surfaces]]\nname = \"b\"\ndirection = [0.0, 0.0, 0.0]\n"
            ),
            "surfaces[1].direction"
        );
        assert_eq!(
            error_field(
                "[[surfaces]]\nname = \"a\"\ndirection = [0.0, 0.0, 1.0]\n\
                 [[surfaces]]\nname = \"a\"\ndirection = [0.0, 1.0, 0.0]\n"
            ),
            "surfaces[1].name"
        );
        let config: Config = toml::from_str("exit_deg = 95.0").expect("parses");
        let message = config.validate().expect_err("invalid").to_string();
        assert!(message.contains("`exit_deg` = 95.0"), "{message}");
        assert!(message.contains("below 90"), "{message}");
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let error = toml::from_str::<Config>("enter_degrees = 20.0").expect_err("unknown");
        assert!(error.to_string().contains("enter_degrees"), "{error}");
        let error = toml::from_str::<Config>(
            "[[surfaces]]\nname = \"a\"\ndirection = [0.0, 0.0, 1.0]\ncolour = 3\n",
        )
        .expect_err("unknown");
        assert!(error.to_string().contains("colour"), "{error}");
    }
}
