//! Motion planning: straight lines on paper with trapezoidal speed and look-ahead, and the exact
//! time of every motor step.
//!
//! As in Klipper, the maths happens here and only timing happens at the motors: each step fires
//! when its cord's length crosses the next step boundary on the time-parameterised straight line,
//! solved in closed form — no chopping of lines into chords. Limits are per segment: the pen's
//! speed and acceleration, each cord's speed and acceleration, and an acceleration small enough
//! that gravity keeps both cords taut. Steps are counted as integers: the motor position after any
//! number of steps is the nearest step to the cord length of where the pen is, except briefly
//! where a cord turns: a step and its undoing closer together than the motor can follow are both
//! left out (see [`EventStream`]'s reversal gap).

use std::collections::VecDeque;
use std::time::Duration;

use atelier_hal::Instant;

use crate::config::PlotterConfig;
use crate::geometry::{Point, Stroke};
use crate::kinematics::{Machine, Motor};

/// Speed limits of one kind of move.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MoveLimits {
    /// Top pen speed, mm/s.
    pub speed: f64,
    /// Acceleration, mm/s².
    pub accel: f64,
}

/// All limits the planner obeys.
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// Pen down.
    pub draw: MoveLimits,
    /// Pen up.
    pub travel: MoveLimits,
    /// Top cord speed, mm/s.
    pub cord_speed: f64,
    /// Top cord acceleration, mm/s².
    pub cord_accel: f64,
    /// Junction deviation, mm.
    pub junction_deviation: f64,
    /// Time for the pen to lift.
    pub pen_up: Duration,
    /// Time for the pen to land.
    pub pen_down: Duration,
}

impl Limits {
    /// The limits a config sets.
    pub fn from_config(config: &PlotterConfig) -> Limits {
        let m = &config.motion;
        Limits {
            draw: MoveLimits {
                speed: m.draw_speed_mm_s,
                accel: m.draw_accel_mm_s2,
            },
            travel: MoveLimits {
                speed: m.travel_speed_mm_s,
                accel: m.travel_accel_mm_s2,
            },
            cord_speed: m.max_cord_speed_mm_s,
            cord_accel: m.max_cord_accel_mm_s2,
            junction_deviation: m.junction_deviation_mm,
            pen_up: Duration::from_millis(u64::from(config.pen.up_ms)),
            pen_down: Duration::from_millis(u64::from(config.pen.down_ms)),
        }
    }
}

/// One motor step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepEvent {
    /// When the step pulse starts.
    pub at: Instant,
    /// Which motor.
    pub motor: Motor,
    /// Whether the cord gets longer (pen moves away from this motor).
    pub lengthen: bool,
}

/// What the machine does, in time order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A motor steps.
    Step(StepEvent),
    /// The pen starts to go down (`true`) or up; motion resumes after the servo's settle time.
    Pen {
        /// When the servo is commanded.
        at: Instant,
        /// Down to the paper, or up.
        down: bool,
    },
}

impl Event {
    /// When it happens.
    pub fn at(&self) -> Instant {
        match self {
            Event::Step(step) => step.at,
            Event::Pen { at, .. } => *at,
        }
    }
}

/// A straight move with its planned speeds.
#[derive(Clone, Copy, Debug)]
struct Segment {
    /// The index in its polyline of the point it starts from.
    point: usize,
    from: Point,
    dir: (f64, f64),
    length: f64,
    /// Speeds at the start and end, and the cruise limit.
    v_start: f64,
    v_end: f64,
    v_max: f64,
    accel: f64,
}

/// The speed-versus-distance profile of a segment: accelerate, cruise, decelerate.
#[derive(Clone, Copy, Debug)]
struct Trapezoid {
    v0: f64,
    peak: f64,
    accel: f64,
    s_accel: f64,
    s_cruise: f64,
    t_accel: f64,
    t_cruise: f64,
    t_total: f64,
}

