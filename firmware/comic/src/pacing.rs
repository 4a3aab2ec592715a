//! Sending a job to a printer that cannot say "wait".
//!
//! A TTL serial printer without flow control loses whatever arrives while its buffer is full,
//! and a 19200 Bd line delivers raster faster than a cheap head prints it. The sender therefore
//! has to keep its own model of the printer's buffer and wait before it would overflow. Adafruit's
//! library does this with fixed per-row delays; [`Pacer`] does it from the encoder's own account
//! of where the paper moves ([`crate::escpos::EncodedJob::segments`]).
//!
//! A plain rate-limiting writer wrapper is not enough: a 30-byte text line keeps the head busy as
//! long as 34 raster rows (1.6 KB), so any fixed bytes-per-second rate either overflows on text or
//! crawls through the image.

use std::collections::VecDeque;
use std::time::Duration;

use atelier_hal::{Clock, Instant};
use embedded_io::Write;

use crate::escpos::EncodedJob;
use crate::profile::PrinterProfile;

/// Sends jobs no faster than the printer takes them, sleeping on the run's clock.
#[derive(Debug)]
pub struct Pacer<C> {
    clock: C,
    row_time: Duration,
    baud: Option<u32>,
    budget: usize,
}

/// What a paced send did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacedSend {
    /// When sending began.
    pub started: Instant,
    /// When the last byte was handed to the port.
    pub sent: Instant,
    /// When the model expects the printer to have finished.
    pub expected_done: Instant,
}

/// A paced send that failed.
#[derive(Debug, thiserror::Error)]
pub enum PaceError<E: embedded_io::Error> {
    /// The port reported an error.
    #[error("printer port: {0:?}")]
    Port(E),
    /// The port accepted no bytes (closed, or gone) while bytes remained.
    #[error("printer port accepted no bytes with {remaining} of the job left to send")]
    WriteZero {
        /// Bytes not sent.
        remaining: usize,
    },
}

impl<C: Clock> Pacer<C> {
    /// A pacer for the printer `profile` describes. It keeps at most 3/4 of the printer's
    /// receive buffer in flight: the margin absorbs the printer running a little slower than its
    /// profile says.
    pub fn new(profile: &PrinterProfile, clock: C) -> Pacer<C> {
        Pacer {
            clock,
            row_time: profile.row_time(),
            baud: profile.serial.map(|serial| serial.baud),
            budget: (profile.receive_buffer_bytes as usize * 3 / 4).max(1),
        }
    }

    fn wire_time(&self, bytes: usize) -> Duration {
        match self.baud {
            Some(baud) if baud > 0 => {
                Duration::from_nanos((bytes as u64 * 10 * 1_000_000_000).div_ceil(u64::from(baud)))
            }
            _ => Duration::ZERO,
        }
    }

    /// Sends `job` to `port`, segment by segment, waiting whenever the next segment would not fit
    /// in what the model says is left of the printer's buffer.
    ///
    /// The model: the printer takes a segment's bytes out of its buffer as soon as its head is
    /// free (and they have arrived), then stays busy while the paper moves the segment's rows. A
    /// segment larger than the budget is sent only to an idle printer, which takes it as fast as
    /// it arrives.
    pub fn send<W: Write>(
        &self,
        port: &mut W,
        job: &EncodedJob,
    ) -> Result<PacedSend, PaceError<W::Error>> {
        let started = self.clock.now();
        // Segments in the printer's buffer: when the head takes each, and its size.
        let mut in_buffer: VecDeque<(Instant, usize)> = VecDeque::new();
        let mut buffered = 0;
        let mut head_free = started;
        let mut start = 0;
        for segment in job.segments() {
            let bytes = job.bytes().get(start..segment.end).unwrap_or_default();
            start = segment.end;
            loop {
                let now = self.clock.now();
                while let Some(&(taken, size)) = in_buffer.front() {
                    if taken > now {
                        break;
                    }
                    buffered -= size;
                    in_buffer.pop_front();
                }
                let fits = buffered + bytes.len() <= self.budget;
                let idle = in_buffer.is_empty() && head_free <= now;
                if fits || idle {
                    break;
                }
                let wake = in_buffer.front().map_or(head_free, |&(taken, _)| taken);
                self.clock.sleep_until(wake);
            }
            let sent_at = self.clock.now();
            write_all(port, bytes)?;
            let arrived = self.clock.now().max(sent_at + self.wire_time(bytes.len()));
            let taken = arrived.max(head_free);
            in_buffer.push_back((taken, bytes.len()));
            buffered += bytes.len();
            head_free = taken + self.row_time.saturating_mul(segment.rows);
        }
        port.flush().map_err(PaceError::Port)?;
        Ok(PacedSend {
            started,
            sent: self.clock.now(),
            expected_done: head_free,
        })
    }
}

