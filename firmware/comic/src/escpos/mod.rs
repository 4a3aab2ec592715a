//! A print job as the ESC/POS byte stream for one printer profile.
//!
//! The stream is: `ESC @`, the header lines, the bitmap in bands of the profile's raster command,
//! the footer lines, a feed that carries the print past the cutter or tear bar, and the cut. The
//! encoder also records where in the stream the paper moves and by how much
//! ([`EncodedJob::segments`]), which is what print-time estimates and pacing need: 30 bytes of
//! text move the paper as far as 1.6 KB of raster.

mod bands;
mod commands;

pub use bands::band_rows;
pub use commands::{
    DEFAULT_LINE_SPACING, INITIALISE, StatusError, StatusReply, StatusRequest, cut, feed_lines,
    line_spacing,
};

use crate::profile::{PrinterProfile, ProfileError, RasterCommand};
use crate::raster::Bitmap;

/// What to print.
#[derive(Clone, Debug)]
pub struct Job<'a> {
    /// The comic, already binarised, at most the printer's width (narrower prints left-aligned;
    /// [`crate::raster::fit_to_width`] centres it).
    pub image: &'a Bitmap,
    /// Text lines above the image (title, date). Printable ASCII; anything else prints as `?`.
    /// Lines longer than the paper's Font A columns are wrapped.
    pub header: Vec<String>,
    /// Text lines below the image (number, seed, event).
    pub footer: Vec<String>,
    /// The raster command; `None` takes the profile's preferred one.
    pub raster: Option<RasterCommand>,
}

impl<'a> Job<'a> {
    /// A job printing `image` alone.
    pub fn new(image: &'a Bitmap) -> Job<'a> {
        Job {
            image,
            header: Vec::new(),
            footer: Vec::new(),
            raster: None,
        }
    }

    /// With these header lines.
    pub fn with_header<S: Into<String>>(mut self, lines: impl IntoIterator<Item = S>) -> Self {
        self.header = lines.into_iter().map(Into::into).collect();
        self
    }

    /// With these footer lines.
    pub fn with_footer<S: Into<String>>(mut self, lines: impl IntoIterator<Item = S>) -> Self {
        self.footer = lines.into_iter().map(Into::into).collect();
        self
    }

    /// With this raster command instead of the profile's preferred one.
    pub fn with_raster(mut self, command: RasterCommand) -> Self {
        self.raster = Some(command);
        self
    }
}

/// A stretch of the stream ending where the paper moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Offset just past the segment's last byte.
    pub end: usize,
    /// Dot rows the paper moves once the printer has processed the segment.
    pub rows: u32,
}

/// The byte stream for one job, with what it does to the paper.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedJob {
    bytes: Vec<u8>,
    segments: Vec<Segment>,
    raster: RasterCommand,
    text_rows: u32,
    raster_rows: u32,
    feed_rows: u32,
}

impl EncodedJob {
    /// The bytes to send.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes to send, owned.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// The stream cut where the paper moves, in order; the last one ends at the end of the stream.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The raster command used.
    pub fn raster_command(&self) -> RasterCommand {
        self.raster
    }

    /// Dot rows of paper the text lines take.
    pub fn text_rows(&self) -> u32 {
        self.text_rows
    }

    /// Dot rows of paper the image takes (a multiple of 24 for `ESC *`).
    pub fn raster_rows(&self) -> u32 {
        self.raster_rows
    }

    /// Dot rows fed after the print so it clears the cutter or tear bar.
    pub fn feed_rows(&self) -> u32 {
        self.feed_rows
    }
}

/// A job that cannot be encoded for a profile.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum EncodeError {
    /// The profile itself is invalid.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// The image is wider than the paper; it is never cropped.
    #[error(
        "image is {width} dots wide, printer profile `{profile}` prints {limit}; \
         scale it with raster::fit_to_width"
    )]
    TooWide {
        /// The profile's name.
        profile: String,
        /// The image's width.
        width: u32,
        /// The printer's width.
        limit: u32,
    },
    /// The job asks for a raster command the printer does not have.
    #[error("printer profile `{profile}` has no {command}; it supports {supported}")]
    UnsupportedRaster {
        /// The profile's name.
        profile: String,
        /// The command asked for.
        command: &'static str,
        /// What the profile lists.
        supported: String,
    },
}

/// The stream being built, with its paper-motion marks.
#[derive(Debug, Default)]
pub(crate) struct Stream {
    bytes: Vec<u8>,
    segments: Vec<Segment>,
}

impl Stream {
    fn push(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }

    /// The paper moves `rows` once everything pushed so far is processed.
    fn moved(&mut self, rows: u32) {
        self.segments.push(Segment {
            end: self.bytes.len(),
            rows,
        });
    }

