//! The footer line under a comic (number, event, date, seed), drawn into the page.

use ab_glyph::{Font, FontRef, ScaleFont, point};

use crate::raster::GrayImage;

/// DejaVu Sans Bold, the face the lantern draws with too (assets/fonts, with its licence).
static BOLD: &[u8] = include_bytes!("../../../../assets/fonts/DejaVuSans-Bold.ttf");

/// The footer's em height: 3 mm, about an 8.5 pt line on the print.
const EM_MM: f32 = 3.0;
/// Paper above and below the text, as a fraction of the text's height.
const MARGIN: f64 = 0.6;

/// `text` as black ink on white, anti-aliased, 3 mm tall at `dpi`, shrunk to at most
/// `max_width` pixels wide.
fn render_line(text: &str, dpi: u32, max_width: u32) -> GrayImage {
    let font = FontRef::try_from_slice(BOLD).expect("the bundled font parses");
    let mut size = EM_MM / 25.4 * dpi as f32;
    let width_at = |size: f32| {
        let scaled = font.as_scaled(size);
        let mut previous = None;
        let mut width = 0.0;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(previous) = previous {
                width += scaled.kern(previous, id);
            }
            width += scaled.h_advance(id);
            previous = Some(id);
        }
        width
    };
    let natural = width_at(size);
    if natural > max_width as f32 {
        size *= max_width as f32 / natural;
    }
    let scaled = font.as_scaled(size);
    let width = (width_at(size).ceil() as u32).clamp(1, max_width.max(1));
    let height = ((scaled.ascent() - scaled.descent()).ceil() as u32).max(1);
    let mut line = GrayImage::filled(width, height, 255).expect("a line of text");
    let pixels = line.pixels_mut();
    let (mut caret, mut previous) = (0.0f32, None);
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(previous) = previous {
            caret += scaled.kern(previous, id);
        }
        let glyph = id.with_scale_and_position(size, point(caret, scaled.ascent()));
        caret += scaled.h_advance(id);
        previous = Some(id);
        let Some(outline) = font.outline_glyph(glyph) else {
            continue; // a space
        };
        let bounds = outline.px_bounds();
        outline.draw(|x, y, coverage| {
            let (x, y) = (
                bounds.min.x as i64 + i64::from(x),
                bounds.min.y as i64 + i64::from(y),
            );
            if (0..i64::from(width)).contains(&x) && (0..i64::from(height)).contains(&y) {
                let at = (y as u32 * width + x as u32) as usize;
                let ink = 255 - (coverage.clamp(0.0, 1.0) * 255.0).round() as u8;
                pixels[at] = pixels[at].min(ink);
            }
        });
    }
    line
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
