//! The footer line under a comic (number, event, date, seed), drawn into the page.

use embedded_graphics::Pixel;
use embedded_graphics::pixelcolor::{Gray8, GrayColor};
use embedded_graphics::prelude::{DrawTarget, OriginDimensions, Point, Size};
use u8g2_fonts::FontRenderer;
use u8g2_fonts::fonts::u8g2_font_helvB24_tf;
use u8g2_fonts::types::{FontColor, HorizontalAlignment, VerticalPosition};

use crate::library::resize;
use crate::raster::GrayImage;

/// The footer font's size is right at this resolution; other resolutions scale the line.
const FONT_DPI: f64 = 300.0;
/// Paper above and below the text, as a fraction of the text's height.
const MARGIN: f64 = 0.6;

/// An embedded-graphics canvas over a grayscale image.
struct Canvas<'a>(&'a mut GrayImage);

impl OriginDimensions for Canvas<'_> {
    fn size(&self) -> Size {
        Size::new(self.0.width(), self.0.height())
    }
}

impl DrawTarget for Canvas<'_> {
    type Color = Gray8;
    type Error = std::convert::Infallible;

    fn draw_iter<I: IntoIterator<Item = Pixel<Gray8>>>(
        &mut self,
        pixels: I,
    ) -> Result<(), Self::Error> {
        let (width, height) = (self.0.width(), self.0.height());
        let image = self.0.pixels_mut();
        for Pixel(point, color) in pixels {
            if let (Ok(x), Ok(y)) = (u32::try_from(point.x), u32::try_from(point.y))
                && x < width
                && y < height
            {
                image[(y * width + x) as usize] = color.luma();
            }
        }
        Ok(())
    }
}

/// `text` as black ink on white, as tall as the font is at `dpi`, no wider than `max_width`.
fn render_line(text: &str, dpi: u32, max_width: u32) -> GrayImage {
    let font = FontRenderer::new::<u8g2_font_helvB24_tf>();
    let mut strip = GrayImage::filled(2400, 48, 255).expect("a small strip");
    let drawn = font
        .render_aligned(
            text,
            Point::new(1200, 24),
            VerticalPosition::Center,
            HorizontalAlignment::Center,
            FontColor::Transparent(Gray8::BLACK),
            &mut Canvas(&mut strip),
        )
        .expect("drawing into memory cannot fail");
    let Some(bounds) = drawn else {
        return GrayImage::filled(1, 1, 255).expect("one pixel");
    };
    let (x, y) = (
        bounds.top_left.x.max(0) as u32,
        bounds.top_left.y.max(0) as u32,
    );
    let (w, h) = (
        bounds.size.width.clamp(1, 2400 - x),
        bounds.size.height.clamp(1, 48 - y),
    );
    let scale = (f64::from(dpi) / FONT_DPI).min(f64::from(max_width) / f64::from(w));
    let crop = crate::library::crop_resize(&strip, (x, y, w, h), w, h, false);
    let (sw, sh) = (
        (f64::from(w) * scale).round().max(1.0) as u32,
        (f64::from(h) * scale).round().max(1.0) as u32,
    );
    resize(&crop, sw, sh)
}

/// Writes `text` centred in the page's blank band at the bottom, adding paper below when the
/// band is too small. Returns the first row of the footer band (the artwork ends above it).
pub fn add_footer(page: &mut GrayImage, blank_rows: u32, text: &str, dpi: u32) -> u32 {
    let margin_px = (f64::from(page.width()) * 0.04).round() as u32;
    let line = render_line(text, dpi, page.width().saturating_sub(2 * margin_px).max(1));
    let margin = (f64::from(line.height()) * MARGIN).round() as u32;
    let band = line.height() + 2 * margin;
    let band_top = if blank_rows >= band {
        page.height() - blank_rows
    } else {
        let top = page.height();
        *page = page.extended_down(band).expect("a page plus a footer line");
        top
    };
    let top = band_top + (page.height() - band_top - line.height()) / 2;
    let left = (page.width() - line.width().min(page.width())) / 2;
    let width = page.width();
    let pixels = page.pixels_mut();
    for y in 0..line.height() {
        for (x, &ink) in line.row(y).iter().enumerate() {
            let at = ((top + y) * width + left) as usize + x;
            pixels[at] = pixels[at].min(ink);
        }
    }
    band_top
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ink_rows(page: &GrayImage) -> Vec<u32> {
        (0..page.height())
            .filter(|&y| page.row(y).iter().any(|&v| v < 128))
            .collect()
    }

    #[test]
    fn the_footer_goes_in_the_blank_band_when_it_fits() {
        let mut page = GrayImage::filled(1181, 400, 255).expect("page");
        let top = add_footer(
            &mut page,
            200,
            "No. 7 | Open day | 2026-11-25 | seed 42",
            300,
        );
        assert_eq!(page.height(), 400, "no paper added");
        assert_eq!(top, 200);
        let rows = ink_rows(&page);
        assert!(!rows.is_empty(), "text was drawn");
        assert!(rows.iter().all(|&y| y >= 200), "all of it inside the band");
    }

    #[test]
    fn paper_is_added_when_the_band_is_too_small_and_long_text_is_shrunk_to_fit() {
        let mut page = GrayImage::filled(600, 300, 0).expect("all ink");
        let long = "No. 123456 | The very long name of a festival of comics and robots | 2026-11-25 | seed 18446744073709551615";
        let top = add_footer(&mut page, 0, long, 300);
        assert_eq!(top, 300);
        assert!(page.height() > 300);
        let footer = (300..page.height())
            .flat_map(|y| {
                page.row(y)
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| **v < 128)
                    .map(|(x, _)| x as u32)
            })
            .collect::<Vec<_>>();
        let (min, max) = (
            footer.iter().min().copied().unwrap_or(0),
            footer.iter().max().copied().unwrap_or(0),
        );
        assert!(min >= 20 && max <= 580, "text spans {min}..{max} of 600");
    }
}
