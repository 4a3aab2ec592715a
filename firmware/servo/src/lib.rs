//! A hobby servo (SG90, MG90S) on a PWM channel, and the polargraph's pen lift built on it.
//!
//! [`Servo`] turns angles into pulse widths on any embedded-hal [`SetDutyCycle`] channel: the
//! Pi's hardware PWM, software PWM on a plain GPIO, or the simulator. [`PenLift`] moves it to
//! the configured up or down angle and waits the configured settle time on the run's
//! [`Clock`], so no ink is laid while the pen is still travelling.

use std::time::Duration;

use atelier_hal::Clock;
use embedded_hal::pwm::SetDutyCycle;

/// The pulse widths a servo takes for its end positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PulseRange {
    /// The pulse for 0°.
    pub zero: Duration,
    /// The pulse for 180°.
    pub full: Duration,
}

impl PulseRange {
    /// What SG90-class servos take: 0.5 ms to 2.5 ms.
    pub const SG90: PulseRange = PulseRange {
        zero: Duration::from_micros(500),
        full: Duration::from_micros(2_500),
    };
}

/// A servo on a PWM channel whose period is `period` (20 ms, 50 Hz, for hobby servos).
#[derive(Debug)]
pub struct Servo<P> {
    pwm: P,
    period: Duration,
    range: PulseRange,
}

impl<P: SetDutyCycle> Servo<P> {
    /// A servo on `pwm`, which runs at `period`.
    pub fn new(pwm: P, period: Duration, range: PulseRange) -> Servo<P> {
        Servo { pwm, period, range }
    }

    /// Turns to `degrees` (0–180; outside is clamped: a servo driven past its stops burns).
    pub fn set_angle(&mut self, degrees: f64) -> Result<(), P::Error> {
        let fraction = (degrees / 180.0).clamp(0.0, 1.0);
        let span = self.range.full.as_secs_f64() - self.range.zero.as_secs_f64();
        let pulse = self.range.zero.as_secs_f64() + fraction * span;
        let duty = (pulse / self.period.as_secs_f64()).clamp(0.0, 1.0);
        let max = f64::from(self.pwm.max_duty_cycle());
        self.pwm.set_duty_cycle((duty * max).round() as u16)
    }

    /// Stops the pulses: the servo goes limp and quiet.
    pub fn off(&mut self) -> Result<(), P::Error> {
        self.pwm.set_duty_cycle_fully_off()
    }

    /// The channel back.
    pub fn release(self) -> P {
        self.pwm
    }
}

/// Where the pen is, and how long the servo takes to get it there.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PenPositions {
    /// The servo angle with the pen off the paper.
    pub up_angle: f64,
    /// The servo angle with the pen on the paper.
    pub down_angle: f64,
    /// Wait after lifting before moving.
    pub up_settle: Duration,
    /// Wait after lowering before drawing.
    pub down_settle: Duration,
}

/// The pen lift: a servo and the clock its settle times are waited on.
#[derive(Debug)]
pub struct PenLift<P, C> {
    servo: Servo<P>,
    clock: C,
    positions: PenPositions,
    down: Option<bool>,
    /// When the last command's settle time is over.
    settled_at: atelier_hal::Instant,
}

impl<P: SetDutyCycle, C: Clock> PenLift<P, C> {
    /// A pen lift that has not moved yet (its first command always moves and settles).
    pub fn new(servo: Servo<P>, clock: C, positions: PenPositions) -> Self {
        let settled_at = clock.now();
        PenLift {
            servo,
            clock,
            positions,
            down: None,
            settled_at,
        }
    }

    /// Lifts the pen and waits until it is clear of the paper (nothing when already up).
    pub fn up(&mut self) -> Result<(), P::Error> {
        self.go(false)
    }

    /// Lowers the pen and waits until it is on the paper (nothing when already down).
    pub fn down(&mut self) -> Result<(), P::Error> {
        self.go(true)
    }

    fn go(&mut self, down: bool) -> Result<(), P::Error> {
        self.command(down)?;
        // Also when it was already commanded: it may still be on its way.
        self.clock.sleep_until(self.settled_at);
        Ok(())
    }

    /// Sends the servo up or down without waiting: for a motion plan, whose timing already
    /// holds the settle time.
    pub fn command(&mut self, down: bool) -> Result<(), P::Error> {
        if self.down == Some(down) {
            return Ok(());
        }
        let (angle, settle) = if down {
            (self.positions.down_angle, self.positions.down_settle)
        } else {
            (self.positions.up_angle, self.positions.up_settle)
        };
        self.servo.set_angle(angle)?;
        self.down = Some(down);
        self.settled_at = self.clock.now() + settle;
        Ok(())
    }

    /// Whether the pen is down, once it has been commanded.
    pub fn is_down(&self) -> Option<bool> {
        self.down
    }
}
