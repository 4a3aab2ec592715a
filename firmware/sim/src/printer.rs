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

/// Printed paper as a 1-bit image: `width` dots wide, rows packed MSB-first (the leftmost dot is
/// the high bit), 1 = a burnt (black) dot.
#[derive(Clone, PartialEq, Eq)]
pub struct PaperImage {
    width: u32,
    height: u32,
    bits: Vec<u8>,
}

impl PaperImage {
    fn stride_for(width: u32) -> usize {
        width.div_ceil(8) as usize
    }

    /// Width in dots.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in dot rows.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Bytes per row.
    pub fn stride(&self) -> usize {
        Self::stride_for(self.width)
    }

    /// Whether the dot at (`x`, `y`) is black; false outside the paper.
    pub fn is_black(&self, x: u32, y: u32) -> bool {
        if x >= self.width || y >= self.height {
            return false;
        }
        let index = y as usize * self.stride() + (x / 8) as usize;
        self.bits[index] & (0x80 >> (x % 8)) != 0
    }

    /// Row `y`'s packed bytes (empty outside the paper).
    pub fn row(&self, y: u32) -> &[u8] {
        if y >= self.height {
            return &[];
        }
        let stride = self.stride();
        let start = y as usize * stride;
        &self.bits[start..start + stride]
    }

    /// How many dots are black.
    pub fn black_dots(&self) -> usize {
        self.bits.iter().map(|b| b.count_ones() as usize).sum()
    }
}

impl fmt::Debug for PaperImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaperImage")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("black_dots", &self.black_dots())
            .finish()
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

// ---------------------------------------------------------------------------------------------
// The paper.

struct Roll {
    width: u32,
    stride: usize,
    bits: Vec<u8>,
    height: u32,
    /// The row under the print line.
    print_y: u32,
    cutter_distance: u32,
    /// Rows at which the paper was cut, ascending.
    cuts: Vec<u32>,
}

impl Roll {
    fn new(width: u32, cutter_distance: u32) -> Roll {
        Roll {
            width,
            stride: PaperImage::stride_for(width),
            bits: Vec::new(),
            height: 0,
            print_y: 0,
            cutter_distance,
            cuts: Vec::new(),
        }
    }

    fn extend_to(&mut self, rows: u32) {
        if rows > self.height {
            self.height = rows;
            self.bits.resize(rows as usize * self.stride, 0);
        }
    }

    fn set_dot(&mut self, x: u32, y: u32) {
        if x >= self.width {
            return;
        }
        self.extend_to(y.saturating_add(1));
        self.bits[y as usize * self.stride + (x / 8) as usize] |= 0x80 >> (x % 8);
    }

    /// Burns a packed row at `y`, starting at dot `x0`, each source dot `scale` dots wide.
    fn burn_row(&mut self, y: u32, x0: u32, row: &[u8], scale: u32) {
        if x0 == 0 && scale == 1 {
            // The paper's width is a multiple of 8 and callers have checked the row fits, so
            // source bytes land on paper bytes one to one.
            self.extend_to(y.saturating_add(1));
            let start = y as usize * self.stride;
            let line = &mut self.bits[start..start + self.stride];
            for (dst, src) in line.iter_mut().zip(row) {
                *dst |= src;
            }
            return;
        }
        for (byte_index, &byte) in row.iter().enumerate() {
            if byte == 0 {
                continue;
            }
            for bit in 0..8u32 {
                if byte & (0x80 >> bit) != 0 {
                    let x = x0 + (byte_index as u32 * 8 + bit) * scale;
                    for dx in 0..scale {
                        self.set_dot(x + dx, y);
                    }
                }
            }
        }
    }

    fn feed(&mut self, rows: u32) -> u32 {
        self.print_y = self.print_y.saturating_add(rows);
        self.extend_to(self.print_y);
        rows
    }

    fn cut_at(&mut self, row: u32) {
        let last = self.cuts.last().copied().unwrap_or(0);
        self.cuts.push(row.clamp(last, self.height.max(last)));
    }

    fn image(&self, from: u32, to: Option<u32>) -> PaperImage {
        let to = to.unwrap_or(self.height).min(self.height);
        let from = from.min(to);
        PaperImage {
            width: self.width,
            height: to - from,
            bits: self.bits[from as usize * self.stride..to as usize * self.stride].to_vec(),
        }
    }

    fn receipts(&self) -> Vec<PaperImage> {
        let mut receipts = Vec::with_capacity(self.cuts.len() + 1);
        let mut from = 0;
        for &cut in &self.cuts {
            receipts.push(self.image(from, Some(cut)));
            from = cut;
        }
        if self.height > from {
            receipts.push(self.image(from, None));
        }
        receipts
    }
}

// ---------------------------------------------------------------------------------------------
// The interpreter: bytes in, paper motion out. No notion of time.

