//! `blank`: no light at all.

use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::prelude::RgbColor;
use serde::Deserialize;

use super::{App, RenderContext};
use crate::render::Frame;

/// `blank` has no settings.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlankSettings {}

/// Black.
#[derive(Debug)]
pub struct Blank;

impl App for Blank {
    fn name(&self) -> &'static str {
        "blank"
    }

    fn render(&mut self, _: &RenderContext<'_>, frame: &mut Frame) {
        frame.fill(Rgb888::BLACK);
    }

    fn still_valid(&self, _: &RenderContext<'_>) -> bool {
        // Drawn from the settings alone.
        true
    }
}
