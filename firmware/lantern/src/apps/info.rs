//! `info`: the lamp's name, network address and pairing code, and anything wrong with it. Also
//! what the lamp shows at start, before it knows where it points.

use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::prelude::RgbColor;
use serde::Deserialize;

use super::draw::{disc, line, palette};
use super::{App, Drawn, RenderContext};
use crate::render::Frame;
use crate::render::text::{Align, Style, Text};

/// `[apps.info]` has no settings yet.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InfoSettings {}

/// The lamp's identity card.
#[derive(Debug)]
pub struct Info {
    text: Text,
    drawn: Drawn<Card>,
}

/// Everything on the card.
#[derive(Debug, PartialEq)]
struct Card {
    name: String,
    rows: [Option<String>; 4],
    problems: Vec<String>,
}

impl Card {
    fn of(context: &RenderContext<'_>) -> Card {
        Card {
            name: context.lamp_name.to_owned(),
            rows: [
                context.address,
                context.pairing_code,
                context.surface,
                context.sensor,
            ]
            .map(|row| row.map(str::to_owned)),
            problems: context.problems.to_vec(),
        }
    }
}

impl Info {
    /// An info card.
    pub fn new(_: InfoSettings) -> Info {
        Info {
            text: Text::new(),
            drawn: Drawn::default(),
        }
    }
}

impl App for Info {
    fn name(&self) -> &'static str {
        "info"
    }

    fn still_valid(&self, context: &RenderContext<'_>) -> bool {
        self.drawn.is(&Card::of(context))
    }

    fn render(&mut self, context: &RenderContext<'_>, frame: &mut Frame) {
        self.drawn.set(Card::of(context));
        frame.fill(Rgb888::BLACK);
        let (w, h) = (frame.width() as f32, frame.height() as f32);
        let unit = h.min(w * 0.5625) / 100.0;
        let left = w * 0.1;
        let mut y = h * 0.12 + 11.0 * unit;
        let title = Style::new(13.0 * unit, palette::INK).bold();
        let name = self.text.ellipsize(context.lamp_name, title, w * 0.8);
        self.text.draw(frame, &name, left, y, Align::Left, title);
        y += 5.0 * unit;
        line(
            frame,
            (left, y),
            (w * 0.9, y),
            (0.4 * unit).max(1.0),
            palette::FAINT,
        );
        y += 11.0 * unit;
        let label = Style::new(4.8 * unit, palette::DIM);
        let value = Style::new(6.5 * unit, palette::INK);
        let column = left + 34.0 * unit;
        let rows = [
            ("address", context.address.unwrap_or("no network")),
            ("pairing code", context.pairing_code.unwrap_or("—")),
            ("pointing at", context.surface.unwrap_or("finding out…")),
            ("sensor", context.sensor.unwrap_or("none found")),
        ];
        for (name, text) in rows {
            self.text.draw(frame, name, left, y, Align::Left, label);
            let shown = self.text.ellipsize(text, value, w * 0.9 - column);
            self.text.draw(frame, &shown, column, y, Align::Left, value);
            y += 10.0 * unit;
        }
        let warning = Style::new(4.8 * unit, palette::WARN);
        for problem in context.problems.iter().take(3) {
            let shown = self.text.ellipsize(problem, warning, w * 0.8 - 4.0 * unit);
            disc(
                frame,
                left + 1.2 * unit,
                y - 1.7 * unit,
                1.2 * unit,
                palette::WARN,
            );
            self.text
                .draw(frame, &shown, left + 4.0 * unit, y, Align::Left, warning);
            y += 7.0 * unit;
        }
    }
}
