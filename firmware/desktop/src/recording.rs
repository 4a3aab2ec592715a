//! Recordings from the page: a logic analyser on a simulated board. Start and stop mark two
//! moments on the board's clock; the download is a VCD of the pin edges (and the other signals
//! the board records) in between, time zero at the start. The board keeps a capped window of
//! the latest changes (a whole plot's edges would be gigabytes), so a long recording loses its
//! beginning, and says so.

use std::sync::{Mutex, PoisonError};

use atelier_hal::{Clock as _, Instant};
use atelier_sim::SimBoard;
use serde::Serialize;

/// One board's recording.
#[derive(Debug)]
pub struct Recording {
    board: SimBoard,
    span: Mutex<Span>,
}

#[derive(Clone, Copy, Debug, Default)]
struct Span {
    from: Option<Instant>,
    until: Option<Instant>,
}

/// What the page shows about a recording.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecordingState {
    /// Started and not yet stopped.
    pub recording: bool,
    /// Seconds recorded (so far), on the board's clock.
    pub seconds: f64,
    /// Whether there is a recording to download.
    pub ready: bool,
}

impl Recording {
    /// A recording of `board`, not started.
    pub fn of(board: SimBoard) -> Recording {
        Recording {
            board,
            span: Mutex::default(),
        }
    }

    fn span(&self) -> std::sync::MutexGuard<'_, Span> {
        self.span.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts (again, from now) or stops.
    pub fn set(&self, recording: bool) -> RecordingState {
        let now = self.board.clock().now();
        {
            let mut span = self.span();
            if recording {
                *span = Span {
                    from: Some(now),
                    until: None,
                };
            } else if span.from.is_some() && span.until.is_none() {
                span.until = Some(now);
            }
        }
        self.state()
    }

    /// What the page shows.
    pub fn state(&self) -> RecordingState {
        let span = *self.span();
        let now = self.board.clock().now();
        RecordingState {
            recording: span.from.is_some() && span.until.is_none(),
            seconds: span
                .from
                .map_or(0.0, |from| (span.until.unwrap_or(now) - from).as_secs_f64()),
            ready: span.from.is_some(),
        }
    }

    /// The recording as VCD: from its start to its stop (or to now, while it runs).
    pub fn vcd(&self) -> Result<Vec<u8>, String> {
        let span = *self.span();
        let from = span
            .from
            .ok_or("nothing recorded yet: start a recording first")?;
        let until = span.until.unwrap_or_else(|| self.board.clock().now());
        let trace = self.board.trace().recording(from, until);
        if trace.dropped() > 0 {
            tracing::warn!(
                "the recording is longer than the board's window: its beginning is lost"
            );
        }
        let mut out = Vec::new();
        atelier_sim::write_vcd(&trace, Instant::ZERO + (until - from), &mut out)
            .map_err(|e| format!("writing the VCD: {e}"))?;
        Ok(out)
    }
}
