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

    /// Holds virtual time still for the calling work until the guard is dropped or the thread
    /// sleeps on the clock (see [`VirtualClock`]'s "Several threads"): for work handed to
    /// another thread, taken out by the thread that hands it over so no instant slips between.
    /// Real time waits for nobody: `None`.
    pub fn hold(&self) -> Option<atelier_sim::Participant> {
        match self {
            AnyClock::Monotonic(_) => None,
            AnyClock::Virtual(clock) => Some(clock.participant()),
        }
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
