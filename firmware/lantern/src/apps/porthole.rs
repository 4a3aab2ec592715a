//! `space-porthole`: a round window onto the sky where the lamp points, drawn by
//! [`crate::porthole`] from the bundled star catalog. The lamp's gravity vector gives the
//! pointing; the heading (which way picture-up faces when the lamp points at the ceiling) comes
//! from the settings, as an accelerometer cannot tell north.

use serde::Deserialize;

use super::{App, Drawn, RenderContext};
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

/// The sky turns 0.04° in this long (360° a sidereal day): a third of a pixel of the default
/// porthole (100° across 720 lines), so the stars are redrawn this often at most while the lamp
/// rests.
const SKY_STILL: f64 = 10.0;

/// The space porthole.
#[derive(Debug)]
pub struct SpacePorthole {
    settings: PortholeSettings,
    style: Style,
    drawn: Drawn<Pointing>,
}

/// Where and when the porthole looked.
#[derive(Debug, PartialEq)]
struct Pointing {
    gravity: [f32; 3],
    unix_seconds: f64,
    /// How far the beam may turn before the picture moves by a pixel, radians.
    pixel_rad: f64,
}

impl Pointing {
    /// Whether a picture drawn from `self` is still right at `gravity` and `unix_seconds`.
    fn holds(&self, gravity: [f32; 3], unix_seconds: f64) -> bool {
        let dot: f64 = (0..3)
            .map(|i| f64::from(self.gravity[i]) * f64::from(gravity[i]))
            .sum();
        let turned = dot.clamp(-1.0, 1.0).acos();
        let aged = unix_seconds - self.unix_seconds;
        turned < self.pixel_rad && (0.0..SKY_STILL).contains(&aged)
    }
}

impl SpacePorthole {
    /// A porthole with `settings`.
    pub fn new(settings: PortholeSettings) -> SpacePorthole {
        let style = Style {
            magnitude_limit: settings.magnitude_limit,
            ..Style::default()
        };
        SpacePorthole {
            settings,
            style,
            drawn: Drawn::default(),
        }
    }
}

impl App for SpacePorthole {
    fn name(&self) -> &'static str {
        "space-porthole"
    }

    fn still_valid(&self, context: &RenderContext<'_>) -> bool {
        self.drawn
            .get()
            .is_some_and(|drawn| drawn.holds(gravity(context), unix_seconds(context)))
    }

    fn render(&mut self, context: &RenderContext<'_>, frame: &mut Frame) {
        let gravity = gravity(context);
        let unix_seconds = unix_seconds(context);
        // Filtered gravity still wobbles with sensor noise: a turn of under a pixel is no turn.
        let across = f64::from(frame.width().min(frame.height()).max(1));
        self.drawn.set(Pointing {
            gravity,
            unix_seconds,
            pixel_rad: self.settings.field_of_view_deg.to_radians() / across,
        });
        let here = context.observer;
        let observer = Observer {
            latitude_deg: self.settings.latitude.unwrap_or(here.latitude_deg),
            longitude_deg: self.settings.longitude.unwrap_or(here.longitude_deg),
        };
        let view = view_from_gravity(
            gravity,
            self.settings.heading_deg,
            self.settings.field_of_view_deg,
        );
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

/// Where the beam points; before the sensor has spoken, straight up: the porthole's home.
fn gravity(context: &RenderContext<'_>) -> [f32; 3] {
    context.gravity.unwrap_or([0.0, 0.0, -1.0])
}

fn unix_seconds(context: &RenderContext<'_>) -> f64 {
    context.now.timestamp() as f64 + f64::from(context.now.timestamp_subsec_nanos()) / 1e9
}
