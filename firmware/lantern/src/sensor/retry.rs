//! Riding out I2C glitches: try again after 1, 2, 4, 8 ms, then report.
//!
//! A lamp's sensor often hangs on a long cable up a spring arm; a glitch now and then is normal
//! and should cost a few milliseconds, not an error screen. A device that stays silent is
//! reported with the kind of the last failure, so the shell can still tell "unplugged" (NACK)
//! from "noisy bus".

use std::time::Duration;

use atelier_hal::Clock;

use super::{Error, Result};

/// How often and how patiently to retry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// Sleep before the first retry; each further retry sleeps twice as long.
    pub first_delay: Duration,
    /// Retries after the first attempt.
    pub retries: u32,
}

impl Default for Backoff {
    /// 1, 2, 4, 8 ms: 15 ms at most, under one frame of a 50 Hz polling loop.
    fn default() -> Self {
        Backoff {
            first_delay: Duration::from_millis(1),
            retries: 4,
        }
    }
}

/// Runs `operation`, retrying transient (bus) errors with exponential backoff slept on `clock`.
///
/// A wrong identity is returned at once (it will not heal); when the retries run out the result
/// is [`Error::GaveUp`] around the last error, whose [`Error::kind`] is still the bus's.
pub fn retry<T, C: Clock>(
    clock: &C,
    backoff: Backoff,
    mut operation: impl FnMut() -> Result<T>,
) -> Result<T> {
    let mut delay = backoff.first_delay;
    let mut waited = Duration::ZERO;
    let mut attempts = 0u32;
    loop {
        attempts = attempts.saturating_add(1);
        match operation() {
            Ok(value) => return Ok(value),
            Err(error) if !error.is_transient() => return Err(error),
            Err(error) if attempts > backoff.retries => {
                return Err(Error::GaveUp {
                    attempts,
                    waited,
                    last: Box::new(error),
                });
            }
            Err(_) => {
                clock.sleep(delay);
                waited = waited.saturating_add(delay);
                delay = delay.saturating_mul(2);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use atelier_sim::{Adxl345Model, I2cFault, OrientationScript, Registers, SimBoard};
    use embedded_hal::i2c::{ErrorKind, NoAcknowledgeSource};

    use super::*;
    use crate::sensor::{Adxl345, adxl345};

    fn setup() -> (SimBoard, Adxl345<atelier_sim::SimI2c>) {
        let sim = SimBoard::new();
        let model = Adxl345Model::new(OrientationScript::fixed([0.0, 0.0, 1.0]), 2);
        sim.i2c_bus(1).attach(0x53, Registers::new(model));
        let mut adxl = Adxl345::new(sim.i2c(1), adxl345::Address::AltLow);
        adxl.configure(adxl345::Config::default())
            .expect("configure");
        (sim, adxl)
    }

    #[test]
    fn two_bus_errors_cost_one_and_two_milliseconds_then_the_read_succeeds() {
        let (sim, mut adxl) = setup();
        let clock = sim.clock();
        let bus = sim.i2c_bus(1);
        bus.inject(Some(0x53), I2cFault::BusError);
        bus.inject(Some(0x53), I2cFault::BusError);
        let before_log = bus.log().len();
        let start = clock.now();
        let a = retry(&clock, Backoff::default(), || adxl.read()).expect("third try");
        let elapsed = clock.now() - start;
        // Gravity along +Z reads −1 g on Z.
        assert!((a.z + 1.0).abs() < 0.05, "{a:?}");
        // 1 + 2 ms of backoff, plus under a millisecond of bus time for three transactions.
        assert!(
            elapsed >= Duration::from_millis(3) && elapsed < Duration::from_millis(4),
            "{elapsed:?}"
        );
        let attempts: Vec<Option<ErrorKind>> =
            bus.log()[before_log..].iter().map(|r| r.error).collect();
        assert_eq!(attempts, [Some(ErrorKind::Bus), Some(ErrorKind::Bus), None]);
    }

    #[test]
    fn persistent_faults_give_up_with_the_kind() {
        let (sim, mut adxl) = setup();
        let clock = sim.clock();
        for _ in 0..5 {
            sim.i2c_bus(1).inject(Some(0x53), I2cFault::ArbitrationLoss);
        }
        let start = clock.now();
        let error = retry(&clock, Backoff::default(), || adxl.read()).expect_err("gives up");
        assert_eq!(error.kind(), Some(ErrorKind::ArbitrationLoss));
        assert!(
            matches!(error, Error::GaveUp { attempts: 5, waited, .. } if waited == Duration::from_millis(15)),
            "{error:?}"
        );
        assert!(clock.now() - start >= Duration::from_millis(15));
        let message = error.to_string();
        assert!(message.contains("ADXL345 at I2C address 0x53"), "{message}");
        assert!(message.contains("gave up after 5 attempts"), "{message}");

        // Unplugged: the kind says so.
        sim.i2c_bus(1).detach(0x53);
        let error = retry(&clock, Backoff::default(), || adxl.read()).expect_err("gone");
        assert_eq!(
            error.kind(),
            Some(ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address))
        );
    }

    #[test]
    fn a_wrong_identity_is_not_retried() {
        let sim = SimBoard::new();
        let clock = sim.clock();
        let mut calls = 0;
        let error = retry(&clock, Backoff::default(), || -> Result<()> {
            calls += 1;
            Err(Error::WrongId {
                part: crate::sensor::Part::Adxl345,
                address: 0x53,
                register: 0,
                found: 0,
                expected: 0xE5,
            })
        })
        .expect_err("wrong id");
        assert_eq!(calls, 1);
        assert!(matches!(error, Error::WrongId { .. }));
        assert_eq!(clock.now(), atelier_hal::Instant::ZERO);
    }
}
