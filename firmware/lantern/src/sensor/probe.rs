//! Finding out which accelerometer is fitted, and where.
//!
//! Lamps get built from whatever breakout was at hand, so the shell asks the bus instead of a
//! config file. Every known address of both parts is tried in turn; the first whose identity
//! register reads right wins. When none does, the error lists every address and what came back,
//! which is what a person with a multimeter needs.

use std::fmt;

use embedded_hal::i2c::{ErrorKind, I2c};

use super::{Acceleration, Adxl345, Mpu6050, Part, Range, Result, adxl345, mpu6050};

/// Whichever accelerometer [`probe`] found, ready to configure.
#[derive(Debug)]
pub enum Accelerometer<I2C> {
    /// An ADXL345.
    Adxl345(Adxl345<I2C>),
    /// An MPU-6050.
    Mpu6050(Mpu6050<I2C>),
}

impl<I2C: I2c> Accelerometer<I2C> {
    /// Which part.
    pub fn part(&self) -> Part {
        match self {
            Accelerometer::Adxl345(_) => Part::Adxl345,
            Accelerometer::Mpu6050(_) => Part::Mpu6050,
        }
    }

    /// Its 7-bit address.
    pub fn address(&self) -> u8 {
        match self {
            Accelerometer::Adxl345(chip) => chip.address(),
            Accelerometer::Mpu6050(chip) => chip.address(),
        }
    }

    /// Sets `range` with the settings a lamp wants: ADXL345 at 100 Hz, MPU-6050 with a 44 Hz
    /// low-pass filter (less noise at a 20–50 Hz polling rate).
    pub fn configure(&mut self, range: Range) -> Result<()> {
        match self {
            Accelerometer::Adxl345(chip) => chip.configure(adxl345::Config {
                range,
                rate: adxl345::DataRate::Hz100,
            }),
            Accelerometer::Mpu6050(chip) => chip.configure(mpu6050::Config {
                range,
                dlpf: Some(mpu6050::Dlpf::Hz44),
            }),
        }
    }

    /// One sample.
    pub fn read(&mut self) -> Result<Acceleration> {
        match self {
            Accelerometer::Adxl345(chip) => chip.read(),
            Accelerometer::Mpu6050(chip) => chip.read(),
        }
    }

    /// Gives the bus back.
    pub fn release(self) -> I2C {
        match self {
            Accelerometer::Adxl345(chip) => chip.release(),
            Accelerometer::Mpu6050(chip) => chip.release(),
        }
    }
}

/// What one probed address said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeOutcome {
    /// The bus failed; a NACK means nothing is there.
    Bus(ErrorKind),
    /// Something answered with the wrong identity byte.
    WrongId {
        /// The identity register read.
        register: u8,
        /// What came back.
        found: u8,
        /// What the part returns.
        expected: u8,
    },
}

impl fmt::Display for ProbeOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProbeOutcome::Bus(ErrorKind::NoAcknowledge(_)) => f.write_str("no answer (NACK)"),
            ProbeOutcome::Bus(kind) => write!(f, "bus error: {kind}"),
            ProbeOutcome::WrongId {
                register,
                found,
                expected,
            } => write!(
                f,
                "register {register:#04x} reads {found:#04x}, expected {expected:#04x}"
            ),
        }
    }
}

/// One address tried by [`probe`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProbeAttempt {
    /// The part looked for.
    pub part: Part,
    /// The address tried.
    pub address: u8,
    /// What happened.
    pub outcome: ProbeOutcome,
}

impl fmt::Display for ProbeAttempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at {:#04x}: {}",
            self.part, self.address, self.outcome
        )
    }
}

/// No accelerometer answered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "no accelerometer (ADXL345 or MPU-6050) answered on the I2C bus; tried {}; check the wiring \
     (SDA, SCL, 3.3 V, GND) and `i2cdetect -y 1`",
    list(.attempts)
)]
pub struct ProbeError {
    /// Every address tried, in order.
    pub attempts: Vec<ProbeAttempt>,
}

