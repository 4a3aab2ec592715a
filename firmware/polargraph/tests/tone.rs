//! Tone fidelity: every image style's ink, blurred at the picture's pixel scale, follows the
//! picture's darkness band by band, on a real photograph (chelsea, CC0) and on a white-to-black
//! ramp. The ink is measured by a rasteriser of this test's own (a cell is inked when its centre
//! lies within half a pen width of a stroke), not by the renderer the planner uses.

mod common;

use polargraph::field::DarknessField;
use polargraph::input::{Drawing, Picture};
use polargraph::plan::StyleOptions;
use polargraph::tone::ToneCurve;
use polargraph::{Plan, PlotterConfig, Point, Stroke, Style};

/// Inked cells 0.1 mm square over the picture's area.
struct Coverage {
    left: f64,
    top: f64,
    columns: usize,
    rows: usize,
    /// Summed-area table of inked cells.
    sums: Vec<u32>,
}

const CELL_MM: f64 = 0.1;

impl Coverage {
    fn new(strokes: &[Stroke], field: &DarknessField, pen_width: f64) -> Coverage {
        let area = field.area();
        let (columns, rows) = (
            (area.width / CELL_MM).ceil() as usize,
            (area.height / CELL_MM).ceil() as usize,
        );
        let mut inked = vec![false; columns * rows];
        let radius = pen_width / 2.0;
        let mut mark = |a: Point, b: Point| {
            let (x0, x1) = (a.x.min(b.x) - radius, a.x.max(b.x) + radius);
            let (y0, y1) = (a.y.min(b.y) - radius, a.y.max(b.y) + radius);
            let cell = |v: f64, origin: f64, n: usize| {
                (((v - origin) / CELL_MM).floor().max(0.0) as usize).min(n)
            };
            for row in
                cell(y0, area.top, rows)..cell(y1, area.top, rows).saturating_add(1).min(rows)
            {
                for column in cell(x0, area.left, columns)
                    ..cell(x1, area.left, columns).saturating_add(1).min(columns)
                {
                    let centre = Point::new(
                        area.left + (column as f64 + 0.5) * CELL_MM,
                        area.top + (row as f64 + 0.5) * CELL_MM,
                    );
                    if common::distance_to_segment(centre, a, b) <= radius {
                        inked[row * columns + column] = true;
                    }
                }
            }
        };
        for stroke in strokes {
            match stroke.points.as_slice() {
                [only] => mark(*only, *only),
                points => points.windows(2).for_each(|w| mark(w[0], w[1])),
            }
        }
        let mut sums = vec![0u32; (columns + 1) * (rows + 1)];
        for row in 0..rows {
            let mut running = 0;
            for column in 0..columns {
                running += u32::from(inked[row * columns + column]);
                sums[(row + 1) * (columns + 1) + column + 1] =
                    sums[row * (columns + 1) + column + 1] + running;
            }
        }
        Coverage {
            left: area.left,
            top: area.top,
            columns,
            rows,
            sums,
        }
    }

    /// The share of inked cells in the box from (x0, y0) to (x1, y1), mm.
    fn mean(&self, x0: f64, y0: f64, x1: f64, y1: f64) -> f64 {
        let index = |v: f64, origin: f64, n: usize| {
            (((v - origin) / CELL_MM).round().max(0.0) as usize).min(n)
        };
        let (a, b) = (
            index(x0, self.left, self.columns),
            index(x1, self.left, self.columns),
        );
        let (c, d) = (
            index(y0, self.top, self.rows),
            index(y1, self.top, self.rows),
        );
        if b <= a || d <= c {
            return 0.0;
        }
        let at = |x: usize, y: usize| f64::from(self.sums[y * (self.columns + 1) + x]);
        (at(b, d) - at(a, d) - at(b, c) + at(a, c)) / ((b - a) * (d - c)) as f64
    }
}

/// A tone band: (mean darkness, mean ink, pixels).
type Band = (f64, f64, usize);

