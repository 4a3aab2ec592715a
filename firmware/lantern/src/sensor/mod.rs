//! Accelerometer drivers over embedded-hal 1.0 I2C.
//!
//! # Why our own drivers
//! Each chip needs a handful of register writes and one six-byte read here. `adxl345_driver2`
//! (eh 1.0) hands back raw counts (`(i16, i16, i16)`) and leaves scale and errors to the caller;
//! `mpu6050-dmp` is built around the chip's motion processor, which a lamp does not need. Two
//! small drivers keep the register traffic exactly what the simulator tests check, and give both
//! parts one error type that keeps the embedded-hal [`ErrorKind`].
//!
//! # For shell authors
//! [`probe`] the bus, [`Accelerometer::configure`] the part it found, then
//! [`Accelerometer::read`] at the polling rate and stamp each sample with the run's clock (the
//! drivers do not own a clock). Wrap reads in [`retry`] so a glitch on a long cable costs a few
//! milliseconds instead of an error.
//!
//! # Axes
//! Samples are in the chip's own axes, in g, as the chip measures them: at rest the reading
//! points *up* (+1 g on Z for a chip lying flat). [`crate::surface`] turns that into a gravity
//! direction.

pub mod adxl345;
mod link;
pub mod mpu6050;
mod probe;
mod retry;

use std::fmt;

use embedded_hal::i2c::ErrorKind;

pub use adxl345::Adxl345;
pub use link::SensorLink;
pub use mpu6050::Mpu6050;
pub use probe::{Accelerometer, ProbeAttempt, ProbeError, ProbeOutcome, probe, probe_or_return};
pub use retry::{Backoff, retry};

/// One accelerometer reading in g, in the sensor's axes.
///
/// Not timestamped: the caller owns the clock and knows when it asked.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Acceleration {
    /// X axis, g.
    pub x: f32,
    /// Y axis, g.
    pub y: f32,
    /// Z axis, g.
    pub z: f32,
}

impl Acceleration {
    /// Length of the vector: 1 g at rest, more or less while the lamp is pushed around.
    pub fn magnitude(&self) -> f32 {
        (self.x * self.x + self.y * self.y + self.z * self.z).sqrt()
    }
}

/// Full-scale range. Both parts offer the same four; a lamp needs ±2 g, larger ranges only
/// lose resolution (except on the ADXL345 in full resolution, where all ranges read 3.9 mg/LSB).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Range {
    /// ±2 g.
    #[default]
    G2,
    /// ±4 g.
    G4,
    /// ±8 g.
    G8,
    /// ±16 g.
    G16,
}

impl Range {
    /// Every range, smallest first.
    pub const ALL: [Range; 4] = [Range::G2, Range::G4, Range::G8, Range::G16];

    /// The two-bit code both chips use (ADXL345 DATA_FORMAT[1:0], MPU-6050 AFS_SEL).
    fn code(self) -> u8 {
        match self {
            Range::G2 => 0,
            Range::G4 => 1,
            Range::G8 => 2,
            Range::G16 => 3,
        }
    }
}

/// Which accelerometer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    /// Analog Devices ADXL345.
    Adxl345,
    /// InvenSense MPU-6050.
    Mpu6050,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Part::Adxl345 => "ADXL345",
            Part::Mpu6050 => "MPU-6050",
        })
    }
}

/// What went wrong talking to an accelerometer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The bus reported an error; `kind` tells a missing device (NACK) from a glitch.
    #[error("{part} at I2C address {address:#04x}: {kind} while {action}")]
    I2c {
        /// The part addressed.
        part: Part,
        /// Its 7-bit address.
        address: u8,
        /// What the driver was doing.
        action: &'static str,
        /// The embedded-hal error kind.
        kind: ErrorKind,
    },
    /// Something answered, but its identity register holds the wrong value: another chip (or a
    /// clone such as an MPU-6500, WHO_AM_I 0x70) sits at this address.
    #[error(
        "{part} at I2C address {address:#04x}: identity register {register:#04x} reads \
         {found:#04x}, expected {expected:#04x}; is another chip at this address?"
    )]
    WrongId {
        /// The part expected.
        part: Part,
        /// Its 7-bit address.
        address: u8,
        /// DEVID (0x00) or WHO_AM_I (0x75).
        register: u8,
        /// What came back.
        found: u8,
        /// What the part returns.
        expected: u8,
    },
    /// [`retry`] gave up; `last` is the final attempt's error.
    #[error("{last} (gave up after {attempts} attempts over {waited:?})")]
    GaveUp {
        /// How many times the operation ran.
        attempts: u32,
        /// Time spent sleeping between attempts.
        waited: std::time::Duration,
        /// The last error.
        last: Box<Error>,
    },
}

impl Error {
    /// The bus error kind behind this error, if a bus error it is.
    pub fn kind(&self) -> Option<ErrorKind> {
        match self {
            Error::I2c { kind, .. } => Some(*kind),
            Error::WrongId { .. } => None,
            Error::GaveUp { last, .. } => last.kind(),
        }
    }

    /// Worth trying again: a bus error may be a glitch; a wrong identity will not go away.
    pub fn is_transient(&self) -> bool {
        matches!(self, Error::I2c { .. })
    }
}

/// A driver's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Wraps a bus error with the part, address and action.
fn bus_error<E: embedded_hal::i2c::Error>(
    part: Part,
    address: u8,
    action: &'static str,
) -> impl FnOnce(E) -> Error {
    move |error| Error::I2c {
        part,
        address,
        action,
        kind: error.kind(),
    }
}

/// Reads `N` consecutive registers from `register` in one transaction (so a sample's axes come
/// from one conversion).
fn read_registers<I2C: embedded_hal::i2c::I2c, const N: usize>(
    i2c: &mut I2C,
    part: Part,
    address: u8,
    register: u8,
    action: &'static str,
) -> Result<[u8; N]> {
    let mut data = [0u8; N];
    i2c.write_read(address, &[register], &mut data)
        .map_err(bus_error(part, address, action))?;
    Ok(data)
}

/// Fails with [`Error::WrongId`] unless the identity register read `found == expected`.
fn check_id(part: Part, address: u8, register: u8, found: u8, expected: u8) -> Result<()> {
    if found == expected {
        return Ok(());
    }
    Err(Error::WrongId {
        part,
        address,
        register,
        found,
        expected,
    })
}
