//! Playing a motion plan onto the motors and the pen, on a clock.
//!
//! The planner has already worked out the time of every step (Klipper's split: the host does
//! the maths, the timed part only times). The executor sleeps until each event, steps the
//! motors of one instant together, and measures how late every event was. A late event shifts
//! the rest of the schedule by its lateness, so the motion keeps its shape and nothing is sent
//! in a catch-up burst; an event later than the bound stops the plot with the pen up, the way
//! Klipper refuses "timer too close", instead of drawing a distorted line.

use std::time::Duration;

use atelier_hal::{Clock, SetTogether};
use atelier_servo::{PenLift, ServoDrive};
use atelier_stepper::{MotorPair, StepDir, StepDirPair, Timing};
use embedded_hal::digital::OutputPin;

use crate::motion::Event;

/// How late an event may be before the plot stops: a step this late has already bent the line.
pub const DEFAULT_LATE_BOUND: Duration = Duration::from_millis(20);

/// How far ahead of now a plot's schedule starts.
pub const START_LEAD: Duration = Duration::from_millis(5);

/// A distribution of short durations (event lateness, step skew), counted in 10 000 buckets of
/// a fixed width (a plot has millions of events: no list).
#[derive(Clone, Debug)]
pub struct Lateness {
    bucket: Duration,
    buckets: Vec<u64>,
    beyond: u64,
    max: Duration,
    count: u64,
}

const BUCKETS: usize = 10_001;

impl Default for Lateness {
    /// 1 µs buckets, up to 10 ms: for lateness.
    fn default() -> Self {
        Lateness::with_resolution(Duration::from_micros(1))
    }
}

impl Lateness {
    /// Buckets `bucket` wide (10 ns for the skew between two GPIO writes).
    pub fn with_resolution(bucket: Duration) -> Self {
        Lateness {
            bucket: bucket.max(Duration::from_nanos(1)),
            buckets: vec![0; BUCKETS],
            beyond: 0,
            max: Duration::ZERO,
            count: 0,
        }
    }

    fn record(&mut self, late: Duration) {
        self.count += 1;
        self.max = self.max.max(late);
        match usize::try_from(late.as_nanos() / self.bucket.as_nanos()) {
            Ok(index) if index < BUCKETS => self.buckets[index] += 1,
            _ => self.beyond += 1,
        }
    }

    /// Durations measured.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The longest.
    pub fn max(&self) -> Duration {
        self.max
    }

    /// The duration that a share `q` (0–1) of those measured did not exceed, to the bucket
    /// (beyond the last bucket: the maximum).
    pub fn quantile(&self, q: f64) -> Duration {
        let wanted = ((self.count as f64) * q.clamp(0.0, 1.0)).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (index, &n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= wanted {
                return self.bucket * index as u32;
            }
        }
        self.max
    }
}

/// Why a plot stopped before its end.
#[derive(Debug, thiserror::Error)]
pub enum Stopped {
    /// An event came later than the bound: the plot stopped with the pen up.
    #[error(
        "event {event} came {} ms late (the bound is {} ms): stopped with the pen up rather than draw a bent line",
        late.as_secs_f64() * 1000.0,
        bound.as_secs_f64() * 1000.0
    )]
    TooLate {
        /// Its index in the plan.
        event: u64,
        /// How late.
        late: Duration,
        /// The bound.
        bound: Duration,
    },
    /// A pin or the servo failed.
    #[error("{0}")]
    Hardware(String),
    /// The observer asked to stop (a pause, a signal): the pen is up.
    #[error("stopped as asked after {events} events, the pen up")]
    Asked {
        /// Events played.
        events: u64,
    },
}

/// Whether to go on after an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Play the next event.
    Go,
    /// Lift the pen and stop.
    Stop,
}

/// What a finished plot measured.
#[derive(Clone, Debug)]
pub struct Played {
    /// Events played.
    pub events: u64,
    /// How late they were.
    pub lateness: Lateness,
    /// Between the two STEP rising edges of instants where both motors step: zero where one
    /// write sets both lines (the GPIO character device, the simulator), two writes back to
    /// back through rppal.
    pub skew: Lateness,
    /// How much later than planned the plot ended (the sum of the shifts).
    pub shifted: Duration,
}

/// The motors, the pen and the clock of one plotter.
#[derive(Debug)]
pub struct Executor<M, P, C> {
    motors: M,
    pen: PenLift<P, C>,
    clock: C,
    late_bound: Duration,
}

