//! One porthole frame at the projector's 1280 × 720: the whole bundled catalog, London on a
//! winter evening, into a frame buffer in memory. 60 fps needs < 16.7 ms per frame on one core.

use std::convert::Infallible;

use divan::Bencher;
use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;
use lantern::catalog::Catalog;
use lantern::porthole::{self, Style, View};
use lantern::sky;

fn main() {
    divan::main();
}

/// A frame buffer over a Vec, with the row fills a real frame buffer would have.
struct Frame {
    width: u32,
    height: u32,
    pixels: Vec<Rgb888>,
}

impl OriginDimensions for Frame {
    fn size(&self) -> Size {
        Size::new(self.width, self.height)
    }
}

impl DrawTarget for Frame {
    type Color = Rgb888;
    type Error = Infallible;

    fn draw_iter<I>(&mut self, pixels: I) -> Result<(), Infallible>
    where
        I: IntoIterator<Item = Pixel<Rgb888>>,
    {
        for Pixel(point, colour) in pixels {
            if point.x >= 0
                && point.y >= 0
                && (point.x as u32) < self.width
                && (point.y as u32) < self.height
            {
                self.pixels[(point.y as u32 * self.width + point.x as u32) as usize] = colour;
            }
        }
        Ok(())
    }

    fn fill_solid(&mut self, area: &Rectangle, colour: Rgb888) -> Result<(), Infallible> {
        let area = area.intersection(&self.bounding_box());
        let Some(bottom_right) = area.bottom_right() else {
            return Ok(());
        };
        for y in area.top_left.y..=bottom_right.y {
            let row = (y as u32 * self.width) as usize;
            self.pixels[row + area.top_left.x as usize..=row + bottom_right.x as usize]
                .fill(colour);
        }
        Ok(())
    }
}

/// The same frame buffer with only `draw_iter`: every fill goes pixel by pixel, as on a target
/// that does not override `fill_solid`.
struct PixelByPixel(Frame);

impl OriginDimensions for PixelByPixel {
    fn size(&self) -> Size {
        self.0.size()
    }
}

impl DrawTarget for PixelByPixel {
    type Color = Rgb888;
    type Error = Infallible;

    fn draw_iter<I>(&mut self, pixels: I) -> Result<(), Infallible>
    where
        I: IntoIterator<Item = Pixel<Rgb888>>,
    {
        self.0.draw_iter(pixels)
    }
}

fn frame() -> Frame {
    Frame {
        width: 1280,
        height: 720,
        pixels: vec![Rgb888::BLACK; 1280 * 720],
    }
}

const LONDON: sky::Observer = sky::Observer {
    latitude_deg: 51.5,
    longitude_deg: -0.1,
};

/// The ceiling: the lamp straight up, 90° across the circle, every star to magnitude 6.
#[divan::bench]
fn ceiling_1280x720(bencher: Bencher<'_, '_>) {
    let catalog = Catalog::bundled();
    let view = porthole::view_from_gravity([0.0, 0.0, -1.0], 0.0, 90.0);
    bench_view(bencher, catalog, view);
}

/// A wall: half ground, the horizon and its letters, a 120° field.
#[divan::bench]
fn wall_1280x720(bencher: Bencher<'_, '_>) {
    let catalog = Catalog::bundled();
    let view = porthole::view_from_gravity([0.0, -1.0, 0.0], 0.0, 120.0);
    bench_view(bencher, catalog, view);
}

/// The ceiling again, on a target without a fast `fill_solid`.
#[divan::bench]
fn ceiling_1280x720_pixel_by_pixel(bencher: Bencher<'_, '_>) {
    let catalog = Catalog::bundled();
    let view = porthole::view_from_gravity([0.0, 0.0, -1.0], 0.0, 90.0);
    let style = style();
    let mut target = PixelByPixel(frame());
    bencher.bench_local(|| {
        porthole::draw(&mut target, catalog, LONDON, moment(), &view, &style).expect("infallible");
        divan::black_box(&target.0.pixels);
    });
}

fn bench_view(bencher: Bencher<'_, '_>, catalog: &'static Catalog, view: View) {
    let style = style();
    let mut target = frame();
    bencher.bench_local(|| {
        porthole::draw(&mut target, catalog, LONDON, moment(), &view, &style).expect("infallible");
        divan::black_box(&target.pixels);
    });
}

fn style() -> Style {
    Style {
        magnitude_limit: 6.0,
        ..Style::default()
    }
}

fn moment() -> f64 {
    sky::unix_seconds(2026, 12, 20, 21, 0, 0.0)
}
