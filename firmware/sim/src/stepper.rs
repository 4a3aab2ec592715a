//! A stepper driver in step/dir mode (A4988, DRV8825, TMC2208) as its pins see it: one step on
//! each rising edge of STEP, in the direction DIR says at that instant, only while ENABLE is
//! low. The datasheet timings are checked on every edge; a pulse too short for the chip is not
//! taken (a lost step, as on the bench), and every broken rule is recorded.
//!
//! The model listens to the output lines the firmware drives, so it checks the real driver code
//! and shares nothing with it.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use atelier_hal::Instant;

use crate::SimBoard;

/// What a driver chip needs on its pins (its datasheet's timing table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepDirSpec {
    /// The chip's name, for messages.
    pub chip: &'static str,
    /// Shortest STEP high time.
    pub min_high: Duration,
    /// Shortest STEP low time between pulses.
    pub min_low: Duration,
    /// DIR must be stable this long before STEP rises.
    pub dir_setup: Duration,
    /// DIR must stay stable this long after STEP rises.
    pub dir_hold: Duration,
}

impl StepDirSpec {
    /// Allegro A4988: 1 µs high, 1 µs low, 200 ns setup and hold.
    pub const A4988: StepDirSpec = StepDirSpec {
        chip: "A4988",
        min_high: Duration::from_nanos(1_000),
        min_low: Duration::from_nanos(1_000),
        dir_setup: Duration::from_nanos(200),
        dir_hold: Duration::from_nanos(200),
    };
    /// TI DRV8825: 1.9 µs high, 1.9 µs low, 650 ns setup and hold.
    pub const DRV8825: StepDirSpec = StepDirSpec {
        chip: "DRV8825",
        min_high: Duration::from_nanos(1_900),
        min_low: Duration::from_nanos(1_900),
        dir_setup: Duration::from_nanos(650),
        dir_hold: Duration::from_nanos(650),
    };
    /// Trinamic TMC2208 in step/dir mode: 100 ns high and low, 20 ns setup and hold.
    pub const TMC2208: StepDirSpec = StepDirSpec {
        chip: "TMC2208",
        min_high: Duration::from_nanos(100),
        min_low: Duration::from_nanos(100),
        dir_setup: Duration::from_nanos(20),
        dir_hold: Duration::from_nanos(20),
    };
}

/// A rule of the chip that the pins broke.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepViolation {
    /// STEP was high for less than the chip needs: the step was lost.
    PulseTooShort {
        /// When STEP fell.
        at: Instant,
        /// How long it was high.
        high: Duration,
    },
    /// STEP rose again too soon after it fell.
    GapTooShort {
        /// When STEP rose.
        at: Instant,
        /// How long it was low.
        low: Duration,
    },
    /// DIR changed too shortly before STEP rose: the step may go either way.
    DirSetupTooShort {
        /// When STEP rose.
        at: Instant,
        /// How long DIR had been stable.
        setup: Duration,
    },
    /// DIR changed too soon after STEP rose.
    DirHoldTooShort {
        /// When DIR changed.
        at: Instant,
    },
    /// STEP rose while the driver was disabled: the motor did not move.
    StepWhileDisabled {
        /// When STEP rose.
        at: Instant,
    },
}

/// Violations kept in full; beyond this only counted (a plot has millions of steps).
const KEPT_VIOLATIONS: usize = 100;

#[derive(Debug)]
struct DriverState {
    spec: StepDirSpec,
    position: i64,
    steps_taken: u64,
    step_high: bool,
    step_rose_at: Option<Instant>,
    step_fell_at: Option<Instant>,
    /// Whether the step being held counts (it is undone if the pulse turns out too short).
    pending: i64,
    dir_high: bool,
    dir_changed_at: Instant,
    enabled: bool,
    violations: Vec<StepViolation>,
    violation_count: u64,
}

impl DriverState {
    fn flag(&mut self, violation: StepViolation) {
        self.violation_count += 1;
        if self.violations.len() < KEPT_VIOLATIONS {
            self.violations.push(violation);
        }
    }

    fn on_step(&mut self, at: Instant, high: bool) {
        if high == self.step_high {
            return;
        }
        self.step_high = high;
        if high {
            if let Some(fell) = self.step_fell_at
                && at - fell < self.spec.min_low
            {
                self.flag(StepViolation::GapTooShort { at, low: at - fell });
            }
            let setup = at - self.dir_changed_at;
            if setup < self.spec.dir_setup && self.dir_changed_at > Instant::ZERO {
                self.flag(StepViolation::DirSetupTooShort { at, setup });
            }
            self.step_rose_at = Some(at);
            if !self.enabled {
                self.flag(StepViolation::StepWhileDisabled { at });
                self.pending = 0;
                return;
            }
            self.pending = if self.dir_high { 1 } else { -1 };
            self.position += self.pending;
        } else {
            self.step_fell_at = Some(at);
            if let Some(rose) = self.step_rose_at {
                let held = at - rose;
                if held < self.spec.min_high {
                    self.flag(StepViolation::PulseTooShort { at, high: held });
                    self.position -= self.pending;
                    self.pending = 0;
                }
            }
            if self.pending != 0 {
                self.steps_taken += 1;
            }
            self.pending = 0;
        }
    }

