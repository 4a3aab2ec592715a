//! Sandy Noble's polargraph style: the picture is cut into cells in cord-length space — rows are
//! arcs around the left motor, columns arcs around the right — and each cell is filled with
//! square waves, more where it is darker, up to one per two pen widths; white cells are left
//! blank. Rows run back and forth.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::{Canvas, StrokeBuilder};
use crate::field::DarknessField;
use crate::geometry::{Point, Rect, Stroke};
use crate::kinematics::Machine;

/// Darkness below which a cell is left blank.
const WHITE: f64 = 0.04;

/// Longest straight chord used to follow an arc; the chord's sag at a 400 mm radius is 0.3 µm.
const ARC_STEP_MM: f64 = 1.0;

pub(super) fn draw(
    canvas: &Canvas<'_>,
    field: &DarknessField,
    rng: &mut ChaCha8Rng,
) -> Vec<Stroke> {
    let machine = canvas.machine;
    let area = field.area();
    let cell = canvas
        .cell_mm
        .unwrap_or_else(|| field.pixel_mm().max(6.0 * canvas.pen_width));
    // A wave is two pen-wide strokes across the cell: more than a wave per two pen widths
    // overlaps into solid ink (Sandy Noble's ⌊cell/pen⌋ waves went black at half of them).
    let max_waves = (cell / (2.0 * canvas.pen_width)).floor().max(1.0);

    // The cord-length box that covers the picture.
    let corners = area.corners().map(|p| machine.cords(p));
    let (l_min, l_max) = min_max(corners.iter().map(|c| c.0));
    let (r_min, r_max) = min_max(corners.iter().map(|c| c.1));
    // The seed shifts the grid by up to a cell each way: the same look, another copy.
    let (l_min, r_min) = (
        l_min - rng.random_range(0.0..cell),
        r_min - rng.random_range(0.0..cell),
    );
    let (l_max, r_max) = (l_max + cell, r_max + cell);
    let rows = ((l_max - l_min) / cell).ceil() as usize;
    let columns = ((r_max - r_min) / cell).ceil() as usize;

    let mut builder = StrokeBuilder::default();
    for row in 0..rows {
        let l0 = l_min + row as f64 * cell;
        let forward = row % 2 == 0;
        for k in 0..columns {
            let column = if forward { k } else { columns - 1 - k };
            let r0 = r_min + column as f64 * cell;
            let centre = machine.position(l0 + cell / 2.0, r0 + cell / 2.0);
            // Cells whose centre is on the picture; their waves are kept to it (a cell on the
            // edge is squashed rather than left out, so the edges keep their tone).
            if !area.contains(centre, 1e-9) {
                builder.lift();
                continue;
            }
            let darkness = field.darkness(centre);
            if darkness < WHITE {
                // Even the straight line through a cell is a shade of grey: white is no line.
                builder.lift();
                continue;
            }
            let waves = (darkness * max_waves).round() as usize;
            cell_wave(machine, area, &mut builder, l0, r0, cell, waves, forward);
        }
        builder.lift();
    }
    builder.finish()
}

/// One cell: `waves` square waves across its L extent, travelling along R (or a straight line
/// through the middle when `waves` is 0).
#[allow(clippy::too_many_arguments)]
fn cell_wave(
    machine: &Machine,
    area: Rect,
    builder: &mut StrokeBuilder,
    l0: f64,
    r0: f64,
    cell: f64,
    waves: usize,
    forward: bool,
) {
    let (r_start, r_end) = if forward {
        (r0, r0 + cell)
    } else {
        (r0 + cell, r0)
    };
    let mid = l0 + cell / 2.0;
    if waves == 0 {
        arc(machine, area, builder, (mid, r_start), (mid, r_end));
        return;
    }
    let half = (r_end - r_start) / (2 * waves) as f64;
    let (low, high) = (l0 + 0.05 * cell, l0 + 0.95 * cell);
    let mut r = r_start;
    let mut at = (mid, r_start);
    for i in 0..2 * waves {
        let l = if i % 2 == 0 { low } else { high };
        // Up or down the cell (along L), then along the row (along R).
        arc(machine, area, builder, at, (l, r));
        r += half;
        arc(machine, area, builder, (l, r - half), (l, r));
        at = (l, r);
    }
    arc(machine, area, builder, at, (mid, r_end));
}

/// Follows a straight line in cord space (an arc on paper) from `a` to `b`, as chords, kept
/// within `area`.
fn arc(machine: &Machine, area: Rect, builder: &mut StrokeBuilder, a: (f64, f64), b: (f64, f64)) {
    let span = (b.0 - a.0).abs().max((b.1 - a.1).abs());
    let pieces = (span / ARC_STEP_MM).ceil().max(1.0) as usize;
    for i in 0..=pieces {
        let t = i as f64 / pieces as f64;
        let p: Point = machine.position(a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
        builder.push(Point::new(
            p.x.clamp(area.left, area.right()),
            p.y.clamp(area.top, area.bottom()),
        ));
    }
}

fn min_max(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    })
}
