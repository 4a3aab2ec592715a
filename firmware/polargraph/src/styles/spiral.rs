//! One Archimedean spiral from the centre out, wiggling sideways where the picture is dark, and
//! drawn in dashes where it is lighter than the bare spiral: a single line through the darker
//! tones; it reaches into the corners of an oblong picture, the pen lifted where the turns
//! leave it.

use std::f64::consts::TAU;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::{Canvas, StrokeBuilder};
use crate::field::DarknessField;
use crate::geometry::{Point, Stroke};

/// Darkness below which the spiral leaves the paper blank.
const WHITE: f64 = 0.04;

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
    let r_max = area.width.hypot(area.height) / 2.0;
    // The wiggle's wavelength: one and a half pen widths, so a black area closes up.
    let wavelength = 1.5 * canvas.pen_width;
    let step = wavelength / 8.0;

    // The seed turns the whole spiral and shifts its wiggle, so each copy is its own.
    let turn = rng.random_range(0.0..TAU);
    let mut travelled = rng.random_range(0.0..wavelength);
    // The bare spiral is already a grey (one pen width every `spacing`): lighter tones draw it
    // in dashes, as much of it as their darkness asks for, the error carried along the path
    // (one-dimensional error diffusion) and no dash shorter than two picture pixels.
    let bare = (canvas.pen_width / spacing).min(1.0);
    let dash = 2.0 * field.pixel_mm();
    let mut owed = 0.0f64;
    let mut drawing = true;
    let mut builder = StrokeBuilder::default();
    builder.push(centre);
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
        let darkness = field.darkness(base);
        let wiggle = amplitude * darkness * (TAU * travelled / wavelength).sin();
        let p = Point::new(base.x + wiggle * cos, base.y + wiggle * sin);
        owed += step * ((darkness / bare).min(1.0) - if drawing { 1.0 } else { 0.0 });
        if drawing && owed < -dash / 2.0 {
            drawing = false;
        } else if !drawing && owed > dash / 2.0 {
            drawing = true;
        }
        if area.contains(p, 0.0) && drawing && darkness >= WHITE {
            builder.push(p);
        } else {
            builder.lift();
        }
    }
    builder.finish()
}
