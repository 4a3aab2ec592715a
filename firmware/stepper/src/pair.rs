//! Two motors moved at the same instants: what a plotter's executor drives, whichever the
//! motors are (step/dir driver chips, or 28BYJ-48s on ULN2003 boards).

use std::time::Duration;

use atelier_hal::{Clock, SetTogether};
use embedded_hal::digital::OutputPin;

use crate::{Enable, StepDir, Timing, Uln2003, step_together};

/// A pair of motors stepped together.
pub trait MotorPair {
    /// What a failing pin says.
    type Error: std::fmt::Debug;

    /// One step of each motor that has a direction (`true`: forward), at one instant; returns
    /// the skew between the two motors' steps.
    fn step<C: Clock>(
        &mut self,
        moves: [Option<bool>; 2],
        clock: &C,
    ) -> Result<Duration, Self::Error>;

    /// Powers both motors: they hold their position.
    fn hold(&mut self) -> Result<(), Self::Error>;

    /// Unpowers both motors (a hanging load may move).
    fn release(&mut self) -> Result<(), Self::Error>;

    /// Whether they are powered.
    fn holding(&self) -> bool;
}

/// Two motors on step/dir driver chips, with the drivers' shared ENABLE line if wired.
#[derive(Debug)]
pub struct StepDirPair<S, D, P> {
    /// The left (first) motor.
    pub left: StepDir<S, D>,
    /// The right (second) motor.
    pub right: StepDir<S, D>,
    /// The chips' timing.
    pub timing: Timing,
    /// The shared ENABLE line.
    pub enable: Option<Enable<P>>,
}

impl<S, D, P, E> MotorPair for StepDirPair<S, D, P>
where
    S: SetTogether<Error = E>,
    D: OutputPin<Error = E>,
    P: OutputPin<Error = E>,
    E: std::fmt::Debug,
{
    type Error = E;

    fn step<C: Clock>(&mut self, moves: [Option<bool>; 2], clock: &C) -> Result<Duration, E> {
        step_together(
            &mut [(&mut self.left, moves[0]), (&mut self.right, moves[1])],
            self.timing,
            clock,
        )
    }

    fn hold(&mut self) -> Result<(), E> {
        self.enable.as_mut().map_or(Ok(()), Enable::hold)
    }

    fn release(&mut self) -> Result<(), E> {
        self.enable.as_mut().map_or(Ok(()), Enable::release)
    }

    fn holding(&self) -> bool {
        self.enable.as_ref().is_none_or(Enable::holding)
    }
}

/// Two 28BYJ-48s on ULN2003 boards, half-stepping.
#[derive(Debug)]
pub struct Uln2003Pair<P> {
    /// The left (first) motor.
    pub left: Uln2003<P>,
    /// The right (second) motor.
    pub right: Uln2003<P>,
}

impl<P: OutputPin> MotorPair for Uln2003Pair<P> {
    type Error = P::Error;

    fn step<C: Clock>(
        &mut self,
        moves: [Option<bool>; 2],
        clock: &C,
    ) -> Result<Duration, P::Error> {
        let mut first = None;
        let mut last = None;
        for (motor, forward) in [(&mut self.left, moves[0]), (&mut self.right, moves[1])] {
            if let Some(forward) = forward {
                motor.step(forward)?;
                let now = clock.now();
                first.get_or_insert(now);
                last = Some(now);
            }
        }
        Ok(match (first, last) {
            (Some(first), Some(last)) => last.saturating_since(first),
            _ => Duration::ZERO,
        })
    }

    fn hold(&mut self) -> Result<(), P::Error> {
        self.left.hold()?;
        self.right.hold()
    }

    fn release(&mut self) -> Result<(), P::Error> {
        self.left.release_coils()?;
        self.right.release_coils()
    }

    fn holding(&self) -> bool {
        self.left.energised() && self.right.energised()
    }
}