    fn on_dir(&mut self, at: Instant, high: bool) {
        if high == self.dir_high {
            return;
        }
        if self.step_high
            && let Some(rose) = self.step_rose_at
            && at - rose < self.spec.dir_hold
        {
            self.flag(StepViolation::DirHoldTooShort { at });
        }
        self.dir_high = high;
        self.dir_changed_at = at;
    }
}

/// One stepper driver wired to three GPIOs of a simulated board; clones share it.
#[derive(Clone, Debug)]
pub struct StepperDriverModel {
    state: Arc<Mutex<DriverState>>,
}

impl StepperDriverModel {
    /// A `spec` driver on `step`, `dir` and (active low) `enable`, or always enabled without
    /// one. Attach it before the firmware drives the pins, as a wire is soldered before power.
    pub fn attach(
        sim: &SimBoard,
        step: u8,
        dir: u8,
        enable: Option<u8>,
        spec: StepDirSpec,
    ) -> StepperDriverModel {
        let dir_line = sim.output_line(dir);
        let state = Arc::new(Mutex::new(DriverState {
            spec,
            position: 0,
            steps_taken: 0,
            step_high: sim.output_line(step).level(),
            step_rose_at: None,
            step_fell_at: None,
            pending: 0,
            dir_high: dir_line.level(),
            dir_changed_at: Instant::ZERO,
            enabled: enable.is_none_or(|pin| !sim.output_line(pin).level()),
            violations: Vec::new(),
            violation_count: 0,
        }));
        let model = StepperDriverModel { state };
        let listen = |model: &StepperDriverModel| Arc::clone(&model.state);
        let on_step = listen(&model);
        sim.output_line(step)
            .on_change(move |at, high| lock(&on_step).on_step(at, high));
        let on_dir = listen(&model);
        dir_line.on_change(move |at, high| lock(&on_dir).on_dir(at, high));
        if let Some(enable) = enable {
            let on_enable = listen(&model);
            sim.output_line(enable)
                .on_change(move |_, high| lock(&on_enable).enabled = !high);
        }
        model
    }

    fn lock(&self) -> MutexGuard<'_, DriverState> {
        lock(&self.state)
    }

    /// Steps taken, forward (DIR high) minus back.
    pub fn position(&self) -> i64 {
        self.lock().position
    }

    /// Steps taken in either direction.
    pub fn steps_taken(&self) -> u64 {
        self.lock().steps_taken
    }

    /// Whether the motor is powered (ENABLE low).
    pub fn enabled(&self) -> bool {
        self.lock().enabled
    }

    /// The first broken rules (up to 100).
    pub fn violations(&self) -> Vec<StepViolation> {
        self.lock().violations.clone()
    }

    /// How many rules were broken in all.
    pub fn violation_count(&self) -> u64 {
        self.lock().violation_count
    }
}

/// The half-step coil patterns of a unipolar motor, IN1 to IN4 as bits 0 to 3, in the order
/// that turns it forward (the model's own table; the driver keeps another).
const COIL_SEQUENCE: [u8; 8] = [1, 3, 2, 6, 4, 12, 8, 9];

/// What went wrong on a ULN2003's coil lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CoilViolation {
    /// A pattern that is no phase of the sequence (two opposite coils, three coils…).
    IllegalPattern {
        /// When.
        at: Instant,
        /// IN1..IN4 as bits 0..3.
        pattern: u8,
    },
    /// A jump between phases that are not neighbours: the rotor may go either way or stay.
    LostStep {
        /// When.
        at: Instant,
        /// The pattern before.
        from: u8,
        /// The pattern after.
        to: u8,
    },
    /// A step sooner after the last than the motor can follow.
    TooFast {
        /// When.
        at: Instant,
        /// Since the step before.
        interval: Duration,
    },
}

#[derive(Debug)]
struct CoilState {
    pattern: u8,
    /// The last phase the rotor was pulled to (kept while the coils are off).
    phase: Option<usize>,
    position: i64,
    last_step_at: Option<Instant>,
    min_interval: Duration,
    violations: Vec<CoilViolation>,
    violation_count: u64,
}

impl CoilState {
    fn flag(&mut self, violation: CoilViolation) {
        self.violation_count += 1;
        if self.violations.len() < KEPT_VIOLATIONS {
            self.violations.push(violation);
        }
    }