/// What a complete set of parameters means.
#[derive(Clone, Copy, Debug)]
enum Command {
    /// `ESC d n`: print, feed n lines.
    FeedLines,
    /// `ESC J n`: print, feed n dots.
    FeedDots,
    /// `ESC 3 n`.
    LineSpacing,
    /// `ESC * m nL nH` then column data.
    ColumnImage,
    /// `GS v 0 m xL xH yL yH` (the `0` is the first parameter) then raster data.
    RasterImage,
    /// `DC2 * r n` (Adafruit/CSN-A2 raster: r rows of n bytes).
    Dc2Raster,
    /// `GS ( fn pL pH`.
    GsParen,
    /// `GS 8 L p1 p2 p3 p4`.
    GsEightL,
    /// `GS V m`.
    Cut,
    /// `GS V m n` (functions B, C, D).
    CutAfterFeed,
    /// `GS k m` (barcode; data follows).
    Barcode,
    /// `GS * x y` (define downloaded bit image; x·y·8 bytes follow).
    DownloadImage,
    /// `DLE EOT n`: answered on arrival already.
    RealTimeStatus,
    /// One parameter, then that many bytes (the second stage of `GS k m` for m ≥ 65).
    CountedData,
    /// A known command whose parameters are skipped: styles, alignment, code pages, etc.
    Ignored,
    /// A known command the model does not carry out.
    Unsupported(&'static str),
}

enum Parse {
    Ground,
    /// Got a prefix byte (ESC, GS, DLE, FS, DC2); waiting for the command byte.
    Prefix(u8),
    Params {
        command: Command,
        params: [u8; 8],
        have: usize,
        need: usize,
    },
    Raster(RasterData),
    Columns(ColumnData),
    Graphics(GraphicsData),
    Skip {
        remaining: u64,
    },
    SkipThroughNul {
        remaining: u32,
    },
}

struct RasterData {
    bytes_per_row: usize,
    rows_left: u32,
    scale_x: u32,
    scale_y: u32,
    print: bool,
    row: Vec<u8>,
}

struct ColumnData {
    bytes_per_column: u32,
    dot_width: u32,
    dot_height: u32,
    columns: u32,
    column: u32,
    byte_in_column: u32,
    x0: u32,
    print: bool,
}

struct GraphicsData {
    command: &'static str,
    start: u64,
    remaining: u64,
    header: [u8; 10],
    have: usize,
    /// Set once the header says this is a store we accept.
    store: Option<StoredGraphics>,
}

#[derive(Clone)]
struct StoredGraphics {
    width: u32,
    height: u32,
    scale_x: u32,
    scale_y: u32,
    data: Vec<u8>,
}

enum Stored {
    Nothing,
    /// The last store was refused and already reported; printing it prints nothing, quietly.
    Refused,
    Image(StoredGraphics),
}

struct Interpreter {
    width: u32,
    default_line_spacing: u32,
    line_spacing: u32,
    parse: Parse,
    /// Bytes processed so far (positions in errors).
    offset: u64,
    /// Offset of the command being parsed.
    command_start: u64,
    roll: Roll,
    line_text: Vec<u8>,
    line_image: Vec<u8>,
    line_has_image: bool,
    line_x: u32,
    stored: Stored,
    text_log: Vec<PrintedText>,
    errors: Vec<PrintError>,
    error_count: u64,
    unknown_commands: u64,
}

impl Interpreter {
    fn new(config: &ThermalPrinterConfig) -> Interpreter {
        let spacing = config.default_line_spacing_dots();
        let stride = PaperImage::stride_for(config.width_dots);
        Interpreter {
            width: config.width_dots,
            default_line_spacing: spacing,
            line_spacing: spacing,
            parse: Parse::Ground,
            offset: 0,
            command_start: 0,
            roll: Roll::new(config.width_dots, config.cutter_distance_dots),
            line_text: Vec::new(),
            line_image: vec![0; stride * COLUMN_BAND_DOTS as usize],
            line_has_image: false,
            line_x: 0,
            stored: Stored::Nothing,
            text_log: Vec::new(),
            errors: Vec::new(),
            error_count: 0,
            unknown_commands: 0,
        }
    }

    fn error(&mut self, error: PrintError) {
        self.error_count += 1;
        if self.errors.len() < MAX_LOGGED_ERRORS {
            self.errors.push(error);
        }
    }

    fn unknown(&mut self, bytes: Vec<u8>) {
        self.unknown_commands += 1;
        let at = self.command_start;
        self.error(PrintError::UnknownCommand { at, bytes });
    }

    /// Processes one byte; returns how many dot rows the paper moved.
    fn feed(&mut self, byte: u8) -> u32 {
        let at = self.offset;
        self.offset += 1;
        let parse = std::mem::replace(&mut self.parse, Parse::Ground);
        match parse {
            Parse::Ground => {
                self.command_start = at;
                self.ground(byte)
            }
            Parse::Prefix(prefix) => self.command(prefix, byte),
            Parse::Params {
                command,
                mut params,
                have,
                need,
            } => {
                params[have] = byte;
                if have + 1 < need {
                    self.parse = Parse::Params {
                        command,
                        params,
                        have: have + 1,
                        need,
                    };
                    0
                } else {
                    self.execute(command, &params[..need])
                }
            }
            Parse::Raster(data) => self.raster_byte(data, byte),
            Parse::Columns(data) => {
                self.column_byte(data, byte);
                0
            }
            Parse::Graphics(data) => self.graphics_byte(data, byte),
            Parse::Skip { remaining } => {
                if remaining > 1 {
                    self.parse = Parse::Skip {
                        remaining: remaining - 1,
                    };
                }
                0
            }
            Parse::SkipThroughNul { remaining } => {
                if byte != NUL && remaining > 1 {
                    self.parse = Parse::SkipThroughNul {
                        remaining: remaining - 1,
                    };
                }
                0
            }
        }
    }

    fn ground(&mut self, byte: u8) -> u32 {
        match byte {
            ESC | GS | DLE | FS | DC2 => {
                self.parse = Parse::Prefix(byte);
                0
            }
            LF => self.print_and_feed(self.line_spacing),
            // CR prints nothing when auto line feed is off (the default); the others are flow
            // control or page-mode bytes that do nothing in standard mode.
            NUL | CR | FF | CAN | XON | XOFF => 0,
            HT => self.text_byte(b' '),
            0x01..=0x1F | DEL => {
                self.unknown(vec![byte]);
                0
            }
            _ => self.text_byte(byte),
        }
    }

