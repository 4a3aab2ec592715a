//! Text at projector size.
//!
//! # Why ab_glyph and DejaVu Sans
//! embedded-graphics' mono fonts stop at 10×20 pixels, a speck on a 1280×720 wall. Bitmap font
//! crates (u8g2-fonts) reach larger sizes but draw hard 1-bit edges, which a projector blows up
//! into visible stair steps. `ab_glyph` is pure Rust, rasterises TrueType outlines with
//! anti-aliasing at any size, and is small; DejaVu Sans (Bitstream Vera licence, free to
//! redistribute) ships in Debian and covers Latin, Greek and Cyrillic. The two faces are cut down
//! by `assets/fonts/make_fonts.sh` and embedded, so the lamp needs no font files at run time.
//!
//! Rasterising a glyph costs tens of microseconds at 100 px; a [`Text`] keeps every glyph it drew
//! (per face, size and quarter-pixel offset), so a clock redrawn 30 times a second rasterises its
//! digits once.

use std::collections::HashMap;
use std::sync::LazyLock;

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont, point};
use embedded_graphics::pixelcolor::Rgb888;

use super::Frame;

static REGULAR: &[u8] = include_bytes!("../../../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../../../assets/fonts/DejaVuSans-Bold.ttf");

static FONTS: LazyLock<Option<[FontRef<'static>; 2]>> = LazyLock::new(|| {
    Some([
        FontRef::try_from_slice(REGULAR).ok()?,
        FontRef::try_from_slice(BOLD).ok()?,
    ])
});

/// The face.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Weight {
    /// DejaVu Sans.
    Regular,
    /// DejaVu Sans Bold.
    Bold,
}

/// Where `x` is on the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// `x` is the left end.
    Left,
    /// `x` is the middle.
    Center,
    /// `x` is the right end.
    Right,
}

/// How to draw a run of text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Style {
    /// Height of the em square in pixels (cap height is about 0.73 of it).
    pub size: f32,
    /// The face.
    pub weight: Weight,
    /// The colour.
    pub color: Rgb888,
}

impl Style {
    /// Regular text of `size` px in `color`.
    pub fn new(size: f32, color: Rgb888) -> Style {
        Style {
            size,
            weight: Weight::Regular,
            color,
        }
    }

    /// The same, bold.
    pub fn bold(self) -> Style {
        Style {
            weight: Weight::Bold,
            ..self
        }
    }
}

#[derive(Debug)]
struct Bitmap {
    left: i32,
    top: i32,
    width: usize,
    coverage: Vec<u8>,
}

type GlyphKey = (Weight, GlyphId, u32, u8);

/// Draws and measures text; keeps rasterised glyphs for the next frame.
#[derive(Debug, Default)]
pub struct Text {
    glyphs: HashMap<GlyphKey, Bitmap>,
}

/// Cached glyphs beyond which the cache starts over (a few MB at most).
const CACHE_LIMIT: usize = 4096;

fn font(weight: Weight) -> Option<&'static FontRef<'static>> {
    let fonts = FONTS.as_ref()?;
    Some(match weight {
        Weight::Regular => &fonts[0],
        Weight::Bold => &fonts[1],
    })
}

impl Text {
    /// An empty cache.
    pub fn new() -> Text {
        Text::default()
    }