impl Trapezoid {
    fn new(segment: &Segment) -> Trapezoid {
        let (v0, v1, a, length) = (
            segment.v_start,
            segment.v_end,
            segment.accel,
            segment.length,
        );
        let peak = segment
            .v_max
            .min(((2.0 * a * length + v0 * v0 + v1 * v1) / 2.0).sqrt())
            .max(v0.max(v1));
        let s_accel = ((peak * peak - v0 * v0) / (2.0 * a)).clamp(0.0, length);
        let s_decel = ((peak * peak - v1 * v1) / (2.0 * a)).clamp(0.0, length - s_accel);
        let s_cruise = (length - s_accel - s_decel).max(0.0);
        let t_accel = (peak - v0) / a;
        let t_cruise = if peak > 0.0 { s_cruise / peak } else { 0.0 };
        let t_decel = (peak - v1) / a;
        Trapezoid {
            v0,
            peak,
            accel: a,
            s_accel,
            s_cruise,
            t_accel,
            t_cruise,
            t_total: t_accel + t_cruise + t_decel,
        }
    }

    /// Time at which the pen has covered `s` of the segment.
    fn time_at(&self, s: f64) -> f64 {
        let a = self.accel;
        if s <= self.s_accel {
            (-self.v0 + (self.v0 * self.v0 + 2.0 * a * s).sqrt()) / a
        } else if s <= self.s_accel + self.s_cruise {
            self.t_accel + (s - self.s_accel) / self.peak
        } else {
            let u = s - self.s_accel - self.s_cruise;
            let under = (self.peak * self.peak - 2.0 * a * u).max(0.0);
            (self.t_accel + self.t_cruise + (self.peak - under.sqrt()) / a).min(self.t_total)
        }
    }
}

/// The motion plan of a drawing as a stream of [`Event`]s, generated one segment at a time: a
/// plot of any size is never held in memory.
#[derive(Debug)]
pub struct EventStream<'a> {
    machine: &'a Machine,
    limits: Limits,
    strokes: std::slice::Iter<'a, Stroke>,
    /// Segments of the stroke (or travel) being played, with planned speeds.
    pending: VecDeque<Segment>,
    /// Whether a stroke's segments are queued behind the travel to it.
    queued_stroke: Option<&'a Stroke>,
    /// Events planned and not yet handed out, each with where it stands in the drawing. Held
    /// until planning is `reversal_gap` past them, so a step can still be undone.
    ready: VecDeque<(Event, Place)>,
    /// A step of one motor followed within this time by a step back is dropped with it: at the
    /// top cord speed a motor takes this long a step, and it cannot follow a quicker reversal
    /// (a 28BYJ-48 would lose the step). Such pairs come where a cord's length turns at a
    /// corner of the path near a step boundary.
    reversal_gap: Duration,
    scratch: [Vec<(f64, bool)>; 2],
    pen_down: bool,
    position: Point,
    steps: [i64; 2],
    time: f64,
    finished: bool,
    /// Strokes taken from `strokes` so far.
    strokes_begun: usize,
    strokes_total: usize,
    /// The point of its stroke that the segment being played starts from.
    point: usize,
    /// Where the pen travels once every stroke is drawn.
    park: Option<Point>,
}

/// Where the planner stood when it made an event: what a [`Mark`] says besides the steps.
#[derive(Clone, Copy, Debug)]
struct Place {
    stroke: usize,
    pen_down: bool,
    point: usize,
}

/// Where an event of an [`EventStream`] stands in the drawing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    /// The stroke being drawn or travelled to (its index in the plan), or the number of
    /// strokes once all are drawn.
    pub stroke: usize,
    /// Whether the pen is (commanded) down after this event.
    pub pen_down: bool,
    /// The motors' positions after this event, steps (left, right).
    pub steps: (i64, i64),
    /// While drawing: the index in the stroke of the point its current line starts from.
    pub point: usize,
}

