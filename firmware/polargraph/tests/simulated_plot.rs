//! A real photograph planned, then played by the real executor and drivers onto the simulated
//! plotter: the ink on the simulated paper must be the planner's lines, and nothing else.

mod common;

use polargraph::input::{self, Drawing};
use polargraph::parts::Parts;
use polargraph::plan::StyleOptions;
use polargraph::simulated::{SimRig, Truth};
use polargraph::{Plan, Point, Stroke, Style};

/// Segments in 1 mm cells, for "how far is the nearest segment" without a scan of all.
struct SegmentGrid {
    cells: std::collections::HashMap<(i64, i64), Vec<(Point, Point)>>,
}

const CELL: f64 = 1.0;

fn cell_of(p: Point) -> (i64, i64) {
    ((p.x / CELL).floor() as i64, (p.y / CELL).floor() as i64)
}

impl SegmentGrid {
    fn new(strokes: &[Stroke]) -> SegmentGrid {
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
    fn distance(&self, p: Point) -> f64 {
        self.cells
            .get(&cell_of(p))
            .into_iter()
            .flatten()
            .map(|&(a, b)| distance_to_segment(p, a, b))
            .fold(f64::INFINITY, f64::min)
    }
}

fn distance_to_segment(p: Point, a: Point, b: Point) -> f64 {
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
fn samples(strokes: &[Stroke], spacing: f64) -> Vec<Point> {
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

#[test]
fn a_photo_played_onto_the_simulated_plotter_leaves_exactly_the_planned_lines() {
    let config = common::small_config();
    let Drawing::Picture(photo) =
        input::load(&common::repo().join("assets/plotter/chelsea.png")).expect("the photo loads")
    else {
        panic!("chelsea.png is a picture");
    };
    let options = StyleOptions {
        cell_mm: Some(2.0),
        dots: None,
    };
    let drawing = Drawing::Picture(photo);
    let plan =
        Plan::new(&config, Some(&drawing), Some(Style::Squiggle), &options, 11).expect("plans");
    assert!(plan.strokes.len() > 5, "a real drawing");

    let rig = SimRig::build(&config, Truth::as_configured(&config), None).expect("rig");
    let mut parts = Parts::open(&mut rig.board(), &config).expect("parts open");
    parts.enable.hold().expect("enable");
    let played = parts
        .executor
        .play(plan.events())
        .expect("plays to the end");
    rig.settle();
    assert!(played.events > 10_000, "{} events", played.events);

    let (left, right) = rig.plotter.drivers();
    assert_eq!(left.violation_count() + right.violation_count(), 0);

    let ink = rig.ink_strokes();
    // Every bit of ink lies on a planned line (none during travel)…
    let planned = SegmentGrid::new(&plan.strokes);
    let stray = samples(&ink, 0.05)
        .into_iter()
        .map(|p| (planned.distance(p), p))
        .fold(
            (0.0, Point::new(0.0, 0.0)),
            |a, b| if b.0 > a.0 { b } else { a },
        );
    assert!(
        stray.0 <= 0.1,
        "ink {:.3} mm off the plan at {:?}",
        stray.0,
        stray.1
    );
    // …and every planned line is inked.
    let inked = SegmentGrid::new(&ink);
    let missed = samples(&plan.strokes, 0.05)
        .into_iter()
        .map(|p| (inked.distance(p), p))
        .fold(
            (0.0, Point::new(0.0, 0.0)),
            |a, b| if b.0 > a.0 { b } else { a },
        );
    assert!(
        missed.0 <= 0.1,
        "planned line {:.3} mm from any ink at {:?}",
        missed.0,
        missed.1
    );
    // The pen went down once per stroke, and came up at the end.
    assert_eq!(ink.len(), plan.strokes.len());
    assert!(!rig.plotter.touching());
}

#[test]
fn a_step_pulse_too_short_for_the_chip_on_the_board_is_flagged_and_loses_steps() {
    let mut config = common::small_config();
    // The config says TMC2208 (100 ns pulses are enough), the board carries DRV8825s (1.9 µs).
    config.drivers.chip = atelier_stepper::Chip::Tmc2208;
    let truth = Truth {
        chip: atelier_stepper::Chip::Drv8825,
        ..Truth::as_configured(&config)
    };
    let plan = common::plan_on(&config, &common::ramp(8, 8), Style::Scribble, 3);
    let rig = SimRig::build(&config, truth, None).expect("rig");
    let mut parts = Parts::open(&mut rig.board(), &config).expect("parts open");
    parts.enable.hold().expect("enable");
    parts.executor.play(plan.events()).expect("plays");
    let (left, right) = rig.plotter.drivers();
    assert!(left.violation_count() > 0 && right.violation_count() > 0);
    assert!(
        left.violations()
            .iter()
            .any(|v| matches!(v, atelier_sim::StepViolation::PulseTooShort { .. })),
        "{:?}",
        left.violations()
    );
    assert_eq!(left.position(), 0, "every step was lost");
}
