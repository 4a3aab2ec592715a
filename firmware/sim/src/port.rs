//! Virtual byte-stream ports: the wire between the firmware and a printer (USB, serial, TCP).

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use atelier_hal::{Clock, Instant};
use embedded_io::{ErrorKind, ErrorType, Read, ReadReady, Write};

use crate::clock::VirtualClock;

/// A device at the far end of a port, at the level of bytes.
pub trait ByteModel: Send {
    /// Bytes arrived at `now`. Returns how many the device took. On a link with flow control the
    /// rest is offered again later; on a link without it (plain TTL serial) the rest is lost, and
    /// the model should count that as an overflow.
    fn receive(&mut self, now: Instant, bytes: &[u8]) -> usize;

    /// After refusing bytes, when the device will take more (e.g. when its print head has emptied
    /// part of the buffer).
    fn ready_at(&self, now: Instant) -> Instant {
        now + Duration::from_millis(1)
    }

    /// Bytes the device sends back (status replies); returns how many it wrote into `buf`.
    fn send(&mut self, _now: Instant, _buf: &mut [u8]) -> usize {
        0
    }

    /// How many bytes it has ready to send at `now`, without sending them.
    fn available(&self, _now: Instant) -> usize {
        0
    }
}

/// The physical link to the device.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Link {
    /// Line rate in bits per second; `None` for a link much faster than any device on it (USB,
    /// Ethernet).
    pub bits_per_second: Option<u32>,
    /// Bits on the wire per byte, framing included (10 for 8N1).
    pub bits_per_byte: u32,
    /// Whether a device that is busy holds the sender back (USB, TCP, serial with CTS/RTS or
    /// XON/XOFF) instead of losing bytes (plain TTL serial).
    pub flow_control: bool,
}

impl Link {
    /// A USB printer-class or TCP link: fast, with flow control.
    pub const USB: Link = Link {
        bits_per_second: None,
        bits_per_byte: 8,
        flow_control: true,
    };

    /// A serial line at `baud`, 8N1 (ten bits a byte), without flow control.
    pub fn serial(baud: u32) -> Link {
        Link {
            bits_per_second: Some(baud),
            bits_per_byte: 10,
            flow_control: false,
        }
    }

    /// How long `bytes` bytes take on the wire, exact to the nanosecond (integer arithmetic, so
    /// long prints do not drift).
    pub fn wire_time(&self, bytes: usize) -> Duration {
        match self.bits_per_second {
            Some(rate) if rate > 0 => {
                let bits = bytes as u128 * u128::from(self.bits_per_byte);
                let nanos = (bits * 1_000_000_000).div_ceil(u128::from(rate));
                Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
            }
            _ => Duration::ZERO,
        }
    }
}

/// Which way bytes went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Firmware to device.
    ToDevice,
    /// Device to firmware.
    FromDevice,
}

/// One chunk of bytes on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortRecord {
    /// When the chunk finished crossing the wire.
    pub at: Instant,
    /// Which way it went.
    pub direction: Direction,
    /// The bytes.
    pub bytes: Vec<u8>,
}

struct PortState {
    device: Box<dyn ByteModel>,
    link: Link,
    connected: bool,
    log: Vec<PortRecord>,
}

/// A simulated port: the world's side (plug, unplug, read the log).
#[derive(Clone)]
pub struct SimPortControl {
    name: String,
    state: Arc<Mutex<PortState>>,
    clock: VirtualClock,
}

impl fmt::Debug for SimPortControl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("SimPortControl")
            .field("name", &self.name)
            .field("link", &state.link)
            .field("connected", &state.connected)
            .finish_non_exhaustive()
    }
}

impl SimPortControl {
    pub(crate) fn new(
        name: &str,
        device: impl ByteModel + 'static,
        link: Link,
        clock: VirtualClock,
    ) -> Self {
        SimPortControl {
            name: name.to_owned(),
            state: Arc::new(Mutex::new(PortState {
                device: Box::new(device),
                link,
                connected: true,
                log: Vec::new(),
            })),
            clock,
        }
    }

    fn lock(&self) -> MutexGuard<'_, PortState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Pulls the cable: reads and writes fail with `NotConnected` until [`Self::plug`].
    pub fn unplug(&self) {
        self.lock().connected = false;
    }

    /// Puts the cable back.
    pub fn plug(&self) {
        self.lock().connected = true;
    }

