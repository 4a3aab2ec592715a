//! Reading a grid or art PNG (or JPEG) as grayscale on white paper, with decoding bounded.

use std::path::Path;

use image::{ImageReader, Limits};

use crate::raster::GrayImage;

/// No grid or art piece needs more: 10 000 × 10 000 is a 33 in scan at 300 dpi. Decoding is
/// bounded so a hostile or broken file cannot exhaust a Pi's memory.
const MAX_SIDE: u32 = 10_000;
const MAX_DECODE_BYTES: u64 = 512 << 20;

/// Why a picture could not be read, with the file in the message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct ImageFileError {
    /// The file.
    pub path: String,
    /// What went wrong and what is accepted.
    pub reason: String,
}

/// The picture at `path` as grayscale, transparent areas as white paper.
pub fn read_gray(path: &Path) -> Result<GrayImage, ImageFileError> {
    let fail = |reason: String| ImageFileError {
        path: path.display().to_string(),
        reason,
    };
    let mut reader = ImageReader::open(path)
        .map_err(|e| fail(format!("cannot open: {e}")))?
        .with_guessed_format()
        .map_err(|e| fail(format!("cannot read: {e}")))?;
    if reader.format().is_none() {
        return Err(fail("not a PNG or JPEG image".into()));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|e| {
        fail(format!(
            "cannot decode ({e}); accepted: PNG or JPEG up to {MAX_SIDE} × {MAX_SIDE} pixels"
        ))
    })?;
    let gray = decoded.to_luma_alpha8();
    let (width, height) = gray.dimensions();
    let pixels = gray
        .pixels()
        .map(|p| {
            let [value, alpha] = p.0;
            // Over white paper: value·α + 255·(1 − α).
            ((u32::from(value) * u32::from(alpha) + 255 * (255 - u32::from(alpha)) + 127) / 255)
                as u8
        })
        .collect();
    GrayImage::new(width, height, pixels).map_err(|e| fail(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transparent_pixels_are_paper_and_bad_files_are_named() {
        let dir = tempfile::tempdir().expect("temp dir");
        let png = dir.path().join("half.png");
        let mut rgba = image::RgbaImage::new(2, 1);
        rgba.put_pixel(0, 0, image::Rgba([0, 0, 0, 0]));
        rgba.put_pixel(1, 0, image::Rgba([0, 0, 0, 255]));
        rgba.save(&png).expect("write png");
        let gray = read_gray(&png).expect("reads");
        assert_eq!(gray.pixels(), &[255, 0]);

        let junk = dir.path().join("junk.png");
        std::fs::write(&junk, b"\x89PNG\r\n\x1a\nnot really").expect("write");
        let error = read_gray(&junk).expect_err("corrupt").to_string();
        assert!(error.starts_with(&junk.display().to_string()), "{error}");
        assert!(error.contains("cannot decode"), "{error}");

        let text = dir.path().join("notes.png");
        std::fs::write(&text, b"hello").expect("write");
        let error = read_gray(&text).expect_err("not an image").to_string();
        assert!(error.contains("accepted: PNG or JPEG"), "{error}");
    }
}
