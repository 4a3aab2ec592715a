//! The recording of a simulated run: the changes of every signal, with their virtual time, in a
//! bounded window (a whole plot is tens of millions of edges), and a count of all of them.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use atelier_hal::Instant;

/// Index of a signal in a [`Trace`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SignalId(usize);

impl SignalId {
    /// Position of the signal in [`Trace::signals`].
    pub fn index(self) -> usize {
        self.0
    }
}

/// What kind of values a signal carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignalKind {
    /// A digital line.
    Bit,
    /// A number, e.g. a PWM pulse width; `unit` is for people reading the trace.
    Real {
        /// Unit of the values, such as "us".
        unit: String,
    },
}

/// One recorded signal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signal {
    /// Name shown in waveform viewers, such as `gpio17_button`.
    pub name: String,
    /// What values it carries.
    pub kind: SignalKind,
}

/// A value of a signal.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    /// Level of a digital line.
    Bit(bool),
    /// A number.
    Real(f64),
}

/// One change of one signal.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Change {
    /// When it happened.
    pub at: Instant,
    /// Which signal changed.
    pub signal: SignalId,
    /// The value from then on.
    pub value: Value,
}

/// The changes a recorder keeps unless told otherwise: about 32 MB.
pub const DEFAULT_WINDOW: usize = 1 << 20;

/// What a run recorded: its signals, the latest changes (up to the window) and how many changes
/// each signal made in all.
#[derive(Clone, Debug)]
pub struct Trace {
    signals: Vec<Signal>,
    changes: VecDeque<Change>,
    window: usize,
    counts: Vec<u64>,
    dropped: u64,
}

impl Default for Trace {
    fn default() -> Self {
        Trace {
            signals: Vec::new(),
            changes: VecDeque::new(),
            window: DEFAULT_WINDOW,
            counts: Vec::new(),
            dropped: 0,
        }
    }
}

impl Trace {
    /// The recorded signals, indexable by [`SignalId`].
    pub fn signals(&self) -> &[Signal] {
        &self.signals
    }

    /// The signal behind an id.
    pub fn signal(&self, id: SignalId) -> &Signal {
        &self.signals[id.0]
    }

    /// The id of the signal called `name`.
    pub fn find(&self, name: &str) -> Option<SignalId> {
        self.signals
            .iter()
            .position(|s| s.name == name)
            .map(SignalId)
    }

    /// The changes kept, in time order (changes at the same instant keep the order they were
    /// made).
    pub fn changes(&self) -> Vec<Change> {
        let mut changes: Vec<_> = self.changes.iter().copied().collect();
        changes.sort_by_key(|c| c.at);
        changes
    }

    /// How many changes `signal` made, kept or not.
    pub fn count(&self, signal: SignalId) -> u64 {
        self.counts.get(signal.0).copied().unwrap_or(0)
    }

    /// How many of the oldest changes fell out of the window.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The changes of one signal, in time order.
    pub fn changes_of(&self, signal: SignalId) -> Vec<Change> {
        let mut changes: Vec<_> = self
            .changes
            .iter()
            .filter(|c| c.signal == signal)
            .copied()
            .collect();
        changes.sort_by_key(|c| c.at);
        changes
    }
}

/// A shared handle on the run's [`Trace`], given to every simulated part.
#[derive(Clone, Debug, Default)]
pub struct Recorder {
    trace: Arc<Mutex<Trace>>,
}

impl Recorder {
    /// An empty recording that keeps the latest [`DEFAULT_WINDOW`] changes.
    pub fn new() -> Recorder {
        Recorder::default()
    }

    /// An empty recording that keeps the latest `window` changes.
    pub fn with_window(window: usize) -> Recorder {
        let recorder = Recorder::default();
        recorder.lock().window = window;
        recorder
    }

    fn lock(&self) -> MutexGuard<'_, Trace> {
        self.trace.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a signal and returns its id. Names should be unique; a repeated name gets a suffix.
    pub fn add_signal(&self, name: &str, kind: SignalKind) -> SignalId {
        let mut trace = self.lock();
        let mut unique = name.to_owned();
        let mut n = 2;
        while trace.signals.iter().any(|s| s.name == unique) {
            unique = format!("{name}_{n}");
            n += 1;
        }
        trace.signals.push(Signal { name: unique, kind });
        trace.counts.push(0);
        SignalId(trace.signals.len() - 1)
    }

    /// Renames a signal (a line the simulation created before the firmware named it).
    pub fn rename(&self, signal: SignalId, name: &str) {
        self.lock().signals[signal.0].name = name.to_owned();
    }

    /// Records that `signal` took `value` at `at`.
    pub fn record(&self, at: Instant, signal: SignalId, value: Value) {
        let mut trace = self.lock();
        if let Some(count) = trace.counts.get_mut(signal.0) {
            *count += 1;
        }
        if trace.changes.len() >= trace.window {
            trace.changes.pop_front();
            trace.dropped += 1;
        }
        if trace.window > 0 {
            trace.changes.push_back(Change { at, signal, value });
        }
    }

    /// A copy of everything recorded so far.
    pub fn snapshot(&self) -> Trace {
        self.lock().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_keeps_the_latest_changes_and_counts_them_all() {
        let recorder = Recorder::with_window(3);
        let line = recorder.add_signal("line", SignalKind::Bit);
        for n in 0..10u64 {
            recorder.record(Instant::from_nanos(n), line, Value::Bit(n % 2 == 0));
        }
        let trace = recorder.snapshot();
        assert_eq!(trace.count(line), 10);
        assert_eq!(trace.dropped(), 7);
        let kept: Vec<u64> = trace.changes().iter().map(|c| c.at.as_nanos()).collect();
        assert_eq!(kept, [7, 8, 9]);
    }
}
