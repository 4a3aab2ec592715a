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

    /// What a logic analyser started at `from` and stopped at `until` would hold: the changes
    /// in between, shifted so `from` is time zero, each signal starting at the value it had at
    /// `from`. The counts are of the changes kept; `dropped` says whether the window had
    /// already lost changes from before `until` (then the start of the recording is missing).
    pub fn recording(&self, from: Instant, until: Instant) -> Trace {
        let mut changes = VecDeque::new();
        let mut counts = vec![0; self.signals.len()];
        // Each signal's value at `from`, as a change at zero.
        for (index, _) in self.signals.iter().enumerate() {
            if let Some(before) = self
                .changes()
                .into_iter()
                .rev()
                .find(|c| c.signal.0 == index && c.at <= from)
            {
                changes.push_back(Change {
                    at: Instant::ZERO,
                    ..before
                });
            }
        }
        for change in self.changes() {
            if change.at > from && change.at <= until {
                counts[change.signal.0] += 1;
                changes.push_back(Change {
                    at: Instant::ZERO + (change.at - from),
                    ..change
                });
            }
        }
        let lost_start = self.dropped > 0
            && self
                .changes
                .iter()
                .map(|c| c.at)
                .min()
                .is_some_and(|oldest| oldest > from);
        Trace {
            signals: self.signals.clone(),
            window: self.window,
            changes,
            counts,
            dropped: u64::from(lost_start),
        }
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
    stream: Arc<Mutex<Option<VcdStream>>>,
}

/// Every change written to a VCD file as it happens (a whole plot, beyond any window).
#[derive(Debug)]
struct VcdStream {
    out: std::io::BufWriter<std::fs::File>,
    /// The identifiers of the signals declared; signals added later are not streamed.
    ids: Option<Vec<String>>,
    time: Option<Instant>,
    error: Option<String>,
}

