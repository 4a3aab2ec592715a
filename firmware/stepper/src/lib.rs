//! Stepper motors on step/dir driver chips (A4988, DRV8825, TMC2208 in step/dir mode), and the
//! 28BYJ-48 on a ULN2003 board ([`Uln2003`], half-stepping).
//!
//! [`StepDir`] owns a motor's STEP and DIR pins and a [`Clock`]: it sets DIR only when the
//! direction changes and then waits the chip's setup time, and holds each STEP pulse for the
//! chip's minimum width. [`step_together`] steps two motors at one instant with one setup wait
//! and one pulse width, so the cords of a polargraph move together. [`Enable`] drives the shared
//! ENABLE line (active low) and releases the motors only when told.
//!
//! Generic over embedded-hal 1.0 [`OutputPin`] and Atelier's [`Clock`], so the same code runs
//! on a Pi (rppal, GPIO character device) and on the simulator, where a driver-chip model checks
//! every edge against the datasheet.
//!
//! # For driver authors
//! Timing is in [`Timing`]; [`Timing::for_chip`] gives each chip's datasheet minimum with a
//! margin. A config may ask for longer pulses (long wires, opto-isolated drivers), never shorter.

mod pair;
mod uln2003;

pub use pair::{MotorPair, StepDirPair, Uln2003Pair};
pub use uln2003::{HALF_STEPS, Uln2003};

use std::time::Duration;

use atelier_hal::{Clock, SetTogether};
use embedded_hal::digital::OutputPin;
use serde::{Deserialize, Serialize};

/// The driver chips whose timing is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Chip {
    /// Allegro A4988.
    A4988,
    /// TI DRV8825.
    Drv8825,
    /// Trinamic TMC2208 (and TMC2209) in step/dir mode.
    Tmc2208,
}

/// How long STEP stays high and how long DIR must settle before a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// STEP high time (the low time between pulses is at least as long).
    pub pulse: Duration,
    /// Wait after changing DIR before the next STEP rises.
    pub dir_setup: Duration,
}

impl Timing {
    /// The chip's datasheet minimum, doubled: GPIO edges on a Pi are not exact.
    pub fn for_chip(chip: Chip) -> Timing {
        let (pulse_ns, setup_ns) = match chip {
            Chip::A4988 => (1_000, 200),
            Chip::Drv8825 => (1_900, 650),
            Chip::Tmc2208 => (100, 20),
        };
        Timing {
            pulse: Duration::from_nanos(2 * pulse_ns),
            dir_setup: Duration::from_nanos(2 * setup_ns),
        }
    }
}

/// One motor's STEP and DIR pins.
#[derive(Debug)]
pub struct StepDir<S, D> {
    step: S,
    dir: D,
    /// The DIR level that moves the motor forward (wiring and mounting decide).
    forward_high: bool,
    /// The direction DIR is set to, once set.
    forward: Option<bool>,
}

impl<S, D, E> StepDir<S, D>
where
    S: OutputPin<Error = E>,
    D: OutputPin<Error = E>,
{
    /// A motor on `step` and `dir`; `forward_high` is the DIR level that turns it forward.
    /// STEP is driven low at once.
    pub fn new(mut step: S, dir: D, forward_high: bool) -> Result<Self, E> {
        step.set_low()?;
        Ok(StepDir {
            step,
            dir,
            forward_high,
            forward: None,
        })
    }

    /// Sets DIR for a step `forward` (or back); whether the level changed, in which case the
    /// caller waits the setup time before the step.
    fn aim(&mut self, forward: bool) -> Result<bool, E> {
        if self.forward == Some(forward) {
            return Ok(false);
        }
        self.dir.set_state((forward == self.forward_high).into())?;
        self.forward = Some(forward);
        Ok(true)
    }

    /// One step, forward or back: DIR (and its setup time when it changed), then a STEP pulse
    /// of the timing's width, and as long again low before the next.
    pub fn step<C: Clock>(&mut self, forward: bool, timing: Timing, clock: &C) -> Result<(), E> {
        if self.aim(forward)? {
            clock.sleep(timing.dir_setup);
        }
        self.step.set_high()?;
        clock.sleep(timing.pulse);
        self.step.set_low()?;
        clock.sleep(timing.pulse);
        Ok(())
    }

    /// The pins back.
    pub fn release(self) -> (S, D) {
        (self.step, self.dir)
    }
}

/// Steps the motors that have a direction in `moves` at one instant: every DIR first (one
/// setup wait if any changed), then every STEP high, one pulse width, every STEP low.
///
/// Two STEP lines go high in one write where the board can ([`SetTogether`]: the GPIO
/// character device), else back to back, as close as two GPIO writes. Returns the skew, the
/// time from the first STEP rising to the last by `clock`: zero for one write, for a single
/// motor, and on a virtual clock.
pub fn step_together<S, D, E, C>(
    moves: &mut [(&mut StepDir<S, D>, Option<bool>)],
    timing: Timing,
    clock: &C,
) -> Result<std::time::Duration, E>
where
    S: SetTogether<Error = E>,
    D: OutputPin<Error = E>,
    C: Clock,
{
    let mut changed = false;
    for (motor, forward) in moves.iter_mut() {
        if let Some(forward) = *forward {
            changed |= motor.aim(forward)?;
        }
    }
    if changed {
        clock.sleep(timing.dir_setup);
    }
    if let [(a, Some(_)), (b, Some(_))] = moves
        && S::set_together(&mut [&mut a.step, &mut b.step], true)?
    {
        clock.sleep(timing.pulse);
        if !S::set_together(&mut [&mut a.step, &mut b.step], false)? {
            a.step.set_low()?;
            b.step.set_low()?;
        }
        clock.sleep(timing.pulse);
        return Ok(std::time::Duration::ZERO);
    }
    let mut first_rise = None;
    let mut last_rise = None;
    for (motor, forward) in moves.iter_mut() {
        if forward.is_some() {
            motor.step.set_high()?;
            let now = clock.now();
            first_rise.get_or_insert(now);
            last_rise = Some(now);
        }
    }
    clock.sleep(timing.pulse);
    for (motor, forward) in moves.iter_mut() {
        if forward.is_some() {
            motor.step.set_low()?;
        }
    }
    clock.sleep(timing.pulse);
    Ok(match (first_rise, last_rise) {
        (Some(first), Some(last)) => last.saturating_since(first),
        _ => std::time::Duration::ZERO,
    })
}

/// The drivers' shared ENABLE line, active low: motors hold their position while enabled.
#[derive(Debug)]
pub struct Enable<P> {
    pin: P,
    enabled: bool,
}

impl<P: OutputPin> Enable<P> {
    /// The line, driven high (motors released) until [`Enable::hold`].
    pub fn new(mut pin: P) -> Result<Self, P::Error> {
        pin.set_high()?;
        Ok(Enable {
            pin,
            enabled: false,
        })
    }

    /// Powers the motors: they hold position.
    pub fn hold(&mut self) -> Result<(), P::Error> {
        self.pin.set_low()?;
        self.enabled = true;
        Ok(())
    }

    /// Releases the motors (a gondola may drop: only when no job is running or paused).
    pub fn release(&mut self) -> Result<(), P::Error> {
        self.pin.set_high()?;
        self.enabled = false;
        Ok(())
    }

    /// Whether the motors are powered.
    pub fn holding(&self) -> bool {
        self.enabled
    }
}
