//! Virtual PWM channels (servos, LED brightness).

use std::convert::Infallible;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use atelier_hal::{Clock, Instant};
use embedded_hal::pwm::{ErrorType, SetDutyCycle};

use crate::clock::VirtualClock;
use crate::pin::OutputLine;
use crate::trace::{Recorder, SignalId, Value};

/// A PWM output as the simulated world sees it: the current pulse width.
#[derive(Clone, Debug)]
pub struct PwmLine {
    pulse: Arc<Mutex<PulseState>>,
}

#[derive(Clone, Copy, Debug)]
struct PulseState {
    period: Duration,
    width: Duration,
    changed_at: Instant,
    before: Duration,
    /// For pulses decoded from a GPIO: until when the servo is driven (one period after the last
    /// pulse). `None` for a PWM channel, which pulses by itself.
    powered_until: Option<Instant>,
}

impl PwmLine {
    /// A line that has put out nothing yet.
    pub(crate) fn new(period: Duration) -> PwmLine {
        PwmLine {
            pulse: Arc::new(Mutex::new(PulseState {
                period,
                width: Duration::ZERO,
                changed_at: Instant::ZERO,
                before: Duration::ZERO,
                powered_until: None,
            })),
        }
    }

    /// The pulses a servo wired to GPIO `output` sees, measured edge to edge: a pulse is a high
    /// time of 0.3–3 ms (anything else a servo ignores); the servo is driven toward the last
    /// pulse's angle until one `period` after it, then rests where it got to.
    pub(crate) fn decoded_from(output: &OutputLine, period: Duration) -> PwmLine {
        let line = PwmLine::new(period);
        let pulse = Arc::clone(&line.pulse);
        let mut rose_at: Option<Instant> = None;
        output.on_change(move |at, level| {
            if level {
                rose_at = Some(at);
                return;
            }
            let Some(rose) = rose_at.take() else {
                return;
            };
            let width = at - rose;
            if width < Duration::from_micros(300) || width > Duration::from_millis(3) {
                return;
            }
            let mut state = pulse.lock().unwrap_or_else(PoisonError::into_inner);
            // A servo's deadband is a few microseconds: jitter below it is no new command.
            if width.abs_diff(state.width) > Duration::from_micros(2) {
                state.before = state.width;
                state.width = width;
                state.changed_at = at;
            }
            state.powered_until = Some(at + state.period);
        });
        line
    }

    /// The PWM period (1 / frequency).
    pub fn period(&self) -> Duration {
        self.state().period
    }

    pub(crate) fn set_period(&self, period: Duration) {
        self.pulse
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .period = period;
    }

    fn state(&self) -> PulseState {
        *self.pulse.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The width of the high part of each period, as a servo would measure it.
    pub fn pulse_width(&self) -> Duration {
        self.state().width
    }

    /// When the pulse width last changed, and what it was before.
    pub fn last_change(&self) -> (Instant, Duration) {
        let state = self.state();
        (state.changed_at, state.before)
    }

    /// Until when a servo on this line is driven: `None` while pulses keep coming by themselves
    /// (a PWM channel), else one period after the last pulse.
    pub fn powered_until(&self) -> Option<Instant> {
        self.state().powered_until
    }
}

/// A PWM channel of the simulated board, as the firmware holds it. The pulse width is recorded
/// in microseconds.
#[derive(Debug)]
pub struct SimPwm {
    line: PwmLine,
    duty: u16,
    clock: VirtualClock,
    recorder: Recorder,
    signal: SignalId,
}

impl SimPwm {
    pub(crate) fn new(
        line: PwmLine,
        clock: VirtualClock,
        recorder: Recorder,
        signal: SignalId,
    ) -> Self {
        recorder.record(clock.now(), signal, Value::Real(0.0));
        SimPwm {
            line,
            duty: 0,
            clock,
            recorder,
            signal,
        }
    }

    /// The world's view of this channel.
    pub fn line(&self) -> PwmLine {
        self.line.clone()
    }
}

impl ErrorType for SimPwm {
    type Error = Infallible;
}

impl SetDutyCycle for SimPwm {
    fn max_duty_cycle(&self) -> u16 {
        u16::MAX
    }

    fn set_duty_cycle(&mut self, duty: u16) -> Result<(), Infallible> {
        if duty == self.duty {
            return Ok(());
        }
        self.duty = duty;
        let pulse = self
            .line
            .period()
            .mul_f64(f64::from(duty) / f64::from(u16::MAX));
        {
            let mut state = self
                .line
                .pulse
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            state.before = state.width;
            state.width = pulse;
            state.changed_at = self.clock.now();
        }
        self.recorder.record(
            self.clock.now(),
            self.signal,
            Value::Real(pulse.as_secs_f64() * 1e6),
        );
        Ok(())
    }
}

/// A hobby servo on a PWM line (an SG90 lifting a pen): its angle follows the pulse width
/// (`min_pulse` is 0°, `max_pulse` is 180°) at a limited speed, so a pen commanded down is on
/// the paper only once the horn has travelled there.
#[derive(Clone, Debug)]
pub struct ServoModel {
    line: PwmLine,
    min_pulse: Duration,
    max_pulse: Duration,
    degrees_per_second: f64,
}

impl ServoModel {
    /// An SG90: 0.5–2.5 ms for 0–180°, 0.1 s per 60° at 4.8 V.
    pub fn sg90(line: PwmLine) -> ServoModel {
        ServoModel {
            line,
            min_pulse: Duration::from_micros(500),
            max_pulse: Duration::from_micros(2_500),
            degrees_per_second: 600.0,
        }
    }

    fn angle_of(&self, pulse: Duration) -> Option<f64> {
        if pulse.is_zero() {
            return None;
        }
        let span = (self.max_pulse - self.min_pulse).as_secs_f64();
        let fraction = (pulse.as_secs_f64() - self.min_pulse.as_secs_f64()) / span;
        Some((fraction * 180.0).clamp(0.0, 180.0))
    }

    /// The horn's angle at `now`, in degrees; `None` before it was ever driven. Without
    /// pulses the horn stops where it is.
    pub fn angle_at(&self, now: Instant) -> Option<f64> {
        let (changed_at, before) = self.line.last_change();
        let target = self.angle_of(self.line.pulse_width())?;
        let Some(start) = self.angle_of(before) else {
            return Some(target);
        };
        let driven_until = self
            .line
            .powered_until()
            .map_or(now, |until| until.min(now));
        let travelled =
            driven_until.saturating_since(changed_at).as_secs_f64() * self.degrees_per_second;
        Some(if (target - start).abs() <= travelled {
            target
        } else {
            start + travelled.copysign(target - start)
        })
    }
}
