//! What the three LEDs show. Each state of the robot has its own pattern, so a person can tell
//! them apart from across a room; hardware/comic.md has the table.

use std::time::Duration;

use atelier_hal::Instant;

/// What the robot is doing, as far as a person needs to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Pattern {
    /// Waiting for a press, the next comic made: green on.
    Ready,
    /// Making the next comic (a press is still welcome; it waits for it): green on, yellow
    /// blinking at 2 Hz.
    Composing,
    /// Printing: yellow on, green on while there is room for another press.
    Printing {
        /// Whether another press would be accepted.
        room: bool,
    },
    /// The queue is full; a press now is refused: yellow on, red flashing at 4 Hz.
    QueueFull,
    /// The printer is out of paper: red blinking at 1 Hz, green on while there is room.
    PaperOut {
        /// Whether another press would be accepted.
        room: bool,
    },
    /// The printer stopped otherwise (cover open, offline, unplugged, not answering): red on,
    /// green on while there is room.
    PrinterFault {
        /// Whether another press would be accepted.
        room: bool,
    },
    /// The button was held: the machine will shut down after the comic being printed. All
    /// three blink together at 2 Hz.
    ShuttingDown,
}

/// The three LEDs at one instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Lights {
    /// Green: ready for a press.
    pub ready: bool,
    /// Yellow: working.
    pub busy: bool,
    /// Red: needs a person.
    pub error: bool,
}

/// How often the LEDs are brought up to date: every blink period is a multiple of it.
pub const TICK: Duration = Duration::from_millis(125);

/// On for the first half of each period of `hz` blinks a second.
fn blink(at: Instant, hz: u64) -> bool {
    let half_period = 500_000_000 / hz;
    (at.as_nanos() / half_period).is_multiple_of(2)
}

impl Pattern {
    /// The LEDs at time `at`.
    pub fn lights(self, at: Instant) -> Lights {
        let lights = |ready, busy, error| Lights { ready, busy, error };
        match self {
            Pattern::Ready => lights(true, false, false),
            Pattern::Composing => lights(true, blink(at, 2), false),
            Pattern::Printing { room } => lights(room, true, false),
            Pattern::QueueFull => lights(false, true, blink(at, 4)),
            Pattern::PaperOut { room } => lights(room, false, blink(at, 1)),
            Pattern::PrinterFault { room } => lights(room, false, true),
            Pattern::ShuttingDown => {
                let on = blink(at, 2);
                lights(on, on, on)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_ms(ms: u64) -> Instant {
        Instant::from_nanos(ms * 1_000_000)
    }

    /// The LEDs sampled every tick over two seconds.
    fn film(pattern: Pattern) -> Vec<Lights> {
        (0..16)
            .map(|i| pattern.lights(at_ms(i * TICK.as_millis() as u64)))
            .collect()
    }

    #[test]
    fn every_state_looks_different_over_two_seconds() {
        let patterns = [
            Pattern::Ready,
            Pattern::Composing,
            Pattern::Printing { room: true },
            Pattern::Printing { room: false },
            Pattern::QueueFull,
            Pattern::PaperOut { room: true },
            Pattern::PrinterFault { room: true },
            Pattern::ShuttingDown,
        ];
        for (i, a) in patterns.iter().enumerate() {
            for b in &patterns[i + 1..] {
                assert_ne!(film(*a), film(*b), "{a:?} looks like {b:?}");
            }
        }
    }

    #[test]
    fn blinks_have_the_documented_rates() {
        let toggles = |pattern: Pattern, led: fn(Lights) -> bool| {
            let film = film(pattern);
            film.windows(2).filter(|w| led(w[0]) != led(w[1])).count()
        };
        // Over 2 s (16 ticks): 1 Hz toggles 3 times in the 15 steps, 2 Hz 7 times, 4 Hz 15.
        assert_eq!(toggles(Pattern::PaperOut { room: true }, |l| l.error), 3);
        assert_eq!(toggles(Pattern::Composing, |l| l.busy), 7);
        assert_eq!(toggles(Pattern::QueueFull, |l| l.error), 15);
        assert_eq!(toggles(Pattern::Ready, |l| l.ready), 0);
    }
}
