//! Getting a comic onto paper: the printer's job for a comic, asking about paper first, and
//! sending the job at a pace the printer can take.

use atelier_hal::Clock;
use embedded_io::{Read, ReadReady, Write};

use crate::compose::ComicRecord;
use crate::escpos::{EncodeError, EncodedJob, Job, StatusReply, StatusRequest, encode};
use crate::pacing::{PaceError, PacedSend, Pacer};
use crate::profile::PrinterProfile;
use crate::raster::{Binarisation, GrayImage, RasterError, prepare};

/// Why a comic could not be turned into a printer job.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The picture could not be rasterised.
    #[error(transparent)]
    Raster(#[from] RasterError),
    /// The job could not be encoded for the profile.
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

/// The footer as the printer prints it, in its own crisp font: a raster footer would be scaled
/// down to an unreadable 1 mm on a 58 mm roll.
pub fn footer_lines(record: &ComicRecord) -> Vec<String> {
    footer_lines_for(record.number, &record.date, &record.event, record.seed)
}

/// [`footer_lines`] from its parts (as an archive sidecar keeps them).
pub fn footer_lines_for(number: u64, date: &str, event: &str, seed: u64) -> Vec<String> {
    vec![
        format!("No. {number}  {date}"),
        event.to_owned(),
        format!("seed {seed}"),
    ]
}

/// The printer's job for `artwork` (the page above its footer): scaled to the head's width
/// (never cropped), binarised by `method`, then `footer` as text.
pub fn job(
    artwork: &GrayImage,
    footer: Vec<String>,
    profile: &PrinterProfile,
    method: Binarisation,
) -> Result<EncodedJob, JobError> {
    let bitmap = prepare(artwork, profile.width_dots, method)?;
    Ok(encode(profile, &Job::new(&bitmap).with_footer(footer))?)
}

/// What the printer said when asked before a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Readiness {
    /// Online with paper.
    Ready,
    /// Online, but the roll is nearly used up.
    PaperNearEnd,
    /// Stopped: no paper.
    PaperOut,
    /// Stopped: the cover is open.
    CoverOpen,
    /// Stopped for another reason (an error, the feed button held).
    Offline,
    /// No answer (a printer or link that cannot talk back, such as many USB-to-TTL adapters).
    Unknown,
}

/// One `DLE EOT n` question; `None` when nothing (or no status byte) comes back within the
/// port's read timeout. Bytes already waiting are thrown away first: a printer also answers the
/// `DLE EOT n` that turn up by chance inside a comic's picture data (about one per comic), and
/// such a stale answer, read as this one's, said "ready" while the roll was out.
fn ask<P: Read + ReadReady + Write>(port: &mut P, request: StatusRequest) -> Option<StatusReply> {
    let mut stale = [0u8; 64];
    // Bounded: a port that always says it has bytes cannot keep us here.
    for _ in 0..64 {
        match port.read_ready() {
            Ok(true) if port.read(&mut stale).is_ok_and(|n| n > 0) => {}
            _ => break,
        }
    }
    port.write_all(&request.query()).ok()?;
    port.flush().ok()?;
    let mut reply = [0u8; 1];
    match port.read(&mut reply) {
        Ok(1) => StatusReply::parse(request, reply[0])
            .inspect_err(|error| tracing::warn!(%error, "printer status"))
            .ok(),
        _ => None,
    }
}

/// Asks the printer whether it can print (DLE EOT 1, then 2 for why it is stopped, or 4 for
/// the roll). Real-time questions: a printer answers them even while stuck.
pub fn ask_readiness<P: Read + ReadReady + Write>(port: &mut P) -> Readiness {
    let Some(printer) = ask(port, StatusRequest::Printer) else {
        return Readiness::Unknown;
    };
    if printer.offline() {
        return match ask(port, StatusRequest::OfflineCause) {
            Some(cause) if cause.paper_end() => Readiness::PaperOut,
            Some(cause) if cause.cover_open() => Readiness::CoverOpen,
            // DLE EOT 2's paper-end bit says printing *stopped* for lack of paper: a roll that
            // ran out between jobs leaves it clear. The roll sensor (DLE EOT 4) still knows.
            _ => match ask(port, StatusRequest::RollPaper) {
                Some(roll) if roll.paper_end() => Readiness::PaperOut,
                _ => Readiness::Offline,
            },
        };
    }
    match ask(port, StatusRequest::RollPaper) {
        Some(roll) if roll.paper_end() => Readiness::PaperOut,
        Some(roll) if roll.paper_near_end() => Readiness::PaperNearEnd,
        _ => Readiness::Ready,
    }
}