    fn text_byte(&mut self, byte: u8) -> u32 {
        // A full line wraps: the printer prints it and continues on the next line.
        let per_line = (self.width / FONT_A_WIDTH_DOTS).max(1) as usize;
        let mut moved = 0;
        if self.line_text.len() >= per_line {
            moved = self.print_and_feed(self.line_spacing);
        }
        self.line_text.push(byte);
        moved
    }

    /// Prints the line buffer (text and `ESC *` images) at the print line, without moving.
    fn print_line(&mut self) {
        if !self.line_text.is_empty() {
            let text = self.line_text.drain(..).map(char::from).collect();
            self.text_log.push(PrintedText {
                row: self.roll.print_y,
                text,
            });
        }
        if self.line_has_image {
            let stride = self.roll.stride;
            for dy in 0..COLUMN_BAND_DOTS {
                let start = dy as usize * stride;
                let row = self.line_image[start..start + stride].to_vec();
                self.roll
                    .burn_row(self.roll.print_y.saturating_add(dy), 0, &row, 1);
            }
            self.line_image.fill(0);
            self.line_has_image = false;
        }
        self.line_x = 0;
    }

    fn print_and_feed(&mut self, rows: u32) -> u32 {
        self.print_line();
        self.roll.feed(rows)
    }

    fn command(&mut self, prefix: u8, byte: u8) -> u32 {
        use Command::*;
        let params = |command, need| Some((command, need));
        let found = match (prefix, byte) {
            (ESC, b'@') => {
                self.initialise();
                return 0;
            }
            (ESC, b'2') => {
                self.line_spacing = self.default_line_spacing;
                return 0;
            }
            (ESC, b'i' | b'm') => return self.cut_here(),
            (ESC, b'd') => params(FeedLines, 1),
            (ESC, b'J') => params(FeedDots, 1),
            (ESC, b'3') => params(LineSpacing, 1),
            (ESC, b'*') => params(ColumnImage, 3),
            (ESC, b'D') => {
                self.parse = Parse::SkipThroughNul { remaining: 33 };
                return 0;
            }
            // Styles, alignment, code pages, margins, peripherals: they change how text looks,
            // which the model does not render.
            (
                ESC,
                b' ' | b'!' | b'%' | b'-' | b'=' | b'?' | b'E' | b'G' | b'M' | b'R' | b'T' | b'V'
                | b'a' | b'r' | b't' | b'u' | b'{' | b'c' | b'$' | b'\\' | b'8' | b'p' | b'7'
                | b'W',
            ) => {
                let need = match byte {
                    b'p' | b'7' => 3,
                    b'c' | b'$' | b'\\' | b'8' => 2,
                    b'W' => 8,
                    _ => 1,
                };
                params(Ignored, need)
            }
            (ESC, b'L' | b'S') => {
                self.error(PrintError::Unsupported {
                    command: "page mode (ESC L / ESC S)",
                    at: self.command_start,
                });
                return 0;
            }
            (ESC, b'K' | b'e') => params(Unsupported("reverse feed (ESC K / ESC e)"), 1),
            (GS, b'v') => params(RasterImage, 6),
            (GS, b'(') => params(GsParen, 3),
            (GS, b'8') => params(GsEightL, 5),
            (GS, b'V') => params(Cut, 1),
            (GS, b'k') => params(Barcode, 1),
            (GS, b'*') => params(DownloadImage, 2),
            (GS, b'/') => params(Unsupported("GS / (print downloaded bit image)"), 1),
            (
                GS,
                b'!' | b'B' | b'H' | b'I' | b'T' | b'a' | b'b' | b'f' | b'h' | b'r' | b'w' | b'L'
                | b'P' | b'W' | b'$' | b'\\' | b'^',
            ) => {
                let need = match byte {
                    b'L' | b'P' | b'W' | b'$' | b'\\' => 2,
                    b'^' => 3,
                    _ => 1,
                };
                params(Ignored, need)
            }
            (GS, b':') => return 0,
            (DLE, EOT) => params(RealTimeStatus, 1),
            (DLE, 0x05) => params(Ignored, 1),
            (DLE, 0x14) => params(Ignored, 3),
            (FS, b'.' | b'&') => return 0,
            (FS, b'!' | b'-' | b'C' | b'W') => params(Ignored, 1),
            (FS, b'S') => params(Ignored, 2),
            (FS, b'p') => params(Unsupported("FS p (print NV bit image)"), 2),
            (DC2, b'*') => params(Dc2Raster, 2),
            (DC2, b'#') => params(Ignored, 1),
            (DC2, b'T') => return 0,
            _ => None,
        };
        match found {
            Some((command, need)) => {
                self.parse = Parse::Params {
                    command,
                    params: [0; 8],
                    have: 0,
                    need,
                };
            }
            None => self.unknown(vec![prefix, byte]),
        }
        0
    }

    fn initialise(&mut self) {
        self.line_text.clear();
        self.line_image.fill(0);
        self.line_has_image = false;
        self.line_x = 0;
        self.line_spacing = self.default_line_spacing;
        self.stored = Stored::Nothing;
    }

    fn cut_here(&mut self) -> u32 {
        self.print_line();
        let row = self.roll.print_y.saturating_sub(self.roll.cutter_distance);
        self.roll.cut_at(row);
        0
    }

