//! A virtual ESC/POS thermal printer: the device at the far end of a printer port.
//!
//! It is the test oracle for the comic robot's printing, so it is written from the ESC/POS
//! manuals and shares no code with the encoder: it decodes the byte stream onto a paper bitmap,
//! logs text lines and cuts, answers status queries, and keeps the physical limits that make real
//! printers fail — a small receive buffer drained at the print speed, paper running out, commands
//! it does not know, images wider than the paper.
//!
//! # The model
//! Bytes land in a receive buffer of the configured size. The print head pulls them out one by one
//! and interprets them; interpreting takes no time, but every dot row the paper moves (a raster
//! row, a text line, a feed) keeps the head busy for one row's time at the configured speed, and a
//! busy head pulls nothing. So the buffer drains exactly as fast as the paper moves. When it is
//! full, a link with flow control is refused bytes (the port waits until [`ByteModel::ready_at`]);
//! a link without flow control loses them, and they are counted as an overflow.
//!
//! Real-time status requests (`DLE EOT n`) are answered when they arrive, not when the head gets
//! to them, because that is how printers answer while they are stuck (paper out, buffer full). Like
//! Epson's printers, the model recognises them anywhere in the stream, raster data included.
//!
//! # Geometry
//! One motion unit is one dot. The default line spacing (`ESC 2`) is 1/6 inch, the ESC/POS
//! default on most models; text is not rendered (Font A cells are 12 × 24 dots, which sets where
//! a long line wraps), but every text line is logged with the paper row it was printed at.
//! `ESC *` bands are 24 dots tall whatever the mode, as on a real head.
//!
//! # Cuts
//! The cutter sits [`ThermalPrinterConfig::cutter_distance_dots`] past the print line. `GS V 0/1`
//! (function A) cuts there, so whatever was printed in that last stretch goes with the next receipt
//! unless the sender fed paper first; `GS V 65/66 n` (function B) feeds to the cutter plus `n` dots
//! and then cuts. [`ThermalPrinter::receipts`] splits the paper at the cuts.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use atelier_hal::Instant;

use crate::port::ByteModel;

mod interpreter;
mod paper;
#[cfg(test)]
mod tests;

use interpreter::Interpreter;
pub use paper::PaperImage;
use paper::Roll;

const NUL: u8 = 0x00;
const HT: u8 = 0x09;
const LF: u8 = 0x0A;
const FF: u8 = 0x0C;
const CR: u8 = 0x0D;
const DLE: u8 = 0x10;
const XON: u8 = 0x11;
const DC2: u8 = 0x12;
const XOFF: u8 = 0x13;
const EOT: u8 = 0x04;
const CAN: u8 = 0x18;
const ESC: u8 = 0x1B;
const FS: u8 = 0x1C;
const GS: u8 = 0x1D;
const DEL: u8 = 0x7F;

/// Font A is 12 dots wide on every model we know; it decides where a long text line wraps.
const FONT_A_WIDTH_DOTS: u32 = 12;
/// An `ESC *` band covers 24 head dots in every mode (8-dot modes print each dot 3 rows tall).
const COLUMN_BAND_DOTS: u32 = 24;
/// Stored graphics (`GS ( L` / `GS 8 L`) larger than this are refused, so a garbled length field
/// cannot make the model allocate gigabytes. A 576 × 2303 image is 166 KB.
const MAX_STORED_GRAPHICS_BYTES: u64 = 4 << 20;
/// Only this many problems are kept in the log; [`ThermalPrinter::error_count`] counts them all.
const MAX_LOGGED_ERRORS: usize = 1024;
/// A printer's transmit buffer is small; status replies beyond it are dropped.
const MAX_PENDING_REPLIES: usize = 256;
/// How long a refused sender waits when the head is stopped (paper out) before asking again.
const STOPPED_RETRY: Duration = Duration::from_millis(10);

