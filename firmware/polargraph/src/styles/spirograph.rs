//! Generative hypotrochoids (a pen in a wheel rolling inside a ring), drawn from the seed: no
//! image needed, and each seed gives another figure.

use std::f64::consts::TAU;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::Canvas;
use crate::geometry::{Point, Stroke};

pub(super) fn draw(canvas: &Canvas<'_>, rng: &mut ChaCha8Rng) -> Vec<Stroke> {
    let ring: i64 = rng.random_range(60..=120);
    // A wheel that does not divide the ring evenly gives many lobes before the figure closes.
    let mut wheel: i64 = rng.random_range(15..ring - 5);
    while gcd(ring, wheel) == wheel {
        wheel += 1;
    }
    let pen = rng.random_range(0.3..1.0) * wheel as f64;
    let (big, small) = (ring as f64, wheel as f64);
    let turns = (wheel / gcd(ring, wheel)) as f64;
    let extent = (big - small) + pen;

    let area = canvas.area();
    let scale = area.width.min(area.height) / 2.0 / extent;
    let centre = area.centre();
    // About half a millimetre of line between points.
    let length_estimate = TAU * turns * extent * scale * 2.0;
    let samples = (length_estimate / 0.5).ceil().max(64.0) as usize;
    let points = (0..=samples)
        .map(|i| {
            let t = TAU * turns * i as f64 / samples as f64;
            let k = (big - small) / small;
            let x = (big - small) * t.cos() + pen * (k * t).cos();
            let y = (big - small) * t.sin() - pen * (k * t).sin();
            Point::new(centre.x + x * scale, centre.y + y * scale)
        })
        .collect();
    vec![Stroke::new(points)]
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 { a } else { gcd(b, a % b) }
}
