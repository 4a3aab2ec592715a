//! Where frames go: one small trait, three outputs, and a wrapper that rides out a projector that
//! is missing or unplugged.

use std::path::{Path, PathBuf};
use std::time::Duration;

use atelier_hal::Instant;
use atelier_sim::Projector;

use super::Frame;

/// Why a frame was not shown.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// The output device is not there (projector off, HDMI unplugged, no framebuffer yet).
    #[error("{device} is not available: {reason}")]
    Missing {
        /// The device or folder.
        device: String,
        /// What the system said.
        reason: String,
    },
    /// The device is there but refused the frame.
    #[error("cannot write a frame to {device}: {reason}")]
    Write {
        /// The device or file.
        device: String,
        /// What went wrong.
        reason: String,
    },
}

/// An output for frames: the Linux framebuffer, PNG files, or the simulated projector.
pub trait FrameSink {
    /// Shows `frame`, rendered for time `at`. An error means this frame did not make it; the
    /// caller decides when to try again (see [`Resilient`]).
    fn show(&mut self, frame: &Frame, at: Instant) -> Result<(), SinkError>;

    /// How logs name this output.
    fn describe(&self) -> String;
}

impl<S: FrameSink + ?Sized> FrameSink for Box<S> {
    fn show(&mut self, frame: &Frame, at: Instant) -> Result<(), SinkError> {
        S::show(self, frame, at)
    }
    fn describe(&self) -> String {
        S::describe(self)
    }
}

/// The simulator's projector.
#[derive(Clone, Debug)]
pub struct SimSink {
    projector: Projector,
}

impl SimSink {
    /// Sends frames to `projector`; keep a clone to watch it or pull its cable.
    pub fn new(projector: Projector) -> SimSink {
        SimSink { projector }
    }
}

impl FrameSink for SimSink {
    fn show(&mut self, frame: &Frame, at: Instant) -> Result<(), SinkError> {
        self.projector
            .receive(at, frame.width(), frame.height(), frame.to_rgb())
            .map_err(|error| SinkError::Missing {
                device: self.describe(),
                reason: error.to_string(),
            })
    }

    fn describe(&self) -> String {
        "the simulated projector".into()
    }
}

/// Writes the picture to `DIR/lantern.png`, for a lamp without a projector or a look from afar.
///
/// Encoding a 1280×720 PNG takes tens of milliseconds, so at most one file per `interval` is
/// written, and only when the picture changed; each is written to a temporary file and renamed, so
/// a viewer never reads half a picture.
#[derive(Debug)]
pub struct PngSink {
    dir: PathBuf,
    interval: Duration,
    last: Option<(Instant, u64)>,
}

impl PngSink {
    /// Writes into `dir` at most once per `interval`.
    pub fn new(dir: impl Into<PathBuf>, interval: Duration) -> PngSink {
        PngSink {
            dir: dir.into(),
            interval,
            last: None,
        }
    }

    /// The file written.
    pub fn path(&self) -> PathBuf {
        self.dir.join("lantern.png")
    }
}

/// FNV-1a over the pixels: enough to tell "same picture as last time".
fn fingerprint(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Saves `frame` as a PNG at `path` (temporary file + rename).
pub fn save_png(frame: &Frame, path: &Path) -> Result<(), SinkError> {
    let write_error = |reason: String| SinkError::Write {
        device: path.display().to_string(),
        reason,
    };
    let temporary = path.with_extension("png.tmp");
    frame
        .to_image()
        .save_with_format(&temporary, image::ImageFormat::Png)
        .map_err(|e| write_error(e.to_string()))?;
    std::fs::rename(&temporary, path).map_err(|e| write_error(e.to_string()))
}

impl FrameSink for PngSink {
    fn show(&mut self, frame: &Frame, at: Instant) -> Result<(), SinkError> {
        let hash = fingerprint(frame.rgba());
        if let Some((when, last_hash)) = self.last
            && (at - when < self.interval || last_hash == hash)
        {
            return Ok(());
        }
        if !self.dir.is_dir() {
            return Err(SinkError::Missing {
                device: self.dir.display().to_string(),
                reason: "no such folder".into(),
            });
        }
        save_png(frame, &self.path())?;
        self.last = Some((at, hash));
        Ok(())
    }

    fn describe(&self) -> String {
        format!("PNG output {}", self.path().display())
    }
}

/// Whether the output is taking frames.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutputState {
    /// Frames are arriving.
    Up,
    /// The output failed; the next attempt is at `retry_at`.
    Down {
        /// Why, as logged.
        reason: String,
        /// When the next frame will be tried.
        retry_at: Instant,
    },
}

