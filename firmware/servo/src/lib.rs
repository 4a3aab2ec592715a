//! A hobby servo (SG90, MG90S) on a PWM channel, and the polargraph's pen lift built on it.
//!
//! A [`ServoDrive`] turns a servo to an angle:
//! - [`Servo`] on any embedded-hal [`SetDutyCycle`] channel (the Pi's hardware PWM, the
//!   simulator), which keeps pulsing by itself;
//! - [`PulsedServo`] on a plain GPIO, for a pin without hardware PWM: the thread that moves the
//!   pen pulses it itself, for as long as the move takes, then lets the servo rest.
//!
//! [`PenLift`] moves either to the configured up or down angle and waits the configured settle
//! time on the run's [`Clock`], so no ink is laid while the pen is still travelling.

use std::fmt::Debug;
use std::time::Duration;

use atelier_hal::{Clock, Instant};
use embedded_hal::digital::OutputPin;
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

    /// The pulse for `degrees` (0–180; outside is clamped: a servo driven past its stops burns).
    pub fn pulse_for(&self, degrees: f64) -> Duration {
        let fraction = (degrees / 180.0).clamp(0.0, 1.0);
        let span = self.full.as_secs_f64() - self.zero.as_secs_f64();
        Duration::from_secs_f64(self.zero.as_secs_f64() + fraction * span)
    }
}

/// What turns a servo to an angle.
pub trait ServoDrive {
    /// What goes wrong with the pin or channel.
    type Error: Debug;

    /// Turns toward `degrees`; the move is expected to be over at `settled_at` (a drive that
    /// pulses by itself returns at once, one pulsed by the caller returns by then).
    fn turn(&mut self, degrees: f64, settled_at: Instant) -> Result<(), Self::Error>;
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
        let pulse = self.range.pulse_for(degrees).as_secs_f64();
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

impl<P: SetDutyCycle> ServoDrive for Servo<P> {
    type Error = P::Error;

    fn turn(&mut self, degrees: f64, _settled_at: Instant) -> Result<(), P::Error> {
        self.set_angle(degrees)
    }
}

/// A servo on a plain GPIO: each [`ServoDrive::turn`] sends pulses, one a period, from the
/// calling thread until the move is over, then none.
///
/// Why not a software-PWM thread that pulses forever, as rppal's and pigpio's soft PWM do: on
/// Linux such a thread jitters by tens of microseconds, a servo reads every microsecond as an
/// angle, and a twitching pen lift dots the paper. The plotter's executor thread is the one
/// thread that is timed well (real-time priority, busy-wait for the last stretch), and while the
/// pen moves the motors are still, so it has the time. Between moves the servo gets no pulses
/// and rests: a hobby servo's gear train holds a pen arm unpowered, and it stays quiet.
#[derive(Debug)]
pub struct PulsedServo<O, C> {
    pin: O,
    clock: C,
    period: Duration,
    range: PulseRange,
}

impl<O: OutputPin, C: Clock> PulsedServo<O, C> {
    /// The fewest pulses a move gets, however short its settle time: a servo needs a few to find
    /// its angle.
    pub const MIN_PULSES: u32 = 5;

    /// A servo on `pin`, pulsed every `period` (20 ms for hobby servos) on `clock`. The pin is
    /// driven low.
    pub fn new(
        mut pin: O,
        clock: C,
        period: Duration,
        range: PulseRange,
    ) -> Result<Self, O::Error> {
        pin.set_low()?;
        Ok(PulsedServo {
            pin,
            clock,
            period,
            range,
        })
    }
}

impl<O: OutputPin, C: Clock> ServoDrive for PulsedServo<O, C> {
    type Error = O::Error;

    fn turn(&mut self, degrees: f64, settled_at: Instant) -> Result<(), O::Error> {
        let pulse = self.range.pulse_for(degrees);
        let mut start = self.clock.now();
        let mut sent = 0;
        loop {
            self.pin.set_high()?;
            self.clock.sleep_until(start + pulse);
            self.pin.set_low()?;
            sent += 1;
            start += self.period;
            if start >= settled_at && sent >= Self::MIN_PULSES {
                return Ok(());
            }
            self.clock.sleep_until(start);
        }
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
pub struct PenLift<S, C> {
    servo: S,
    clock: C,
    positions: PenPositions,
    down: Option<bool>,
    /// When the last command's settle time is over.
    settled_at: atelier_hal::Instant,
}

impl<S: ServoDrive, C: Clock> PenLift<S, C> {
    /// A pen lift that has not moved yet (its first command always moves and settles).
    pub fn new(servo: S, clock: C, positions: PenPositions) -> Self {
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
    pub fn up(&mut self) -> Result<(), S::Error> {
        self.go(false)
    }

    /// Lowers the pen and waits until it is on the paper (nothing when already down).
    pub fn down(&mut self) -> Result<(), S::Error> {
        self.go(true)
    }

    fn go(&mut self, down: bool) -> Result<(), S::Error> {
        self.command(down)?;
        // Also when it was already commanded: it may still be on its way.
        self.clock.sleep_until(self.settled_at);
        Ok(())
    }

    /// Sends the servo up or down without waiting: for a motion plan, whose timing already
    /// holds the settle time.
    pub fn command(&mut self, down: bool) -> Result<(), S::Error> {
        if self.down == Some(down) {
            return Ok(());
        }
        let (angle, settle) = if down {
            (self.positions.down_angle, self.positions.down_settle)
        } else {
            (self.positions.up_angle, self.positions.up_settle)
        };
        self.settled_at = self.clock.now() + settle;
        self.servo.turn(angle, self.settled_at)?;
        self.down = Some(down);
        Ok(())
    }

    /// Whether the pen is down, once it has been commanded.
    pub fn is_down(&self) -> Option<bool> {
        self.down
    }
}
