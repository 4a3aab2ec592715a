//! `message`: a text, as large as fits, word-wrapped and centred.

use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::prelude::RgbColor;
use serde::Deserialize;

use super::draw::palette;
use super::{App, RenderContext};
use crate::render::Frame;
use crate::render::text::{Align, Style, Text};

/// `[apps.message]` settings. (The companion app will set the text later; for now it comes from
/// the config.)
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MessageSettings {
    /// What to show; `\n` breaks a line.
    pub text: String,
}

impl Default for MessageSettings {
    fn default() -> Self {
        MessageSettings {
            text: "Hello".into(),
        }
    }
}

/// A message.
#[derive(Debug)]
pub struct Message {
    settings: MessageSettings,
    text: Text,
    /// (frame size, font size, lines) of the last layout: finding the size is the costly part.
    layout: Option<((u32, u32), f32, Vec<String>)>,
}

impl Message {
    /// A message with `settings`.
    pub fn new(settings: MessageSettings) -> Message {
        Message {
            settings,
            text: Text::new(),
            layout: None,
        }
    }

    /// The largest size (in steps of 4 % down from a third of the height) at which the wrapped
    /// text fits 88 % of the width and 80 % of the height.
    fn lay_out(&self, w: f32, h: f32) -> (f32, Vec<String>) {
        let mut size = h / 3.0;
        loop {
            let style = Style::new(size, palette::INK).bold();
            let lines = self.text.wrap(&self.settings.text, style, w * 0.88);
            let height = lines.len() as f32 * Text::line_height(size);
            if height <= h * 0.8 || size < 14.0 {
                return (size, lines);
            }
            size *= 0.96;
        }
    }
}

impl App for Message {
    fn name(&self) -> &'static str {
        "message"
    }

    fn still_valid(&self, _: &RenderContext<'_>) -> bool {
        // Drawn from the settings alone.
        true
    }

    fn render(&mut self, _: &RenderContext<'_>, frame: &mut Frame) {
        frame.fill(Rgb888::BLACK);
        let (w, h) = (frame.width() as f32, frame.height() as f32);
        let key = (frame.width(), frame.height());
        let (size, lines) = match &self.layout {
            Some((k, size, lines)) if *k == key => (*size, lines.clone()),
            _ => {
                let (size, lines) = self.lay_out(w, h);
                self.layout = Some((key, size, lines.clone()));
                (size, lines)
            }
        };
        let line_height = Text::line_height(size);
        let block = line_height * lines.len() as f32;
        let first = (h - block) / 2.0 + Text::cap_height(size) + (line_height - size) / 2.0;
        let style = Style::new(size, palette::INK).bold();
        for (i, line) in lines.iter().enumerate() {
            self.text.draw(
                frame,
                line,
                w / 2.0,
                first + i as f32 * line_height,
                Align::Center,
                style,
            );
        }
    }
}