fn list(attempts: &[ProbeAttempt]) -> String {
    attempts
        .iter()
        .map(ProbeAttempt::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Looks for an ADXL345 at 0x53 and 0x1D, then an MPU-6050 at 0x68 and 0x69, by identity
/// register, and returns a driver for the first that answers right. Configures nothing.
///
/// Takes the bus by value like the drivers; see [`probe_or_return`] to keep it when nothing is
/// found.
pub fn probe<I2C: I2c>(i2c: I2C) -> Result<Accelerometer<I2C>, ProbeError> {
    probe_or_return(i2c).map_err(|(error, _)| error)
}

/// [`probe`], handing the bus back with the error, so a loop can probe again later.
pub fn probe_or_return<I2C: I2c>(mut i2c: I2C) -> Result<Accelerometer<I2C>, (ProbeError, I2C)> {
    let candidates = adxl345::Address::ALL
        .map(Candidate::Adxl345)
        .into_iter()
        .chain(mpu6050::Address::ALL.map(Candidate::Mpu6050));
    let mut attempts = Vec::new();
    for candidate in candidates {
        let (part, address, register, expected) = candidate.identity();
        let mut id = [0u8];
        let outcome = match i2c.write_read(address, &[register], &mut id) {
            Ok(()) if id[0] == expected => return Ok(candidate.driver(i2c)),
            Ok(()) => ProbeOutcome::WrongId {
                register,
                found: id[0],
                expected,
            },
            Err(error) => ProbeOutcome::Bus(embedded_hal::i2c::Error::kind(&error)),
        };
        attempts.push(ProbeAttempt {
            part,
            address,
            outcome,
        });
    }
    Err((ProbeError { attempts }, i2c))
}

/// A part at one of its addresses.
#[derive(Clone, Copy)]
enum Candidate {
    Adxl345(adxl345::Address),
    Mpu6050(mpu6050::Address),
}

impl Candidate {
    /// (part, address, identity register, expected value).
    fn identity(self) -> (Part, u8, u8, u8) {
        match self {
            Candidate::Adxl345(a) => (Part::Adxl345, a.bits(), 0x00, adxl345::DEVICE_ID),
            Candidate::Mpu6050(a) => (Part::Mpu6050, a.bits(), 0x75, mpu6050::WHO_AM_I_VALUE),
        }
    }

    fn driver<I2C: I2c>(self, i2c: I2C) -> Accelerometer<I2C> {
        match self {
            Candidate::Adxl345(a) => Accelerometer::Adxl345(Adxl345::new(i2c, a)),
            Candidate::Mpu6050(a) => Accelerometer::Mpu6050(Mpu6050::new(i2c, a)),
        }
    }
}

#[cfg(test)]
mod tests {
    use atelier_sim::{
        Adxl345Model, Mpu6050Model, OrientationScript, RegisterMemory, Registers, SimBoard,
    };
    use embedded_hal::i2c::NoAcknowledgeSource;

    use super::*;

    const NACK: ProbeOutcome =
        ProbeOutcome::Bus(ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address));

    #[test]
    fn finds_an_adxl345_at_its_alternate_address() {
        let sim = SimBoard::new();
        let bus = sim.i2c_bus(1);
        bus.attach(
            0x1D,
            Registers::new(Adxl345Model::new(OrientationScript::default(), 0)),
        );
        let found = probe(sim.i2c(1)).expect("found");
        assert_eq!((found.part(), found.address()), (Part::Adxl345, 0x1D));
        let tried: Vec<u8> = bus.log().iter().map(|r| r.address).collect();
        assert_eq!(tried, [0x53, 0x1D]);
    }

    #[test]
    fn finds_an_mpu6050_at_its_alternate_address_and_reads_it() {
        let sim = SimBoard::new();
        let model = Mpu6050Model::new(OrientationScript::fixed([0.0, 0.0, 1.0]), 0);
        sim.i2c_bus(1).attach(0x69, Registers::new(model));
        let mut found = probe(sim.i2c(1)).expect("found");
        assert!(matches!(found, Accelerometer::Mpu6050(_)));
        assert_eq!(found.address(), 0x69);
        found.configure(Range::G2).expect("configure");
        let a = found.read().expect("read");
        assert!((a.z + 1.0).abs() < 0.05, "{a:?}");
    }

    #[test]
    fn an_empty_bus_lists_every_address_tried() {
        let sim = SimBoard::new();
        let mut i2c = sim.i2c(1);
        let error = probe(&mut i2c).expect_err("nobody there");
        let tried: Vec<(Part, u8, ProbeOutcome)> = error
            .attempts
            .iter()
            .map(|a| (a.part, a.address, a.outcome))
            .collect();
        assert_eq!(
            tried,
            [
                (Part::Adxl345, 0x53, NACK),
                (Part::Adxl345, 0x1D, NACK),
                (Part::Mpu6050, 0x68, NACK),
                (Part::Mpu6050, 0x69, NACK),
            ]
        );
        let message = error.to_string();
        for part in [
            "ADXL345 at 0x53: no answer (NACK)",
            "ADXL345 at 0x1d: no answer (NACK)",
            "MPU-6050 at 0x68: no answer (NACK)",
            "MPU-6050 at 0x69: no answer (NACK)",
        ] {
            assert!(message.contains(part), "{message}");
        }
        // The bus was lent, not given: it still works.
        sim.i2c_bus(1).attach(
            0x53,
            Registers::new(Adxl345Model::new(OrientationScript::default(), 0)),
        );
        assert!(probe(&mut i2c).is_ok());
    }

    #[test]
    fn a_wrong_identity_is_reported_with_the_byte() {
        let sim = SimBoard::new();
        let mut memory = RegisterMemory::default();
        memory.registers[0x75] = 0x70; // an MPU-6500 where an MPU-6050 was expected
        sim.i2c_bus(1).attach(0x68, Registers::new(memory));
        sim.i2c_bus(1)
            .inject(Some(0x1D), atelier_sim::I2cFault::BusError);
        let error = probe(sim.i2c(1)).expect_err("no match");
        assert_eq!(
            error.attempts[2].outcome,
            ProbeOutcome::WrongId {
                register: 0x75,
                found: 0x70,
                expected: 0x68
            }
        );
        assert_eq!(error.attempts[1].outcome, ProbeOutcome::Bus(ErrorKind::Bus));
        let message = error.to_string();
        assert!(
            message.contains("MPU-6050 at 0x68: register 0x75 reads 0x70, expected 0x68"),
            "{message}"
        );
        assert!(message.contains("ADXL345 at 0x1d: bus error"), "{message}");
    }
}