impl<'a> EventStream<'a> {
    /// Plans `strokes` in order, starting with the pen up at the machine's home.
    pub fn new(machine: &'a Machine, limits: Limits, strokes: &'a [Stroke]) -> EventStream<'a> {
        let home = machine.home_position();
        let (left, right) = machine.cords(home);
        Self::starting_at(
            machine,
            limits,
            strokes,
            (machine.steps(left), machine.steps(right)),
        )
    }

    /// Plans `strokes` in order, starting with the pen up and the motors at `steps`.
    pub fn starting_at(
        machine: &'a Machine,
        limits: Limits,
        strokes: &'a [Stroke],
        steps: (i64, i64),
    ) -> EventStream<'a> {
        let mm = machine.mm_per_step;
        let position = machine.position(steps.0 as f64 * mm, steps.1 as f64 * mm);
        let reversal_gap = Duration::try_from_secs_f64(mm / limits.cord_speed)
            .unwrap_or(Duration::ZERO)
            .min(Duration::from_secs(1));
        EventStream {
            machine,
            limits,
            strokes: strokes.iter(),
            pending: VecDeque::new(),
            queued_stroke: None,
            ready: VecDeque::new(),
            reversal_gap,
            scratch: [Vec::new(), Vec::new()],
            pen_down: false,
            position,
            steps: [steps.0, steps.1],
            time: 0.0,
            finished: false,
            strokes_begun: 0,
            strokes_total: strokes.len(),
            point: 0,
            park: None,
        }
    }

    /// Ends the plan with a pen-up travel to `park` (home, so the next plot starts there).
    pub fn then_park_at(mut self, park: Point) -> Self {
        self.park = Some(park);
        self
    }

    /// The events, each with where it stands in the drawing.
    pub fn marked(mut self) -> impl Iterator<Item = (Event, Mark)> + 'a {
        // The stream counts a segment's steps when it plans it: count them as they are played.
        let mut steps = self.steps;
        std::iter::from_fn(move || {
            let (event, place) = self.next_placed()?;
            if let Event::Step(step) = event {
                steps[step.motor.index()] += if step.lengthen { 1 } else { -1 };
            }
            let mark = Mark {
                stroke: place.stroke,
                pen_down: place.pen_down,
                steps: (steps[0], steps[1]),
                point: place.point,
            };
            Some((event, mark))
        })
    }

    /// Where the planner stands now.
    fn place(&self) -> Place {
        Place {
            stroke: self.strokes_begun.saturating_sub(1),
            pen_down: self.pen_down,
            point: self.point,
        }
    }

    /// Holds `step` back to be handed out, unless it undoes the motor's previous step within the
    /// reversal gap: then both go.
    fn push_step(&mut self, step: StepEvent) {
        for k in (0..self.ready.len()).rev() {
            let (event, _) = self.ready[k];
            if event.at() + self.reversal_gap <= step.at {
                break;
            }
            if let Event::Step(before) = event
                && before.motor == step.motor
            {
                if before.lengthen != step.lengthen {
                    self.ready.remove(k);
                    return;
                }
                break;
            }
        }
        let place = self.place();
        self.ready.push_back((Event::Step(step), place));
    }

    /// The next event and where it stands. Events are handed out only once planning is a
    /// reversal gap past them (every later step comes at or after the planned time), so no
    /// step that may yet be undone leaves the stream.
    fn next_placed(&mut self) -> Option<(Event, Place)> {
        loop {
            let horizon = Self::instant(self.time);
            if let Some((event, _)) = self.ready.front()
                && (self.finished || event.at() + self.reversal_gap <= horizon)
            {
                return self.ready.pop_front();
            }
            if let Some(segment) = self.pending.pop_front() {
                self.play(segment);
                continue;
            }
            if self.finished {
                return None;
            }
            if !self.plan_next() {
                self.pen(false);
                self.finished = true;
            }
        }
    }

    /// Motor positions in steps (left, right) after the motion planned so far: before the
    /// first event and once the stream is done, where the events handed out have put them.
    pub fn steps(&self) -> (i64, i64) {
        (self.steps[0], self.steps[1])
    }

    /// Time of the end of the motion planned so far, seconds.
    pub fn elapsed(&self) -> f64 {
        self.time
    }

    fn instant(t: f64) -> Instant {
        Instant::from_nanos((t * 1e9).round() as u64)
    }

    fn pen(&mut self, down: bool) {
        if self.pen_down == down {
            return;
        }
        self.pen_down = down;
        let place = self.place();
        self.ready.push_back((
            Event::Pen {
                at: Self::instant(self.time),
                down,
            },
            place,
        ));
        let settle = if down {
            self.limits.pen_down
        } else {
            self.limits.pen_up
        };
        self.time += settle.as_secs_f64();
    }

    /// Queues the next stroke (travel to it first): fills `pending` with planned segments.
    fn plan_next(&mut self) -> bool {
        if let Some(stroke) = self.queued_stroke.take() {
            self.point = 0;
            self.pen(true);
            self.pending =
                plan_polyline(self.machine, &self.limits, &stroke.points, self.limits.draw);
            return true;
        }
        let Some(stroke) = self.strokes.next() else {
            // Past the last stroke (marks say `strokes.len()` from here on).
            self.strokes_begun = self.strokes_begun.max(self.strokes_total + 1);
            if let Some(park) = self.park.take()
                && self.position.distance(park) > 1e-9
            {
                self.pen(false);
                self.pending = plan_polyline(
                    self.machine,
                    &self.limits,
                    &[self.position, park],
                    self.limits.travel,
                );
                return true;
            }
            return false;
        };
        self.strokes_begun += 1;
        if self.position.distance(stroke.start()) > 1e-9 {
            self.pen(false);
            self.pending = plan_polyline(
                self.machine,
                &self.limits,
                &[self.position, stroke.start()],
                self.limits.travel,
            );
        }
        self.queued_stroke = Some(stroke);
        true
    }

    /// Emits the steps of one segment into `ready`, in time order.
    fn play(&mut self, segment: Segment) {
        self.point = segment.point;
        let profile = Trapezoid::new(&segment);
        let motors = [(0.0, 0.0), (self.machine.spacing, 0.0)];
        for (index, &(mx, my)) in motors.iter().enumerate() {
            let buffer = &mut self.scratch[index];
            buffer.clear();
            cord_crossings(
                &segment,
                (mx, my),
                self.machine.mm_per_step,
                &mut self.steps[index],
                |s, lengthen| buffer.push((s, lengthen)),
            );
        }
        // Both lists are in order of distance, hence of time: merge them.
        let [left, right] = std::mem::take(&mut self.scratch);
        let (mut i, mut j) = (0, 0);
        while i < left.len() || j < right.len() {
            let take_left = j >= right.len() || (i < left.len() && left[i].0 <= right[j].0);
            let (s, lengthen, motor) = if take_left {
                i += 1;
                (left[i - 1].0, left[i - 1].1, Motor::Left)
            } else {
                j += 1;
                (right[j - 1].0, right[j - 1].1, Motor::Right)
            };
            self.push_step(StepEvent {
                at: Self::instant(self.time + profile.time_at(s)),
                motor,
                lengthen,
            });
        }
        self.scratch = [left, right];
        self.time += profile.t_total;
        self.position = Point::new(
            segment.from.x + segment.dir.0 * segment.length,
            segment.from.y + segment.dir.1 * segment.length,
        );
    }
}