/// What the virtual printer is: its own description, independent of any encoder's profile.
#[derive(Clone, Debug, PartialEq)]
pub struct ThermalPrinterConfig {
    /// Printable width in dots (384 on 58 mm paper at 203 dpi, 576 or 512 on 80 mm).
    pub width_dots: u32,
    /// Head resolution in dots per inch; sets the default line spacing and the row time.
    pub dpi: u32,
    /// Paper speed while printing, in mm/s; the head moves one dot row in `25.4 / dpi / speed` s.
    pub speed_mm_per_s: f64,
    /// Receive buffer size in bytes.
    pub buffer_bytes: usize,
    /// Whether the link holds the sender back when the buffer is full. Must match the port's
    /// `Link::flow_control`: the model cannot see the link, and it counts refused bytes as lost
    /// only when there is no flow control.
    pub flow_control: bool,
    /// Distance from the print line to the cutter blade, in dots (0 for a printer without one).
    pub cutter_distance_dots: u32,
}

impl Default for ThermalPrinterConfig {
    /// A generic 58 mm USB printer: 384 dots, 203 dpi, 50 mm/s, 4 KB buffer, no cutter.
    fn default() -> Self {
        ThermalPrinterConfig {
            width_dots: 384,
            dpi: 203,
            speed_mm_per_s: 50.0,
            buffer_bytes: 4096,
            flow_control: true,
            cutter_distance_dots: 0,
        }
    }
}

impl ThermalPrinterConfig {
    /// The CSN-A2 "mini thermal printer" (Adafruit's TTL printer) as the device behaves, not as
    /// any profile claims: 384 dots at 203 dpi; pictures at 30 ms per dot row (Adafruit's
    /// measurement, 4.2 mm/s; its 50–80 mm/s datasheet speed is for text); TTL serial without
    /// flow control; no cutter. Its receive buffer is not documented: 512 bytes is the
    /// conservative size everyone assumes.
    pub fn csn_a2() -> ThermalPrinterConfig {
        ThermalPrinterConfig {
            width_dots: 384,
            dpi: 203,
            speed_mm_per_s: 25.4 / 203.0 / 0.030,
            buffer_bytes: 512,
            flow_control: false,
            cutter_distance_dots: 0,
        }
    }
}

/// A configuration the model cannot work with.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("virtual thermal printer: `{field}` is {value}; accepted: {accepted}")]
pub struct PrinterConfigError {
    /// The field of [`ThermalPrinterConfig`].
    pub field: &'static str,
    /// The value it had.
    pub value: String,
    /// What would be accepted.
    pub accepted: &'static str,
}

impl ThermalPrinterConfig {
    /// Checks every field; the error names the first bad one and its accepted range.
    pub fn validate(&self) -> Result<(), PrinterConfigError> {
        let bad = |field, value: String, accepted| {
            Err(PrinterConfigError {
                field,
                value,
                accepted,
            })
        };
        if !(8..=4096).contains(&self.width_dots) || !self.width_dots.is_multiple_of(8) {
            return bad(
                "width_dots",
                self.width_dots.to_string(),
                "a multiple of 8 from 8 to 4096",
            );
        }
        if !(50..=1200).contains(&self.dpi) {
            return bad("dpi", self.dpi.to_string(), "50 to 1200");
        }
        if !(self.speed_mm_per_s.is_finite() && (0.1..=1000.0).contains(&self.speed_mm_per_s)) {
            return bad(
                "speed_mm_per_s",
                self.speed_mm_per_s.to_string(),
                "0.1 to 1000 mm/s",
            );
        }
        if !(1..=(64 << 20)).contains(&self.buffer_bytes) {
            return bad(
                "buffer_bytes",
                self.buffer_bytes.to_string(),
                "1 byte to 64 MiB",
            );
        }
        if self.cutter_distance_dots > 10_000 {
            return bad(
                "cutter_distance_dots",
                self.cutter_distance_dots.to_string(),
                "0 to 10000 dots",
            );
        }
        Ok(())
    }