impl VcdStream {
    fn write(&mut self, trace: &Trace, change: Change) -> std::io::Result<()> {
        use std::io::Write as _;
        let ids = match &self.ids {
            Some(ids) => ids,
            None => {
                // The header, at the first change: every signal known by then, at its latest
                // kept level (or unknown).
                let ids = crate::vcd::write_definitions(trace, &mut self.out)?;
                writeln!(self.out, "#{}", change.at.as_nanos())?;
                writeln!(self.out, "$dumpvars")?;
                for (index, id) in ids.iter().enumerate() {
                    let latest = if index == change.signal.0 {
                        Some(change)
                    } else {
                        trace
                            .changes
                            .iter()
                            .rev()
                            .find(|c| c.signal.index() == index)
                            .copied()
                    };
                    match (latest, &trace.signals[index].kind) {
                        (Some(c), _) => crate::vcd::write_value(&mut self.out, c.value, id)?,
                        (None, SignalKind::Bit) => writeln!(self.out, "x{id}")?,
                        (None, SignalKind::Real { .. }) => writeln!(self.out, "r0 {id}")?,
                    }
                }
                writeln!(self.out, "$end")?;
                self.time = Some(change.at);
                self.ids = Some(ids);
                // This change is in the initial values.
                return Ok(());
            }
        };
        let Some(id) = ids.get(change.signal.0) else {
            return Ok(());
        };
        if self.time != Some(change.at) {
            writeln!(self.out, "#{}", change.at.as_nanos())?;
            self.time = Some(change.at);
        }
        crate::vcd::write_value(&mut self.out, change.value, id)
    }
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
        let change = Change { at, signal, value };
        if trace.window > 0 {
            trace.changes.push_back(change);
        }
        let mut stream = self.stream.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(vcd) = stream.as_mut()
            && vcd.error.is_none()
            && let Err(e) = vcd.write(&trace, change)
        {
            vcd.error = Some(e.to_string());
        }
    }

    /// From the next change on, writes every change to the VCD file at `path` as it happens,
    /// however long the run (the header declares the signals known at that first change).
    pub fn stream_vcd(&self, path: &std::path::Path) -> std::io::Result<()> {
        let file = std::fs::File::create(path)?;
        *self.stream.lock().unwrap_or_else(PoisonError::into_inner) = Some(VcdStream {
            out: std::io::BufWriter::new(file),
            ids: None,
            time: None,
            error: None,
        });
        Ok(())
    }

    /// Stops streaming: flushes the VCD file, and says if any write failed.
    pub fn finish_vcd(&self) -> std::io::Result<()> {
        use std::io::Write as _;
        let stream = self
            .stream
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        match stream {
            Some(mut vcd) => match vcd.error {
                Some(e) => Err(std::io::Error::other(e)),
                None => vcd.out.flush(),
            },
            None => Ok(()),
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
    fn a_recording_starts_at_zero_with_every_signal_as_it_was() {
        let recorder = Recorder::new();
        let step = recorder.add_signal("step", SignalKind::Bit);
        let dir = recorder.add_signal("dir", SignalKind::Bit);
        recorder.record(Instant::from_nanos(0), dir, Value::Bit(true));
        for n in 1..=10u64 {
            recorder.record(Instant::from_nanos(n * 100), step, Value::Bit(n % 2 == 1));
        }
        let trace = recorder
            .snapshot()
            .recording(Instant::from_nanos(450), Instant::from_nanos(800));
        let changes = trace.changes();
        // At zero: dir as set at 0, step as set at 400 (low); then 500, 600, 700, 800 shifted.
        assert_eq!(
            changes
                .iter()
                .map(|c| (c.at.as_nanos(), c.signal, c.value))
                .collect::<Vec<_>>(),
            vec![
                (0, step, Value::Bit(false)),
                (0, dir, Value::Bit(true)),
                (50, step, Value::Bit(true)),
                (150, step, Value::Bit(false)),
                (250, step, Value::Bit(true)),
                (350, step, Value::Bit(false)),
            ]
        );
        assert_eq!(trace.count(step), 4);
        assert_eq!(trace.dropped(), 0);
        let mut vcd = Vec::new();
        crate::vcd::write_vcd(&trace, Instant::from_nanos(350), &mut vcd).expect("VCD");
        let vcd = String::from_utf8(vcd).expect("text");
        assert!(vcd.contains("#50\n") && vcd.contains("#350\n"), "{vcd}");
        // A window that lost the start says so.
        let small = Recorder::with_window(3);
        let line = small.add_signal("step", SignalKind::Bit);
        for n in 1..=10u64 {
            small.record(Instant::from_nanos(n * 100), line, Value::Bit(n % 2 == 1));
        }
        let lost = small
            .snapshot()
            .recording(Instant::from_nanos(150), Instant::from_nanos(1000));
        assert_eq!(lost.dropped(), 1);
    }

    #[test]
    fn a_streamed_vcd_holds_every_change_beyond_the_window() {
        let folder = tempfile::tempdir().expect("temp");
        let path = folder.path().join("run.vcd");
        let recorder = Recorder::with_window(2);
        let line = recorder.add_signal("step", SignalKind::Bit);
        recorder.stream_vcd(&path).expect("file");
        for n in 1..=100u64 {
            recorder.record(Instant::from_nanos(n * 10), line, Value::Bit(n % 2 == 1));
        }
        recorder.finish_vcd().expect("flushed");
        let mut parser = vcd::Parser::new(std::io::BufReader::new(
            std::fs::File::open(&path).expect("open"),
        ));
        let header = parser.parse_header().expect("a VCD header");
        assert!(header.find_var(&["board", "step"]).is_some());
        let mut changes = 0;
        let mut last_time = 0;
        for command in parser {
            match command.expect("a VCD command") {
                vcd::Command::Timestamp(t) => last_time = t,
                vcd::Command::ChangeScalar(..) => changes += 1,
                _ => {}
            }
        }
        // Every change: the first in the initial values, the rest as they came.
        assert_eq!(changes, 100);
        assert_eq!(last_time, 1000);
    }

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
