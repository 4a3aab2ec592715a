//! The virtual clock: one per simulated run, shared by the firmware and every device model.

use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use atelier_hal::{Clock, Instant};

/// How virtual time relates to wall time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pace {
    /// Time jumps to the next wake-up as soon as everyone waits: a three-hour plot simulates in
    /// the time its computation takes.
    AsFastAsPossible,
    /// Virtual time runs at `speed` times wall time (1.0 is real time; 0.0 pauses the run).
    /// Used by the desktop simulator so a person can watch and press buttons.
    RealTime {
        /// Virtual seconds per wall second.
        speed: f64,
    },
    /// Time jumps as with [`Pace::AsFastAsPossible`] (only when every participant sleeps, so
    /// the firmware never sees the simulator's own slowness as lateness), but no faster than
    /// `speed` times wall time: a plotter at ×20 that a person can watch.
    AtMost {
        /// Most virtual seconds per wall second.
        speed: f64,
    },
}

/// A clock whose time moves only when the simulated firmware sleeps.
///
/// Cloning gives another handle on the same clock.
///
/// # Several threads
/// With [`Pace::AsFastAsPossible`], time may only jump when *every* thread that uses the clock is
/// asleep on it, or a thread still computing would see time leap past events it was about to
/// schedule. Each thread that sleeps on the clock therefore holds a [`Participant`] while it runs
/// (the classic conservative discrete-event rule). A run with a single thread needs none: with no
/// participant registered, any sleep advances time.
#[derive(Clone, Debug)]
pub struct VirtualClock {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Debug)]
struct State {
    pace: Pace,
    /// Virtual time at `wall_anchor` (real time) or simply now (as fast as possible).
    anchor: Instant,
    wall_anchor: std::time::Instant,
    participants: usize,
    sleeping: usize,
    /// Deadlines of the sleepers, with how many sleep until each.
    deadlines: BTreeMap<Instant, usize>,
}

impl State {
    fn now(&self) -> Instant {
        match self.pace {
            Pace::AsFastAsPossible | Pace::AtMost { .. } => self.anchor,
            Pace::RealTime { speed } => {
                self.anchor + self.wall_anchor.elapsed().mul_f64(speed.max(0.0))
            }
        }
    }

    /// Moves time to the earliest deadline when nobody is left running (and, at a capped pace,
    /// once the wall clock allows it).
    fn advance_if_all_asleep(&mut self) -> bool {
        let jumps = matches!(self.pace, Pace::AsFastAsPossible | Pace::AtMost { .. });
        if !jumps || self.sleeping < self.participants.max(1) {
            return false;
        }
        match self.deadlines.keys().next() {
            Some(&next) if next > self.anchor => {
                if self.wall_wait(next).is_some() {
                    return false;
                }
                self.jump(next);
                true
            }
            _ => false,
        }
    }

    /// At a capped pace: how long the wall clock must still run before time may reach
    /// `deadline` (`None`: now).
    fn wall_wait(&self, deadline: Instant) -> Option<Duration> {
        let Pace::AtMost { speed } = self.pace else {
            return None;
        };
        let due = self.wall_anchor + (deadline - self.anchor).div_f64(speed.max(1e-9));
        due.checked_duration_since(std::time::Instant::now())
            .filter(|wait| *wait > Duration::from_micros(200))
    }

    /// Moves time to `deadline`. At a capped pace the wall anchor follows, but a simulation
    /// that fell behind the cap starts afresh rather than rushing to catch up.
    fn jump(&mut self, deadline: Instant) {
        if let Pace::AtMost { speed } = self.pace {
            let due = self.wall_anchor + (deadline - self.anchor).div_f64(speed.max(1e-9));
            let now = std::time::Instant::now();
            self.wall_anchor = if now.saturating_duration_since(due) > Duration::from_millis(20) {
                now
            } else {
                due
            };
        }
        self.anchor = deadline;
    }
}