    /// Width of `text` in pixels.
    pub fn width(&self, text: &str, style: Style) -> f32 {
        let Some(font) = font(style.weight) else {
            return 0.0;
        };
        let scaled = font.as_scaled(PxScale::from(style.size));
        let mut width = 0.0;
        let mut previous = None;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = previous {
                width += scaled.kern(p, id);
            }
            width += scaled.h_advance(id);
            previous = Some(id);
        }
        width
    }

    /// Distance between baselines for `size`.
    pub fn line_height(size: f32) -> f32 {
        font(Weight::Regular).map_or(size * 1.2, |font| {
            let scaled = font.as_scaled(PxScale::from(size));
            scaled.ascent() - scaled.descent() + scaled.line_gap()
        })
    }

    /// Height of capitals above the baseline for `size`.
    pub fn cap_height(size: f32) -> f32 {
        size * 0.73
    }

    /// Draws `text` with its baseline at `baseline`, aligned on `x`; returns its width.
    pub fn draw(
        &mut self,
        frame: &mut Frame,
        text: &str,
        x: f32,
        baseline: f32,
        align: Align,
        style: Style,
    ) -> f32 {
        let Some(font) = font(style.weight) else {
            return 0.0;
        };
        let width = self.width(text, style);
        let mut pen = match align {
            Align::Left => x,
            Align::Center => x - width / 2.0,
            Align::Right => x - width,
        };
        let scale = PxScale::from(style.size);
        let scaled = font.as_scaled(scale);
        let size_key = (style.size * 4.0).round() as u32;
        let mut previous = None;
        if self.glyphs.len() > CACHE_LIMIT {
            self.glyphs.clear();
        }
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = previous {
                pen += scaled.kern(p, id);
            }
            previous = Some(id);
            let whole = pen.floor();
            let quarter = ((pen - whole) * 4.0).round() as u8;
            let (whole, quarter) = if quarter == 4 {
                (whole + 1.0, 0)
            } else {
                (whole, quarter)
            };
            let key = (style.weight, id, size_key, quarter);
            let bitmap = self
                .glyphs
                .entry(key)
                .or_insert_with(|| rasterise(font, id, scale, f32::from(quarter) / 4.0));
            let baseline_y = baseline.round() as i32;
            let origin_x = whole as i32;
            if bitmap.width > 0 {
                for (row, line) in bitmap.coverage.chunks_exact(bitmap.width).enumerate() {
                    let y = baseline_y + bitmap.top + row as i32;
                    for (column, &coverage) in line.iter().enumerate() {
                        frame.blend_pixel(
                            origin_x + bitmap.left + column as i32,
                            y,
                            style.color,
                            coverage,
                        );
                    }
                }
            }
            pen += scaled.h_advance(id);
        }
        width
    }

    /// Breaks `text` into lines no wider than `max_width` at spaces (a word longer than a line is
    /// cut by character). Explicit newlines are kept.
    pub fn wrap(&self, text: &str, style: Style, max_width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, style) <= max_width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // The word alone: cut it if it is still too long.
                for c in word.chars() {
                    let mut longer = line.clone();
                    longer.push(c);
                    if !line.is_empty() && self.width(&longer, style) > max_width {
                        lines.push(std::mem::take(&mut line));
                        line.push(c);
                    } else {
                        line = longer;
                    }
                }
            }
            lines.push(line);
        }
        lines
    }

    /// `text` shortened with an ellipsis to fit `max_width`.
    pub fn ellipsize(&self, text: &str, style: Style, max_width: f32) -> String {
        if self.width(text, style) <= max_width {
            return text.to_owned();
        }
        let mut kept: String = String::new();
        for c in text.chars() {
            let candidate = format!("{kept}{c}…");
            if self.width(&candidate, style) > max_width {
                break;
            }
            kept.push(c);
        }
        format!("{}…", kept.trim_end())
    }
}

fn rasterise(font: &FontRef<'static>, id: GlyphId, scale: PxScale, offset: f32) -> Bitmap {
    let glyph = id.with_scale_and_position(scale, point(offset, 0.0));
    let Some(outline) = font.outline_glyph(glyph) else {
        return Bitmap {
            left: 0,
            top: 0,
            width: 0,
            coverage: Vec::new(),
        };
    };
    let bounds = outline.px_bounds();
    let width = bounds.width() as usize;
    let height = bounds.height() as usize;
    let mut coverage = vec![0u8; width * height];
    outline.draw(|x, y, c| {
        if let Some(cell) = coverage.get_mut(y as usize * width + x as usize) {
            *cell = (c.clamp(0.0, 1.0) * 255.0).round() as u8;
        }
    });
    Bitmap {
        left: bounds.min.x as i32,
        top: bounds.min.y as i32,
        width,
        coverage,
    }
}

#[cfg(test)]
mod tests {
    use embedded_graphics::prelude::*;

    use super::*;

    #[test]
    fn the_embedded_fonts_load_and_draw_anti_aliased_text() {
        assert!(FONTS.is_some());
        let mut text = Text::new();
        let mut frame = Frame::new(200, 80);
        let style = Style::new(48.0, Rgb888::WHITE);
        let width = text.draw(&mut frame, "Hi", 10.0, 60.0, Align::Left, style);
        assert!(width > 40.0 && width < 100.0, "{width}");
        let values: std::collections::BTreeSet<u8> = frame.rgba().chunks(4).map(|p| p[0]).collect();
        assert!(values.contains(&255) && values.contains(&0));
        assert!(values.len() > 10, "edges are anti-aliased: {values:?}");
        // Nothing above the capitals, nothing left of x.
        assert!((0..200).all(|x| frame.pixel(x, 60 - 40).r() == 0));
        assert!((0..80).all(|y| frame.pixel(9, y).r() == 0));
        // Bold is wider.
        assert!(text.width("Hi", style.bold()) > width);
    }

    #[test]
    fn wraps_at_spaces_and_cuts_long_words() {
        let text = Text::new();
        let style = Style::new(20.0, Rgb888::WHITE);
        let max = text
            .width("the quick", style)
            .max(text.width("brown fox", style));
        assert!(text.width("the quick brown", style) > max);
        let lines = text.wrap("the quick brown fox", style, max);
        assert_eq!(lines, ["the quick", "brown fox"]);
        let long = text.wrap("abcdefghij", style, text.width("abcd", style) + 0.5);
        assert_eq!(long, ["abcd", "efgh", "ij"]);
        assert_eq!(text.wrap("a\nb", style, 500.0), ["a", "b"]);
        let short = text.ellipsize("a long title here", style, text.width("a long t…", style));
        assert_eq!(short, "a long t…");
    }
}
