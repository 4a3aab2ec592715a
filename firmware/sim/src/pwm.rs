//! Virtual PWM channels (servos, LED brightness).

use std::convert::Infallible;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use atelier_hal::Clock;
use embedded_hal::pwm::{ErrorType, SetDutyCycle};

use crate::clock::VirtualClock;
use crate::trace::{Recorder, SignalId, Value};

/// A PWM output as the simulated world sees it: the current pulse width.
#[derive(Clone, Debug)]
pub struct PwmLine {
    period: Duration,
    pulse: Arc<Mutex<Duration>>,
}

impl PwmLine {
    /// The PWM period (1 / frequency).
    pub fn period(&self) -> Duration {
        self.period
    }

    /// The width of the high part of each period, as a servo would measure it.
    pub fn pulse_width(&self) -> Duration {
        *self.pulse.lock().unwrap_or_else(PoisonError::into_inner)
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
        period: Duration,
        clock: VirtualClock,
        recorder: Recorder,
        signal: SignalId,
    ) -> Self {
        recorder.record(clock.now(), signal, Value::Real(0.0));
        SimPwm {
            line: PwmLine {
                period,
                pulse: Arc::new(Mutex::new(Duration::ZERO)),
            },
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
            .period
            .mul_f64(f64::from(duty) / f64::from(u16::MAX));
        *self
            .line
            .pulse
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = pulse;
        self.recorder.record(
            self.clock.now(),
            self.signal,
            Value::Real(pulse.as_secs_f64() * 1e6),
        );
        Ok(())
    }
}
