//! PWM channels of any backend behind one type (servos, dimmable LEDs).

use std::fmt;
#[cfg(any(rpi_backend, cdev_backend))]
use std::time::Duration;

use atelier_sim::SimPwm;
use embedded_hal::pwm::{self, ErrorKind, ErrorType, SetDutyCycle};

#[cfg(cdev_backend)]
use crate::cdev::SysfsPwm;

/// A PWM operation that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("PWM channel {channel}: {detail}")]
pub struct PwmError {
    /// The channel.
    pub channel: u8,
    /// The backend's own words.
    pub detail: String,
}

impl pwm::Error for PwmError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Other
    }
}

/// A hardware PWM channel of any backend, at the fixed period it was opened with.
pub enum AnyPwm {
    /// On the simulated board.
    Sim(SimPwm),
    /// On a Raspberry Pi through rppal.
    #[cfg(rpi_backend)]
    Rpi {
        /// The channel number.
        channel: u8,
        /// Its period.
        period: Duration,
        /// The channel.
        pwm: rppal::pwm::Pwm,
    },
    /// Through the kernel's sysfs PWM interface.
    #[cfg(cdev_backend)]
    Sysfs(SysfsPwm),
}

impl fmt::Debug for AnyPwm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnyPwm::Sim(pwm) => f.debug_tuple("Sim").field(pwm).finish(),
            #[cfg(rpi_backend)]
            AnyPwm::Rpi {
                channel, period, ..
            } => write!(f, "Rpi(channel {channel}, {period:?})"),
            #[cfg(cdev_backend)]
            AnyPwm::Sysfs(pwm) => f.debug_tuple("Sysfs").field(pwm).finish(),
        }
    }
}

impl ErrorType for AnyPwm {
    type Error = PwmError;
}

/// The pulse width for `duty` out of `u16::MAX` of `period`.
#[cfg(any(rpi_backend, cdev_backend))]
pub(crate) fn pulse_width(period: Duration, duty: u16) -> Duration {
    period.mul_f64(f64::from(duty) / f64::from(u16::MAX))
}

impl SetDutyCycle for AnyPwm {
    fn max_duty_cycle(&self) -> u16 {
        u16::MAX
    }

    fn set_duty_cycle(&mut self, duty: u16) -> Result<(), PwmError> {
        match self {
            AnyPwm::Sim(pwm) => pwm.set_duty_cycle(duty).map_err(|never| match never {}),
            #[cfg(rpi_backend)]
            AnyPwm::Rpi {
                channel,
                period,
                pwm,
            } => pwm
                .set_pulse_width(pulse_width(*period, duty))
                .map_err(|e| PwmError {
                    channel: *channel,
                    detail: e.to_string(),
                }),
            #[cfg(cdev_backend)]
            AnyPwm::Sysfs(pwm) => pwm.set_pulse_width(pulse_width(pwm.period(), duty)),
        }
    }
}