impl Iterator for EventStream<'_> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        self.next_placed().map(|(event, _)| event)
    }
}

/// Along the path, how far apart a cord's step back and step forward around its turning point
/// must be to be made at all, mm.
const REVERSAL_SPAN_MM: f64 = 1.0;

/// Calls `emit(s, lengthen)` at every distance `s` along `segment` where the cord to `motor`
/// crosses a step boundary, updating `steps` (the motor's position) as it goes.
///
/// Along a straight line the cord length is `L(s) = √((s − s_c)² + d²)`, where `s_c` is the point
/// of closest approach and `d` its distance: shrinking before `s_c`, growing after. The cord
/// crosses the boundary `B` at `s = s_c ∓ √(B² − d²)`.
fn cord_crossings(
    segment: &Segment,
    motor: (f64, f64),
    step: f64,
    steps: &mut i64,
    mut emit: impl FnMut(f64, bool),
) {
    let (fx, fy) = (motor.0 - segment.from.x, motor.1 - segment.from.y);
    let s_c = fx * segment.dir.0 + fy * segment.dir.1;
    let d2 = (fx * fx + fy * fy - s_c * s_c).max(0.0);
    let length_at = |s: f64| ((s - s_c) * (s - s_c) + d2).sqrt();
    let split = s_c.clamp(0.0, segment.length);
    let grown = (length_at(segment.length) / step).round() as i64;
    // Shrinking part: boundaries (p − ½)·step, walking down.
    let mut target = (length_at(split) / step).round() as i64;
    if s_c > 0.0 && s_c < segment.length {
        // The cord turns inside this segment. A boundary it dips below only briefly would be a
        // step back and a step forward moments apart (microseconds, at the very turn): a motor
        // cannot follow that (a 28BYJ-48 needs a millisecond a step), and skipping both leaves
        // the cord at most (span/2)²/(2·distance) — well under a micrometre — too long.
        while target < (*steps).min(grown) {
            let boundary = (target as f64 + 0.5) * step;
            if 2.0 * (boundary * boundary - d2).max(0.0).sqrt() >= REVERSAL_SPAN_MM {
                break;
            }
            target += 1;
        }
    }
    while *steps > target {
        let boundary = (*steps as f64 - 0.5) * step;
        let s = s_c - (boundary * boundary - d2).max(0.0).sqrt();
        emit(s.clamp(0.0, split), false);
        *steps -= 1;
    }
    // Growing part: boundaries (p + ½)·step, walking up.
    let target = grown;
    while *steps < target {
        let boundary = (*steps as f64 + 0.5) * step;
        let s = s_c + (boundary * boundary - d2).max(0.0).sqrt();
        emit(s.clamp(split, segment.length), true);
        *steps += 1;
    }
}

