//! Every image style lays down more ink where the picture is darker.

mod common;

use polargraph::output;

/// Mean darkness (0 white … 1 black) of the ink PNG in `bands` vertical bands across the middle
/// of the picture, after a box blur the size of a few cells.
fn band_darkness(plan: &polargraph::Plan, area: polargraph::Rect, bands: usize) -> Vec<f64> {
    let px_per_mm = 2.0;
    let ink = output::ink(&plan.strokes, plan.machine.paper, 0.8, px_per_mm);
    let paper = plan.machine.paper;
    let to_px = |x: f64, y: f64| {
        (
            ((x - paper.left) * px_per_mm) as i64,
            ((y - paper.top) * px_per_mm) as i64,
        )
    };
    let blur = (6.0 * px_per_mm) as i64;
    let darkness = |cx: i64, cy: i64| {
        let mut sum = 0.0;
        let mut n = 0.0;
        for y in cy - blur..=cy + blur {
            for x in cx - blur..=cx + blur {
                if x >= 0 && y >= 0 && (x as u32) < ink.width() && (y as u32) < ink.height() {
                    sum += 1.0 - f64::from(ink.get_pixel(x as u32, y as u32).0[0]) / 255.0;
                    n += 1.0;
                }
            }
        }
        sum / n
    };
    // The middle 30 % of the height, the inner 80 % of the width.
    let (x0, x1) = (
        area.left + 0.1 * area.width,
        area.right() - 0.1 * area.width,
    );
    let (y0, y1) = (
        area.top + 0.35 * area.height,
        area.bottom() - 0.35 * area.height,
    );
    (0..bands)
        .map(|band| {
            let (bx0, bx1) = (
                x0 + (x1 - x0) * band as f64 / bands as f64,
                x0 + (x1 - x0) * (band + 1) as f64 / bands as f64,
            );
            let mut total = 0.0;
            let mut count = 0.0;
            let mut y = y0;
            while y <= y1 {
                let mut x = bx0;
                while x <= bx1 {
                    let (px, py) = to_px(x, y);
                    total += darkness(px, py);
                    count += 1.0;
                    x += 4.0;
                }
                y += 4.0;
            }
            total / count
        })
        .collect()
}

#[test]
fn on_a_grey_ramp_every_style_inks_more_where_it_is_darker() {
    let picture = common::ramp(160, 160);
    for style in common::image_styles() {
        let plan = common::plan(&picture, style, 9);
        let field = polargraph::field::DarknessField::fit(
            &picture,
            &polargraph::tone::ToneCurve::linear(),
            plan.machine.drawable,
        );
        let bands = band_darkness(&plan, field.area(), 5);
        for pair in bands.windows(2) {
            assert!(
                pair[1] > pair[0],
                "{style}: ink per band {bands:.3?} is not increasing"
            );
        }
        assert!(
            bands[4] - bands[0] > 0.15,
            "{style}: too little contrast {bands:.3?}"
        );
    }
}