impl VirtualClock {
    /// A clock at zero that runs as fast as possible.
    pub fn new() -> VirtualClock {
        VirtualClock::with_pace(Pace::AsFastAsPossible)
    }

    /// A clock at zero with the given pace.
    pub fn with_pace(pace: Pace) -> VirtualClock {
        VirtualClock {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    pace,
                    anchor: Instant::ZERO,
                    wall_anchor: std::time::Instant::now(),
                    participants: 0,
                    sleeping: 0,
                    deadlines: BTreeMap::new(),
                }),
                changed: Condvar::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not wedge every other handle on the clock.
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The current pace.
    pub fn pace(&self) -> Pace {
        self.lock().pace
    }

    /// Changes the pace from now on; virtual time continues from where it is.
    pub fn set_pace(&self, pace: Pace) {
        let mut state = self.lock();
        state.anchor = state.now();
        state.wall_anchor = std::time::Instant::now();
        state.pace = pace;
        drop(state);
        self.shared.changed.notify_all();
    }

    /// Registers the calling thread as one that uses the clock; time waits for it while the
    /// returned guard lives and the thread is not asleep on the clock.
    pub fn participant(&self) -> Participant {
        self.lock().participants += 1;
        Participant {
            clock: self.clone(),
        }
    }
}

impl Default for VirtualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> Instant {
        self.lock().now()
    }

    fn sleep_until(&self, deadline: Instant) {
        let mut state = self.lock();
        if state.now() >= deadline {
            return;
        }
        // Alone on a clock that runs as fast as possible (a plot's executor: millions of
        // sleeps), time simply jumps: nobody else sleeps, so nobody needs waking.
        if state.pace == Pace::AsFastAsPossible && state.participants <= 1 && state.sleeping == 0 {
            state.anchor = deadline;
            return;
        }
        state.sleeping += 1;
        *state.deadlines.entry(deadline).or_insert(0) += 1;
        loop {
            if state.advance_if_all_asleep() {
                self.shared.changed.notify_all();
            }
            let now = state.now();
            if now >= deadline {
                break;
            }
            state = match state.pace {
                Pace::AsFastAsPossible => self
                    .shared
                    .changed
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner),
                Pace::AtMost { .. } => {
                    // All asleep but the wall clock not there yet: wait for it (or a change).
                    let wait = state
                        .deadlines
                        .keys()
                        .next()
                        .and_then(|&next| state.wall_wait(next))
                        .unwrap_or(Duration::from_millis(20))
                        .min(Duration::from_millis(20));
                    self.shared
                        .changed
                        .wait_timeout(state, wait)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
                Pace::RealTime { speed } => {
                    // Re-check at least every 20 ms so a change of pace takes effect promptly.
                    let wall = if speed > 0.0 {
                        (deadline - now)
                            .div_f64(speed)
                            .min(Duration::from_millis(20))
                    } else {
                        Duration::from_millis(20)
                    };
                    self.shared
                        .changed
                        .wait_timeout(state, wall)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
        }
        state.sleeping -= 1;
        if let Some(count) = state.deadlines.get_mut(&deadline) {
            *count -= 1;
            if *count == 0 {
                state.deadlines.remove(&deadline);
            }
        }
    }
}

/// A thread's membership of a [`VirtualClock`]; see the clock's docs. Dropping it leaves.
#[derive(Debug)]
pub struct Participant {
    clock: VirtualClock,
}

impl Drop for Participant {
    fn drop(&mut self) {
        let mut state = self.clock.lock();
        state.participants -= 1;
        if state.advance_if_all_asleep() {
            drop(state);
            self.clock.shared.changed.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn a_single_thread_jumps_straight_to_its_deadline() {
        let clock = VirtualClock::new();
        clock.sleep_until(Instant::from_nanos(1_000));
        assert_eq!(clock.now(), Instant::from_nanos(1_000));
        clock.sleep(Duration::from_secs(3600));
        assert_eq!(
            clock.now().since_start(),
            Duration::from_secs(3600) + Duration::from_micros(1)
        );
    }

    #[test]
    fn sleeping_into_the_past_returns_at_once() {
        let clock = VirtualClock::new();
        clock.sleep(Duration::from_secs(1));
        clock.sleep_until(Instant::from_nanos(5));
        assert_eq!(clock.now().since_start(), Duration::from_secs(1));
    }

    #[test]
    fn participants_wake_in_deadline_order() {
        let clock = VirtualClock::new();
        let (tx, rx) = mpsc::channel();
        let mut threads = Vec::new();
        // Register all participants before any of them runs, as a shell does at start-up.
        let members: Vec<_> = (0..3).map(|_| clock.participant()).collect();
        for (i, member) in members.into_iter().enumerate() {
            let clock = clock.clone();
            let tx = tx.clone();
            threads.push(std::thread::spawn(move || {
                let _member = member;
                for round in 0..3u64 {
                    // Thread i wakes at 10·round + (3 − i) ms: a fixed interleaving.
                    let at = Instant::from_nanos((10 * round + 3 - i as u64) * 1_000_000);
                    clock.sleep_until(at);
                    tx.send((clock.now(), i)).expect("receiver lives");
                }
            }));
        }
        drop(tx);
        for t in threads {
            t.join().expect("participant thread");
        }
        let wakes: Vec<_> = rx.iter().collect();
        let times: Vec<_> = wakes
            .iter()
            .map(|(t, _)| t.as_nanos() / 1_000_000)
            .collect();
        assert_eq!(times, vec![1, 2, 3, 11, 12, 13, 21, 22, 23]);
        let order: Vec<_> = wakes.iter().map(|(_, i)| *i).collect();
        assert_eq!(order, vec![2, 1, 0, 2, 1, 0, 2, 1, 0]);
    }

    #[test]
    fn time_waits_for_a_participant_that_is_still_busy() {
        let clock = VirtualClock::new();
        let busy = clock.participant();
        let sleeper = {
            let clock = clock.clone();
            let member = clock.participant();
            std::thread::spawn(move || {
                let _member = member;
                clock.sleep_until(Instant::from_nanos(500));
                clock.now()
            })
        };
        std::thread::sleep(Duration::from_millis(30));
        // The main participant has not slept, so the sleeper must still be waiting at zero.
        assert_eq!(clock.now(), Instant::ZERO);
        drop(busy);
        assert_eq!(sleeper.join().expect("sleeper"), Instant::from_nanos(500));
    }

    #[test]
    fn real_time_pace_follows_the_wall_clock() {
        let clock = VirtualClock::with_pace(Pace::RealTime { speed: 10.0 });
        let wall = std::time::Instant::now();
        clock.sleep(Duration::from_millis(200));
        let elapsed = wall.elapsed();
        assert!(
            elapsed >= Duration::from_millis(20),
            "woke after {elapsed:?}"
        );
        assert!(clock.now().since_start() >= Duration::from_millis(200));
    }

    #[test]
    fn a_capped_pace_jumps_no_faster_than_its_speed_and_never_while_someone_computes() {
        let clock = VirtualClock::with_pace(Pace::AtMost { speed: 10.0 });
        let wall = std::time::Instant::now();
        clock.sleep(Duration::from_millis(300));
        assert_eq!(clock.now().since_start(), Duration::from_millis(300));
        assert!(
            wall.elapsed() >= Duration::from_millis(25),
            "{:?}",
            wall.elapsed()
        );
        // Computing takes wall time but no virtual time: nothing is ever late for it.
        let before = clock.now();
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(clock.now(), before);
    }

    #[test]
    fn a_paused_clock_stands_still_until_resumed() {
        let clock = VirtualClock::with_pace(Pace::RealTime { speed: 0.0 });
        std::thread::sleep(Duration::from_millis(10));
        assert_eq!(clock.now(), Instant::ZERO);
        clock.set_pace(Pace::AsFastAsPossible);
        clock.sleep(Duration::from_secs(5));
        assert_eq!(clock.now().since_start(), Duration::from_secs(5));
    }
}
