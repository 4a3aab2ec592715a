//! Scripted inputs: what a person or the world does to the machine, on the virtual timeline.

use std::time::Duration;

use atelier_hal::Instant;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// How a mechanical contact chatters when it closes or opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounce {
    /// The chatter lasts at most this long after the first contact.
    pub duration: Duration,
    /// At most this many extra level changes during the chatter (always an even number is used,
    /// so the contact ends where it is going).
    pub max_changes: u32,
}

impl Bounce {
    /// A clean contact.
    pub const NONE: Bounce = Bounce {
        duration: Duration::ZERO,
        max_changes: 0,
    };

    /// A typical tactile push button: up to 10 changes within 5 ms.
    pub const TACTILE: Bounce = Bounce {
        duration: Duration::from_millis(5),
        max_changes: 10,
    };
}

/// Presses of a push button, with contact bounce drawn from a seed so a run is repeatable.
#[derive(Clone, Debug)]
pub struct ButtonScript {
    idle: bool,
    rng: ChaCha8Rng,
    levels: Vec<(Instant, bool)>,
}

impl ButtonScript {
    /// A button wired to ground with a pull-up: idle high, pressed low (the usual Pi wiring).
    pub fn active_low(seed: u64) -> ButtonScript {
        ButtonScript::with_idle(true, seed)
    }

    /// A button whose line reads `idle` when it is not pressed.
    pub fn with_idle(idle: bool, seed: u64) -> ButtonScript {
        ButtonScript {
            idle,
            rng: ChaCha8Rng::seed_from_u64(seed),
            levels: Vec::new(),
        }
    }

    /// Presses the button at `at`, holds it for `hold`, then lets go; both contacts bounce.
    pub fn press(mut self, at: Instant, hold: Duration, bounce: Bounce) -> ButtonScript {
        self.contact(at, !self.idle, bounce);
        self.contact(at + hold, self.idle, bounce);
        self
    }

    /// One contact event: chatter for up to `bounce.duration`, ending settled at `level`.
    fn contact(&mut self, at: Instant, level: bool, bounce: Bounce) {
        self.levels.push((at, level));
        let extra = if bounce.max_changes < 2 || bounce.duration.is_zero() {
            0
        } else {
            2 * self.rng.random_range(1..=bounce.max_changes / 2)
        };
        let span = u64::try_from(bounce.duration.as_nanos()).unwrap_or(u64::MAX);
        let mut times: Vec<u64> = (0..extra)
            .map(|_| self.rng.random_range(1..=span))
            .collect();
        times.sort_unstable();
        times.dedup();
        // Pairs of (away, back) changes: the contact ends at `level`.
        let pairs = times.len() / 2;
        for (i, t) in times.into_iter().take(pairs * 2).enumerate() {
            let chatter = if i % 2 == 0 { !level } else { level };
            self.levels.push((at + Duration::from_nanos(t), chatter));
        }
    }

    /// The scripted `(time, level)` changes, in time order.
    pub fn levels(&self) -> Vec<(Instant, bool)> {
        let mut levels = self.levels.clone();
        levels.sort_by_key(|&(t, _)| t);
        levels
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bouncy_press_ends_pressed_then_released() {
        let at = Instant::from_nanos(1_000_000_000);
        let hold = Duration::from_millis(200);
        let script = ButtonScript::active_low(7).press(at, hold, Bounce::TACTILE);
        let levels = script.levels();
        assert!(levels.len() > 2, "tactile bounce adds chatter: {levels:?}");
        let settled_pressed = levels
            .iter()
            .rev()
            .find(|(t, _)| *t < at + hold)
            .map(|&(_, l)| l);
        assert_eq!(settled_pressed, Some(false));
        assert_eq!(levels.last().map(|&(_, l)| l), Some(true));
        let chatter_end = at + Bounce::TACTILE.duration;
        assert!(
            levels
                .iter()
                .all(|&(t, _)| (t >= at && t <= chatter_end) || t >= at + hold)
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_bounce() {
        let press = |seed| {
            ButtonScript::active_low(seed)
                .press(Instant::ZERO, Duration::from_millis(50), Bounce::TACTILE)
                .levels()
        };
        assert_eq!(press(3), press(3));
        assert_ne!(press(3), press(4));
    }
}
