use std::fmt;
use std::ops::{Add, AddAssign, Sub};
use std::sync::Arc;
use std::time::Duration;

use embedded_hal::delay::DelayNs;

/// A point in time on the run's clock, in nanoseconds since the clock started.
///
/// Plain integer nanoseconds: a u64 lasts 584 years, and integer time keeps a recording and its
/// replay bit-identical (no float rounding drifts between runs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(u64);

impl Instant {
    /// The moment the clock started.
    pub const ZERO: Instant = Instant(0);

    /// The instant `nanos` nanoseconds after the clock started.
    pub const fn from_nanos(nanos: u64) -> Instant {
        Instant(nanos)
    }

    /// The instant `duration` after the clock started (saturating at the far future).
    pub fn from_duration(duration: Duration) -> Instant {
        Instant(u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX))
    }

    /// Nanoseconds since the clock started.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// Time since the clock started.
    pub const fn since_start(self) -> Duration {
        Duration::from_nanos(self.0)
    }

    /// Time from `earlier` to `self`, or zero when `earlier` is later.
    pub const fn saturating_since(self, earlier: Instant) -> Duration {
        Duration::from_nanos(self.0.saturating_sub(earlier.0))
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    fn add(self, rhs: Duration) -> Instant {
        let nanos = u64::try_from(rhs.as_nanos()).unwrap_or(u64::MAX);
        Instant(self.0.saturating_add(nanos))
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, rhs: Duration) {
        *self = *self + rhs;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;

    /// Saturating: an earlier minus a later instant is zero, never a panic.
    fn sub(self, rhs: Instant) -> Duration {
        self.saturating_since(rhs)
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{:09}s",
            self.0 / 1_000_000_000,
            self.0 % 1_000_000_000
        )
    }
}

/// The one clock of a run, shared by every task and every (simulated) device.
///
/// Real runs use [`MonotonicClock`]; simulated runs a virtual clock whose time moves only when the
/// firmware sleeps, so hours of device time pass in moments.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> Instant;

    /// Blocks until the clock reads `deadline` or later. Returns at once for a past deadline.
    fn sleep_until(&self, deadline: Instant);

    /// Blocks for `duration` from now.
    fn sleep(&self, duration: Duration) {
        self.sleep_until(self.now() + duration);
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> Instant {
        C::now(self)
    }
    fn sleep_until(&self, deadline: Instant) {
        C::sleep_until(self, deadline)
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> Instant {
        C::now(self)
    }
    fn sleep_until(&self, deadline: Instant) {
        C::sleep_until(self, deadline)
    }
}

/// Real time from the operating system's monotonic clock.
///
/// Sleeps hand the CPU back to the OS until shortly before the deadline and busy-wait the last
/// stretch: Linux wakes a sleeping thread 50–100 µs late, which is a whole step period of a fast
/// stepper.
#[derive(Clone, Copy, Debug)]
pub struct MonotonicClock {
    epoch: std::time::Instant,
    spin: Duration,
}

impl MonotonicClock {
    /// How long before a deadline [`Clock::sleep_until`] stops sleeping and starts spinning.
    pub const DEFAULT_SPIN: Duration = Duration::from_micros(200);

    /// A clock whose zero is now.
    pub fn new() -> MonotonicClock {
        MonotonicClock {
            epoch: std::time::Instant::now(),
            spin: Self::DEFAULT_SPIN,
        }
    }

    /// The same clock with another busy-wait stretch; zero never spins.
    pub fn with_spin(self, spin: Duration) -> MonotonicClock {
        MonotonicClock { spin, ..self }
    }
}

impl Default for MonotonicClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for MonotonicClock {
    fn now(&self) -> Instant {
        Instant::from_duration(self.epoch.elapsed())
    }

    fn sleep_until(&self, deadline: Instant) {
        let target = self.epoch + deadline.since_start();
        loop {
            let now = std::time::Instant::now();
            if now >= target {
                return;
            }
            let left = target - now;
            if left > self.spin {
                std::thread::sleep(left - self.spin);
            } else {
                std::hint::spin_loop();
            }
        }
    }
}

/// An embedded-hal [`DelayNs`] that sleeps on a [`Clock`], so delays inside drivers pass in
/// virtual time under simulation.
#[derive(Clone, Debug)]
pub struct ClockDelay<C> {
    clock: C,
}

impl<C: Clock> ClockDelay<C> {
    /// A delay sleeping on `clock`.
    pub fn new(clock: C) -> Self {
        ClockDelay { clock }
    }
}

impl<C: Clock> DelayNs for ClockDelay<C> {
    fn delay_ns(&mut self, ns: u32) {
        self.clock.sleep(Duration::from_nanos(u64::from(ns)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instant_arithmetic_saturates_instead_of_panicking() {
        let a = Instant::from_nanos(5);
        let b = a + Duration::from_nanos(7);
        assert_eq!(b.as_nanos(), 12);
        assert_eq!(b - a, Duration::from_nanos(7));
        assert_eq!(a - b, Duration::ZERO);
        assert_eq!(
            (Instant::from_nanos(u64::MAX) + Duration::from_secs(1)).as_nanos(),
            u64::MAX
        );
    }

    #[test]
    fn instant_displays_seconds_with_nanosecond_digits() {
        assert_eq!(
            Instant::from_nanos(3_000_000_042).to_string(),
            "3.000000042s"
        );
    }

    #[test]
    fn monotonic_sleep_reaches_its_deadline() {
        let clock = MonotonicClock::new();
        let deadline = clock.now() + Duration::from_millis(2);
        clock.sleep_until(deadline);
        assert!(clock.now() >= deadline);
    }

    #[test]
    fn delay_sleeps_on_the_clock() {
        let clock = MonotonicClock::new().with_spin(Duration::ZERO);
        let start = clock.now();
        ClockDelay::new(&clock).delay_us(1500);
        assert!(clock.now() - start >= Duration::from_micros(1500));
    }
}
