//! The accelerometer as a running lamp sees it: found or not, answering or not.

use std::time::Duration;

use atelier_hal::{Clock, Instant};
use embedded_hal::i2c::I2c;

use super::{Acceleration, Accelerometer, Backoff, Range, probe_or_return, retry};

/// Probes the bus until a part answers, configures it (again after it lost power), reads it,
/// and backs off from 0.1 s to 5 s while it is silent; keeps why, for the `info` card.
#[derive(Debug)]
pub struct SensorLink<I2C> {
    bus: Option<I2C>,
    chip: Option<Accelerometer<I2C>>,
    configured: bool,
    failures: u32,
    next_try: Instant,
    found: Option<String>,
    problem: Option<String>,
}

impl<I2C: I2c> SensorLink<I2C> {
    /// A link that will probe `bus` on its first poll.
    pub fn new(bus: I2C) -> SensorLink<I2C> {
        SensorLink {
            bus: Some(bus),
            chip: None,
            configured: false,
            failures: 0,
            next_try: Instant::ZERO,
            found: None,
            problem: None,
        }
    }

    /// "ADXL345 at 0x53", once a part answered.
    pub fn found(&self) -> Option<&str> {
        self.found.as_deref()
    }

    /// Why the sensor is silent, while it is.
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    fn fail(&mut self, now: Instant, problem: String) {
        self.failures = self.failures.saturating_add(1);
        self.configured = false;
        let delay = Duration::from_millis(100)
            .saturating_mul(1 << self.failures.min(6))
            .min(Duration::from_secs(5));
        if self.problem.is_none() {
            tracing::warn!(
                "accelerometer: {problem}; keeping the last surface and retrying (up to every {:?})",
                Duration::from_secs(5)
            );
        }
        self.problem = Some(format!("accelerometer: {problem}"));
        self.next_try = now + delay;
    }

    /// One sample, if the sensor is due and answers.
    pub fn poll<C: Clock>(&mut self, clock: &C) -> Option<Acceleration> {
        let now = clock.now();
        if now < self.next_try {
            return None;
        }
        if self.chip.is_none() {
            let bus = self.bus.take()?;
            match probe_or_return(bus) {
                Ok(chip) => {
                    let found = format!("{} at {:#04x}", chip.part(), chip.address());
                    tracing::info!("accelerometer: {found}");
                    self.found = Some(found);
                    self.chip = Some(chip);
                }
                Err((error, bus)) => {
                    self.bus = Some(bus);
                    self.fail(now, error.to_string());
                    return None;
                }
            }
        }
        let chip = self.chip.as_mut()?;
        if !self.configured {
            if let Err(error) = retry(clock, Backoff::default(), || chip.configure(Range::G2)) {
                self.fail(now, error.to_string());
                return None;
            }
            self.configured = true;
        }
        let chip = self.chip.as_mut()?;
        match retry(clock, Backoff::default(), || chip.read()) {
            Ok(sample) => {
                if self.problem.take().is_some() {
                    tracing::info!("accelerometer answers again");
                }
                self.failures = 0;
                Some(sample)
            }
            Err(error) => {
                self.fail(now, error.to_string());
                None
            }
        }
    }
}
