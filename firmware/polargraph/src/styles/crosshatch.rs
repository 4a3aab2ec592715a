//! Crosshatching: layers of parallel lines at several angles, tones building up layer by layer.
//! Each layer takes a fifth of the tone range, and within it its lines switch on one by one
//! (each line at its own threshold, spread evenly), so the ink darkens smoothly instead of in
//! five steps.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::{Canvas, StrokeBuilder};
use crate::field::DarknessField;
use crate::geometry::{Point, Stroke};

/// (angle in degrees, darkness where the layer's first lines appear). The first layer covers
/// light greys, the last only near-black.
const LAYERS: [(f64, f64); 5] = [
    (45.0, 0.0),
    (135.0, 0.2),
    (90.0, 0.4),
    (0.0, 0.6),
    (22.5, 0.8),
];

/// The share of the tone range over which one layer's lines switch on.
const LAYER_SPAN: f64 = 0.2;

/// The golden ratio's fraction: successive lines' thresholds spread evenly over the span.
const SPREAD: f64 = 0.618_033_988_749_895;

/// Lines shorter than this are not worth a pen lift.
const SHORTEST_MM: f64 = 0.5;

pub(super) fn draw(
    canvas: &Canvas<'_>,
    field: &DarknessField,
    rng: &mut ChaCha8Rng,
) -> Vec<Stroke> {
    let area = field.area();
    let spacing = 2.0 * canvas.pen_width;
    // Darkness changes from pixel to pixel: a quarter pixel (or half a pen width) is fine enough
    // to place the ends of each run.
    let step = (canvas.pen_width / 2.0).max(field.pixel_mm() / 4.0);
    let centre = area.centre();
    let reach = area.width.hypot(area.height) / 2.0;
    let mut builder = StrokeBuilder::default();
    for (angle, threshold) in LAYERS {
        let (sin, cos) = angle.to_radians().sin_cos();
        let lines = (2.0 * reach / spacing).ceil() as i64;
        // The seed shifts each layer's lines sideways by a fraction of their spacing.
        let shift = rng.random_range(0.0..spacing);
        for line in 0..=lines {
            let offset = -reach + shift + line as f64 * spacing;
            let threshold = threshold + LAYER_SPAN * (line as f64 * SPREAD).fract();
            let forward = line % 2 == 0;
            let samples = (2.0 * reach / step).ceil() as i64;
            let mut run: Vec<Point> = Vec::new();
            for i in 0..=samples {
                let k = if forward { i } else { samples - i };
                let along = -reach + k as f64 * step;
                // Along the line's direction (cos, sin), offset across it (−sin, cos).
                let p = Point::new(
                    centre.x + along * cos - offset * sin,
                    centre.y + along * sin + offset * cos,
                );
                if area.contains(p, 0.0) && field.darkness(p) > threshold {
                    run.push(p);
                } else {
                    flush(&mut builder, &mut run);
                }
            }
            flush(&mut builder, &mut run);
        }
    }
    builder.finish()
}

/// Keeps a run as a straight stroke from its first to its last point, if long enough.
fn flush(builder: &mut StrokeBuilder, run: &mut Vec<Point>) {
    if let (Some(&first), Some(&last)) = (run.first(), run.last())
        && first.distance(last) >= SHORTEST_MM
    {
        builder.push(first);
        builder.push(last);
        builder.lift();
    }
    run.clear();
}