    fn execute(&mut self, command: Command, p: &[u8]) -> u32 {
        let at = self.command_start;
        let word = |lo: u8, hi: u8| u32::from(lo) | u32::from(hi) << 8;
        match command {
            Command::FeedLines => self.print_and_feed(u32::from(p[0]) * self.line_spacing),
            Command::FeedDots => self.print_and_feed(u32::from(p[0])),
            Command::LineSpacing => {
                self.line_spacing = u32::from(p[0]);
                0
            }
            Command::ColumnImage => {
                self.start_columns(p[0], word(p[1], p[2]));
                0
            }
            Command::RasterImage => {
                if p[0] != b'0' {
                    self.unknown(vec![GS, b'v', p[0]]);
                    return 0;
                }
                let mode = p[1];
                let (scale_x, scale_y) = match mode {
                    0..=3 | 48..=51 => (1 + u32::from(mode & 1), 1 + u32::from(mode >> 1 & 1)),
                    _ => {
                        self.error(PrintError::BadParameter {
                            command: "GS v 0",
                            at,
                            parameter: "m",
                            value: u64::from(mode),
                        });
                        (1, 1)
                    }
                };
                let bytes_per_row = word(p[2], p[3]);
                let rows = word(p[4], p[5]);
                self.start_raster("GS v 0", bytes_per_row, rows, scale_x, scale_y)
            }
            Command::Dc2Raster => {
                self.start_raster("DC2 *", u32::from(p[1]), u32::from(p[0]), 1, 1)
            }
            Command::GsParen => {
                let length = u64::from(word(p[1], p[2]));
                if p[0] == b'L' {
                    self.start_graphics("GS ( L", length);
                } else {
                    if p[0] == b'k' {
                        self.error(PrintError::Unsupported {
                            command: "GS ( k (2D codes)",
                            at,
                        });
                    }
                    self.skip(length);
                }
                0
            }
            Command::GsEightL => {
                if p[0] != b'L' {
                    self.unknown(vec![GS, b'8', p[0]]);
                    return 0;
                }
                let length = u64::from(u32::from_le_bytes([p[1], p[2], p[3], p[4]]));
                self.start_graphics("GS 8 L", length);
                0
            }
            Command::Cut => match p[0] {
                0 | 1 | 48 | 49 => self.cut_here(),
                65 | 66 | 97 | 98 | 103 | 104 => {
                    self.parse = Parse::Params {
                        command: Command::CutAfterFeed,
                        params: [0; 8],
                        have: 0,
                        need: 1,
                    };
                    0
                }
                m => {
                    self.error(PrintError::BadParameter {
                        command: "GS V",
                        at,
                        parameter: "m",
                        value: u64::from(m),
                    });
                    0
                }
            },
            Command::CutAfterFeed => {
                // Feed until the print line is `n` dots past the cutter, then cut.
                let moved = self.print_and_feed(self.roll.cutter_distance + u32::from(p[0]));
                self.cut_here();
                moved
            }
            Command::Barcode => {
                match p[0] {
                    0..=6 => self.parse = Parse::SkipThroughNul { remaining: 256 },
                    _ => {
                        self.parse = Parse::Params {
                            command: Command::CountedData,
                            params: [0; 8],
                            have: 0,
                            need: 1,
                        }
                    }
                }
                self.error(PrintError::Unsupported {
                    command: "GS k (barcode)",
                    at,
                });
                0
            }
            Command::CountedData => {
                self.skip(u64::from(p[0]));
                0
            }
            Command::DownloadImage => {
                self.error(PrintError::Unsupported {
                    command: "GS * (define downloaded bit image)",
                    at,
                });
                self.skip(u64::from(p[0]) * u64::from(p[1]) * 8);
                0
            }
            Command::RealTimeStatus | Command::Ignored => 0,
            Command::Unsupported(name) => {
                self.error(PrintError::Unsupported { command: name, at });
                0
            }
        }
    }

    fn skip(&mut self, bytes: u64) {
        if bytes > 0 {
            self.parse = Parse::Skip { remaining: bytes };
        }
    }

    // --- GS v 0 and DC2 * -------------------------------------------------------------------

    fn start_raster(
        &mut self,
        command: &'static str,
        bytes_per_row: u32,
        rows: u32,
        scale_x: u32,
        scale_y: u32,
    ) -> u32 {
        // A raster image starts on a fresh line: whatever is pending prints first.
        let moved = if self.line_text.is_empty() && !self.line_has_image {
            0
        } else {
            self.print_and_feed(self.line_spacing)
        };
        let width_dots = u64::from(bytes_per_row) * 8 * u64::from(scale_x);
        let print = width_dots <= u64::from(self.width);
        if !print {
            self.error(PrintError::TooWide {
                command,
                at: self.command_start,
                width_dots,
                paper_dots: self.width,
            });
        }
        if bytes_per_row > 0 && rows > 0 {
            self.parse = Parse::Raster(RasterData {
                bytes_per_row: bytes_per_row as usize,
                rows_left: rows,
                scale_x,
                scale_y,
                print,
                row: Vec::with_capacity(bytes_per_row as usize),
            });
        }
        moved
    }

    fn raster_byte(&mut self, mut data: RasterData, byte: u8) -> u32 {
        data.row.push(byte);
        let mut moved = 0;
        if data.row.len() == data.bytes_per_row {
            if data.print {
                for _ in 0..data.scale_y {
                    self.roll
                        .burn_row(self.roll.print_y, 0, &data.row, data.scale_x);
                    moved += self.roll.feed(1);
                }
            }
            data.row.clear();
            data.rows_left -= 1;
        }
        if data.rows_left > 0 {
            self.parse = Parse::Raster(data);
        }
        moved
    }

    // --- ESC * ------------------------------------------------------------------------------

