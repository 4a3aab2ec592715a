//! `lamp`: plain light of a chosen brightness and colour temperature.

use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::prelude::RgbColor;
use serde::Deserialize;

use super::draw::{color_temperature, disc};
use super::{App, RenderContext};
use crate::render::Frame;

/// What the light looks like.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    /// A round spot, like a spotlight (Lantern's original).
    #[default]
    Circle,
    /// The whole picture lit.
    Full,
}

/// `[apps.lamp]` settings.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LampSettings {
    /// 0 (off) to 1 (full).
    pub brightness: f32,
    /// Colour temperature, kelvin: 1900 candle, 2700 bulb, 4000 neutral, 6500 daylight.
    pub kelvin: f32,
    /// Spot or full picture.
    pub shape: Shape,
}

impl Default for LampSettings {
    fn default() -> Self {
        LampSettings {
            brightness: 1.0,
            kelvin: 2700.0,
            shape: Shape::Circle,
        }
    }
}

/// Plain light.
#[derive(Debug)]
pub struct Lamp {
    settings: LampSettings,
}

impl Lamp {
    /// A lamp with `settings`.
    pub fn new(settings: LampSettings) -> Lamp {
        Lamp { settings }
    }
}

impl App for Lamp {
    fn name(&self) -> &'static str {
        "lamp"
    }

    fn render(&mut self, _: &RenderContext<'_>, frame: &mut Frame) {
        let color = color_temperature(self.settings.kelvin, self.settings.brightness);
        match self.settings.shape {
            Shape::Full => frame.fill(color),
            Shape::Circle => {
                frame.fill(Rgb888::BLACK);
                let (w, h) = (frame.width() as f32, frame.height() as f32);
                disc(frame, w / 2.0, h / 2.0, w.min(h) * 0.45, color);
            }
        }
    }

    fn still_valid(&self, _: &RenderContext<'_>) -> bool {
        // Drawn from the settings alone.
        true
    }
}
