//! Virtual GPIO lines: outputs the firmware drives and inputs the simulation drives.

use std::convert::Infallible;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use atelier_hal::{Clock, Edge, Instant, SetTogether, WaitForEdge};
use embedded_hal::digital::{ErrorType, InputPin, OutputPin, StatefulOutputPin};

use crate::clock::{Pace, VirtualClock};
use crate::trace::{Recorder, SignalId, Value};

type Listener = Box<dyn FnMut(Instant, bool) + Send>;

/// A GPIO line driven by the firmware, as the simulated world sees it.
#[derive(Clone)]
pub struct OutputLine {
    state: Arc<Mutex<OutputState>>,
}

struct OutputState {
    level: bool,
    changed_at: Instant,
    listeners: Vec<Listener>,
}

impl fmt::Debug for OutputLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("OutputLine")
            .field("level", &state.level)
            .field("changed_at", &state.changed_at)
            .finish_non_exhaustive()
    }
}

impl OutputLine {
    pub(crate) fn new(level: bool) -> OutputLine {
        OutputLine {
            state: Arc::new(Mutex::new(OutputState {
                level,
                changed_at: Instant::ZERO,
                listeners: Vec::new(),
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, OutputState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The level the firmware drives now.
    pub fn level(&self) -> bool {
        self.lock().level
    }

    /// When the level last changed.
    pub fn changed_at(&self) -> Instant {
        self.lock().changed_at
    }

    /// Calls `listener` with the time and new level at every change, as a device model wired to
    /// this line would see it. The listener runs on the firmware's thread: keep it short and do
    /// not touch this line from inside it.
    pub fn on_change(&self, listener: impl FnMut(Instant, bool) + Send + 'static) {
        self.lock().listeners.push(Box::new(listener));
    }

    fn set(&self, at: Instant, level: bool) -> bool {
        let mut state = self.lock();
        if state.level == level {
            return false;
        }
        state.level = level;
        state.changed_at = at;
        for listener in &mut state.listeners {
            listener(at, level);
        }
        true
    }
}

/// An output pin of the simulated board, as the firmware holds it.
#[derive(Debug)]
pub struct SimOutput {
    line: OutputLine,
    clock: VirtualClock,
    recorder: Recorder,
    signal: SignalId,
}

impl SimOutput {
    pub(crate) fn new(
        line: OutputLine,
        clock: VirtualClock,
        recorder: Recorder,
        signal: SignalId,
    ) -> Self {
        let output = SimOutput {
            line,
            clock,
            recorder,
            signal,
        };
        let now = output.clock.now();
        output
            .recorder
            .record(now, output.signal, Value::Bit(output.line.level()));
        output
    }

    fn drive(&mut self, level: bool) {
        let now = self.clock.now();
        if self.line.set(now, level) {
            self.recorder.record(now, self.signal, Value::Bit(level));
        }
    }
}

impl ErrorType for SimOutput {
    type Error = Infallible;
}

impl OutputPin for SimOutput {
    fn set_low(&mut self) -> Result<(), Infallible> {
        self.drive(false);
        Ok(())
    }

    fn set_high(&mut self) -> Result<(), Infallible> {
        self.drive(true);
        Ok(())
    }
}

/// The simulated board sets several lines in one write, as the GPIO character device does: every
/// pin changes at the same virtual instant.
impl SetTogether for SimOutput {
    fn set_together(pins: &mut [&mut Self], high: bool) -> Result<bool, Infallible> {
        for pin in pins.iter_mut() {
            pin.drive(high);
        }
        Ok(true)
    }
}

impl StatefulOutputPin for SimOutput {
    fn is_set_high(&mut self) -> Result<bool, Infallible> {
        Ok(self.line.level())
    }

    fn is_set_low(&mut self) -> Result<bool, Infallible> {
        Ok(!self.line.level())
    }
}

/// A GPIO line driven by the simulation (a button, a sensor's interrupt line), as a timeline of
/// levels that may be scheduled ahead of time or set live.
#[derive(Clone, Debug)]
pub struct InputLine {
    timeline: Arc<Mutex<Vec<(Instant, bool)>>>,
    recorder: Recorder,
    signal: SignalId,
    clock: VirtualClock,
}

impl InputLine {
    pub(crate) fn new(
        idle: bool,
        clock: VirtualClock,
        recorder: Recorder,
        signal: SignalId,
    ) -> Self {
        recorder.record(Instant::ZERO, signal, Value::Bit(idle));
        InputLine {
            timeline: Arc::new(Mutex::new(vec![(Instant::ZERO, idle)])),
            recorder,
            signal,
            clock,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<(Instant, bool)>> {
        self.timeline.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The line's signal in the recording.
    pub fn signal(&self) -> SignalId {
        self.signal
    }

    /// Schedules the line to take `level` at `at` (now or later).
    pub fn schedule(&self, at: Instant, level: bool) {
        let mut timeline = self.lock();
        let index = timeline.partition_point(|&(t, _)| t <= at);
        timeline.insert(index, (at, level));
        self.recorder.record(at, self.signal, Value::Bit(level));
    }

    /// Schedules every `(time, level)` of a script, such as [`crate::ButtonScript::levels`].
    pub fn schedule_all(&self, levels: impl IntoIterator<Item = (Instant, bool)>) {
        for (at, level) in levels {
            self.schedule(at, level);
        }
    }

    /// Sets the level from now on (a click in the desktop simulator).
    pub fn set(&self, level: bool) {
        self.schedule(self.clock.now(), level);
    }

    /// The level at time `at`.
    pub fn level_at(&self, at: Instant) -> bool {
        let timeline = self.lock();
        let index = timeline.partition_point(|&(t, _)| t <= at);
        // The timeline always holds the idle level at zero, so index ≥ 1.
        timeline[index.saturating_sub(1)].1
    }

    /// The first change of level after `after` up to and including `until`.
    fn first_edge(&self, after: Instant, until: Instant) -> Option<(Edge, Instant)> {
        let timeline = self.lock();
        let start = timeline.partition_point(|&(t, _)| t <= after);
        let mut level = timeline[start.saturating_sub(1)].1;
        for &(t, next) in &timeline[start..] {
            if t > until {
                break;
            }
            if next != level {
                return Some((Edge::to_level(next), t));
            }
            level = next;
        }
        None
    }

    /// The next scheduled entry after `after`, edge or not.
    fn next_entry(&self, after: Instant) -> Option<Instant> {
        let timeline = self.lock();
        let index = timeline.partition_point(|&(t, _)| t <= after);
        timeline.get(index).map(|&(t, _)| t)
    }
}

/// An input pin of the simulated board, as the firmware holds it.
#[derive(Debug)]
pub struct SimInput {
    line: InputLine,
    /// Edges up to this time have been reported (or passed over by a deadline): the next call
    /// starts here, so edges between calls are queued, not lost.
    seen: Instant,
}

impl SimInput {
    pub(crate) fn new(line: InputLine) -> Self {
        let seen = line.clock.now();
        SimInput { line, seen }
    }
}

impl ErrorType for SimInput {
    type Error = Infallible;
}

impl InputPin for SimInput {
    fn is_high(&mut self) -> Result<bool, Infallible> {
        Ok(self.line.level_at(self.line.clock.now()))
    }

    fn is_low(&mut self) -> Result<bool, Infallible> {
        Ok(!self.is_high()?)
    }
}

impl WaitForEdge for SimInput {
    fn wait_for_edge(&mut self, deadline: Instant) -> Result<Option<(Edge, Instant)>, Infallible> {
        let clock = &self.line.clock;
        loop {
            let now = clock.now();
            let until = now.min(deadline);
            if let Some((edge, at)) = self.line.first_edge(self.seen, until) {
                self.seen = at;
                return Ok(Some((edge, at)));
            }
            if now >= deadline {
                self.seen = self.seen.max(deadline);
                return Ok(None);
            }
            self.seen = self.seen.max(now);
            let mut wake = deadline;
            if let Some(next) = self.line.next_entry(now) {
                wake = wake.min(next);
            }
            if matches!(clock.pace(), Pace::RealTime { .. }) {
                // Live changes from the desktop are not scheduled ahead: look again every 1 ms.
                wake = wake.min(now + Duration::from_millis(1));
            }
            clock.sleep_until(wake);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimBoard;

    fn at_ms(ms: u64) -> Instant {
        Instant::from_nanos(ms * 1_000_000)
    }

    #[test]
    fn edges_that_come_while_nobody_waits_are_returned_by_the_next_wait() {
        let sim = SimBoard::new();
        let line = sim.input_line(5, true);
        line.schedule(at_ms(10), false);
        line.schedule(at_ms(12), true);
        line.schedule(at_ms(50), false);
        let mut pin = sim.input(5, "button", true).expect("free pin");
        // Busy elsewhere until 30 ms: both edges are still there, in order, with their times.
        sim.clock().sleep_until(at_ms(30));
        assert_eq!(
            pin.wait_for_edge(at_ms(40)).expect("sim"),
            Some((Edge::Falling, at_ms(10)))
        );
        assert_eq!(
            pin.wait_for_edge(at_ms(40)).expect("sim"),
            Some((Edge::Rising, at_ms(12)))
        );
        assert_eq!(pin.wait_for_edge(at_ms(40)).expect("sim"), None);
        assert_eq!(sim.clock().now(), at_ms(40));
        sim.clock().sleep_until(at_ms(60));
        assert_eq!(
            pin.wait_for_edge(at_ms(100)).expect("sim"),
            Some((Edge::Falling, at_ms(50)))
        );
    }
}