    /// Every chunk that crossed the wire.
    pub fn log(&self) -> Vec<PortRecord> {
        self.lock().log.clone()
    }

    /// The chunks from the `start`-th on (cheap to poll: no copy of what came before).
    pub fn log_since(&self, start: usize) -> Vec<PortRecord> {
        let state = self.lock();
        state
            .log
            .get(start..)
            .map(<[PortRecord]>::to_vec)
            .unwrap_or_default()
    }

    /// How many chunks crossed the wire.
    pub fn log_len(&self) -> usize {
        self.lock().log.len()
    }

    /// All bytes the firmware sent, in order.
    pub fn sent(&self) -> Vec<u8> {
        self.lock()
            .log
            .iter()
            .filter(|r| r.direction == Direction::ToDevice)
            .flat_map(|r| r.bytes.iter().copied())
            .collect()
    }

    /// The firmware's handle, an embedded-io byte stream. Reads wait at most `read_timeout`.
    pub fn open(&self) -> SimPort {
        SimPort {
            port: self.clone(),
            read_timeout: Duration::from_millis(500),
        }
    }
}

/// The firmware's handle on a simulated port.
#[derive(Debug)]
pub struct SimPort {
    port: SimPortControl,
    read_timeout: Duration,
}

impl SimPort {
    /// How long a read waits for the device to answer before failing with `TimedOut`.
    pub fn set_read_timeout(&mut self, timeout: Duration) {
        self.read_timeout = timeout;
    }
}

/// An error on a simulated port.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("simulated port {port}: {kind:?}")]
pub struct SimPortError {
    /// The port's name.
    pub port: String,
    /// What went wrong: `NotConnected` when unplugged, `TimedOut` when the device said nothing.
    pub kind: ErrorKind,
}

impl embedded_io::Error for SimPortError {
    fn kind(&self) -> ErrorKind {
        self.kind
    }
}

impl ErrorType for SimPort {
    type Error = SimPortError;
}

impl SimPort {
    fn error(&self, kind: ErrorKind) -> SimPortError {
        SimPortError {
            port: self.port.name.clone(),
            kind,
        }
    }
}

/// How many bytes cross a rate-limited link between two looks at the device: small enough that a
/// device model sees bytes arrive at realistic times, large enough to keep simulation fast.
const CHUNK: usize = 16;

impl Write for SimPort {
    fn write(&mut self, buf: &[u8]) -> Result<usize, SimPortError> {
        let clock = &self.port.clock;
        let mut done = 0;
        // Bytes are timed from the start of an uninterrupted burst, so rounding never adds up.
        let mut burst_start = clock.now();
        let mut in_burst = 0;
        while done < buf.len() {
            let link = {
                let state = self.port.lock();
                if !state.connected {
                    return Err(self.error(ErrorKind::NotConnected));
                }
                state.link
            };
            let chunk = &buf[done..buf.len().min(done + CHUNK)];
            in_burst += chunk.len();
            clock.sleep_until(burst_start + link.wire_time(in_burst));
            let now = clock.now();
            let mut state = self.port.lock();
            let taken = if link.flow_control {
                state.device.receive(now, chunk).min(chunk.len())
            } else {
                // No flow control: every byte on the wire is gone, taken or not.
                state.device.receive(now, chunk);
                chunk.len()
            };
            if taken > 0 {
                state.log.push(PortRecord {
                    at: now,
                    direction: Direction::ToDevice,
                    bytes: chunk[..taken].to_vec(),
                });
            }
            done += taken;
            if taken < chunk.len() {
                let ready = state
                    .device
                    .ready_at(now)
                    .max(now + Duration::from_micros(1));
                drop(state);
                clock.sleep_until(ready);
                burst_start = clock.now();
                in_burst = 0;
            }
        }
        Ok(done)
    }

    fn flush(&mut self) -> Result<(), SimPortError> {
        if self.port.lock().connected {
            Ok(())
        } else {
            Err(self.error(ErrorKind::NotConnected))
        }
    }
}