/// The picture's ten tone bands (empty ones left out).
fn bands(picture: &Picture, style: Style, config: &PlotterConfig) -> Vec<Band> {
    let drawing = Drawing::Picture(picture.clone());
    let plan = Plan::new(
        config,
        Some(&drawing),
        Some(style),
        &StyleOptions::default(),
        1,
    )
    .expect("plans");
    let field = DarknessField::fit(
        picture,
        &ToneCurve::from_pen(&config.pen),
        plan.machine.drawable,
    );
    let coverage = Coverage::new(&plan.strokes, &field, config.pen.width_mm);
    let (area, step) = (field.area(), field.pixel_mm());
    let mut totals = [(0.0, 0.0, 0usize); 10];
    let (columns, rows) = field.size();
    for row in 0..rows {
        for column in 0..columns {
            let darkness = field.pixel(column, row);
            let x = area.left + (f64::from(column) + 0.5) * step;
            let y = area.top + (f64::from(row) + 0.5) * step;
            // Blurred at the picture's scale: a box two pixels wide around each pixel.
            let ink = coverage.mean(x - step, y - step, x + step, y + step);
            let band = &mut totals[((darkness * 10.0) as usize).min(9)];
            band.0 += darkness;
            band.1 += ink;
            band.2 += 1;
        }
    }
    totals
        .into_iter()
        .filter(|t| t.2 > 0)
        .map(|(d, i, n)| (d / n as f64, i / n as f64, n))
        .collect()
}

fn chelsea() -> Picture {
    let photo = image::open(common::repo().join("assets/plotter/chelsea.png"))
        .expect("chelsea")
        .to_luma8();
    // As Inky Lines is fed: about a hundred pixels across.
    let small = image::imageops::resize(&photo, 100, 67, image::imageops::FilterType::Triangle);
    Picture {
        width: small.width(),
        height: small.height(),
        pixels: small.into_raw(),
    }
}

fn check(picture: &Picture, what: &str) -> Vec<(Style, Vec<Band>)> {
    let config = common::config();
    let mut failures = Vec::new();
    let mut all = Vec::new();
    for style in common::image_styles() {
        let bands = bands(picture, style, &config);
        // Stipple's one line through dots cannot fill the paper: its tones are mapped, linearly,
        // into what its darkest dots give, and it is held to a tighter tolerance of that range.
        let (scale, tolerance) = if style == Style::Stipple {
            let weighted =
                |f: fn(&Band) -> f64| bands.iter().map(|b| f(b) * b.2 as f64).sum::<f64>();
            (weighted(|b| b.1) / weighted(|b| b.0), 0.04)
        } else {
            (1.0, 0.08)
        };
        for (i, &(source, ink, pixels)) in bands.iter().enumerate() {
            if (source * scale - ink).abs() > tolerance {
                failures.push(format!(
                    "{style} on {what}: band at {source:.2} ({pixels} px) inked {ink:.2}, wanted {:.2} ± {tolerance}",
                    source * scale
                ));
            }
            if i > 0 && ink < bands[i - 1].1 {
                failures.push(format!(
                    "{style} on {what}: band at {source:.2} inked lighter ({ink:.2}) than the band before ({:.2})",
                    bands[i - 1].1
                ));
            }
        }
        all.push((style, bands));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    all
}

#[test]
fn every_image_style_follows_a_photographs_tones_band_by_band() {
    let all = check(&chelsea(), "chelsea");
    for (style, bands) in all {
        if style == Style::Stipple {
            let darkest = bands.last().expect("bands");
            // Declared in the docs: about a quarter of the paper at the darkest.
            assert!(darkest.1 > 0.15, "{style}: {bands:?}");
        }
    }
}

#[test]
fn every_image_style_spans_paper_white_to_solid_ink_on_a_ramp() {
    let all = check(&common::ramp(100, 24), "a ramp");
    for (style, bands) in all {
        let (lightest, darkest) = (bands[0], bands[bands.len() - 1]);
        assert!(
            lightest.1 <= 0.08,
            "{style}: the lightest band inked {:.2}",
            lightest.1
        );
        if style != Style::Stipple {
            assert!(
                darkest.1 >= 0.85,
                "{style}: the darkest band inked only {:.2}",
                darkest.1
            );
        }
    }
}