    fn on_line(&mut self, at: Instant, line: usize, high: bool) {
        let before = self.pattern;
        if high {
            self.pattern |= 1 << line;
        } else {
            self.pattern &= !(1 << line);
        }
        if self.pattern == before || self.pattern == 0 {
            return;
        }
        let Some(phase) = COIL_SEQUENCE.iter().position(|&p| p == self.pattern) else {
            self.flag(CoilViolation::IllegalPattern {
                at,
                pattern: self.pattern,
            });
            return;
        };
        let Some(last) = self.phase else {
            self.phase = Some(phase);
            return;
        };
        let delta = match (phase + 8 - last) % 8 {
            0 => 0,
            1 => 1,
            7 => -1,
            _ => {
                self.flag(CoilViolation::LostStep {
                    at,
                    from: COIL_SEQUENCE[last],
                    to: self.pattern,
                });
                self.phase = Some(phase);
                return;
            }
        };
        self.phase = Some(phase);
        if delta == 0 {
            return;
        }
        if let Some(last_at) = self.last_step_at
            && at - last_at < self.min_interval
        {
            self.flag(CoilViolation::TooFast {
                at,
                interval: at - last_at,
            });
        }
        self.last_step_at = Some(at);
        self.position += delta;
    }
}

/// A 28BYJ-48 on a ULN2003 board wired to four GPIOs of a simulated board: it turns one
/// half-step each time the coil pattern moves to a neighbouring phase, and flags patterns
/// that are not phases, jumps that skip one, and steps faster than `min_interval`.
#[derive(Clone, Debug)]
pub struct Uln2003Model {
    state: Arc<Mutex<CoilState>>,
}

impl Uln2003Model {
    /// The motor on IN1..IN4 = `coils`; about 1 ms between half-steps is what a 28BYJ-48 on
    /// 5 V follows.
    pub fn attach(sim: &SimBoard, coils: [u8; 4], min_interval: Duration) -> Uln2003Model {
        let pattern = coils
            .iter()
            .enumerate()
            .map(|(line, &pin)| u8::from(sim.output_line(pin).level()) << line)
            .sum();
        let state = Arc::new(Mutex::new(CoilState {
            pattern,
            phase: COIL_SEQUENCE.iter().position(|&p| p == pattern),
            position: 0,
            last_step_at: None,
            min_interval,
            violations: Vec::new(),
            violation_count: 0,
        }));
        for (line, &pin) in coils.iter().enumerate() {
            let state = Arc::clone(&state);
            sim.output_line(pin).on_change(move |at, high| {
                state
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .on_line(at, line, high);
            });
        }
        Uln2003Model { state }
    }

    fn lock(&self) -> MutexGuard<'_, CoilState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Half-steps turned, forward minus back.
    pub fn position(&self) -> i64 {
        self.lock().position
    }

    /// The first broken rules (up to 100).
    pub fn violations(&self) -> Vec<CoilViolation> {
        self.lock().violations.clone()
    }

    /// How many rules were broken in all.
    pub fn violation_count(&self) -> u64 {
        self.lock().violation_count
    }
}

fn lock(state: &Mutex<DriverState>) -> MutexGuard<'_, DriverState> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use atelier_hal::Clock as _;
    use embedded_hal::digital::OutputPin as _;

    fn ns(n: u64) -> Duration {
        Duration::from_nanos(n)
    }

    #[test]
    fn rising_edges_step_in_the_direction_dir_says_and_bad_timing_is_flagged() {
        let sim = SimBoard::new();
        let model = StepperDriverModel::attach(&sim, 5, 6, Some(26), StepDirSpec::A4988);
        let (mut step, mut dir, mut enable) = (
            sim.output(5, "step").expect("pin"),
            sim.output(6, "dir").expect("pin"),
            sim.output(26, "enable").expect("pin"),
        );
        let clock = sim.clock();
        enable.set_low().expect("sim");
        dir.set_high().expect("sim");
        clock.sleep(ns(1_000));
        for _ in 0..3 {
            step.set_high().expect("sim");
            clock.sleep(ns(1_500));
            step.set_low().expect("sim");
            clock.sleep(ns(1_500));
        }
        assert_eq!((model.position(), model.violation_count()), (3, 0));

        // DIR flipped 50 ns before the step, and a 400 ns pulse: both flagged, the step lost.
        dir.set_low().expect("sim");
        clock.sleep(ns(50));
        step.set_high().expect("sim");
        clock.sleep(ns(400));
        step.set_low().expect("sim");
        let violations = model.violations();
        assert!(matches!(
            violations[0],
            StepViolation::DirSetupTooShort { .. }
        ));
        assert!(matches!(violations[1], StepViolation::PulseTooShort { .. }));
        assert_eq!((model.position(), model.steps_taken()), (3, 3));

        // Disabled: no motion, flagged.
        enable.set_high().expect("sim");
        clock.sleep(ns(2_000));
        step.set_high().expect("sim");
        clock.sleep(ns(2_000));
        step.set_low().expect("sim");
        assert_eq!(model.position(), 3);
        assert!(matches!(
            model.violations().last(),
            Some(StepViolation::StepWhileDisabled { .. })
        ));
    }
}