    fn start_columns(&mut self, mode: u8, columns: u32) {
        let (bytes_per_column, dot_width, dot_height) = match mode {
            0 => (1, 2, 3),
            1 => (1, 1, 3),
            32 => (3, 2, 1),
            33 => (3, 1, 1),
            _ => {
                // Without a valid mode the data length is unknown: the data will be read as text.
                self.error(PrintError::BadParameter {
                    command: "ESC *",
                    at: self.command_start,
                    parameter: "m",
                    value: u64::from(mode),
                });
                return;
            }
        };
        let width_dots = u64::from(self.line_x) + u64::from(columns) * u64::from(dot_width);
        let print = width_dots <= u64::from(self.width);
        if !print {
            self.error(PrintError::TooWide {
                command: "ESC *",
                at: self.command_start,
                width_dots,
                paper_dots: self.width,
            });
        }
        if columns > 0 {
            self.parse = Parse::Columns(ColumnData {
                bytes_per_column,
                dot_width,
                dot_height,
                columns,
                column: 0,
                byte_in_column: 0,
                x0: self.line_x,
                print,
            });
        }
    }

    fn column_byte(&mut self, mut data: ColumnData, byte: u8) {
        if data.print && byte != 0 {
            let stride = self.roll.stride;
            let x = data.x0 + data.column * data.dot_width;
            for bit in 0..8 {
                if byte & (0x80 >> bit) == 0 {
                    continue;
                }
                let top = (data.byte_in_column * 8 + bit) * data.dot_height;
                for y in top..top + data.dot_height {
                    for dx in x..x + data.dot_width {
                        if dx < self.width {
                            self.line_image[y as usize * stride + (dx / 8) as usize] |=
                                0x80 >> (dx % 8);
                        }
                    }
                }
            }
        }
        data.byte_in_column += 1;
        if data.byte_in_column == data.bytes_per_column {
            data.byte_in_column = 0;
            data.column += 1;
        }
        if data.column < data.columns {
            self.parse = Parse::Columns(data);
        } else if data.print {
            self.line_has_image = true;
            self.line_x = data.x0 + data.columns * data.dot_width;
        }
    }

    // --- GS ( L and GS 8 L --------------------------------------------------------------------

    fn start_graphics(&mut self, command: &'static str, length: u64) {
        if length < 2 {
            self.error(PrintError::BadParameter {
                command,
                at: self.command_start,
                parameter: "p (length)",
                value: length,
            });
            self.skip(length);
            return;
        }
        self.parse = Parse::Graphics(GraphicsData {
            command,
            start: self.command_start,
            remaining: length,
            header: [0; 10],
            have: 0,
            store: None,
        });
    }

    fn graphics_byte(&mut self, mut data: GraphicsData, byte: u8) -> u32 {
        data.remaining -= 1;
        let mut moved = 0;
        if let Some(store) = data.store.as_mut() {
            store.data.push(byte);
        } else if data.have < data.header.len() {
            data.header[data.have] = byte;
            data.have += 1;
            let function = data.header[1];
            if data.have == 2 && matches!(function, 2 | 50) {
                // Print the stored graphics: `m fn` and nothing else.
                if data.remaining == 0 {
                    moved = self.print_stored(data.command, data.start);
                } else {
                    self.error(PrintError::BadParameter {
                        command: data.command,
                        at: data.start,
                        parameter: "p (length)",
                        value: data.remaining + 2,
                    });
                    self.skip(data.remaining);
                    return 0;
                }
            } else if data.have == 2 && function != 112 {
                self.error(PrintError::Unsupported {
                    command: "GS ( L / GS 8 L function other than 2, 50, 112",
                    at: data.start,
                });
                self.skip(data.remaining);
                return 0;
            } else if data.have == data.header.len() {
                match self.begin_store(&data) {
                    Some(store) => data.store = Some(store),
                    None => {
                        self.stored = Stored::Refused;
                        self.skip(data.remaining);
                        return 0;
                    }
                }
            }
        }
        if data.remaining > 0 {
            self.parse = Parse::Graphics(data);
        } else if let Some(store) = data.store.take() {
            self.stored = Stored::Image(store);
        } else if data.have < data.header.len() && !matches!(data.header[1], 2 | 50) {
            // The length ran out inside the store's header.
            self.error(PrintError::BadParameter {
                command: data.command,
                at: data.start,
                parameter: "p (length)",
                value: data.have as u64,
            });
        }
        moved
    }

    /// Checks a `fn 112` header (`m fn a bx by c xL xH yL yH`); `None` refuses the store.
    fn begin_store(&mut self, data: &GraphicsData) -> Option<StoredGraphics> {
        let [_, _, tone, bx, by, colour, xl, xh, yl, yh] = data.header;
        let command = data.command;
        let at = data.start;
        let bad = |parameter, value: u8| PrintError::BadParameter {
            command,
            at,
            parameter,
            value: u64::from(value),
        };
        if tone != 48 {
            self.error(bad("a (tone; only 48, monochrome)", tone));
            return None;
        }
        if !matches!(bx, 1 | 2) {
            self.error(bad("bx", bx));
            return None;
        }
        if !matches!(by, 1 | 2) {
            self.error(bad("by", by));
            return None;
        }
        if colour != 49 {
            self.error(bad("c (colour; only 49 on a one-colour head)", colour));
            return None;
        }
        let width = u32::from(xl) | u32::from(xh) << 8;
        let height = u32::from(yl) | u32::from(yh) << 8;
        let expected = u64::from(width.div_ceil(8)) * u64::from(height);
        if data.remaining != expected {
            self.error(PrintError::GraphicsLength {
                command,
                at,
                declared: data.remaining,
                expected,
            });
            return None;
        }
        if expected > MAX_STORED_GRAPHICS_BYTES {
            self.error(PrintError::BadParameter {
                command,
                at,
                parameter: "image size in bytes",
                value: expected,
            });
            return None;
        }
        let width_dots = u64::from(width) * u64::from(bx);
        if width_dots > u64::from(self.width) {
            self.error(PrintError::TooWide {
                command,
                at,
                width_dots,
                paper_dots: self.width,
            });
            return None;
        }
        Some(StoredGraphics {
            width,
            height,
            scale_x: u32::from(bx),
            scale_y: u32::from(by),
            data: Vec::with_capacity(expected as usize),
        })
    }

