//! The machine model: cord lengths ↔ pen position, steps, and the forces that keep cords taut.

use crate::config::PlotterConfig;
use crate::geometry::{Point, Rect};

/// Standard gravity in mm/s².
pub const GRAVITY: f64 = 9_806.65;

/// Which motor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Motor {
    /// Top left.
    Left,
    /// Top right.
    Right,
}

impl Motor {
    /// 0 for the left motor, 1 for the right: its slot in per-motor arrays.
    pub fn index(self) -> usize {
        match self {
            Motor::Left => 0,
            Motor::Right => 1,
        }
    }
}

/// A polargraph's geometry: two cord exits at (0, 0) and (spacing, 0), the pen hanging below.
#[derive(Clone, Debug, PartialEq)]
pub struct Machine {
    /// Distance between the cord exits.
    pub spacing: f64,
    /// Cord per (micro)step.
    pub mm_per_step: f64,
    /// The paper.
    pub paper: Rect,
    /// The part of the paper that may be drawn on (paper minus margins).
    pub drawable: Rect,
    /// Cord lengths at the parking spot.
    pub home: (f64, f64),
    /// Least cord tension, as a fraction of the gondola's weight.
    pub min_tension: f64,
    /// Most cord tension, as a fraction of the weight.
    pub max_tension: f64,
}

/// Why a machine's geometry cannot work.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeometryError {
    /// The paper reaches outside the space between the motors or above them.
    #[error(
        "the paper ({left:.0}–{right:.0} mm across, from {top:.0} mm down) must hang between the motors \
         (0–{spacing:.0} mm) and below them"
    )]
    PaperOutside {
        /// Paper left edge.
        left: f64,
        /// Paper right edge.
        right: f64,
        /// Paper top edge.
        top: f64,
        /// Motor spacing.
        spacing: f64,
    },
    /// Somewhere on the drawable area a cord would go slack or carry too much.
    #[error(
        "at ({x:.0}, {y:.0}) mm on the paper the {motor:?} cord would carry {tension:.2} of the gondola's \
         weight, outside the allowed {min:.2}–{max:.2}: hang the paper lower or the motors further apart"
    )]
    Tension {
        /// Where.
        x: f64,
        /// Where.
        y: f64,
        /// Which cord.
        motor: Motor,
        /// Its tension as a fraction of the weight.
        tension: f64,
        /// Least allowed.
        min: f64,
        /// Most allowed.
        max: f64,
    },
    /// The parking spot is not a point two cords of those lengths can reach.
    #[error(
        "home cords of {left:.1} and {right:.1} mm cannot meet with the motors {spacing:.1} mm apart"
    )]
    Home {
        /// Left cord.
        left: f64,
        /// Right cord.
        right: f64,
        /// Motor spacing.
        spacing: f64,
    },
}

impl Machine {
    /// The machine a config describes, checked: the whole drawable area must be reachable with
    /// both cords taut.
    pub fn from_config(config: &PlotterConfig) -> Result<Machine, GeometryError> {
        let g = &config.geometry;
        let paper = Rect {
            left: g.paper_left_mm,
            top: g.paper_top_mm,
            width: g.paper_width_mm,
            height: g.paper_height_mm,
        };
        let steps_per_mm = f64::from(config.motors.steps_per_rev)
            * f64::from(config.motors.microsteps)
            / config.motors.pulley_circumference_mm;
        let machine = Machine {
            spacing: g.motor_spacing_mm,
            mm_per_step: 1.0 / steps_per_mm,
            paper,
            drawable: paper.inset(g.margin_mm),
            home: (config.home.left_cord_mm, config.home.right_cord_mm),
            min_tension: config.motion.min_tension,
            max_tension: config.motion.max_tension,
        };
        machine.check()?;
        Ok(machine)
    }