    /// Prints `lines` of text, wrapped to `columns`; returns the rows of paper they take.
    fn text(&mut self, lines: &[String], columns: usize, line_height: u32) -> u32 {
        let mut rows = 0;
        for line in lines {
            let bytes = commands::printable_ascii(line);
            // An empty line still feeds one line; a long one wraps here, so the printer never
            // wraps on its own and the paper accounting stays exact.
            let pieces: Vec<&[u8]> = if bytes.is_empty() {
                vec![&[]]
            } else {
                bytes.chunks(columns.max(1)).collect()
            };
            for piece in pieces {
                self.push(piece);
                self.push(&[commands::LF]);
                self.moved(line_height);
                rows += line_height;
            }
        }
        rows
    }
}

/// Bytes that bring a printer back to a known state after a stream was cut off anywhere: enough
/// zeros to complete the longest raster band the profile allows (zero bytes are white dots in
/// a picture and ignored as text), `ESC @`, then a feed past the cutter and a cut, so that the
/// cut-off part leaves the printer and the next job is never read as picture data.
pub fn resynchronise(profile: &PrinterProfile) -> Vec<u8> {
    let band_bytes = profile.width_dots.div_ceil(8) as usize * profile.max_band_rows as usize;
    // ESC * column images need 3 bytes per dot column; graphics headers add a few more.
    let longest = band_bytes.max(3 * profile.width_dots as usize) + 16;
    let mut bytes = vec![0u8; longest];
    bytes.extend_from_slice(&INITIALISE);
    if let Some(cut) = cut(profile.cutter) {
        let rows = profile.mm_to_rows(profile.feed_before_cut_mm);
        let lines = rows.div_ceil(profile.line_height_dots().max(1)).min(255) as u8;
        bytes.extend_from_slice(&feed_lines(lines));
        bytes.extend_from_slice(&cut);
    }
    bytes
}

/// Encodes `job` for the printer `profile` describes.
pub fn encode(profile: &PrinterProfile, job: &Job<'_>) -> Result<EncodedJob, EncodeError> {
    profile.validate()?;
    let image = job.image;
    if image.width() > profile.width_dots {
        return Err(EncodeError::TooWide {
            profile: profile.name.clone(),
            width: image.width(),
            limit: profile.width_dots,
        });
    }
    let raster = match job.raster {
        Some(command) if !profile.raster_commands.contains(&command) => {
            return Err(EncodeError::UnsupportedRaster {
                profile: profile.name.clone(),
                command: command.name(),
                supported: profile
                    .raster_commands
                    .iter()
                    .map(|c| c.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        Some(command) => command,
        // `validate` guarantees at least one.
        None => profile
            .preferred_raster()
            .unwrap_or(RasterCommand::RasterBitImage),
    };

    let line_height = profile.line_height_dots();
    let columns = profile.text_columns();
    let mut stream = Stream::default();
    stream.push(&INITIALISE);
    let mut text_rows = stream.text(&job.header, columns, line_height);

    let mut raster_rows = 0;
    if image.width() > 0 && image.height() > 0 {
        match raster {
            RasterCommand::RasterBitImage => {
                bands::raster_bit_image(&mut stream, image, profile.max_band_rows);
                raster_rows = image.height();
            }
            RasterCommand::Graphics => {
                bands::graphics(&mut stream, image, profile.max_band_rows);
                raster_rows = image.height();
            }
            RasterCommand::ColumnBitImage => {
                bands::column_bit_image(&mut stream, image);
                raster_rows =
                    image.height().div_ceil(bands::COLUMN_BAND_ROWS) * bands::COLUMN_BAND_ROWS;
            }
        }
    }
    text_rows += stream.text(&job.footer, columns, line_height);

    // Whole lines, rounded up, so the print always clears the blade.
    let feed_lines = profile
        .mm_to_rows(profile.feed_before_cut_mm)
        .div_ceil(line_height)
        .min(u32::from(u8::MAX)) as u8;
    let mut feed_rows = 0;
    if feed_lines > 0 {
        stream.push(&commands::feed_lines(feed_lines));
        feed_rows = u32::from(feed_lines) * line_height;
        stream.moved(feed_rows);
    }
    if let Some(cut) = commands::cut(profile.cutter) {
        stream.push(&cut);
    }
    if stream.segments.last().map(|s| s.end) != Some(stream.bytes.len()) {
        stream.moved(0);
    }
    Ok(EncodedJob {
        bytes: stream.bytes,
        segments: stream.segments,
        raster,
        text_rows,
        raster_rows,
        feed_rows,
    })
}

#[cfg(test)]
mod tests;
