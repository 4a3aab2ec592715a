//! Shared by the planner's integration tests.

#![allow(dead_code)]

use std::path::PathBuf;

use polargraph::input::Picture;
use polargraph::plan::StyleOptions;
use polargraph::{Plan, PlotterConfig, Point, Stroke, Style};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn config() -> PlotterConfig {
    PlotterConfig::load(&repo().join("hardware/polargraph.toml")).expect("shipped config")
}

/// A picture whose brightness falls from white on the left to black on the right.
pub fn ramp(width: u32, height: u32) -> Picture {
    let pixels = (0..height)
        .flat_map(|_| {
            (0..width)
                .map(move |x| (255.0 * (1.0 - f64::from(x) / f64::from(width - 1))).round() as u8)
        })
        .collect();
    Picture {
        width,
        height,
        pixels,
    }
}

pub fn plan(picture: &Picture, style: Style, seed: u64) -> Plan {
    plan_on(&config(), picture, style, seed)
}

/// The shipped machine with wide margins: a drawable area of about 50 × 80 mm, so tests that
/// walk every motor step stay quick.
pub fn small_config() -> PlotterConfig {
    let mut config = config();
    config.geometry.margin_mm = 120.0;
    config.geometry.paper_height_mm = 320.0;
    config
}

pub fn plan_on(config: &PlotterConfig, picture: &Picture, style: Style, seed: u64) -> Plan {
    plan_with(config, picture, style, &StyleOptions::default(), seed)
}

pub fn plan_with(
    config: &PlotterConfig,
    picture: &Picture,
    style: Style,
    options: &StyleOptions,
    seed: u64,
) -> Plan {
    let drawing = polargraph::input::Drawing::Picture(picture.clone());
    Plan::new(config, Some(&drawing), Some(style), options, seed).expect("plans")
}

/// Every image style.
pub fn image_styles() -> impl Iterator<Item = Style> {
    Style::ALL.into_iter().filter(|s| s.needs_image())
}

/// Segments in 1 mm cells, for "how far is the nearest segment" without a scan of all.
#[derive(Debug)]
pub struct SegmentGrid {
    cells: std::collections::HashMap<(i64, i64), Vec<(Point, Point)>>,
}

const CELL: f64 = 1.0;

fn cell_of(p: Point) -> (i64, i64) {
    ((p.x / CELL).floor() as i64, (p.y / CELL).floor() as i64)
}

impl SegmentGrid {
    pub fn new(strokes: &[Stroke]) -> SegmentGrid {
        let mut cells: std::collections::HashMap<_, Vec<_>> = Default::default();
        for stroke in strokes {
            let points = &stroke.points;
            let pairs: Vec<(Point, Point)> = if points.len() == 1 {
                vec![(points[0], points[0])]
            } else {
                points.windows(2).map(|w| (w[0], w[1])).collect()
            };
            for (a, b) in pairs {
                let (lo, hi) = (cell_of(a), cell_of(b));
                for cx in lo.0.min(hi.0) - 1..=lo.0.max(hi.0) + 1 {
                    for cy in lo.1.min(hi.1) - 1..=lo.1.max(hi.1) + 1 {
                        cells.entry((cx, cy)).or_default().push((a, b));
                    }
                }
            }
        }
        SegmentGrid { cells }
    }

    /// Distance from `p` to the nearest segment within a cell of it (infinity if none).
    pub fn distance(&self, p: Point) -> f64 {
        self.cells
            .get(&cell_of(p))
            .into_iter()
            .flatten()
            .map(|&(a, b)| distance_to_segment(p, a, b))
            .fold(f64::INFINITY, f64::min)
    }
}

/// Distance from `p` to the segment from `a` to `b`.
pub fn distance_to_segment(p: Point, a: Point, b: Point) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p.x - a.x) * dx + (p.y - a.y) * dy) / len2).clamp(0.0, 1.0)
    };
    (p.x - a.x - t * dx).hypot(p.y - a.y - t * dy)
}

/// Points along every segment of `strokes`, at most `spacing` apart.
pub fn samples(strokes: &[Stroke], spacing: f64) -> Vec<Point> {
    let mut out = Vec::new();
    for stroke in strokes {
        out.push(stroke.points[0]);
        for w in stroke.points.windows(2) {
            let n = (w[0].distance(w[1]) / spacing).ceil().max(1.0) as usize;
            for i in 1..=n {
                let t = i as f64 / n as f64;
                out.push(Point::new(
                    w[0].x + t * (w[1].x - w[0].x),
                    w[0].y + t * (w[1].y - w[0].y),
                ));
            }
        }
    }
    out
}

/// The farthest any point of `a` (sampled every 0.05 mm) lies from the lines of `b`, and where.
pub fn farthest(a: &[Stroke], b: &[Stroke]) -> (f64, Point) {
    let grid = SegmentGrid::new(b);
    samples(a, 0.05)
        .into_iter()
        .map(|p| (grid.distance(p), p))
        .fold((0.0, Point::new(0.0, 0.0)), |worst, next| {
            if next.0 > worst.0 { next } else { worst }
        })
}

/// Asserts that `ink` and `planned` are the same lines to `tolerance` mm, both ways: no ink
/// off the plan (none during travel), no planned line without ink.
pub fn assert_same_lines(ink: &[Stroke], planned: &[Stroke], tolerance: f64, what: &str) {
    let stray = farthest(ink, planned);
    assert!(
        stray.0 <= tolerance,
        "{what}: ink {:.3} mm off the plan at {:?}",
        stray.0,
        stray.1
    );
    let missed = farthest(planned, ink);
    assert!(
        missed.0 <= tolerance,
        "{what}: a planned line {:.3} mm from any ink at {:?}",
        missed.0,
        missed.1
    );
}