    /// `ESC 2`'s line spacing: 1/6 inch, rounded to whole dots (34 at 203 dpi, 30 at 180).
    pub fn default_line_spacing_dots(&self) -> u32 {
        (self.dpi + 3) / 6
    }

    /// How long the paper takes to move one dot row.
    pub fn row_time(&self) -> Duration {
        let seconds = 25.4 / f64::from(self.dpi) / self.speed_mm_per_s;
        Duration::from_nanos((seconds * 1e9).round() as u64)
    }
}

/// A text line the printer printed (glyphs are not rendered, only logged).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintedText {
    /// Paper row (from the start of the roll) where the line's top is.
    pub row: u32,
    /// The bytes as Latin-1; the printer's code page is not modelled.
    pub text: String,
}

/// Something the printer could not do as asked. Never fatal: it logs and carries on, like a
/// printer that prints garbage rather than stopping.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PrintError {
    /// A command byte sequence the model does not know; it skipped the prefix and the command byte.
    #[error("unknown command {bytes:02X?} at byte {at}")]
    UnknownCommand {
        /// Offset in the stream the head processed.
        at: u64,
        /// The prefix and the command byte.
        bytes: Vec<u8>,
    },
    /// A known command the model does not carry out (its parameters were skipped).
    #[error("{command} at byte {at} is not supported by the virtual printer; skipped")]
    Unsupported {
        /// The command, as the manuals write it.
        command: &'static str,
        /// Offset in the stream.
        at: u64,
    },
    /// An image wider than the paper: nothing of it is printed (a real printer would clip it).
    #[error("{command} image at byte {at} is {width_dots} dots wide; the paper is {paper_dots}")]
    TooWide {
        /// The raster command.
        command: &'static str,
        /// Offset in the stream.
        at: u64,
        /// The image's width on paper, scaling included.
        width_dots: u64,
        /// The paper's printable width.
        paper_dots: u32,
    },
    /// A parameter outside the command's range.
    #[error("{command} at byte {at}: `{parameter}` = {value} is out of range")]
    BadParameter {
        /// The command.
        command: &'static str,
        /// Offset in the stream.
        at: u64,
        /// The parameter's name in the manual.
        parameter: &'static str,
        /// Its value.
        value: u64,
    },
    /// `GS ( L` / `GS 8 L` store whose length field disagrees with its image size; nothing stored.
    #[error(
        "{command} at byte {at}: length field says {declared} data bytes, the image needs {expected}"
    )]
    GraphicsLength {
        /// The command.
        command: &'static str,
        /// Offset in the stream.
        at: u64,
        /// Data bytes according to the length field.
        declared: u64,
        /// Data bytes the declared width and height need.
        expected: u64,
    },
    /// A print-stored-graphics command with nothing stored.
    #[error("{command} at byte {at}: no graphics stored")]
    NothingStored {
        /// The command.
        command: &'static str,
        /// Offset in the stream.
        at: u64,
    },
}

/// A virtual ESC/POS thermal printer. Clones are handles on the same printer: give one to
/// `SimBoard::attach_port` and keep one to look at the paper and inject faults.
#[derive(Clone)]
pub struct ThermalPrinter {
    state: Arc<Mutex<PrinterState>>,
}

impl fmt::Debug for ThermalPrinter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("ThermalPrinter")
            .field("config", &state.config)
            .field("buffered", &state.buffer.len())
            .field("paper_out", &state.paper_out)
            .finish_non_exhaustive()
    }
}

struct PrinterState {
    config: ThermalPrinterConfig,
    row_time: Duration,
    buffer: VecDeque<u8>,
    /// When the head finishes moving the paper for what it has processed so far.
    head_free_at: Instant,
    paper_out: bool,
    replies: VecDeque<u8>,
    realtime: RealTimeScanner,
    interpreter: Interpreter,
    bytes_received: u64,
    overflowed_bytes: u64,
}

