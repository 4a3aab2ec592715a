//! Drawing styles: each turns darkness (or nothing, for generative ones) into pen strokes.
//!
//! Every style takes a seed, and the same seed always gives the same strokes.

mod crosshatch;
mod scribble;
mod spiral;
mod spirograph;
mod squarewave;
mod squiggle;
mod stipple;

use std::fmt;
use std::str::FromStr;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::field::DarknessField;
use crate::geometry::{Point, Rect, Stroke};
use crate::kinematics::Machine;

/// A drawing style.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Style {
    /// Inky Lines: random pen points inside each cell, more of them where it is darker.
    Scribble,
    /// Sandy Noble's: square waves in cells laid out in cord-length space (rows are arcs).
    Squarewave,
    /// One Archimedean spiral, wiggling harder where it is darker: a single continuous line.
    Spiral,
    /// Rows of sine waves whose amplitude and frequency follow darkness.
    Squiggle,
    /// Hatch layers at several angles, each switched on below its own brightness.
    Crosshatch,
    /// Weighted-Voronoi stippling, then one continuous line through all the dots.
    Stipple,
    /// Generative hypotrochoids; no image needed.
    Spirograph,
}

impl Style {
    /// Every style, in the order `--help` lists them.
    pub const ALL: [Style; 7] = [
        Style::Scribble,
        Style::Squarewave,
        Style::Spiral,
        Style::Squiggle,
        Style::Crosshatch,
        Style::Stipple,
        Style::Spirograph,
    ];

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Style::Scribble => "scribble",
            Style::Squarewave => "squarewave",
            Style::Spiral => "spiral",
            Style::Squiggle => "squiggle",
            Style::Crosshatch => "crosshatch",
            Style::Stipple => "stipple",
            Style::Spirograph => "spirograph",
        }
    }

    /// Whether it draws an image (all but the generative ones).
    pub fn needs_image(self) -> bool {
        self != Style::Spirograph
    }
}

impl fmt::Display for Style {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Style {
    type Err = String;

    fn from_str(s: &str) -> Result<Style, String> {
        Style::ALL
            .into_iter()
            .find(|style| style.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Style::ALL.iter().map(|s| s.name()).collect();
                format!("unknown style `{s}`: use one of {}", names.join(", "))
            })
    }
}

/// What a style draws from.
#[derive(Debug)]
pub struct Canvas<'a> {
    /// The machine (styles laid out in cord space need its kinematics).
    pub machine: &'a Machine,
    /// The picture on the paper; `None` for generative styles.
    pub field: Option<&'a DarknessField>,
    /// The pen's line width.
    pub pen_width: f64,
    /// Cell size for cell-based styles (scribble, squarewave); each style has its own default.
    pub cell_mm: Option<f64>,
    /// Number of stipple dots; by default about one per (3 pen widths)² of ink.
    pub dots: Option<usize>,
}

impl Canvas<'_> {
    /// Where the drawing goes: the picture's area, or the whole drawable area.
    pub fn area(&self) -> Rect {
        self.field
            .map_or(self.machine.drawable, DarknessField::area)
    }

    /// Darkness at `p` (0 without a picture).
    pub fn darkness(&self, p: Point) -> f64 {
        self.field.map_or(0.0, |f| f.darkness(p))
    }
}

/// A style that cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StyleError {
    /// An image style was given no image.
    #[error("the {0} style draws an image: give an image file")]
    NeedsImage(Style),
}

/// Draws `canvas` in `style` with randomness from `seed`.
pub fn draw(style: Style, canvas: &Canvas<'_>, seed: u64) -> Result<Vec<Stroke>, StyleError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let image = || canvas.field.ok_or(StyleError::NeedsImage(style));
    let strokes = match style {
        Style::Scribble => scribble::draw(canvas, image()?, &mut rng),
        Style::Squarewave => squarewave::draw(canvas, image()?, &mut rng),
        Style::Spiral => spiral::draw(canvas, image()?, &mut rng),
        Style::Squiggle => squiggle::draw(canvas, image()?, &mut rng),
        Style::Crosshatch => crosshatch::draw(canvas, image()?, &mut rng),
        Style::Stipple => stipple::draw(canvas, image()?, &mut rng, canvas.dots),
        Style::Spirograph => spirograph::draw(canvas, &mut rng),
    };
    Ok(strokes
        .into_iter()
        .filter(|s| !s.points.is_empty())
        .collect())
}

/// Collects strokes from runs of points: `None` lifts the pen.
#[derive(Debug, Default)]
pub(crate) struct StrokeBuilder {
    strokes: Vec<Stroke>,
    current: Vec<Point>,
}

impl StrokeBuilder {
    pub(crate) fn push(&mut self, p: Point) {
        self.current.push(p);
    }

    pub(crate) fn lift(&mut self) {
        if !self.current.is_empty() {
            self.strokes
                .push(Stroke::new(std::mem::take(&mut self.current)));
        }
    }

    pub(crate) fn finish(mut self) -> Vec<Stroke> {
        self.lift();
        self.strokes
    }
}
