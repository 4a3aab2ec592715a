//! GPIO pins of any backend behind one type each, so shells hold no generic parameters.

use std::fmt;

use atelier_hal::{Edge, Instant, SetTogether, WaitForEdge};
use atelier_sim::{SimInput, SimOutput};
use embedded_hal::digital::{self, ErrorKind, ErrorType, InputPin, OutputPin, StatefulOutputPin};

#[cfg(cdev_backend)]
use crate::cdev::{CdevInput, CdevOutput};
#[cfg(rpi_backend)]
use crate::rpi::RpiInput;

/// A GPIO operation that failed on a real board.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("GPIO{bcm}: {detail}")]
pub struct GpioError {
    /// BCM number of the pin.
    pub bcm: u8,
    /// The backend's own words.
    pub detail: String,
}

impl digital::Error for GpioError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Other
    }
}

/// Turns a backend's `Infallible` error into ours, for `map_err`.
fn never(error: std::convert::Infallible) -> GpioError {
    match error {}
}

/// An output pin of any backend.
pub enum AnyOutput {
    /// On the simulated board.
    Sim(SimOutput),
    /// On a Raspberry Pi through rppal.
    #[cfg(rpi_backend)]
    Rpi(rppal::gpio::OutputPin),
    /// Through the GPIO character device.
    #[cfg(cdev_backend)]
    Cdev(CdevOutput),
}

impl fmt::Debug for AnyOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnyOutput::Sim(pin) => f.debug_tuple("Sim").field(pin).finish(),
            #[cfg(rpi_backend)]
            AnyOutput::Rpi(pin) => write!(f, "Rpi(GPIO{})", pin.pin()),
            #[cfg(cdev_backend)]
            AnyOutput::Cdev(pin) => f.debug_tuple("Cdev").field(pin).finish(),
        }
    }
}

impl ErrorType for AnyOutput {
    type Error = GpioError;
}

impl OutputPin for AnyOutput {
    fn set_low(&mut self) -> Result<(), GpioError> {
        match self {
            AnyOutput::Sim(pin) => pin.set_low().map_err(never),
            #[cfg(rpi_backend)]
            AnyOutput::Rpi(pin) => OutputPin::set_low(pin).map_err(never),
            #[cfg(cdev_backend)]
            AnyOutput::Cdev(pin) => pin.set_low(),
        }
    }

    fn set_high(&mut self) -> Result<(), GpioError> {
        match self {
            AnyOutput::Sim(pin) => pin.set_high().map_err(never),
            #[cfg(rpi_backend)]
            AnyOutput::Rpi(pin) => OutputPin::set_high(pin).map_err(never),
            #[cfg(cdev_backend)]
            AnyOutput::Cdev(pin) => pin.set_high(),
        }
    }
}

/// Simulated pins change together; pins through the GPIO character device do when they were
/// opened in one request ([`crate::Board::outputs_together`]); rppal's do not. Pairs only (two
/// motors' STEP lines): nothing needs more, and a pair needs no allocation on the step path.
impl SetTogether for AnyOutput {
    fn set_together(pins: &mut [&mut Self], high: bool) -> Result<bool, GpioError> {
        let [a, b] = pins else {
            return Ok(false);
        };
        match (&mut **a, &mut **b) {
            (AnyOutput::Sim(a), AnyOutput::Sim(b)) => {
                SimOutput::set_together(&mut [a, b], high).map_err(never)
            }
            #[cfg(cdev_backend)]
            (AnyOutput::Cdev(a), AnyOutput::Cdev(b)) => CdevOutput::set_together(&mut [a, b], high),
            #[allow(unreachable_patterns)]
            _ => Ok(false),
        }
    }
}

impl StatefulOutputPin for AnyOutput {
    fn is_set_high(&mut self) -> Result<bool, GpioError> {
        match self {
            AnyOutput::Sim(pin) => pin.is_set_high().map_err(never),
            #[cfg(rpi_backend)]
            AnyOutput::Rpi(pin) => StatefulOutputPin::is_set_high(pin).map_err(never),
            #[cfg(cdev_backend)]
            AnyOutput::Cdev(pin) => pin.is_set_high(),
        }
    }

    fn is_set_low(&mut self) -> Result<bool, GpioError> {
        Ok(!self.is_set_high()?)
    }
}

/// An input pin of any backend, able to wait for edges.
pub enum AnyInput {
    /// On the simulated board.
    Sim(SimInput),
    /// On a Raspberry Pi through rppal.
    #[cfg(rpi_backend)]
    Rpi(RpiInput),
    /// Through the GPIO character device.
    #[cfg(cdev_backend)]
    Cdev(CdevInput),
}

impl fmt::Debug for AnyInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnyInput::Sim(pin) => f.debug_tuple("Sim").field(pin).finish(),
            #[cfg(rpi_backend)]
            AnyInput::Rpi(pin) => f.debug_tuple("Rpi").field(pin).finish(),
            #[cfg(cdev_backend)]
            AnyInput::Cdev(pin) => f.debug_tuple("Cdev").field(pin).finish(),
        }
    }
}

impl ErrorType for AnyInput {
    type Error = GpioError;
}

impl InputPin for AnyInput {
    fn is_high(&mut self) -> Result<bool, GpioError> {
        match self {
            AnyInput::Sim(pin) => pin.is_high().map_err(never),
            #[cfg(rpi_backend)]
            AnyInput::Rpi(pin) => pin.is_high(),
            #[cfg(cdev_backend)]
            AnyInput::Cdev(pin) => pin.is_high(),
        }
    }

    fn is_low(&mut self) -> Result<bool, GpioError> {
        Ok(!self.is_high()?)
    }
}

impl WaitForEdge for AnyInput {
    fn wait_for_edge(&mut self, deadline: Instant) -> Result<Option<(Edge, Instant)>, GpioError> {
        match self {
            AnyInput::Sim(pin) => pin.wait_for_edge(deadline).map_err(never),
            #[cfg(rpi_backend)]
            AnyInput::Rpi(pin) => pin.wait_for_edge(deadline),
            #[cfg(cdev_backend)]
            AnyInput::Cdev(pin) => pin.wait_for_edge(deadline),
        }
    }
}