    fn print_stored(&mut self, command: &'static str, at: u64) -> u32 {
        let image = match &self.stored {
            Stored::Image(image) => image.clone(),
            Stored::Refused => return 0,
            Stored::Nothing => {
                self.error(PrintError::NothingStored { command, at });
                return 0;
            }
        };
        let mut moved = if self.line_text.is_empty() && !self.line_has_image {
            0
        } else {
            self.print_and_feed(self.line_spacing)
        };
        let stride = image.width.div_ceil(8) as usize;
        for row in image
            .data
            .chunks_exact(stride.max(1))
            .take(image.height as usize)
        {
            for _ in 0..image.scale_y {
                self.roll.burn_row(self.roll.print_y, 0, row, image.scale_x);
                moved += self.roll.feed(1);
            }
        }
        moved
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::port::Link;
    use crate::{SimBoard, SimPortControl};
    use atelier_hal::Clock;
    use embedded_io::{Read, Write};

    fn printer(config: ThermalPrinterConfig) -> ThermalPrinter {
        ThermalPrinter::new(config).expect("valid config")
    }

    /// Feeds `bytes` straight into the model in chunks of `chunk`, with time far apart so the
    /// head is always idle (no buffer effects), and lets it finish.
    fn feed_all(printer: &mut ThermalPrinter, bytes: &[u8], chunk: usize) {
        let mut now = Instant::ZERO;
        for piece in bytes.chunks(chunk.max(1)) {
            let mut rest = piece;
            while !rest.is_empty() {
                let taken = printer.receive(now, rest);
                rest = &rest[taken..];
                now += Duration::from_secs(3600);
            }
        }
        printer.print_buffered();
    }

    fn gs_v_0(width_bytes: u16, rows: &[Vec<u8>]) -> Vec<u8> {
        let [xl, xh] = width_bytes.to_le_bytes();
        let [yl, yh] = (rows.len() as u16).to_le_bytes();
        let mut out = vec![GS, b'v', b'0', 0, xl, xh, yl, yh];
        for row in rows {
            out.extend_from_slice(row);
        }
        out
    }

    #[test]
    fn a_config_out_of_range_names_the_field_and_the_range() {
        let error = ThermalPrinter::new(ThermalPrinterConfig {
            width_dots: 380,
            ..ThermalPrinterConfig::default()
        })
        .expect_err("380 is not a multiple of 8");
        assert_eq!(error.field, "width_dots");
        assert!(error.to_string().contains("multiple of 8"), "{error}");
        let error = ThermalPrinterConfig {
            speed_mm_per_s: f64::NAN,
            ..ThermalPrinterConfig::default()
        }
        .validate()
        .expect_err("NaN speed");
        assert_eq!(error.field, "speed_mm_per_s");
    }

    #[test]
    fn gs_v_0_prints_rows_where_the_bytes_say_at_any_chunk_size() {
        let rows: Vec<Vec<u8>> = (0..5u8)
            .map(|y| {
                (0..48u8)
                    .map(|x| x.wrapping_mul(31) ^ y.wrapping_mul(7))
                    .collect()
            })
            .collect();
        let stream = [vec![ESC, b'@'], gs_v_0(48, &rows)].concat();
        let mut reference = None;
        for chunk in [1, 3, 16, 1000] {
            let mut model = printer(ThermalPrinterConfig::default());
            feed_all(&mut model, &stream, chunk);
            let paper = model.paper();
            assert_eq!((paper.width(), paper.height()), (384, 5));
            for (y, row) in rows.iter().enumerate() {
                assert_eq!(
                    paper.row(y as u32),
                    row.as_slice(),
                    "row {y}, chunk {chunk}"
                );
            }
            assert!(model.errors().is_empty(), "{:?}", model.errors());
            match &reference {
                None => reference = Some(paper),
                Some(first) => assert_eq!(first, &paper),
            }
        }
    }

    #[test]
    fn gs_v_0_double_width_and_height_scale_each_dot() {
        // One byte wide, one row: 1000_0001 → dots 0–1 and 14–15 on two rows.
        let stream = [GS, b'v', b'0', 3, 1, 0, 1, 0, 0x81];
        let mut model = printer(ThermalPrinterConfig::default());
        feed_all(&mut model, &stream, 4);
        let paper = model.paper();
        assert_eq!(paper.height(), 2);
        for y in 0..2 {
            let black: Vec<u32> = (0..384).filter(|&x| paper.is_black(x, y)).collect();
            assert_eq!(black, vec![0, 1, 14, 15]);
        }
    }

    #[test]
    fn a_raster_wider_than_the_paper_is_an_error_and_prints_nothing() {
        let rows = vec![vec![0xFF; 49]; 3];
        let stream = [gs_v_0(49, &rows), b"ok\n".to_vec()].concat();
        let mut model = printer(ThermalPrinterConfig::default());
        feed_all(&mut model, &stream, 7);
        assert_eq!(model.paper().black_dots(), 0);
        assert!(matches!(
            model.errors().as_slice(),
            [PrintError::TooWide {
                width_dots: 392,
                paper_dots: 384,
                ..
            }]
        ));
        // The data was skipped by its declared length, so the stream is still in step.
        assert_eq!(model.text()[0].text, "ok");
    }

    #[test]
    fn text_lines_are_logged_and_advance_by_the_line_spacing() {
        let config = ThermalPrinterConfig::default();
        let spacing = config.default_line_spacing_dots();
        let mut model = printer(config);
        let stream = b"\x1b@Hello\nWorld\x1bd\x02\x1b3\x10third\n\x1b2";
        feed_all(&mut model, stream, 2);
        let text = model.text();
        let rows: Vec<(u32, &str)> = text.iter().map(|t| (t.row, t.text.as_str())).collect();
        assert_eq!(
            rows,
            vec![(0, "Hello"), (spacing, "World"), (3 * spacing, "third")]
        );
        assert_eq!(model.paper().height(), 3 * spacing + 16);
    }

    #[test]
    fn a_long_text_line_wraps_at_the_font_a_width() {
        let mut model = printer(ThermalPrinterConfig::default());
        feed_all(&mut model, &[b'x'; 40], 40);
        feed_all(&mut model, b"\n", 1);
        let lengths: Vec<usize> = model.text().iter().map(|t| t.text.len()).collect();
        assert_eq!(lengths, vec![32, 8]);
    }

    #[test]
    fn esc_star_24_dot_double_density_fills_a_band_and_lf_moves_by_the_spacing() {
        // Two columns: the first all black, the second only its top dot.
        let stream = [
            ESC, b'3', 24, ESC, b'*', 33, 2, 0, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0x00, LF, ESC, b'2',
        ];
        let mut model = printer(ThermalPrinterConfig::default());
        feed_all(&mut model, &stream, 5);
        let paper = model.paper();
        assert_eq!(paper.height(), 24);
        assert!((0..24).all(|y| paper.is_black(0, y)));
        assert!(paper.is_black(1, 0));
        assert!(!(1..24).any(|y| paper.is_black(1, y)));
        assert_eq!(paper.black_dots(), 25);
    }

    #[test]
    fn esc_star_8_dot_single_density_prints_dots_two_wide_and_three_tall() {
        let stream = [ESC, b'*', 0, 1, 0, 0x80, LF];
        let mut model = printer(ThermalPrinterConfig::default());
        feed_all(&mut model, &stream, 1);
        let paper = model.paper();
        let black: Vec<(u32, u32)> = (0..3)
            .flat_map(|y| (0..4).map(move |x| (x, y)))
            .filter(|&(x, y)| paper.is_black(x, y))
            .collect();
        assert_eq!(black, vec![(0, 0), (1, 0), (0, 1), (1, 1), (0, 2), (1, 2)]);
    }

    fn gs_paren_l_store(width: u16, height: u16, data: &[u8]) -> Vec<u8> {
        let p = (10 + data.len()) as u16;
        let [pl, ph] = p.to_le_bytes();
        let [xl, xh] = width.to_le_bytes();
        let [yl, yh] = height.to_le_bytes();
        let mut out = vec![
            GS, b'(', b'L', pl, ph, 48, 112, 48, 1, 1, 49, xl, xh, yl, yh,
        ];
        out.extend_from_slice(data);
        out
    }

    #[test]
    fn gs_paren_l_stores_then_prints_and_gs_8_l_does_the_same() {
        let data: Vec<u8> = (0..2 * 3).map(|i| 0x11 * i as u8).collect();
        let print = [GS, b'(', b'L', 2, 0, 48, 50];
        let store = gs_paren_l_store(16, 3, &data);
        let mut model = printer(ThermalPrinterConfig::default());
        feed_all(&mut model, &[store.clone(), print.to_vec()].concat(), 3);
        let paper = model.paper();
        assert_eq!(paper.height(), 3);
        for y in 0..3 {
            assert_eq!(&paper.row(y)[..2], &data[y as usize * 2..][..2]);
        }
        assert!(model.errors().is_empty(), "{:?}", model.errors());

        // GS 8 L: the same body with a four-byte length.
        let mut eight = vec![GS, b'8', b'L'];
        eight.extend_from_slice(&((10 + data.len()) as u32).to_le_bytes());
        eight.extend_from_slice(&store[5..]);
        let mut model = printer(ThermalPrinterConfig::default());
        feed_all(&mut model, &[eight, print.to_vec()].concat(), 2);
        assert_eq!(model.paper(), paper);
    }

    #[test]
    fn a_wrapped_gs_paren_l_length_garbles_instead_of_printing() {
        // python-escpos's bug: p = 69 132 wraps to 3 596. The printer reads 3 596 bytes as the
        // command and the rest as commands and text.
        let data = vec![0xAA; 72 * 960];
        let mut stream = gs_paren_l_store(576, 960, &data);
        let wrapped = ((10 + data.len()) % 65_536) as u16;
        stream[3..5].copy_from_slice(&wrapped.to_le_bytes());
        let mut model = printer(ThermalPrinterConfig {
            width_dots: 576,
            ..ThermalPrinterConfig::default()
        });
        feed_all(&mut model, &stream, 4096);
        assert!(matches!(
            model.errors().first(),
            Some(PrintError::GraphicsLength { .. })
        ));
        assert!(!model.text().is_empty(), "the image data came out as text");
    }

    #[test]
    fn function_a_cuts_at_the_cutter_and_function_b_feeds_to_it_first() {
        let config = ThermalPrinterConfig {
            cutter_distance_dots: 100,
            ..ThermalPrinterConfig::default()
        };
        let rows = vec![vec![0xFF; 48]; 150];
        // Function A right after the image: the cut goes through row 50.
        let mut model = printer(config.clone());
        feed_all(
            &mut model,
            &[gs_v_0(48, &rows), vec![GS, b'V', 1]].concat(),
            9,
        );
        let receipts = model.receipts();
        assert_eq!(model.cut_count(), 1);
        assert_eq!(receipts[0].height(), 50);
        assert_eq!(receipts[1].height(), 100);
        // Function B with n = 8: the whole image and 8 blank rows go with the receipt.
        let mut model = printer(config);
        feed_all(
            &mut model,
            &[gs_v_0(48, &rows), vec![GS, b'V', 66, 8]].concat(),
            9,
        );
        let receipts = model.receipts();
        assert_eq!(receipts[0].height(), 158);
        assert_eq!(receipts[0].black_dots(), 150 * 384);
        assert_eq!(
            receipts.len(),
            2,
            "100 rows of blank paper stay on the roll"
        );
    }

    #[test]
    fn dle_eot_answers_at_once_and_reports_paper_end() {
        let board = SimBoard::new();
        let model = printer(ThermalPrinterConfig::default());
        let control: SimPortControl = board.attach_port("/dev/usb/lp0", model.clone(), Link::USB);
        let mut port = control.open();
        let mut reply = [0u8; 1];
        port.write_all(&[DLE, EOT, 4]).expect("write");
        port.read_exact(&mut reply).expect("status");
        assert_eq!(reply[0], 0x12, "paper present");
        model.set_paper_out(true);
        for (request, expected) in [(1, 0x1A), (2, 0x32), (4, 0x7E)] {
            port.write_all(&[DLE, EOT, request]).expect("write");
            port.read_exact(&mut reply).expect("status");
            assert_eq!(reply[0], expected, "DLE EOT {request}");
        }
    }

    #[test]
    fn with_paper_out_the_head_stops_and_resumes_with_a_new_roll() {
        let mut model = printer(ThermalPrinterConfig::default());
        model.set_paper_out(true);
        let rows = vec![vec![0xFF; 48]; 10];
        model.receive(Instant::ZERO, &gs_v_0(48, &rows));
        model.print_buffered();
        assert_eq!(model.paper().height(), 0);
        assert_eq!(model.buffered_bytes(), 8 + 480);
        model.set_paper_out(false);
        model.print_buffered();
        assert_eq!(model.paper().black_dots(), 10 * 384);
    }

    #[test]
    fn the_buffer_drains_at_the_print_speed() {
        // 203 dpi at 25.4 mm/s is 203 rows a second: 100 rows keep the head busy for 100/203 s.
        let mut model = printer(ThermalPrinterConfig {
            speed_mm_per_s: 25.4,
            buffer_bytes: 8192,
            ..ThermalPrinterConfig::default()
        });
        let rows = vec![vec![0x0F; 48]; 100];
        let stream = gs_v_0(48, &rows);
        assert_eq!(model.receive(Instant::ZERO, &stream), stream.len());
        // The head took the header and the first row, then waits for the paper.
        assert_eq!(model.buffered_bytes(), stream.len() - 8 - 48);
        let done = model.print_buffered();
        let row = Duration::from_nanos((1e9_f64 / 203.0).round() as u64);
        assert_eq!(done.since_start(), row * 100);
    }

    #[test]
    fn with_flow_control_a_full_buffer_refuses_and_says_when_it_has_room() {
        let mut model = printer(ThermalPrinterConfig {
            buffer_bytes: 100,
            ..ThermalPrinterConfig::default()
        });
        let rows = vec![vec![0x01; 48]; 10];
        let stream = gs_v_0(48, &rows);
        // Head takes the header + one row (56 bytes), then 100 fit in the buffer.
        let taken = model.receive(Instant::ZERO, &stream);
        assert_eq!(taken, 156);
        assert_eq!(model.overflowed_bytes(), 0);
        let ready = model.ready_at(Instant::ZERO);
        assert_eq!(ready, Instant::ZERO + model.config().row_time());
        assert_eq!(model.receive(ready, &stream[taken..]), 48);
    }

    #[test]
    fn a_serial_link_without_flow_control_loses_what_does_not_fit() {
        let board = SimBoard::new();
        let config = ThermalPrinterConfig {
            buffer_bytes: 512,
            flow_control: false,
            speed_mm_per_s: 4.0,
            ..ThermalPrinterConfig::default()
        };
        let model = printer(config);
        let control = board.attach_port("/dev/serial0", model.clone(), Link::serial(19_200));
        let rows = vec![vec![0x55; 48]; 300];
        let stream = gs_v_0(48, &rows);
        control.open().write_all(&stream).expect("write");
        model.print_buffered();
        assert!(model.overflowed_bytes() > 0);
        assert_eq!(model.bytes_received(), stream.len() as u64);
        assert!(board.now() > Instant::ZERO);
    }

    #[test]
    fn garbage_never_panics_and_is_counted() {
        use rand::{RngExt, SeedableRng};
        // Bytes biased towards command prefixes, so every parser state is visited.
        let alphabet = [
            ESC, GS, DLE, FS, DC2, LF, 0, b'v', b'0', b'(', b'L', b'8', b'*', b'V',
        ];
        for seed in 0..200u64 {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let length = rng.random_range(1..4000);
            let bytes: Vec<u8> = (0..length)
                .map(|_| {
                    if rng.random_bool(0.5) {
                        alphabet[rng.random_range(0..alphabet.len())]
                    } else {
                        rng.random()
                    }
                })
                .collect();
            let mut model = printer(ThermalPrinterConfig {
                buffer_bytes: 64,
                flow_control: seed % 2 == 0,
                ..ThermalPrinterConfig::default()
            });
            let mut now = Instant::ZERO;
            let mut rest = bytes.as_slice();
            while !rest.is_empty() {
                let chunk = rng.random_range(1..=rest.len().min(97));
                let taken = model.receive(now, &rest[..chunk]);
                rest = &rest[if model.config().flow_control {
                    taken
                } else {
                    chunk
                }..];
                now = model.ready_at(now).max(now + Duration::from_millis(1));
            }
            let mut reply = [0u8; 300];
            model.send(now, &mut reply);
            model.print_buffered();
            let paper = model.paper();
            assert_eq!(paper.width(), 384);
            assert!(paper.black_dots() <= paper.height() as usize * 384);
        }
    }
}