impl ThermalPrinter {
    /// A printer with a fresh roll, an empty buffer and its head idle at time zero.
    pub fn new(config: ThermalPrinterConfig) -> Result<ThermalPrinter, PrinterConfigError> {
        config.validate()?;
        let row_time = config.row_time();
        let interpreter = Interpreter::new(&config);
        Ok(ThermalPrinter {
            state: Arc::new(Mutex::new(PrinterState {
                config,
                row_time,
                buffer: VecDeque::new(),
                head_free_at: Instant::ZERO,
                paper_out: false,
                replies: VecDeque::new(),
                realtime: RealTimeScanner::default(),
                interpreter,
                bytes_received: 0,
                overflowed_bytes: 0,
            })),
        })
    }

    fn lock(&self) -> MutexGuard<'_, PrinterState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The printer's configuration.
    pub fn config(&self) -> ThermalPrinterConfig {
        self.lock().config.clone()
    }

    /// World side: the paper runs out (`true`) or a new roll goes in (`false`). Without paper the
    /// head stops and the status replies report paper end; the buffer keeps what it has.
    pub fn set_paper_out(&self, out: bool) {
        self.lock().paper_out = out;
    }

    /// Whether the paper is out.
    pub fn paper_out(&self) -> bool {
        self.lock().paper_out
    }

    /// Lets the head process everything in the buffer, as if time passed with no more bytes
    /// arriving, and returns when the paper stops moving. Call before looking at the paper: the
    /// model only advances when bytes arrive. With the paper out nothing moves.
    pub fn print_buffered(&self) -> Instant {
        let mut state = self.lock();
        state.advance(Instant::from_nanos(u64::MAX));
        state.head_free_at
    }

    /// Lets the head process what it had time for by `now` (the model otherwise advances only
    /// when bytes arrive): call before looking at the paper of a printer that is running.
    pub fn settle(&self, now: Instant) {
        self.lock().advance(now);
    }

    /// When the head will have finished what it has processed so far.
    pub fn busy_until(&self) -> Instant {
        self.lock().head_free_at
    }

    /// Bytes waiting in the receive buffer.
    pub fn buffered_bytes(&self) -> usize {
        self.lock().buffer.len()
    }

    /// Every byte that reached the printer, lost ones included.
    pub fn bytes_received(&self) -> u64 {
        self.lock().bytes_received
    }

    /// Bytes lost because the buffer was full on a link without flow control.
    pub fn overflowed_bytes(&self) -> u64 {
        self.lock().overflowed_bytes
    }

    /// The whole paper printed so far, cuts ignored.
    pub fn paper(&self) -> PaperImage {
        self.lock().interpreter.roll.image(0, None)
    }

    /// The paper split at the cuts: one image per cut-off receipt, then the part still attached
    /// to the roll if it has any rows.
    pub fn receipts(&self) -> Vec<PaperImage> {
        self.lock().interpreter.roll.receipts()
    }

    /// How many cuts the printer made.
    pub fn cut_count(&self) -> usize {
        self.lock().interpreter.roll.cuts.len()
    }

    /// Every text line printed, in order.
    pub fn text(&self) -> Vec<PrintedText> {
        self.lock().interpreter.text_log.clone()
    }

    /// The first problems met (up to 1024).
    pub fn errors(&self) -> Vec<PrintError> {
        self.lock().interpreter.errors.clone()
    }

    /// How many problems were met in all.
    pub fn error_count(&self) -> u64 {
        self.lock().interpreter.error_count
    }

    /// How many unknown commands the head skipped.
    pub fn unknown_commands(&self) -> u64 {
        self.lock().interpreter.unknown_commands
    }
}

