//! SquiggleDraw's style: rows of sine waves; darker means a taller and faster wave, white no
//! line.

use std::f64::consts::TAU;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::{Canvas, StrokeBuilder};
use crate::field::DarknessField;
use crate::geometry::{Point, Stroke};

/// Darkness below which a row leaves the paper blank.
const WHITE: f64 = 0.04;

pub(super) fn draw(
    canvas: &Canvas<'_>,
    field: &DarknessField,
    rng: &mut ChaCha8Rng,
) -> Vec<Stroke> {
    let area = field.area();
    let row_height = field.pixel_mm().max(2.0 * canvas.pen_width);
    let rows = (area.height / row_height).floor().max(1.0) as usize;
    let top = area.top + (area.height - rows as f64 * row_height) / 2.0;
    let amplitude = 0.48 * row_height;
    // Light grey is a straight line, black a wave whose period is one and a half pen widths
    // (close enough to fill the row), white no line at all.
    let (longest, shortest) = (8.0 * row_height, 1.5 * canvas.pen_width);
    let dx = shortest / 10.0;
    let steps = (area.width / dx).ceil() as usize;

    let mut builder = StrokeBuilder::default();
    for row in 0..rows {
        let y = top + (row as f64 + 0.5) * row_height;
        // Each row starts its wave at a phase of the seed's choosing.
        let mut phase = rng.random_range(0.0..TAU);
        for i in 0..=steps {
            let k = if row % 2 == 0 { i } else { steps - i };
            let x = area.left + (k as f64 * dx).min(area.width);
            let darkness = field.darkness(Point::new(x, y));
            // Frequency (not wavelength) follows darkness, as in SquiggleDraw, so mid-greys
            // already wiggle visibly.
            phase += TAU * dx * (1.0 / longest + (1.0 / shortest - 1.0 / longest) * darkness);
            if darkness < WHITE {
                builder.lift();
                continue;
            }
            builder.push(Point::new(x, y + amplitude * darkness * phase.sin()));
        }
        builder.lift();
    }
    builder.finish()
}