impl<S, D, E, P, C> Executor<StepDirPair<S, D, S>, P, C>
where
    S: SetTogether<Error = E>,
    D: OutputPin<Error = E>,
    E: std::fmt::Debug,
    P: ServoDrive,
    C: Clock,
{
    /// Step/dir motors driven forward to lengthen their cords (no ENABLE line), the pen lift,
    /// the clock, the drivers' timing and the lateness bound.
    pub fn new(
        left: StepDir<S, D>,
        right: StepDir<S, D>,
        pen: PenLift<P, C>,
        clock: C,
        timing: Timing,
        late_bound: Duration,
    ) -> Self {
        let motors = StepDirPair {
            left,
            right,
            timing,
            enable: None,
        };
        Executor::with_motors(motors, pen, clock, late_bound)
    }
}

impl<M, P, C> Executor<M, P, C>
where
    M: MotorPair,
    P: ServoDrive,
    C: Clock,
{
    /// Any pair of motors (stepping forward lengthens a cord), the pen lift, the clock and the
    /// lateness bound.
    pub fn with_motors(motors: M, pen: PenLift<P, C>, clock: C, late_bound: Duration) -> Self {
        Executor {
            motors,
            pen,
            clock,
            late_bound,
        }
    }

    /// The motors, to power or release them.
    pub fn motors_mut(&mut self) -> &mut M {
        &mut self.motors
    }

    /// The motors.
    pub fn motors(&self) -> &M {
        &self.motors
    }

    /// Plays `events` from now: each at its planned time after the start, plus whatever
    /// earlier events were late.
    pub fn play(&mut self, events: impl IntoIterator<Item = Event>) -> Result<Played, Stopped> {
        self.play_observed(events.into_iter().map(|e| (e, ())), |_, _| Control::Go)
    }

    /// Plays `events` like [`Executor::play`], each with a mark (a place in the drawing) that
    /// `observe` hears with the number of events played once the event (and any step of the
    /// other motor at the same instant) is done. When it answers [`Control::Stop`], the plot stops
    /// there, the pen lifted.
    pub fn play_observed<K>(
        &mut self,
        events: impl IntoIterator<Item = (Event, K)>,
        mut observe: impl FnMut(u64, &K) -> Control,
    ) -> Result<Played, Stopped> {
        let mut events = events.into_iter().peekable();
        // The first event is planned before the clock starts, and the schedule starts a little
        // ahead, so that the start itself is never late.
        let _ = events.peek();
        let origin = self.clock.now() + START_LEAD;
        let mut shift = Duration::ZERO;
        let mut lateness = Lateness::default();
        let mut skews = Lateness::with_resolution(Duration::from_nanos(10));
        let mut index = 0u64;
        let hardware = |e: &dyn std::fmt::Debug| Stopped::Hardware(format!("{e:?}"));
        while let Some((event, mut mark)) = events.next() {
            let due = origin + event.at().since_start() + shift;
            self.clock.sleep_until(due);
            let late = self.clock.now().saturating_since(due);
            lateness.record(late);
            if late > self.late_bound {
                // Never leave the pen on the paper where the line went wrong.
                let _ = self.pen.command(false);
                return Err(Stopped::TooLate {
                    event: index,
                    late,
                    bound: self.late_bound,
                });
            }
            shift += late;
            match event {
                Event::Pen { down, .. } => {
                    self.pen.command(down).map_err(|e| hardware(&e))?;
                    if !down {
                        atelier_config::failpoint("executor:pen-up");
                    }
                }
                Event::Step(step) => {
                    // The other motor's step at the same instant goes in the same pulse.
                    let mut moves: [Option<bool>; 2] = [None, None];
                    moves[step.motor.index()] = Some(step.lengthen);
                    if let Some((Event::Step(next), _)) = events.peek()
                        && next.at == step.at
                        && next.motor != step.motor
                    {
                        moves[next.motor.index()] = Some(next.lengthen);
                        if let Some((_, next_mark)) = events.next() {
                            mark = next_mark;
                        }
                        index += 1;
                    }
                    let skew = self
                        .motors
                        .step(moves, &self.clock)
                        .map_err(|e| hardware(&e))?;
                    if moves[0].is_some() && moves[1].is_some() {
                        skews.record(skew);
                    }
                }
            }
            index += 1;
            if observe(index, &mark) == Control::Stop {
                self.pen.up().map_err(|e| hardware(&e))?;
                return Err(Stopped::Asked { events: index });
            }
        }
        // A finished plot leaves the pen off the paper.
        self.pen.up().map_err(|e| hardware(&e))?;
        Ok(Played {
            events: index,
            lateness,
            skew: skews,
            shifted: shift,
        })
    }

    /// Lifts the pen and waits until it is clear of the paper.
    pub fn pen_up(&mut self) -> Result<(), Stopped> {
        self.pen
            .up()
            .map_err(|e| Stopped::Hardware(format!("{e:?}")))
    }

    /// The pen lift, to move the pen outside a plot.
    pub fn pen_mut(&mut self) -> &mut PenLift<P, C> {
        &mut self.pen
    }

    /// The clock the executor runs on.
    pub fn clock(&self) -> &C {
        &self.clock
    }
}
