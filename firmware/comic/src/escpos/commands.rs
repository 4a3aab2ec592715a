//! The few non-raster ESC/POS commands a comic needs: init, text, feed, cut, status.
//!
//! # Why not the `escpos` crate for these
//! The issue asks to use the crates.io `escpos` crate where it does well. Version 0.20.1 was tried
//! (`default-features = false, features = ["std"]`, pure Rust, with a capturing custom `Driver`)
//! and produced, for `init / writeln / feeds / partial_cut / real_time_status`:
//!
//! ```text
//! 1B 40 | 43 6F 6D 69 63 20 E2 80 94 … 1B 64 01 | 1B 64 03 | 1D 56 41 01 | 10 04 04 00
//! ```
//!
//! Init and feed are right, but three things are not bytes a printer should get:
//! - `partial_cut()` sends `GS V 65 1`, which is function B *full* cut after a 1-dot feed (a
//!   partial cut is m = 1, 49 or 66);
//! - `real_time_status()` appends a fourth byte: `DLE EOT n` takes one parameter, so the `00` is
//!   a stray NUL after every status query;
//! - text without a page code goes out as UTF-8 (`—` became `E2 80 94`), and with one, characters
//!   missing from the table still fall back to UTF-8, which prints as mojibake.
//!
//! It also buffers every command until `print()` and needs interior mutability in the driver
//! (`Driver::write(&self)`), and its raster support is a single unbanded `GS v 0` of a
//! thresholded image. What was left to take from it is two 2-byte commands, not worth five extra
//! crates; so these are written here, from the Epson ESC/POS reference, next to the banding the
//! crate lacks. Transports (USB, serial) are a separate concern and may still use the crate's
//! drivers.

use crate::profile::Cutter;

pub(crate) const ESC: u8 = 0x1B;
pub(crate) const GS: u8 = 0x1D;
pub(crate) const DLE: u8 = 0x10;
pub(crate) const EOT: u8 = 0x04;
pub(crate) const LF: u8 = 0x0A;

/// `ESC @`: back to power-on settings (line spacing, styles), clearing the print buffer.
pub const INITIALISE: [u8; 2] = [ESC, b'@'];

/// `ESC 3 n`: line spacing of `n` motion units (one dot on the printers we model).
pub fn line_spacing(dots: u8) -> [u8; 3] {
    [ESC, b'3', dots]
}

/// `ESC 2`: the default line spacing (1/6 inch).
pub const DEFAULT_LINE_SPACING: [u8; 2] = [ESC, b'2'];

/// `ESC d n`: print what is buffered and feed `n` lines.
pub fn feed_lines(lines: u8) -> [u8; 3] {
    [ESC, b'd', lines]
}

/// The cut for `cutter`: `GS V 1` (partial) or `GS V 0` (full), function A, which cuts at the
/// current position. The paper must have been fed past the blade first (see
/// [`crate::profile::PrinterProfile::feed_before_cut_mm`]); function B (`GS V 65/66 n`) would feed
/// by itself, but by the printer's idea of the distance, and not every clone implements it.
/// `None` for a printer without a cutter.
pub fn cut(cutter: Cutter) -> Option<[u8; 3]> {
    match cutter {
        Cutter::None => None,
        Cutter::Partial => Some([GS, b'V', 1]),
        Cutter::Full => Some([GS, b'V', 0]),
    }
}

/// Text as bytes every code page prints the same: printable ASCII; anything else becomes `?`.
/// Control characters would be commands, so they are replaced too.
pub(crate) fn printable_ascii(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            _ => b'?',
        })
        .collect()
}

/// What to ask with `DLE EOT n`. The printer answers at once, even while it is stuck, so this is
/// how to find out about paper before sending a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusRequest {
    /// n = 1: online/offline.
    Printer,
    /// n = 2: why it is offline (cover open, paper end, error).
    OfflineCause,
    /// n = 3: error cause (cutter, unrecoverable, auto-recoverable).
    ErrorCause,
    /// n = 4: roll paper sensor (near end, end).
    RollPaper,
}

