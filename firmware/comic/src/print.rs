//! Getting a comic onto paper: the printer's job for a comic, asking about paper first, and
//! sending the job at a pace the printer can take.

use atelier_hal::Clock;
use embedded_io::{Read, Write};

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

/// What the printer said about its paper.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paper {
    /// Paper loaded.
    Loaded,
    /// Loaded, but the roll is nearly used up.
    NearEnd,
    /// No paper.
    Out,
    /// No answer (a printer or link that cannot talk back, such as many USB-to-TTL adapters).
    Unknown,
}

/// Asks the printer about its roll (DLE EOT 4). A port that cannot be read, or a printer that
/// does not answer within the port's read timeout, gives [`Paper::Unknown`].
pub fn ask_paper<P: Read + Write>(port: &mut P) -> Paper {
    let request = StatusRequest::RollPaper;
    if port
        .write_all(&request.query())
        .and_then(|()| port.flush())
        .is_err()
    {
        return Paper::Unknown;
    }
    let mut reply = [0u8; 1];
    match port.read(&mut reply) {
        Ok(1) => match StatusReply::parse(request, reply[0]) {
            Ok(status) if status.paper_end() => Paper::Out,
            Ok(status) if status.paper_near_end() => Paper::NearEnd,
            Ok(_) => Paper::Loaded,
            Err(error) => {
                tracing::warn!(%error, "printer status");
                Paper::Unknown
            }
        },
        _ => Paper::Unknown,
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