/// Sends `job`. On a serial link without flow control it is paced to the printer's speed so
/// its small buffer never overflows; elsewhere the link's own flow control does that.
pub fn send<P: Write, C: Clock>(
    port: &mut P,
    profile: &PrinterProfile,
    job: &EncodedJob,
    clock: C,
) -> Result<PacedSend, PaceError<P::Error>> {
    let needs_pacing = profile.serial.is_some_and(|serial| !serial.flow_control);
    if needs_pacing {
        return Pacer::new(profile, clock).send(port, job);
    }
    let started = clock.now();
    let mut bytes = job.bytes();
    while !bytes.is_empty() {
        match port.write(bytes).map_err(PaceError::Port)? {
            0 => {
                return Err(PaceError::WriteZero {
                    remaining: bytes.len(),
                });
            }
            n => bytes = &bytes[n..],
        }
    }
    port.flush().map_err(PaceError::Port)?;
    let sent = clock.now();
    Ok(PacedSend {
        started,
        sent,
        expected_done: sent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulated::{link_for, printer_for};
    use atelier_sim::SimBoard;

    #[test]
    fn the_simulated_printer_says_when_it_is_ready_and_when_it_has_no_paper() {
        let profile = PrinterProfile::builtin_named("csn-a2-ttl").expect("profile");
        let board = SimBoard::new();
        let printer = printer_for(&profile);
        board.attach_port("/dev/serial0", printer.clone(), link_for(&profile));
        let mut port = board.open_port("/dev/serial0").expect("port");
        assert_eq!(ask_readiness(&mut port), Readiness::Ready);
        printer.set_paper_out(true);
        assert_eq!(ask_readiness(&mut port), Readiness::PaperOut);
        printer.set_paper_out(false);
        assert_eq!(ask_readiness(&mut port), Readiness::Ready);
    }

    /// A printer whose roll ran out between jobs: offline, no cause given by DLE EOT 2, the roll
    /// sensor (DLE EOT 4) reporting the end. Answers each `DLE EOT n` with `replies[n]`.
    struct Idle {
        replies: [u8; 5],
        pending: Vec<u8>,
    }

    impl embedded_io::ErrorType for Idle {
        type Error = std::convert::Infallible;
    }

    impl Write for Idle {
        fn write(&mut self, bytes: &[u8]) -> Result<usize, Self::Error> {
            if let [0x10, 0x04, n] = bytes {
                self.pending.push(self.replies[usize::from(*n)]);
            }
            Ok(bytes.len())
        }

        fn flush(&mut self) -> Result<(), Self::Error> {
            Ok(())
        }
    }

    impl ReadReady for Idle {
        fn read_ready(&mut self) -> Result<bool, Self::Error> {
            Ok(!self.pending.is_empty())
        }
    }

    impl Read for Idle {
        fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
            if self.pending.is_empty() || buf.is_empty() {
                return Ok(0);
            }
            buf[0] = self.pending.remove(0);
            Ok(1)
        }
    }

    #[test]
    fn a_roll_that_ran_out_between_jobs_is_paper_out_not_offline() {
        // Fixed bits 0x12; offline is bit 3 of n = 1; the roll's end is bits 5–6 of n = 4.
        let mut printer = Idle {
            replies: [0, 0x12 | 0x08, 0x12, 0x12, 0x12 | 0x6C],
            pending: Vec::new(),
        };
        assert_eq!(ask_readiness(&mut printer), Readiness::PaperOut);
        let mut stopped = Idle {
            replies: [0, 0x12 | 0x08, 0x12, 0x12, 0x12],
            pending: Vec::new(),
        };
        assert_eq!(ask_readiness(&mut stopped), Readiness::Offline);
    }

    #[test]
    fn a_stale_answer_waiting_on_the_port_is_not_taken_for_the_printer_s() {
        // The printer answered a DLE EOT 1 that happened to be inside the last comic's picture
        // data ("online", 0x12), then the roll ran out.
        let mut printer = Idle {
            replies: [0, 0x12 | 0x08, 0x12 | 0x20, 0x12, 0x12 | 0x6C],
            pending: vec![0x12],
        };
        assert_eq!(ask_readiness(&mut printer), Readiness::PaperOut);
    }

    #[test]
    fn a_printer_that_never_answers_is_unknown_not_a_hang() {
        let profile = PrinterProfile::builtin_named("csn-a2-ttl").expect("profile");
        let board = SimBoard::new();
        board.attach_port(
            "/dev/serial0",
            atelier_sim::ByteCapture::new(),
            link_for(&profile),
        );
        let mut port = board.open_port("/dev/serial0").expect("port");
        assert_eq!(ask_readiness(&mut port), Readiness::Unknown);
    }
}
