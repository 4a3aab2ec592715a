//! A projector on the lamp's HDMI port: receives frames with their virtual time, keeps the latest
//! and a bounded history, and can be unplugged to test that the firmware rides it out.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use atelier_hal::Instant;

/// One frame as the projector received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectedFrame {
    /// When it arrived, on the run's clock.
    pub at: Instant,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Pixels, row by row, three bytes (R, G, B) each.
    pub rgb: Arc<[u8]>,
}

impl ProjectedFrame {
    /// The colour at (`x`, `y`), or `None` outside the frame.
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 3]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = (y as usize * self.width as usize + x as usize) * 3;
        let p = self.rgb.get(i..i + 3)?;
        Some([p[0], p[1], p[2]])
    }
}

/// Why a frame did not reach the projector.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProjectorError {
    /// The cable is out (or the projector is off).
    #[error("the simulated projector is unplugged")]
    Unplugged,
    /// The frame's size does not match its pixels.
    #[error("a {width}×{height} frame needs {expected} bytes of RGB, got {got}")]
    BadFrame {
        /// Width given.
        width: u32,
        /// Height given.
        height: u32,
        /// Bytes a frame of that size needs.
        expected: usize,
        /// Bytes given.
        got: usize,
    },
}

#[derive(Debug)]
struct Inner {
    plugged: bool,
    capacity: usize,
    history: VecDeque<ProjectedFrame>,
    received: u64,
    refused: u64,
}

/// The simulated projector. Cloning gives another handle on the same one: the firmware's sink
/// holds one, the test another.
#[derive(Clone, Debug)]
pub struct Projector {
    inner: Arc<Mutex<Inner>>,
}

impl Projector {
    /// A plugged-in projector that remembers the last `capacity` frames (at least one).
    pub fn new(capacity: usize) -> Projector {
        Projector {
            inner: Arc::new(Mutex::new(Inner {
                plugged: true,
                capacity: capacity.max(1),
                history: VecDeque::new(),
                received: 0,
                refused: 0,
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Firmware side: shows a frame of `rgb` bytes received at `at`.
    pub fn receive(
        &self,
        at: Instant,
        width: u32,
        height: u32,
        rgb: Vec<u8>,
    ) -> Result<(), ProjectorError> {
        let expected = width as usize * height as usize * 3;
        let mut inner = self.lock();
        if !inner.plugged {
            inner.refused += 1;
            return Err(ProjectorError::Unplugged);
        }
        if rgb.len() != expected {
            return Err(ProjectorError::BadFrame {
                width,
                height,
                expected,
                got: rgb.len(),
            });
        }
        if inner.history.len() == inner.capacity {
            inner.history.pop_front();
        }
        inner.history.push_back(ProjectedFrame {
            at,
            width,
            height,
            rgb: rgb.into(),
        });
        inner.received += 1;
        Ok(())
    }

    /// World side: pulls the cable; frames are refused until [`Projector::plug`].
    pub fn unplug(&self) {
        self.lock().plugged = false;
    }

    /// World side: plugs the cable back in.
    pub fn plug(&self) {
        self.lock().plugged = true;
    }

    /// Whether the cable is in.
    pub fn is_plugged(&self) -> bool {
        self.lock().plugged
    }

    /// The frame on the wall now, if any arrived.
    pub fn latest(&self) -> Option<ProjectedFrame> {
        self.lock().history.back().cloned()
    }

    /// The remembered frames, oldest first.
    pub fn history(&self) -> Vec<ProjectedFrame> {
        self.lock().history.iter().cloned().collect()
    }

    /// Frames shown since the start.
    pub fn frames_received(&self) -> u64 {
        self.lock().received
    }

    /// Frames sent while unplugged.
    pub fn frames_refused(&self) -> u64 {
        self.lock().refused
    }
}

impl Default for Projector {
    /// Remembers the last 16 frames.
    fn default() -> Self {
        Projector::new(16)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(value: u8) -> Vec<u8> {
        vec![value; 2 * 2 * 3]
    }

    #[test]
    fn keeps_the_latest_and_a_bounded_history() {
        let projector = Projector::new(2);
        for i in 0..3u8 {
            projector
                .receive(Instant::from_nanos(u64::from(i)), 2, 2, frame(i))
                .expect("plugged");
        }
        let history = projector.history();
        assert_eq!(history.len(), 2);
        assert_eq!(history[0].pixel(0, 0), Some([1, 1, 1]));
        assert_eq!(
            projector.latest().map(|f| f.at),
            Some(Instant::from_nanos(2))
        );
        assert_eq!(projector.frames_received(), 3);
        assert_eq!(history[1].pixel(2, 0), None);
    }

    #[test]
    fn unplugged_refuses_frames_until_plugged_again() {
        let projector = Projector::default();
        projector.unplug();
        assert_eq!(
            projector.receive(Instant::ZERO, 2, 2, frame(9)),
            Err(ProjectorError::Unplugged)
        );
        assert!(projector.latest().is_none());
        assert_eq!(projector.frames_refused(), 1);
        projector.plug();
        projector
            .receive(Instant::ZERO, 2, 2, frame(9))
            .expect("plugged");
        assert_eq!(projector.frames_received(), 1);
        assert!(matches!(
            projector.receive(Instant::ZERO, 2, 2, vec![0; 5]),
            Err(ProjectorError::BadFrame {
                expected: 12,
                got: 5,
                ..
            })
        ));
    }
}