/// Wraps a sink so that a missing or vanished output never stops the lamp: the first failure is
/// logged once, later frames are dropped while the output is down and tried again with backoff
/// (0.25 s doubling to 5 s), and the recovery is logged.
#[derive(Debug)]
pub struct Resilient<S> {
    sink: S,
    state: OutputState,
    delay: Duration,
}

impl<S: FrameSink> Resilient<S> {
    /// The first retry comes this long after a failure.
    pub const FIRST_RETRY: Duration = Duration::from_millis(250);
    /// Retries never wait longer than this.
    pub const MAX_RETRY: Duration = Duration::from_secs(5);

    /// Wraps `sink`, assumed up until it fails.
    pub fn new(sink: S) -> Resilient<S> {
        Resilient {
            sink,
            state: OutputState::Up,
            delay: Self::FIRST_RETRY,
        }
    }

    /// The wrapped sink.
    pub fn inner(&self) -> &S {
        &self.sink
    }

    /// Whether frames are arriving.
    pub fn state(&self) -> &OutputState {
        &self.state
    }

    /// Shows `frame` unless the output is down and its retry is not due; returns whether the
    /// frame was delivered.
    pub fn show(&mut self, frame: &Frame, at: Instant) -> bool {
        if let OutputState::Down { retry_at, .. } = &self.state
            && at < *retry_at
        {
            return false;
        }
        match self.sink.show(frame, at) {
            Ok(()) => {
                if let OutputState::Down { .. } = self.state {
                    tracing::info!(output = %self.sink.describe(), "output is back; showing frames again");
                }
                self.state = OutputState::Up;
                self.delay = Self::FIRST_RETRY;
                true
            }
            Err(error) => {
                if self.state == OutputState::Up {
                    tracing::warn!(
                        "{error}; the lamp keeps running and retries (every {:?} at first, up to {:?})",
                        Self::FIRST_RETRY,
                        Self::MAX_RETRY
                    );
                } else {
                    self.delay = (self.delay * 2).min(Self::MAX_RETRY);
                }
                self.state = OutputState::Down {
                    reason: error.to_string(),
                    retry_at: at + self.delay,
                };
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(ms: u64) -> Instant {
        Instant::from_nanos(ms * 1_000_000)
    }

    #[test]
    fn resilient_backs_off_while_unplugged_and_resumes() {
        let projector = Projector::new(4);
        let mut sink = Resilient::new(SimSink::new(projector.clone()));
        let frame = Frame::new(4, 3);
        assert!(sink.show(&frame, ms(0)));
        projector.unplug();
        assert!(!sink.show(&frame, ms(10)));
        assert!(matches!(sink.state(), OutputState::Down { retry_at, .. } if *retry_at == ms(260)));
        // Not tried again before the retry is due.
        assert!(!sink.show(&frame, ms(100)));
        assert_eq!(projector.frames_refused(), 1);
        assert!(!sink.show(&frame, ms(260)));
        assert!(matches!(sink.state(), OutputState::Down { retry_at, .. } if *retry_at == ms(760)));
        projector.plug();
        assert!(!sink.show(&frame, ms(700)));
        assert!(sink.show(&frame, ms(760)));
        assert_eq!(*sink.state(), OutputState::Up);
        assert_eq!(projector.frames_received(), 2);
    }

    #[test]
    fn png_sink_writes_changed_pictures_at_most_once_per_interval() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut sink = PngSink::new(dir.path(), Duration::from_secs(1));
        let mut frame = Frame::new(4, 2);
        sink.show(&frame, ms(0)).expect("written");
        let written = image::open(sink.path()).expect("a PNG").to_rgb8();
        assert_eq!(written.dimensions(), (4, 2));
        frame.set_pixel(0, 0, embedded_graphics::pixelcolor::Rgb888::new(9, 8, 7));
        sink.show(&frame, ms(500)).expect("skipped: too soon");
        assert_eq!(
            image::open(sink.path())
                .expect("png")
                .to_rgb8()
                .get_pixel(0, 0)
                .0,
            [0, 0, 0]
        );
        sink.show(&frame, ms(1000)).expect("written");
        assert_eq!(
            image::open(sink.path())
                .expect("png")
                .to_rgb8()
                .get_pixel(0, 0)
                .0,
            [9, 8, 7]
        );
        let mut missing = PngSink::new(dir.path().join("nope"), Duration::ZERO);
        assert!(matches!(
            missing.show(&frame, ms(0)),
            Err(SinkError::Missing { .. })
        ));
    }
}
