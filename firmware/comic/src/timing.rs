//! How long a print will take, known before it starts.
//!
//! Two things bound it and they overlap: the link delivering the bytes, and the paper moving
//! under the head. Whichever is slower sets the pace; the feed to the cutter comes after both.
//! On TTL serial the link usually wins (a 384×1536 strip is 38 s of 19200 Bd but 4 s of paper at
//! 50 mm/s); on USB the head does.

use std::time::Duration;

use crate::escpos::EncodedJob;
use crate::profile::PrinterProfile;

/// A job's print time, by what bounds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrintTime {
    /// Bytes ÷ link rate (ten bits a byte on serial 8N1); zero for USB and network.
    pub link: Duration,
    /// Text and image paper length ÷ print speed.
    pub paper: Duration,
    /// The feed after the print, to the cutter or tear bar.
    pub feed: Duration,
}

impl PrintTime {
    /// Estimates `job` on the printer `profile` describes.
    pub fn estimate(profile: &PrinterProfile, job: &EncodedJob) -> PrintTime {
        let link = match profile.serial {
            Some(serial) if serial.baud > 0 => {
                let bits = job.bytes().len() as u128 * 10;
                let nanos = (bits * 1_000_000_000).div_ceil(u128::from(serial.baud));
                Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
            }
            _ => Duration::ZERO,
        };
        let row = profile.row_time();
        PrintTime {
            link,
            paper: row.saturating_mul(job.text_rows() + job.raster_rows()),
            feed: row.saturating_mul(job.feed_rows()),
        }
    }

    /// The larger of link and paper time, plus the feed: the soonest the print can be done.
    pub fn total(&self) -> Duration {
        self.link.max(self.paper) + self.feed
    }

    /// Whether the link, not the head, sets the pace.
    pub fn link_bound(&self) -> bool {
        self.link > self.paper
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::escpos::{Job, encode};
    use crate::raster::Bitmap;

    #[test]
    fn a_strip_on_ttl_serial_is_link_bound_and_on_usb_paper_bound() {
        // The reference figures: a 384×1536 strip is 73 728 raster bytes, 38.4 s at 19200 Bd.
        let strip = Bitmap::new(384, 1536).expect("small");
        let mut serial = PrinterProfile::builtin_named("csn-a2-ttl").expect("built in");
        serial.print_speed_mm_s = 50.0;
        let job = encode(&serial, &Job::new(&strip)).expect("encodes");
        let time = PrintTime::estimate(&serial, &job);
        assert!(time.link_bound());
        let expected_link = job.bytes().len() as f64 * 10.0 / 19_200.0;
        assert!((time.link.as_secs_f64() - expected_link).abs() < 1e-6);
        assert!((38.4..38.6).contains(&time.link.as_secs_f64()), "{time:?}");
        // 1536 rows at 8 rows/mm is 192 mm: 3.84 s at 50 mm/s.
        assert!((time.paper.as_secs_f64() - 1536.0 * 25.4 / 203.0 / 50.0).abs() < 1e-3);
        assert_eq!(time.total(), time.link + time.feed);

        let usb = PrinterProfile::builtin_named("generic-58mm-usb").expect("built in");
        let job = encode(&usb, &Job::new(&strip)).expect("encodes");
        let time = PrintTime::estimate(&usb, &job);
        assert_eq!(time.link, Duration::ZERO);
        assert!(!time.link_bound());
        assert_eq!(time.total(), time.paper + time.feed);
        // 12 mm of feed is 96 rows, rounded up to 3 lines of 34.
        assert_eq!(time.feed, usb.row_time() * 102);
    }
}
