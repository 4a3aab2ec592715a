//! From a drawing to a plan: strokes in a style, fitted to the paper, optimised, ready to turn
//! into motion.

use crate::config::PlotterConfig;
use crate::field::DarknessField;
use crate::geometry::{Point, Rect, Stroke};
use crate::input::Drawing;
use crate::kinematics::{GeometryError, Machine, Motor};
use crate::motion::{Event, EventStream, Limits, lower_bound_time};
use crate::output::Summary;
use crate::path;
use crate::styles::{self, Canvas, Style, StyleError};
use crate::tone::ToneCurve;

/// A drawing that cannot be planned.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The machine's geometry does not work.
    #[error(transparent)]
    Geometry(#[from] GeometryError),
    /// The style cannot draw this input.
    #[error(transparent)]
    Style(#[from] StyleError),
    /// A style was asked for vector input.
    #[error("an SVG is drawn as its own paths; --style applies to images and generative styles")]
    StyleForSvg,
}

/// Settings of the styles that the command line can change.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StyleOptions {
    /// Cell size for cell-based styles, mm.
    pub cell_mm: Option<f64>,
    /// Number of stipple dots.
    pub dots: Option<usize>,
}

/// A planned drawing: the strokes in plot order, and what is needed to move the pen along them.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The machine.
    pub machine: Machine,
    /// Its motion limits.
    pub limits: Limits,
    /// Pen-down strokes in plot order, each in drawing direction.
    pub strokes: Vec<Stroke>,
    /// The style used (`svg` for vector input).
    pub style: String,
    /// The seed used.
    pub seed: u64,
    /// Whether vector input had to be scaled down to fit the paper.
    pub fitted: bool,
}

impl Plan {
    /// Plans `drawing` (or nothing, for a generative style) on the machine `config` describes.
    pub fn new(
        config: &PlotterConfig,
        drawing: Option<&Drawing>,
        style: Option<Style>,
        options: &StyleOptions,
        seed: u64,
    ) -> Result<Plan, PlanError> {
        let machine = Machine::from_config(config)?;
        let mut fitted = false;
        let (strokes, style_name) = match drawing {
            Some(Drawing::Paths(paths)) => {
                if style.is_some() {
                    return Err(PlanError::StyleForSvg);
                }
                let (strokes, scaled) = place_paths(paths, machine.paper, machine.drawable);
                fitted = scaled;
                (strokes, "svg".to_owned())
            }
            Some(Drawing::Picture(picture)) => {
                let style = style.unwrap_or(Style::Scribble);
                let field = DarknessField::fit(
                    picture,
                    &ToneCurve::from_pen(&config.pen),
                    machine.drawable,
                );
                let canvas = Canvas {
                    machine: &machine,
                    field: Some(&field),
                    pen_width: config.pen.width_mm,
                    cell_mm: options.cell_mm,
                    dots: options.dots,
                };
                (
                    crate::fidelity::draw_matched(style, &canvas, &field, seed)?,
                    style.name().to_owned(),
                )
            }
            None => {
                let style = style.unwrap_or(Style::Spirograph);
                let canvas = Canvas {
                    machine: &machine,
                    field: None,
                    pen_width: config.pen.width_mm,
                    cell_mm: options.cell_mm,
                    dots: options.dots,
                };
                (styles::draw(style, &canvas, seed)?, style.name().to_owned())
            }
        };
        let strokes = path::optimise(strokes, machine.home_position());
        Ok(Plan {
            limits: Limits::from_config(config),
            machine,
            strokes,
            style: style_name,
            seed,
            fitted,
        })
    }

    /// The motion plan as a stream of step and pen events.
    pub fn events(&self) -> EventStream<'_> {
        EventStream::new(&self.machine, self.limits.clone(), &self.strokes)
    }

    /// Runs the whole motion plan to count steps and time it; `progress` hears of each stroke
    /// begun.
    pub fn summary(&self, input: Option<String>, mut progress: impl FnMut(usize)) -> Summary {
        let mut stream = self.events();
        let (mut left, mut right, mut begun) = (0u64, 0u64, 0usize);
        for event in stream.by_ref() {
            match event {
                Event::Step(step) => match step.motor {
                    Motor::Left => left += 1,
                    Motor::Right => right += 1,
                },
                Event::Pen { down: true, .. } => {
                    begun += 1;
                    progress(begun);
                }
                Event::Pen { down: false, .. } => {}
            }
        }
        let home = self.machine.home_position();
        let pen_down: f64 = self.strokes.iter().map(Stroke::length).sum();
        let mut bound = 0.0;
        let mut at = home;
        for stroke in &self.strokes {
            bound += lower_bound_time(at.distance(stroke.start()), self.limits.travel)
                + lower_bound_time(stroke.length(), self.limits.draw)
                + (self.limits.pen_up + self.limits.pen_down).as_secs_f64();
            at = stroke.end();
        }
        Summary {
            input,
            style: self.style.clone(),
            seed: self.seed,
            strokes: self.strokes.len(),
            pen_down_mm: pen_down,
            pen_up_mm: path::travel(&self.strokes, home),
            steps_left: left,
            steps_right: right,
            plot_time_s: stream.elapsed(),
            lower_bound_s: bound,
        }
    }
}

/// Puts SVG paths on the paper: the SVG's origin at the paper's top-left corner, as drawn; when
/// anything would fall outside the drawable area, the whole drawing is scaled down and centred to
/// fit instead. Returns the strokes and whether they were fitted.
pub fn place_paths(paths: &[Vec<Point>], paper: Rect, drawable: Rect) -> (Vec<Stroke>, bool) {
    let placed: Vec<Vec<Point>> = paths
        .iter()
        .map(|path| {
            path.iter()
                .map(|p| Point::new(p.x + paper.left, p.y + paper.top))
                .collect()
        })
        .collect();
    if placed.iter().flatten().all(|p| drawable.contains(*p, 1e-9)) {
        return (placed.into_iter().map(Stroke::new).collect(), false);
    }
    let (mut lo, mut hi) = (
        Point::new(f64::MAX, f64::MAX),
        Point::new(f64::MIN, f64::MIN),
    );
    for p in placed.iter().flatten() {
        lo = Point::new(lo.x.min(p.x), lo.y.min(p.y));
        hi = Point::new(hi.x.max(p.x), hi.y.max(p.y));
    }
    let (w, h) = ((hi.x - lo.x).max(1e-9), (hi.y - lo.y).max(1e-9));
    let scale = (drawable.width / w).min(drawable.height / h).min(1.0);
    let centre = drawable.centre();
    let fit = |p: &Point| {
        Point::new(
            centre.x + (p.x - (lo.x + hi.x) / 2.0) * scale,
            centre.y + (p.y - (lo.y + hi.y) / 2.0) * scale,
        )
    };
    let strokes = placed
        .iter()
        .map(|path| Stroke::new(path.iter().map(fit).collect()))
        .collect();
    tracing::warn!(
        scale,
        "the drawing did not fit the drawable area; scaled and centred"
    );
    (strokes, true)
}
