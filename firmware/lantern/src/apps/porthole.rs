//! `space-porthole`: a round window onto the sky where the lamp points, drawn by
//! [`crate::porthole`] from the bundled star catalog. The lamp's gravity vector gives the
//! pointing; the heading (which way picture-up faces when the lamp points at the ceiling) comes
//! from the settings, as an accelerometer cannot tell north.

use serde::Deserialize;

use super::{App, RenderContext};
use crate::catalog::Catalog;
use crate::porthole::{Style, draw, view_from_gravity};
use crate::render::Frame;
use crate::sky::Observer;

/// `[apps.space-porthole]` settings.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PortholeSettings {
    /// Degrees north; the lamp's `[location]` when absent.
    pub latitude: Option<f64>,
    /// Degrees east; the lamp's `[location]` when absent.
    pub longitude: Option<f64>,
    /// Compass azimuth of picture-up when the lamp points at the ceiling, degrees.
    pub heading_deg: f64,
    /// The angle across the porthole, degrees.
    pub field_of_view_deg: f64,
    /// Faintest stars drawn (a dim projector in a lit room: 4; a dark room: 5.5).
    pub magnitude_limit: f32,
}

impl Default for PortholeSettings {
    fn default() -> Self {
        PortholeSettings {
            latitude: None,
            longitude: None,
            heading_deg: 0.0,
            field_of_view_deg: 100.0,
            magnitude_limit: 5.0,
        }
    }
}

/// The space porthole.
#[derive(Debug)]
pub struct SpacePorthole {
    settings: PortholeSettings,
    style: Style,
}

impl SpacePorthole {
    /// A porthole with `settings`.
    pub fn new(settings: PortholeSettings) -> SpacePorthole {
        let style = Style {
            magnitude_limit: settings.magnitude_limit,
            ..Style::default()
        };
        SpacePorthole { settings, style }
    }
}

impl App for SpacePorthole {
    fn name(&self) -> &'static str {
        "space-porthole"
    }

    fn render(&mut self, context: &RenderContext<'_>, frame: &mut Frame) {
        let here = context.observer;
        let observer = Observer {
            latitude_deg: self.settings.latitude.unwrap_or(here.latitude_deg),
            longitude_deg: self.settings.longitude.unwrap_or(here.longitude_deg),
        };
        // Before the sensor has spoken, look straight up: the porthole's home.
        let gravity = context.gravity.unwrap_or([0.0, 0.0, -1.0]);
        let view = view_from_gravity(
            gravity,
            self.settings.heading_deg,
            self.settings.field_of_view_deg,
        );
        let unix_seconds =
            context.now.timestamp() as f64 + f64::from(context.now.timestamp_subsec_nanos()) / 1e9;
        let Ok(()) = draw(
            frame,
            Catalog::bundled(),
            observer,
            unix_seconds,
            &view,
            &self.style,
        );
    }
}
