//! The run's clock as the board hands it out.

use atelier_hal::{Clock, ClockDelay, Instant, MonotonicClock};
use atelier_sim::VirtualClock;

/// The clock of a board: real on hardware, virtual in simulation.
#[derive(Clone, Debug)]
pub enum AnyClock {
    /// The operating system's monotonic clock.
    Monotonic(MonotonicClock),
    /// The simulator's virtual clock.
    Virtual(VirtualClock),
}

impl AnyClock {
    /// An embedded-hal `DelayNs` on this clock.
    pub fn delay(&self) -> ClockDelay<AnyClock> {
        ClockDelay::new(self.clone())
    }
}

impl Clock for AnyClock {
    fn now(&self) -> Instant {
        match self {
            AnyClock::Monotonic(clock) => clock.now(),
            AnyClock::Virtual(clock) => clock.now(),
        }
    }

    fn sleep_until(&self, deadline: Instant) {
        match self {
            AnyClock::Monotonic(clock) => clock.sleep_until(deadline),
            AnyClock::Virtual(clock) => clock.sleep_until(deadline),
        }
    }
}
