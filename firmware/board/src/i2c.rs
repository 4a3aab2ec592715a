//! I2C buses of any backend behind one type.

use std::fmt;

use atelier_sim::SimI2c;
use embedded_hal::i2c::{self, ErrorKind, ErrorType, I2c, Operation, SevenBitAddress};

/// An I2C transaction that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("I2C bus {bus}, device {address:#04x}: {detail}")]
pub struct I2cError {
    /// Bus number.
    pub bus: u8,
    /// Device address.
    pub address: u8,
    /// The embedded-hal classification, which drivers act on (retry, give up).
    pub kind: ErrorKind,
    /// The backend's own words.
    pub detail: String,
}

impl i2c::Error for I2cError {
    fn kind(&self) -> ErrorKind {
        self.kind
    }
}

/// An I2C bus of any backend.
pub enum AnyI2c {
    /// On the simulated board.
    Sim(SimI2c),
    /// On a Raspberry Pi through rppal.
    #[cfg(rpi_backend)]
    Rpi {
        /// Bus number.
        bus: u8,
        /// The bus.
        i2c: rppal::i2c::I2c,
    },
    /// Through i2c-dev (linux-embedded-hal).
    #[cfg(cdev_backend)]
    Cdev {
        /// Bus number.
        bus: u8,
        /// The bus.
        i2c: linux_embedded_hal::I2cdev,
    },
}

impl fmt::Debug for AnyI2c {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnyI2c::Sim(i2c) => f.debug_tuple("Sim").field(i2c).finish(),
            #[cfg(rpi_backend)]
            AnyI2c::Rpi { bus, .. } => write!(f, "Rpi(/dev/i2c-{bus})"),
            #[cfg(cdev_backend)]
            AnyI2c::Cdev { bus, .. } => write!(f, "Cdev(/dev/i2c-{bus})"),
        }
    }
}

impl ErrorType for AnyI2c {
    type Error = I2cError;
}

#[cfg(any(rpi_backend, cdev_backend))]
fn wrap<E: i2c::Error + fmt::Display>(bus: u8, address: u8) -> impl FnOnce(E) -> I2cError {
    move |error| I2cError {
        bus,
        address,
        kind: error.kind(),
        detail: error.to_string(),
    }
}

impl I2c<SevenBitAddress> for AnyI2c {
    fn transaction(
        &mut self,
        address: SevenBitAddress,
        operations: &mut [Operation<'_>],
    ) -> Result<(), I2cError> {
        match self {
            AnyI2c::Sim(i2c) => i2c.transaction(address, operations).map_err(|e| I2cError {
                bus: e.bus,
                address,
                kind: e.kind,
                detail: e.kind.to_string(),
            }),
            #[cfg(rpi_backend)]
            AnyI2c::Rpi { bus, i2c } => i2c
                .transaction(address, operations)
                .map_err(wrap(*bus, address)),
            #[cfg(cdev_backend)]
            AnyI2c::Cdev { bus, i2c } => i2c
                .transaction(address, operations)
                .map_err(wrap(*bus, address)),
        }
    }
}