impl StatusRequest {
    fn n(self) -> u8 {
        match self {
            StatusRequest::Printer => 1,
            StatusRequest::OfflineCause => 2,
            StatusRequest::ErrorCause => 3,
            StatusRequest::RollPaper => 4,
        }
    }

    /// The three bytes of the query.
    pub fn query(self) -> [u8; 3] {
        [DLE, EOT, self.n()]
    }
}

/// A reply that is not a status byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "the printer's reply 0x{byte:02X} to DLE EOT {n} is not a status byte (expected the bit \
     pattern 0xx1xx10)"
)]
pub struct StatusError {
    /// The request's `n`.
    pub n: u8,
    /// What came back.
    pub byte: u8,
}

/// A printer's answer to a [`StatusRequest`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatusReply {
    request: StatusRequest,
    byte: u8,
}

impl StatusReply {
    /// Checks the fixed bits every reply carries (`0xx1xx10`): anything else is not a status
    /// byte (a reply from something else, or line noise).
    pub fn parse(request: StatusRequest, byte: u8) -> Result<StatusReply, StatusError> {
        if byte & 0b1001_0011 != 0b0001_0010 {
            return Err(StatusError {
                n: request.n(),
                byte,
            });
        }
        Ok(StatusReply { request, byte })
    }

    /// The raw byte.
    pub fn byte(self) -> u8 {
        self.byte
    }

    /// Offline (n = 1, bit 3).
    pub fn offline(self) -> bool {
        self.request == StatusRequest::Printer && self.byte & 0x08 != 0
    }

    /// Out of paper: printing stopped for paper end (n = 2, bit 5) or the roll sensor sees no
    /// paper (n = 4, bits 5–6).
    pub fn paper_end(self) -> bool {
        match self.request {
            StatusRequest::OfflineCause => self.byte & 0x20 != 0,
            StatusRequest::RollPaper => self.byte & 0x60 != 0,
            _ => false,
        }
    }

    /// The cover is open (n = 2, bit 2).
    pub fn cover_open(self) -> bool {
        self.request == StatusRequest::OfflineCause && self.byte & 0x04 != 0
    }

    /// The roll is nearly used up (n = 4, bits 2–3).
    pub fn paper_near_end(self) -> bool {
        self.request == StatusRequest::RollPaper && self.byte & 0x0C != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_queries_are_three_bytes() {
        assert_eq!(StatusRequest::RollPaper.query(), [0x10, 0x04, 0x04]);
        assert_eq!(StatusRequest::Printer.query(), [0x10, 0x04, 0x01]);
    }

    #[test]
    fn status_replies_are_checked_and_decoded() {
        let ok = StatusReply::parse(StatusRequest::RollPaper, 0x12).expect("fixed bits");
        assert!(!ok.paper_end() && !ok.paper_near_end());
        let out = StatusReply::parse(StatusRequest::RollPaper, 0x7E).expect("fixed bits");
        assert!(out.paper_end() && out.paper_near_end());
        let offline = StatusReply::parse(StatusRequest::Printer, 0x1A).expect("fixed bits");
        assert!(offline.offline() && !offline.paper_end());
        let error = StatusReply::parse(StatusRequest::Printer, 0x41).expect_err("not a status");
        assert_eq!(
            error.to_string(),
            "the printer's reply 0x41 to DLE EOT 1 is not a status byte (expected the bit \
             pattern 0xx1xx10)"
        );
    }

    #[test]
    fn cuts_are_function_a_and_text_is_plain_ascii() {
        assert_eq!(cut(Cutter::Partial), Some([0x1D, 0x56, 0x01]));
        assert_eq!(cut(Cutter::Full), Some([0x1D, 0x56, 0x00]));
        assert_eq!(cut(Cutter::None), None);
        assert_eq!(
            printable_ascii("Comic #1 — café\n"),
            b"Comic #1 ? caf??".to_vec()
        );
    }
}
