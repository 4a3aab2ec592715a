//! How faithfully a plan's ink reproduces the picture's tones, and drawing so that it does.
//!
//! [`bands`] measures: the strokes rendered at the pen's width, blurred at the picture's pixel
//! scale (the eye at a normal viewing distance), against the picture's darkness, averaged in ten
//! tone bands. [`draw_matched`] draws an image style in a closed loop: each style turns darkness
//! into ink in its own way (square waves saturate at half the range, a spiral's rings leave
//! light tones blank, stipple dots never cover the paper), so the darkness handed to the style is
//! corrected, band by band, until the ink follows the picture.

use crate::field::DarknessField;
use crate::geometry::{Rect, Stroke};
use crate::styles::{self, Canvas, Style, StyleError};

/// One tone band: picture pixels whose darkness lies in a tenth of the range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Band {
    /// Mean darkness of the picture's pixels in the band (0 white … 1 black).
    pub source: f64,
    /// Mean darkness of the ink around them.
    pub ink: f64,
    /// How many pixels.
    pub pixels: usize,
}

/// Resolution the ink is rendered at to measure it, pixels per millimetre: the pen's width is
/// at least one and a half pixels (anti-aliased), and a box two picture pixels wide holds a few
/// dozen.
fn render_resolution(pen_width: f64) -> f64 {
    (1.5 / pen_width).clamp(2.0, 8.0)
}

/// The ten tone bands of `field` (empty bands left out), with the mean ink of `strokes` around
/// each pixel in a box two picture pixels wide.
pub fn bands(field: &DarknessField, strokes: &[Stroke], paper: Rect, pen_width: f64) -> Vec<Band> {
    let px_per_mm = render_resolution(pen_width);
    let ink = crate::output::ink(strokes, paper, pen_width, px_per_mm);
    let (w, h) = (ink.width() as usize, ink.height() as usize);
    // Summed-area table of darkness, for the mean over any box in constant time.
    let mut sums = vec![0.0f64; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row = 0.0;
        for x in 0..w {
            row += 1.0 - f64::from(ink.get_pixel(x as u32, y as u32).0[0]) / 255.0;
            sums[(y + 1) * (w + 1) + x + 1] = sums[y * (w + 1) + x + 1] + row;
        }
    }
    let mean = |x0: f64, y0: f64, x1: f64, y1: f64| {
        let to_px = |mm: f64, left: f64, limit: usize| {
            (((mm - left) * px_per_mm).round().max(0.0) as usize).min(limit)
        };
        let (a, b) = (to_px(x0, paper.left, w), to_px(x1, paper.left, w));
        let (c, d) = (to_px(y0, paper.top, h), to_px(y1, paper.top, h));
        if b <= a || d <= c {
            return 0.0;
        }
        let at = |x: usize, y: usize| sums[y * (w + 1) + x];
        (at(b, d) - at(a, d) - at(b, c) + at(a, c)) / ((b - a) * (d - c)) as f64
    };
    let area = field.area();
    let step = field.pixel_mm();
    let (columns, rows) = field.size();
    let mut totals = [(0.0, 0.0, 0usize); 10];
    for row in 0..rows {
        for column in 0..columns {
            let source = field.pixel(column, row);
            let (cx, cy) = (
                area.left + (f64::from(column) + 0.5) * step,
                area.top + (f64::from(row) + 0.5) * step,
            );
            let ink = mean(cx - step, cy - step, cx + step, cy + step);
            let band = ((source * 10.0).floor() as usize).min(9);
            totals[band].0 += source;
            totals[band].1 += ink;
            totals[band].2 += 1;
        }
    }
    totals
        .iter()
        .filter(|t| t.2 > 0)
        .map(|&(source, ink, pixels)| Band {
            source: source / pixels as f64,
            ink: ink / pixels as f64,
            pixels,
        })
        .collect()
}

/// Whether a style can fill the paper with ink. Stipple's single line through its dots cannot:
/// its darkest tone is what its dot budget gives (about a quarter of the paper for a 100-pixel
/// picture on A3), and its tones are mapped into that range, linearly.
pub fn fills(style: Style) -> bool {
    style != Style::Stipple
}

/// Correction rounds after the first drawing.
const ROUNDS: usize = 5;

/// How far a band may be from its target before another round is drawn.
const GOOD_ENOUGH: f64 = 0.03;