/// `write_all` without embedded-io's panic on a port that accepts nothing.
fn write_all<W: Write>(port: &mut W, mut bytes: &[u8]) -> Result<(), PaceError<W::Error>> {
    while !bytes.is_empty() {
        match port.write(bytes).map_err(PaceError::Port)? {
            0 => {
                return Err(PaceError::WriteZero {
                    remaining: bytes.len(),
                });
            }
            n => bytes = &bytes[n.min(bytes.len())..],
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::escpos::{Job, encode};
    use crate::raster::{Binarisation, prepare};
    use crate::test_support::{printer_for, test_pattern};
    use crate::timing::PrintTime;
    use atelier_sim::{Link, SimBoard};

    fn serial_job(profile: &PrinterProfile) -> (crate::raster::Bitmap, EncodedJob) {
        let image = test_pattern(profile.width_dots, 600);
        let bitmap = prepare(&image, profile.width_dots, Binarisation::Atkinson).expect("fits");
        let job = Job::new(&bitmap)
            .with_header(["VOMIT COMIC #7"])
            .with_footer(["seed 1234"]);
        let encoded = encode(profile, &job).expect("encodes");
        (bitmap, encoded)
    }

    fn serial_link(profile: &PrinterProfile) -> Link {
        let serial = profile.serial.expect("a serial profile");
        Link {
            flow_control: serial.flow_control,
            ..Link::serial(serial.baud)
        }
    }

    #[test]
    fn writing_flat_out_overflows_a_serial_printer_without_flow_control() {
        let profile = PrinterProfile::builtin_named("csn-a2-ttl").expect("built in");
        let (_, job) = serial_job(&profile);
        let board = SimBoard::new();
        let printer = printer_for(&profile);
        let control = board.attach_port("/dev/serial0", printer.clone(), serial_link(&profile));
        control
            .open()
            .write_all(job.bytes())
            .expect("the wire takes it all");
        printer.print_buffered();
        assert!(printer.overflowed_bytes() > 0);
    }

    #[test]
    fn pacing_prints_everything_within_ten_percent_of_the_physical_bound() {
        let profile = PrinterProfile::builtin_named("csn-a2-ttl").expect("built in");
        let (bitmap, job) = serial_job(&profile);
        let board = SimBoard::new();
        let printer = printer_for(&profile);
        let control = board.attach_port("/dev/serial0", printer.clone(), serial_link(&profile));
        let mut port = control.open();
        let report = Pacer::new(&profile, board.clock())
            .send(&mut port, &job)
            .expect("sends");
        let done = printer.print_buffered();

        assert_eq!(printer.overflowed_bytes(), 0);
        assert!(printer.errors().is_empty(), "{:?}", printer.errors());
        let paper = printer.paper();
        let top = profile.line_height_dots();
        for y in 0..bitmap.height() {
            assert_eq!(paper.row(top + y), bitmap.row(y), "row {y}");
        }

        let estimate = PrintTime::estimate(&profile, &job);
        let bound = estimate.total().as_secs_f64();
        let took = done.since_start().as_secs_f64();
        assert!(
            took >= estimate.link.max(estimate.paper).as_secs_f64(),
            "{took} s"
        );
        assert!(took <= bound * 1.1, "{took} s against a bound of {bound} s");
        // The pacer's own model is a little behind the device (the profile claims a slightly
        // slower head than the simulator's CSN-A2 model), never ahead of it.
        let model = report.expected_done.since_start().as_secs_f64();
        assert!(
            model >= took - 0.05 && model <= took * 1.03,
            "model {model} s, printer {took} s"
        );
    }

    #[test]
    fn pacing_waits_for_a_slow_head_even_on_a_fast_link() {
        // 115200 Bd, 512-byte buffer: the link is 7× faster than the head, pacing must hold back.
        let mut profile = PrinterProfile::builtin_named("csn-a2-ttl").expect("built in");
        profile.serial = Some(crate::profile::SerialLink {
            baud: 115_200,
            flow_control: false,
        });
        let (_, job) = serial_job(&profile);
        let board = SimBoard::new();
        let printer = printer_for(&profile);
        let control = board.attach_port("/dev/serial0", printer.clone(), serial_link(&profile));
        Pacer::new(&profile, board.clock())
            .send(&mut control.open(), &job)
            .expect("sends");
        printer.print_buffered();
        assert_eq!(printer.overflowed_bytes(), 0);
    }

    /// Sends `job` paced by `profile` to the simulator's own model of the CSN-A2 on a link of
    /// `baud`; returns the bytes the printer lost.
    fn lost_on_the_modelled_csn_a2(profile: &PrinterProfile, baud: u32) -> u64 {
        let (_, job) = serial_job(profile);
        let board = SimBoard::new();
        let printer = atelier_sim::ThermalPrinter::new(atelier_sim::ThermalPrinterConfig::csn_a2())
            .expect("the model");
        let control = board.attach_port("/dev/serial0", printer.clone(), Link::serial(baud));
        Pacer::new(profile, board.clock())
            .send(&mut control.open(), &job)
            .expect("sends");
        printer.print_buffered();
        // Lost bytes garble the rest of the picture; without losses nothing may be garbled.
        if printer.overflowed_bytes() == 0 {
            assert!(printer.errors().is_empty(), "{:?}", printer.errors());
        }
        printer.overflowed_bytes()
    }

    #[test]
    fn paced_at_9600_and_19200_baud_the_modelled_printer_never_overflows() {
        for baud in [9_600, 19_200] {
            let mut profile = PrinterProfile::builtin_named("csn-a2-ttl").expect("built in");
            profile.serial = Some(crate::profile::SerialLink {
                baud,
                flow_control: false,
            });
            assert_eq!(lost_on_the_modelled_csn_a2(&profile, baud), 0, "{baud} Bd");
        }
    }

    #[test]
    fn a_profile_that_claims_a_faster_printer_than_the_device_overflows_it() {
        let mut profile = PrinterProfile::builtin_named("csn-a2-ttl").expect("built in");
        profile.name = "optimistic".into();
        profile.print_speed_mm_s *= 4.0;
        assert!(lost_on_the_modelled_csn_a2(&profile, 19_200) > 0);
        let mut profile = PrinterProfile::builtin_named("csn-a2-ttl").expect("built in");
        profile.receive_buffer_bytes *= 8;
        assert!(lost_on_the_modelled_csn_a2(&profile, 19_200) > 0);
    }

    #[test]
    fn a_port_that_takes_nothing_is_an_error_not_a_panic() {
        struct Stuck;
        impl embedded_io::ErrorType for Stuck {
            type Error = embedded_io::ErrorKind;
        }
        impl Write for Stuck {
            fn write(&mut self, _: &[u8]) -> Result<usize, Self::Error> {
                Ok(0)
            }
            fn flush(&mut self) -> Result<(), Self::Error> {
                Ok(())
            }
        }
        let profile = PrinterProfile::builtin_named("generic-58mm-usb").expect("built in");
        let bitmap = crate::raster::Bitmap::new(384, 10).expect("small");
        let job = encode(&profile, &Job::new(&bitmap)).expect("encodes");
        let error = Pacer::new(&profile, SimBoard::new().clock())
            .send(&mut Stuck, &job)
            .expect_err("stuck");
        assert!(matches!(error, PaceError::WriteZero { .. }));
    }
}