/// Plans speeds along a polyline that starts and ends at rest: per-segment limits, junction
/// speeds by junction deviation, then backward and forward passes so every speed change fits the
/// segment's acceleration.
fn plan_polyline(
    machine: &Machine,
    limits: &Limits,
    points: &[Point],
    kind: MoveLimits,
) -> VecDeque<Segment> {
    let mut segments: Vec<Segment> = points
        .windows(2)
        .enumerate()
        .filter_map(|(point, w)| {
            let length = w[0].distance(w[1]);
            (length > 1e-9).then(|| {
                let dir = ((w[1].x - w[0].x) / length, (w[1].y - w[0].y) / length);
                let (v_max, accel) = segment_limits(machine, limits, kind, w[0], w[1], dir);
                Segment {
                    point,
                    from: w[0],
                    dir,
                    length,
                    v_start: 0.0,
                    v_end: 0.0,
                    v_max,
                    accel,
                }
            })
        })
        .collect();
    let n = segments.len();
    if n == 0 {
        return VecDeque::new();
    }
    // Speed at each junction: 0 at both ends, the corner limit in between.
    let mut v = vec![0.0; n + 1];
    for k in 1..n {
        let (a, b) = (&segments[k - 1], &segments[k]);
        v[k] = junction_speed(
            a.dir,
            b.dir,
            a.accel.min(b.accel),
            limits.junction_deviation,
        )
        .min(a.v_max)
        .min(b.v_max);
    }
    for k in (0..n).rev() {
        let s = &segments[k];
        v[k] = v[k].min((v[k + 1] * v[k + 1] + 2.0 * s.accel * s.length).sqrt());
    }
    for k in 0..n {
        let s = &segments[k];
        v[k + 1] = v[k + 1].min((v[k] * v[k] + 2.0 * s.accel * s.length).sqrt());
    }
    for (k, segment) in segments.iter_mut().enumerate() {
        segment.v_start = v[k];
        segment.v_end = v[k + 1];
    }
    segments.into()
}

/// Grbl's junction deviation: the speed at which a corner between directions `a` and `b` can be
/// taken on a circular arc that deviates `deviation` from the corner, at centripetal `accel`.
fn junction_speed(a: (f64, f64), b: (f64, f64), accel: f64, deviation: f64) -> f64 {
    let cos_theta = -(a.0 * b.0 + a.1 * b.1);
    if cos_theta > 0.999_999 {
        return 0.0; // A full reversal.
    }
    if cos_theta < -0.999_999 {
        return f64::INFINITY; // Straight on.
    }
    let sin_half = (0.5 * (1.0 - cos_theta)).sqrt();
    (accel * deviation * sin_half / (1.0 - sin_half)).sqrt()
}