impl PrinterState {
    /// Runs the head until `now`: it pulls bytes while it is idle and stops while the paper moves.
    fn advance(&mut self, now: Instant) {
        if self.paper_out {
            return;
        }
        while self.head_free_at <= now {
            let Some(byte) = self.buffer.pop_front() else {
                break;
            };
            let rows = self.interpreter.feed(byte);
            if rows > 0 {
                let busy = self.row_time.saturating_mul(rows);
                self.head_free_at += busy;
            }
        }
    }

    fn reply(&mut self, request: u8) {
        if let Some(status) = status_reply(request, self.paper_out)
            && self.replies.len() < MAX_PENDING_REPLIES
        {
            self.replies.push_back(status);
        }
    }
}

impl ByteModel for ThermalPrinter {
    fn receive(&mut self, now: Instant, bytes: &[u8]) -> usize {
        let mut state = self.lock();
        state.advance(now);
        if state.buffer.is_empty() && state.head_free_at < now {
            // The head has been idle; it starts on new bytes when they arrive, not in the past.
            state.head_free_at = now;
        }
        // An idle head pulls bytes out as they come in, so take what fits, let the head work,
        // and offer the room it made, until the head is busy and the buffer full.
        let mut taken = 0;
        loop {
            let room = state.config.buffer_bytes.saturating_sub(state.buffer.len());
            let take = room.min(bytes.len() - taken);
            if take == 0 {
                break;
            }
            state.buffer.extend(&bytes[taken..taken + take]);
            taken += take;
            state.advance(now);
        }
        // Without flow control every byte on the wire reached the printer's UART, so real-time
        // requests among the lost ones are still seen; with it, refused bytes come again later.
        let arrived = if state.config.flow_control {
            &bytes[..taken]
        } else {
            bytes
        };
        for &byte in arrived {
            if let Some(request) = state.realtime.scan(byte) {
                state.reply(request);
            }
        }
        state.bytes_received += arrived.len() as u64;
        if !state.config.flow_control {
            state.overflowed_bytes += (bytes.len() - taken) as u64;
        }
        taken
    }

    fn ready_at(&self, now: Instant) -> Instant {
        let state = self.lock();
        if state.paper_out || state.head_free_at <= now {
            now + STOPPED_RETRY
        } else {
            state.head_free_at
        }
    }

    fn available(&self, _now: Instant) -> usize {
        self.lock().replies.len()
    }

    fn send(&mut self, _now: Instant, buf: &mut [u8]) -> usize {
        let mut state = self.lock();
        let n = buf.len().min(state.replies.len());
        for (slot, byte) in buf.iter_mut().zip(state.replies.drain(..n)) {
            *slot = byte;
        }
        n
    }
}

/// The reply to `DLE EOT n`, or `None` for an `n` the model does not answer.
///
/// Every reply has the fixed bits `0xx1xx10`. Paper out takes the printer offline (n = 1, bit 3),
/// names paper end as the cause (n = 2, bit 5), and sets both near-end (bits 2–3) and end
/// (bits 5–6) on the roll sensor (n = 4).
fn status_reply(request: u8, paper_out: bool) -> Option<u8> {
    const FIXED: u8 = 0x12;
    let flags = match (request, paper_out) {
        (1..=4, false) => 0,
        (1, true) => 0x08,
        (2, true) => 0x20,
        (3, true) => 0,
        (4, true) => 0x0C | 0x60,
        _ => return None,
    };
    Some(FIXED | flags)
}

/// Spots `DLE EOT n` in the bytes as they arrive.
#[derive(Default)]
struct RealTimeScanner {
    seen: u8,
}

impl RealTimeScanner {
    fn scan(&mut self, byte: u8) -> Option<u8> {
        let (next, request) = match (self.seen, byte) {
            (2, 1..=4) => (0, Some(byte)),
            (1, EOT) => (2, None),
            (_, DLE) => (1, None),
            _ => (0, None),
        };
        self.seen = next;
        request
    }
}
