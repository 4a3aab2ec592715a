//! Resampling grayscale pictures, through the `image` crate's filtered resize (a triangle filter
//! widened when shrinking, so fine hatching averages to grey instead of aliasing).

use image::imageops::{self, FilterType};
use image::{ImageBuffer, Luma};

use crate::raster::GrayImage;

/// `source` scaled to exactly `width × height`.
pub fn resize(source: &GrayImage, width: u32, height: u32) -> GrayImage {
    if (source.width(), source.height()) == (width, height) {
        return source.clone();
    }
    let buffer = as_buffer(source);
    let resized = imageops::resize(&buffer, width, height, FilterType::Triangle);
    GrayImage::new(width, height, resized.into_raw()).expect("resize returns width × height")
}

/// The part of `source` at (`x`, `y`, `w`, `h`) scaled to `width × height`, optionally mirrored.
pub fn crop_resize(
    source: &GrayImage,
    (x, y, w, h): (u32, u32, u32, u32),
    width: u32,
    height: u32,
    mirrored: bool,
) -> GrayImage {
    let crop_pixels: Vec<u8> = (y..y + h)
        .flat_map(|row| &source.row(row)[x as usize..(x + w) as usize])
        .copied()
        .collect();
    let crop: ImageBuffer<Luma<u8>, Vec<u8>> =
        ImageBuffer::from_raw(w, h, crop_pixels).expect("w × h pixels were copied");
    let mut resized = imageops::resize(&crop, width, height, FilterType::Triangle);
    if mirrored {
        imageops::flip_horizontal_in_place(&mut resized);
    }
    GrayImage::new(width, height, resized.into_raw()).expect("resize returns width × height")
}

fn as_buffer(source: &GrayImage) -> ImageBuffer<Luma<u8>, &[u8]> {
    ImageBuffer::from_raw(source.width(), source.height(), source.pixels())
        .expect("a GrayImage holds width × height pixels")
}
