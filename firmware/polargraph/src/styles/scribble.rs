//! Inky Lines' style: the pen moves to random points inside each cell, more points where the
//! picture is darker, so every copy is unique.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::{Canvas, StrokeBuilder};
use crate::field::DarknessField;
use crate::geometry::{Point, Stroke};

/// Random moves inside a cell are on average about half a cell long and overlap more the more
/// there are: this many per (cell ÷ pen width) is enough to close a black cell (the tone match
/// in [`crate::fidelity`] asks for fewer where it is lighter).
const MOVES_PER_PEN_WIDTH: f64 = 6.0;

pub(super) fn draw(
    canvas: &Canvas<'_>,
    field: &DarknessField,
    rng: &mut ChaCha8Rng,
) -> Vec<Stroke> {
    let (columns, rows) = field.size();
    let cell = field.pixel_mm();
    let area = field.area();
    // Picture pixels may be finer than a scribble cell can show: group them.
    let group = (canvas.cell_mm.unwrap_or(cell) / cell).round().max(1.0) as u32;
    let (columns, rows) = (columns.div_ceil(group), rows.div_ceil(group));
    let cell = cell * f64::from(group);
    let max_points = (MOVES_PER_PEN_WIDTH * cell / canvas.pen_width)
        .ceil()
        .max(1.0);
    let mut builder = StrokeBuilder::default();
    for row in 0..rows {
        // Boustrophedon: every other row runs right to left, so rows join without long travel.
        let order: Box<dyn Iterator<Item = u32>> = if row % 2 == 0 {
            Box::new(0..columns)
        } else {
            Box::new((0..columns).rev())
        };
        for column in order {
            let left = area.left + f64::from(column) * cell;
            let top = area.top + f64::from(row) * cell;
            let centre = Point::new(left + cell / 2.0, top + cell / 2.0);
            // Stochastic rounding keeps the expected ink proportional to darkness even where
            // a cell gets only one or two points.
            let wanted = field.darkness(centre) * max_points;
            let count = (wanted + rng.random::<f64>()).floor() as u32;
            if count == 0 {
                builder.lift();
                continue;
            }
            // The last row and column of cells may overhang the picture: stay on it.
            let (width, height) = (
                (area.right() - left).min(cell),
                (area.bottom() - top).min(cell),
            );
            for _ in 0..count {
                builder.push(Point::new(
                    left + rng.random::<f64>() * width,
                    top + rng.random::<f64>() * height,
                ));
            }
        }
        builder.lift();
    }
    builder.finish()
}
