//! The recording of a simulated run: every change of every signal, with its virtual time.

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

/// Everything recorded in a run.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    signals: Vec<Signal>,
    changes: Vec<Change>,
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

    /// Every change, in time order (changes at the same instant keep the order they were made).
    pub fn changes(&self) -> Vec<Change> {
        let mut changes = self.changes.clone();
        changes.sort_by_key(|c| c.at);
        changes
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
    /// An empty recording.
    pub fn new() -> Recorder {
        Recorder::default()
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
        SignalId(trace.signals.len() - 1)
    }

    /// Renames a signal (a line the simulation created before the firmware named it).
    pub fn rename(&self, signal: SignalId, name: &str) {
        self.lock().signals[signal.0].name = name.to_owned();
    }

    /// Records that `signal` took `value` at `at`.
    pub fn record(&self, at: Instant, signal: SignalId, value: Value) {
        self.lock().changes.push(Change { at, signal, value });
    }

    /// A copy of everything recorded so far.
    pub fn snapshot(&self) -> Trace {
        self.lock().clone()
    }
}