impl Read for SimPort {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, SimPortError> {
        if buf.is_empty() {
            return Ok(0);
        }
        let clock = &self.port.clock;
        let deadline = clock.now() + self.read_timeout;
        loop {
            let now = clock.now();
            {
                let mut state = self.port.lock();
                if !state.connected {
                    return Err(self.error(ErrorKind::NotConnected));
                }
                let n = state.device.send(now, buf).min(buf.len());
                if n > 0 {
                    state.log.push(PortRecord {
                        at: now,
                        direction: Direction::FromDevice,
                        bytes: buf[..n].to_vec(),
                    });
                    return Ok(n);
                }
            }
            if now >= deadline {
                return Err(self.error(ErrorKind::TimedOut));
            }
            clock.sleep_until(deadline.min(now + Duration::from_millis(1)));
        }
    }
}

impl ReadReady for SimPort {
    /// Whether the device has bytes for us now (a read would return at once).
    fn read_ready(&mut self) -> Result<bool, SimPortError> {
        let now = self.port.clock.now();
        let state = self.port.lock();
        if state.connected {
            Ok(state.device.available(now) > 0)
        } else {
            Err(self.error(ErrorKind::NotConnected))
        }
    }
}

/// A device that takes every byte and keeps it: a stand-in for tests of the wire itself.
#[derive(Clone, Debug, Default)]
pub struct ByteCapture {
    received: Arc<Mutex<Vec<(Instant, u8)>>>,
}

impl ByteCapture {
    /// An empty capture.
    pub fn new() -> Self {
        ByteCapture::default()
    }

    /// Every byte received, with when it arrived.
    pub fn received(&self) -> Vec<(Instant, u8)> {
        self.received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl ByteModel for ByteCapture {
    fn receive(&mut self, now: Instant, bytes: &[u8]) -> usize {
        let mut received = self.received.lock().unwrap_or_else(PoisonError::into_inner);
        received.extend(bytes.iter().map(|&b| (now, b)));
        bytes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_serial_link_paces_bytes_at_its_baud_rate() {
        let clock = VirtualClock::new();
        let capture = ByteCapture::new();
        let control = SimPortControl::new(
            "serial0",
            capture.clone(),
            Link::serial(9600),
            clock.clone(),
        );
        let mut port = control.open();
        port.write_all(&[0x55; 960]).expect("write");
        // 960 bytes × 10 bits at 9600 baud = 1 s.
        assert_eq!(clock.now().since_start(), Duration::from_secs(1));
        assert_eq!(capture.received().len(), 960);
        assert_eq!(control.sent(), vec![0x55; 960]);
    }

    /// Takes one byte per millisecond, like a printer whose buffer drains as it prints.
    struct SlowDevice {
        next_free: Instant,
    }

    impl ByteModel for SlowDevice {
        fn receive(&mut self, now: Instant, bytes: &[u8]) -> usize {
            if now < self.next_free || bytes.is_empty() {
                return 0;
            }
            self.next_free = now + Duration::from_millis(1);
            1
        }
        fn ready_at(&self, _now: Instant) -> Instant {
            self.next_free
        }
    }

    #[test]
    fn flow_control_holds_the_writer_back_instead_of_losing_bytes() {
        let clock = VirtualClock::new();
        let device = SlowDevice {
            next_free: Instant::ZERO,
        };
        let control = SimPortControl::new("usb", device, Link::USB, clock.clone());
        control.open().write_all(&[1, 2, 3, 4, 5]).expect("write");
        assert_eq!(control.sent(), vec![1, 2, 3, 4, 5]);
        assert_eq!(clock.now().since_start(), Duration::from_millis(4));
    }

    #[test]
    fn an_unplugged_port_says_not_connected_and_recovers_when_plugged() {
        let control =
            SimPortControl::new("lp0", ByteCapture::new(), Link::USB, VirtualClock::new());
        let mut port = control.open();
        control.unplug();
        let error = port.write(&[1]).expect_err("unplugged");
        assert_eq!(error.kind, ErrorKind::NotConnected);
        control.plug();
        assert_eq!(port.write(&[1]), Ok(1));
    }

    #[test]
    fn a_silent_device_times_out_a_read() {
        let clock = VirtualClock::new();
        let control = SimPortControl::new("lp0", ByteCapture::new(), Link::USB, clock.clone());
        let mut port = control.open();
        port.set_read_timeout(Duration::from_millis(50));
        let error = port.read(&mut [0u8; 1]).expect_err("no reply");
        assert_eq!(error.kind, ErrorKind::TimedOut);
        assert_eq!(clock.now().since_start(), Duration::from_millis(50));
    }
}
