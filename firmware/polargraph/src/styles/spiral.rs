//! One Archimedean spiral from the centre out, wiggling sideways where the picture is dark: a
//! single continuous line, the pen never lifts.

use std::f64::consts::TAU;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::Canvas;
use crate::field::DarknessField;
use crate::geometry::{Point, Stroke};

pub(super) fn draw(
    canvas: &Canvas<'_>,
    field: &DarknessField,
    rng: &mut ChaCha8Rng,
) -> Vec<Stroke> {
    let area = field.area();
    let centre = area.centre();
    // One turn per picture pixel of radius keeps the picture's resolution.
    let spacing = field.pixel_mm().max(2.0 * canvas.pen_width);
    let amplitude = 0.45 * spacing;
    let r_max = area.width.min(area.height) / 2.0 - amplitude;
    // The wiggle's wavelength: two pen widths, so a black area closes up.
    let wavelength = 2.0 * canvas.pen_width;
    let step = wavelength / 8.0;

    // The seed turns the whole spiral and shifts its wiggle, so each copy is its own.
    let turn = rng.random_range(0.0..TAU);
    let mut travelled = rng.random_range(0.0..wavelength);
    let mut points = vec![centre];
    let mut theta = 0.0f64;
    loop {
        let r = spacing * theta / TAU;
        if r > r_max {
            break;
        }
        // Advance by about `step` along the curve: ds ≈ r·dθ (plus the radial part near the centre).
        let dtheta = step / r.max(spacing / TAU).hypot(spacing / TAU);
        theta += dtheta;
        travelled += step;
        let (sin, cos) = (theta + turn).sin_cos();
        let base = Point::new(centre.x + r * cos, centre.y + r * sin);
        let wiggle = amplitude * field.darkness(base) * (TAU * travelled / wavelength).sin();
        points.push(Point::new(base.x + wiggle * cos, base.y + wiggle * sin));
    }
    vec![Stroke::new(points)]
}