/// Draws `style` so that its ink follows `field`'s tones (up to the style's [`ceiling`]): the
/// style draws, the ink is measured in tone bands, the darkness it is given is corrected where it
/// drew too light or too dark, and it draws again; the closest of the rounds is kept. Every
/// round uses the same seed, so the result is as repeatable as the style.
pub fn draw_matched(
    style: Style,
    canvas: &Canvas<'_>,
    field: &DarknessField,
    seed: u64,
) -> Result<Vec<Stroke>, StyleError> {
    let paper = canvas.machine.paper;
    // The darkest ink the style is asked for: black, or (stipple) what its first drawing gave.
    let mut top = 1.0;
    // The correction, as darkness given at 0, 0.1, … 1 of the picture's darkness.
    let mut knots: [f64; 11] = std::array::from_fn(|i| i as f64 / 10.0);
    let mut best: Option<(f64, Vec<Stroke>)> = None;
    // Each band's (darkness, darkness given, ink) in the round before.
    let mut previous: Vec<(f64, f64, f64)> = Vec::new();
    for round in 0..=ROUNDS {
        let corrected = field.remapped(|d| interpolate(&knots, d));
        let strokes = styles::draw(
            style,
            &Canvas {
                field: Some(&corrected),
                ..*canvas
            },
            seed,
        )?;
        let measured = bands(field, &strokes, paper, canvas.pen_width);
        if round == 0 && !fills(style) {
            let weighted =
                |f: fn(&Band) -> f64| measured.iter().map(|b| f(b) * b.pixels as f64).sum::<f64>();
            top = (weighted(|b| b.ink) / weighted(|b| b.source).max(1e-9)).min(1.0);
        }
        let errors: Vec<f64> = measured
            .iter()
            .map(|b| (b.source * top - b.ink).abs())
            .collect();
        let worst = errors.iter().copied().fold(0.0, f64::max);
        // The worst band first, then the rest.
        let score = worst + errors.iter().sum::<f64>() / errors.len().max(1) as f64;
        tracing::debug!(%style, round, worst, score, "tone match");
        if best
            .as_ref()
            .is_none_or(|(best_score, _)| score < *best_score)
        {
            best = Some((score, strokes));
        }
        if worst <= GOOD_ENOUGH || round == ROUNDS || measured.is_empty() {
            break;
        }
        // Each band's correction: a secant step where the previous round tells how fast this
        // band's ink follows what the style is given, a plain step otherwise.
        let steps: Vec<Band> = measured
            .iter()
            .map(|band| {
                let given = interpolate(&knots, band.source);
                let error = band.source * top - band.ink;
                let slope = previous
                    .iter()
                    .find(|(source, ..)| (source - band.source).abs() < 0.02)
                    .and_then(|&(_, before_given, before_ink)| {
                        let moved = given - before_given;
                        (moved.abs() > 0.01).then(|| (band.ink - before_ink) / moved)
                    })
                    .unwrap_or(1.0)
                    .clamp(0.3, 5.0);
                Band {
                    ink: error / slope,
                    ..*band
                }
            })
            .collect();
        previous = measured
            .iter()
            .map(|b| (b.source, interpolate(&knots, b.source), b.ink))
            .collect();
        for (i, knot) in knots.iter_mut().enumerate() {
            let x = i as f64 / 10.0;
            *knot = (*knot + correction(&steps, x)).clamp(0.0, 1.0);
        }
        for i in 1..knots.len() {
            knots[i] = knots[i].max(knots[i - 1]);
        }
    }
    Ok(best.map(|(_, strokes)| strokes).unwrap_or_default())
}

/// The piecewise-linear function through `knots` at 0, 0.1, … 1.
fn interpolate(knots: &[f64; 11], x: f64) -> f64 {
    let x = x.clamp(0.0, 1.0) * 10.0;
    let i = (x.floor() as usize).min(9);
    let t = x - i as f64;
    knots[i] * (1.0 - t) + knots[i + 1] * t
}

/// The correction at darkness `x`, interpolated between the bands' (in their `ink` field) at
/// their mean darknesses and held beyond the first and last.
fn correction(steps: &[Band], x: f64) -> f64 {
    let (Some(first), Some(last)) = (steps.first(), steps.last()) else {
        return 0.0;
    };
    if x <= first.source {
        return first.ink;
    }
    if x >= last.source {
        return last.ink;
    }
    steps
        .windows(2)
        .find(|w| x >= w[0].source && x <= w[1].source)
        .map_or(0.0, |w| {
            let t = (x - w[0].source) / (w[1].source - w[0].source).max(1e-9);
            w[0].ink * (1.0 - t) + w[1].ink * t
        })
}
