//! Points, strokes and rectangles on the paper, in millimetres.
//!
//! The machine frame: the left motor's cord exit at the origin, x to the right, y *down* (the way
//! the gondola hangs and images are stored), so image rows map to paper rows without flipping.

use serde::{Deserialize, Serialize};

/// A point in millimetres in the machine frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Right of the left motor.
    pub x: f64,
    /// Below the motors.
    pub y: f64,
}

impl Point {
    /// The point (x, y).
    pub const fn new(x: f64, y: f64) -> Point {
        Point { x, y }
    }

    /// Distance to `other`. (A plain square root: `hypot`'s overflow care is several times
    /// slower and never needed at paper scale, and the optimiser calls this millions of times.)
    pub fn distance(self, other: Point) -> f64 {
        self.distance_sq(other).sqrt()
    }

    /// Squared distance to `other` (cheaper, for comparisons).
    pub fn distance_sq(self, other: Point) -> f64 {
        let (dx, dy) = (self.x - other.x, self.y - other.y);
        dx * dx + dy * dy
    }

    /// The point a fraction `t` of the way to `other`.
    pub fn lerp(self, other: Point, t: f64) -> Point {
        Point::new(
            self.x + (other.x - self.x) * t,
            self.y + (other.y - self.y) * t,
        )
    }
}

/// An axis-aligned rectangle.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rect {
    /// Left edge.
    pub left: f64,
    /// Top edge.
    pub top: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

impl Rect {
    /// Right edge.
    pub fn right(&self) -> f64 {
        self.left + self.width
    }

    /// Bottom edge.
    pub fn bottom(&self) -> f64 {
        self.top + self.height
    }

    /// Centre.
    pub fn centre(&self) -> Point {
        Point::new(self.left + self.width / 2.0, self.top + self.height / 2.0)
    }

    /// Whether `p` lies inside or on the edge, with `slack` millimetres of tolerance.
    pub fn contains(&self, p: Point, slack: f64) -> bool {
        p.x >= self.left - slack
            && p.x <= self.right() + slack
            && p.y >= self.top - slack
            && p.y <= self.bottom() + slack
    }

    /// The same rectangle shrunk by `margin` on every side.
    pub fn inset(&self, margin: f64) -> Rect {
        Rect {
            left: self.left + margin,
            top: self.top + margin,
            width: (self.width - 2.0 * margin).max(0.0),
            height: (self.height - 2.0 * margin).max(0.0),
        }
    }

    /// The four corners, clockwise from top left.
    pub fn corners(&self) -> [Point; 4] {
        [
            Point::new(self.left, self.top),
            Point::new(self.right(), self.top),
            Point::new(self.right(), self.bottom()),
            Point::new(self.left, self.bottom()),
        ]
    }
}

/// One pen-down line: the pen goes down at the first point and up after the last.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Stroke {
    /// The points, at least one (a single point is a dot).
    pub points: Vec<Point>,
}

impl Stroke {
    /// A stroke through `points`.
    pub fn new(points: Vec<Point>) -> Stroke {
        Stroke { points }
    }

    /// Where the pen goes down.
    pub fn start(&self) -> Point {
        self.points.first().copied().unwrap_or_default()
    }

    /// Where the pen comes up.
    pub fn end(&self) -> Point {
        self.points.last().copied().unwrap_or_default()
    }

    /// Drawn length.
    pub fn length(&self) -> f64 {
        self.points.windows(2).map(|w| w[0].distance(w[1])).sum()
    }

    /// Reverses the drawing direction.
    pub fn reverse(&mut self) {
        self.points.reverse();
    }
}
