//! The Raspberry Pi backend: rppal (memory-mapped GPIO, hardware PWM, i2c-dev).
//!
//! rppal is retired by its author (July 2025) but supports every Pi up to the Pi 5; it sits
//! behind this module so it can be replaced by the `cdev` backend without touching a machine.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use atelier_hal::{Clock, Edge, Instant, MonotonicClock};
use rppal::gpio::{Gpio, Trigger};
use rppal::pwm::{Channel, Polarity, Pwm};

use crate::gpio::GpioError;
use crate::open_error::{NodeKind, OpenError, check_node};
use crate::pins::{Bcm, Pull};

pub(crate) struct RpiBoard {
    gpio: Gpio,
    clock: MonotonicClock,
}

impl fmt::Debug for RpiBoard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RpiBoard").finish_non_exhaustive()
    }
}

fn gpio_error(error: rppal::gpio::Error, node: &Path, what: &str) -> OpenError {
    match error {
        rppal::gpio::Error::UnknownModel => OpenError::Device {
            what: what.to_owned(),
            node: node.to_owned(),
            detail: "rppal does not recognise this board as a Raspberry Pi; use `--board cdev`"
                .to_owned(),
        },
        rppal::gpio::Error::PermissionDenied(path) => OpenError::PermissionDenied {
            node: path.into(),
            kind: NodeKind::GpioMem,
        },
        rppal::gpio::Error::PinUsed(n) => OpenError::Unsupported(format!(
            "{what}: GPIO{n} is already in use, by another program or another entry of the config"
        )),
        rppal::gpio::Error::PinNotAvailable(n) => {
            OpenError::Unsupported(format!("{what}: GPIO{n} does not exist on this Pi"))
        }
        other => OpenError::Device {
            what: what.to_owned(),
            node: node.to_owned(),
            detail: other.to_string(),
        },
    }
}

impl RpiBoard {
    /// Opens the Pi's GPIO, checking `dev`/gpiomem (gpiomem0 on a Pi 5) first.
    pub(crate) fn open(dev: &Path, clock: MonotonicClock) -> Result<RpiBoard, OpenError> {
        let pi5 = dev.join("gpiomem0");
        let node = if pi5.exists() {
            pi5
        } else {
            dev.join("gpiomem")
        };
        check_node(&node, NodeKind::GpioMem, "the Pi's GPIO")?;
        let gpio = Gpio::new().map_err(|e| gpio_error(e, &node, "the Pi's GPIO"))?;
        Ok(RpiBoard { gpio, clock })
    }

    pub(crate) fn output(&self, bcm: Bcm, what: &str) -> Result<rppal::gpio::OutputPin, OpenError> {
        let pin = self
            .gpio
            .get(bcm.number())
            .map_err(|e| gpio_error(e, Path::new("/dev/gpiomem"), what))?;
        Ok(pin.into_output_low())
    }

    pub(crate) fn input(&self, bcm: Bcm, pull: Pull, what: &str) -> Result<RpiInput, OpenError> {
        let node = Path::new("/dev/gpiochip0");
        let pin = self
            .gpio
            .get(bcm.number())
            .map_err(|e| gpio_error(e, node, what))?;
        let mut pin = match pull {
            Pull::None => pin.into_input(),
            Pull::Up => pin.into_input_pullup(),
            Pull::Down => pin.into_input_pulldown(),
        };
        // Edges come from the kernel's line events, so no press is missed between two polls.
        pin.set_interrupt(Trigger::Both, None)
            .map_err(|e| gpio_error(e, node, what))?;
        Ok(RpiInput {
            pin,
            clock: self.clock,
        })
    }

    pub(crate) fn pwm(
        &self,
        channel: u8,
        period: Duration,
        what: &str,
    ) -> Result<crate::AnyPwm, OpenError> {
        let chip = Path::new("/sys/class/pwm/pwmchip0");
        if !chip.exists() {
            return Err(OpenError::Missing {
                node: chip.to_owned(),
                kind: NodeKind::Pwm,
            });
        }
        let hw = match channel {
            0 => Channel::Pwm0,
            1 => Channel::Pwm1,
            2 => Channel::Pwm2,
            3 => Channel::Pwm3,
            _ => {
                return Err(OpenError::Unsupported(format!(
                    "{what}: PWM channel {channel} does not exist; the Pi has channels 0 to 3"
                )));
            }
        };
        let pwm =
            Pwm::with_period(hw, period, Duration::ZERO, Polarity::Normal, true).map_err(|e| {
                OpenError::Device {
                    what: what.to_owned(),
                    node: chip.to_owned(),
                    detail: e.to_string(),
                }
            })?;
        Ok(crate::AnyPwm::Rpi {
            channel,
            period,
            pwm,
        })
    }

    pub(crate) fn i2c(&self, dev: &Path, bus: u8) -> Result<crate::AnyI2c, OpenError> {
        let node = dev.join(format!("i2c-{bus}"));
        check_node(&node, NodeKind::I2c, &format!("I2C bus {bus}"))?;
        let i2c = rppal::i2c::I2c::with_bus(bus).map_err(|e| OpenError::Device {
            what: format!("I2C bus {bus}"),
            node: node.clone(),
            detail: e.to_string(),
        })?;
        Ok(crate::AnyI2c::Rpi { bus, i2c })
    }
}

/// An input on the Pi, with edge events from the kernel.
pub struct RpiInput {
    pin: rppal::gpio::InputPin,
    clock: MonotonicClock,
}

impl fmt::Debug for RpiInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RpiInput(GPIO{})", self.pin.pin())
    }
}

impl RpiInput {
    pub(crate) fn is_high(&mut self) -> Result<bool, GpioError> {
        Ok(self.pin.is_high())
    }

    pub(crate) fn wait_for_edge(
        &mut self,
        deadline: Instant,
    ) -> Result<Option<(Edge, Instant)>, GpioError> {
        let timeout = deadline - self.clock.now();
        let event = self
            .pin
            .poll_interrupt(false, Some(timeout))
            .map_err(|e| GpioError {
                bcm: self.pin.pin(),
                detail: e.to_string(),
            })?;
        Ok(event.map(|event| {
            let edge = if event.trigger == Trigger::RisingEdge {
                Edge::Rising
            } else {
                Edge::Falling
            };
            (edge, self.clock.now())
        }))
    }
}