    fn check(&self) -> Result<(), GeometryError> {
        let p = &self.paper;
        if p.left <= 0.0 || p.right() >= self.spacing || p.top <= 0.0 {
            return Err(GeometryError::PaperOutside {
                left: p.left,
                right: p.right(),
                top: p.top,
                spacing: self.spacing,
            });
        }
        let (l, r) = self.home;
        if l + r <= self.spacing || (l - r).abs() >= self.spacing {
            return Err(GeometryError::Home {
                left: l,
                right: r,
                spacing: self.spacing,
            });
        }
        // Tension is smooth over the paper and extreme at its edges; a 21×21 grid finds the worst.
        let d = &self.drawable;
        for i in 0..=20 {
            for j in 0..=20 {
                let point = Point::new(
                    d.left + d.width * f64::from(i) / 20.0,
                    d.top + d.height * f64::from(j) / 20.0,
                );
                let (left, right) = self.static_tension(point);
                for (motor, tension) in [(Motor::Left, left), (Motor::Right, right)] {
                    if !(self.min_tension..=self.max_tension).contains(&tension) {
                        return Err(GeometryError::Tension {
                            x: point.x,
                            y: point.y,
                            motor,
                            tension,
                            min: self.min_tension,
                            max: self.max_tension,
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// Cord lengths (left, right) for the pen at `p`: the inverse kinematics.
    pub fn cords(&self, p: Point) -> (f64, f64) {
        let right = self.spacing - p.x;
        (
            (p.x * p.x + p.y * p.y).sqrt(),
            (right * right + p.y * p.y).sqrt(),
        )
    }

    /// The pen position for cord lengths (left, right), by the law of cosines: the forward
    /// kinematics.
    pub fn position(&self, left: f64, right: f64) -> Point {
        let x = (left * left - right * right + self.spacing * self.spacing) / (2.0 * self.spacing);
        let y = (left * left - x * x).max(0.0).sqrt();
        Point::new(x, y)
    }

    /// Where the pen is when the plot starts.
    pub fn home_position(&self) -> Point {
        self.position(self.home.0, self.home.1)
    }

    /// The motor position in steps for a cord of `length`: the nearest whole step.
    pub fn steps(&self, length: f64) -> i64 {
        (length / self.mm_per_step).round() as i64
    }

    /// Unit vectors from the pen at `p` toward the left and right cord exits.
    fn cord_directions(&self, p: Point) -> ((f64, f64), (f64, f64)) {
        let (l, r) = self.cords(p);
        ((-p.x / l, -p.y / l), ((self.spacing - p.x) / r, -p.y / r))
    }

    /// Cord tensions as linear functions of the pen's acceleration `a` (mm/s²) along the unit
    /// direction `dir`: `tension_i = alpha_i · a + beta_i`, in fractions of the gondola's weight.
    ///
    /// Newton for the gondola (mass m, y down): `T_L·u_L + T_R·u_R + m·g·ŷ = m·a·dir`, solved by
    /// Cramer's rule.
    fn tension_terms(&self, p: Point, dir: (f64, f64)) -> [(f64, f64); 2] {
        let ((lx, ly), (rx, ry)) = self.cord_directions(p);
        let det = lx * ry - ly * rx;
        let solve = |bx: f64, by: f64| ((bx * ry - by * rx) / det, (lx * by - ly * bx) / det);
        let (alpha_l, alpha_r) = solve(dir.0 / GRAVITY, dir.1 / GRAVITY);
        let (beta_l, beta_r) = solve(0.0, -1.0);
        [(alpha_l, beta_l), (alpha_r, beta_r)]
    }

    /// Cord tensions (left, right) with the gondola at rest at `p`, in fractions of its weight.
    pub fn static_tension(&self, p: Point) -> (f64, f64) {
        let [(_, left), (_, right)] = self.tension_terms(p, (1.0, 0.0));
        (left, right)
    }

    /// The largest acceleration (and deceleration) along `dir` at `p` that keeps both cords at
    /// or above the minimum tension. Makelangelo's DYNAMIC_ACCELERATION, derived for both signs.
    pub fn tension_accel_limit(&self, p: Point, dir: (f64, f64)) -> f64 {
        self.tension_terms(p, dir)
            .into_iter()
            .map(|(alpha, beta)| {
                let spare = beta - self.min_tension;
                if alpha.abs() < 1e-12 {
                    f64::INFINITY
                } else {
                    (spare / alpha.abs()).max(0.0)
                }
            })
            .fold(f64::INFINITY, f64::min)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn example_config() -> PlotterConfig {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../hardware/polargraph.toml"
        ))
        .expect("hardware/polargraph.toml");
        PlotterConfig::parse(&text, "hardware/polargraph.toml").expect("shipped config is valid")
    }

    pub(crate) fn example_machine() -> Machine {
        Machine::from_config(&example_config()).expect("shipped geometry works")
    }

    #[test]
    fn a_pen_at_rest_hangs_on_positive_tensions_that_balance_its_weight() {
        let m = example_machine();
        let p = m.drawable.centre();
        let (tl, tr) = m.static_tension(p);
        assert!(tl > 0.0 && tr > 0.0);
        // Vertical balance: the cords' upward components carry exactly one weight.
        let (l, r) = m.cords(p);
        let up = tl * p.y / l + tr * p.y / r;
        assert!((up - 1.0).abs() < 1e-9, "{up}");
        let sideways = -tl * p.x / l + tr * (m.spacing - p.x) / r;
        assert!(sideways.abs() < 1e-9, "{sideways}");
    }

    #[test]
    fn accelerating_toward_a_motor_may_slacken_the_other_cord_only_up_to_the_limit() {
        let m = example_machine();
        let p = m.drawable.centre();
        let dir = (1.0, 0.0);
        let a = m.tension_accel_limit(p, dir);
        assert!(a.is_finite() && a > 0.0);
        for (alpha, beta) in m.tension_terms(p, dir) {
            assert!(alpha * a + beta >= m.min_tension - 1e-9);
            assert!(-alpha * a + beta >= m.min_tension - 1e-9);
        }
    }

    #[test]
    fn paper_above_the_motors_is_rejected() {
        let mut config = example_config();
        config.geometry.paper_top_mm = 10.0;
        let error = Machine::from_config(&config).expect_err("cords almost flat at the top");
        assert!(
            error.to_string().contains("hang the paper lower"),
            "{error}"
        );
    }
}