/// The cruise speed and acceleration allowed on a segment from `from` to `to`.
fn segment_limits(
    machine: &Machine,
    limits: &Limits,
    kind: MoveLimits,
    from: Point,
    to: Point,
    dir: (f64, f64),
) -> (f64, f64) {
    // How fast each cord changes per mm of pen travel, |dL/ds|, is largest at an end of the
    // segment (it is monotonic along a line).
    let mut rate: f64 = 1e-6;
    let mut curvature: f64 = 0.0;
    for p in [from, to] {
        let (l, r) = machine.cords(p);
        let to_left = (-p.x / l, -p.y / l);
        let to_right = ((machine.spacing - p.x) / r, -p.y / r);
        for (u, length) in [(to_left, l), (to_right, r)] {
            let along = -(u.0 * dir.0 + u.1 * dir.1);
            rate = rate.max(along.abs());
            // d²L/ds² = (1 − (dL/ds)²)/L: the cord accelerates even at constant pen speed.
            curvature = curvature.max((1.0 - along * along) / length);
        }
    }
    let v_max = kind.speed.min(limits.cord_speed / rate);
    let cord_accel =
        (limits.cord_accel - curvature * v_max * v_max).max(0.1 * limits.cord_accel) / rate;
    let tension = machine
        .tension_accel_limit(from, dir)
        .min(machine.tension_accel_limit(to, dir))
        .max(1.0);
    (v_max, kind.accel.min(cord_accel).min(tension))
}

/// The shortest time a move of `length` can take at `limits` starting and ending at rest: the
/// physical lower bound the plan is compared with.
pub fn lower_bound_time(length: f64, limits: MoveLimits) -> f64 {
    let (v, a) = (limits.speed, limits.accel);
    if length * a <= v * v {
        2.0 * (length / a).sqrt()
    } else {
        length / v + v / a
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinematics::tests::{example_config, example_machine};

    fn limits() -> Limits {
        Limits::from_config(&example_config())
    }

    #[test]
    fn a_trapezoid_covers_its_length_and_inverts_monotonically() {
        let segment = Segment {
            point: 0,
            from: Point::default(),
            dir: (1.0, 0.0),
            length: 100.0,
            v_start: 5.0,
            v_end: 0.0,
            v_max: 40.0,
            accel: 400.0,
        };
        let profile = Trapezoid::new(&segment);
        // 35/400 s to reach 40 mm/s, 0.1 s to stop, cruise for the rest.
        let s_accel = (40.0f64 * 40.0 - 25.0) / 800.0;
        let s_decel = 1600.0 / 800.0;
        let expected = 35.0 / 400.0 + (100.0 - s_accel - s_decel) / 40.0 + 0.1;
        assert!((profile.t_total - expected).abs() < 1e-12);
        assert!((profile.time_at(100.0) - expected).abs() < 1e-9);
        let mut last = -1.0;
        for i in 0..=1000 {
            let t = profile.time_at(f64::from(i) / 10.0);
            assert!(t > last);
            last = t;
        }
    }

    #[test]
    fn junctions_slow_down_for_sharp_corners_only() {
        let straight = junction_speed((1.0, 0.0), (1.0, 0.0), 400.0, 0.05);
        let right_angle = junction_speed((1.0, 0.0), (0.0, 1.0), 400.0, 0.05);
        let reversal = junction_speed((1.0, 0.0), (-1.0, 0.0), 400.0, 0.05);
        assert!(straight.is_infinite());
        assert!(right_angle > 3.0 && right_angle < 10.0, "{right_angle}");
        assert_eq!(reversal, 0.0);
    }

    #[test]
    fn the_stream_ends_where_the_steps_say_the_pen_is() {
        let machine = example_machine();
        let d = machine.drawable;
        let strokes = vec![
            Stroke::new(vec![
                Point::new(d.left, d.top),
                Point::new(d.right(), d.bottom()),
            ]),
            Stroke::new(vec![
                Point::new(d.left + 10.0, d.bottom()),
                Point::new(d.right(), d.top + 3.0),
            ]),
        ];
        let mut stream = EventStream::new(&machine, limits(), &strokes);
        let (mut left, mut right) = stream.steps();
        let mut last = Instant::ZERO;
        let mut pens = Vec::new();
        for event in stream.by_ref() {
            assert!(event.at() >= last, "events out of order");
            last = event.at();
            match event {
                Event::Step(step) => {
                    let delta = if step.lengthen { 1 } else { -1 };
                    match step.motor {
                        Motor::Left => left += delta,
                        Motor::Right => right += delta,
                    }
                }
                Event::Pen { down, .. } => pens.push(down),
            }
        }
        let end = Point::new(d.right(), d.top + 3.0);
        let (l, r) = machine.cords(end);
        assert_eq!((left, right), (machine.steps(l), machine.steps(r)));
        assert_eq!(stream.steps(), (left, right));
        assert_eq!(pens, vec![true, false, true, false]);
    }
}
