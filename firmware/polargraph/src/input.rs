//! Reading what to draw: raster images (PNG, JPEG) and vector drawings (SVG), within limits.

use std::path::{Path, PathBuf};

use crate::geometry::Point;

/// The largest image accepted, per side. A polargraph draws ~100 px wide pictures; this is 100×
/// that, and still small enough that a decompression bomb cannot exhaust a Pi's memory.
pub const MAX_IMAGE_SIDE: u32 = 10_000;

/// The largest SVG file accepted.
pub const MAX_SVG_BYTES: u64 = 64 * 1024 * 1024;

/// An input that cannot be drawn.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file could not be read.
    #[error("cannot read {}: {detail}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        detail: String,
    },
    /// The file is empty.
    #[error("{} is empty", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The file's type is not one the plotter reads.
    #[error("{} is not a PNG, JPEG or SVG file", path.display())]
    Unsupported {
        /// The file.
        path: PathBuf,
    },
    /// The file is corrupt or truncated.
    #[error("{} is not a valid {kind} file: {detail}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What it claimed to be.
        kind: &'static str,
        /// The decoder's words.
        detail: String,
    },
    /// The file is larger than the limits.
    #[error("{} is too large: {detail}", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Which limit.
        detail: String,
    },
    /// The SVG has nothing a pen can draw.
    #[error("{} has no paths to draw", path.display())]
    NothingToDraw {
        /// The file.
        path: PathBuf,
    },
}

/// A greyscale picture: brightness 0 (black) to 255 (white), row by row.
#[derive(Clone, Debug, PartialEq)]
pub struct Picture {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width × height` brightness values.
    pub pixels: Vec<u8>,
}

impl Picture {
    /// Brightness at pixel (x, y).
    pub fn at(&self, x: u32, y: u32) -> u8 {
        self.pixels[(y as usize) * (self.width as usize) + x as usize]
    }
}

/// What a file holds.
#[derive(Clone, Debug)]
pub enum Drawing {
    /// A raster image, to be turned into strokes by a style.
    Picture(Picture),
    /// Vector paths, as polylines in millimetres (SVG user units at 96 per inch).
    Paths(Vec<Vec<Point>>),
}

/// Reads `path` as an image or an SVG, by its content (not its name).
pub fn load(path: &Path) -> Result<Drawing, InputError> {
    let unreadable = |e: std::io::Error| InputError::Unreadable {
        path: path.to_owned(),
        detail: e.to_string(),
    };
    let size = std::fs::metadata(path).map_err(unreadable)?.len();
    if size == 0 {
        return Err(InputError::Empty {
            path: path.to_owned(),
        });
    }
    let mut head = [0u8; 512];
    let read = {
        use std::io::Read as _;
        let mut file = std::fs::File::open(path).map_err(unreadable)?;
        file.read(&mut head).map_err(unreadable)?
    };
    let head = &head[..read];
    if looks_like_svg(head) {
        if size > MAX_SVG_BYTES {
            return Err(InputError::TooLarge {
                path: path.to_owned(),
                detail: format!("{size} bytes; SVG files up to {MAX_SVG_BYTES} bytes are read"),
            });
        }
        let data = std::fs::read(path).map_err(unreadable)?;
        return load_svg(path, &data).map(Drawing::Paths);
    }
    match image::guess_format(head) {
        Ok(image::ImageFormat::Png | image::ImageFormat::Jpeg) => {
            load_image(path).map(Drawing::Picture)
        }
        _ => Err(InputError::Unsupported {
            path: path.to_owned(),
        }),
    }
}

fn looks_like_svg(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    text.starts_with("<svg")
        || (text.starts_with("<?xml") || text.starts_with("<!")) && text.contains("<svg")
}

fn load_image(path: &Path) -> Result<Picture, InputError> {
    let corrupt = |detail: String| InputError::Corrupt {
        path: path.to_owned(),
        kind: "image",
        detail,
    };
    let mut reader = image::ImageReader::open(path)
        .map_err(|e| InputError::Unreadable {
            path: path.to_owned(),
            detail: e.to_string(),
        })?
        .with_guessed_format()
        .map_err(|e| corrupt(e.to_string()))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => InputError::TooLarge {
            path: path.to_owned(),
            detail: format!(
                "images up to {MAX_IMAGE_SIDE} × {MAX_IMAGE_SIDE} pixels are read; resize it first"
            ),
        },
        other => corrupt(other.to_string()),
    })?;
    // Transparent areas are paper: composite onto white before taking the luma.
    let rgba = image.to_rgba8();
    let (width, height) = rgba.dimensions();
    let pixels = rgba
        .pixels()
        .map(|p| {
            let [r, g, b, a] = p.0.map(f64::from);
            let luma = 0.2126 * r + 0.7152 * g + 0.0722 * b;
            (luma * a / 255.0 + 255.0 * (1.0 - a / 255.0)).round() as u8
        })
        .collect();
    Ok(Picture {
        width,
        height,
        pixels,
    })
}

/// Millimetres per SVG user unit (CSS pixels, 96 per inch).
const MM_PER_PX: f64 = 25.4 / 96.0;

fn load_svg(path: &Path, data: &[u8]) -> Result<Vec<Vec<Point>>, InputError> {
    let tree = usvg::Tree::from_data(data, &usvg::Options::default()).map_err(|e| {
        InputError::Corrupt {
            path: path.to_owned(),
            kind: "SVG",
            detail: e.to_string(),
        }
    })?;
    let mut polylines = Vec::new();
    collect_paths(tree.root(), &mut polylines);
    if polylines.is_empty() {
        return Err(InputError::NothingToDraw {
            path: path.to_owned(),
        });
    }
    Ok(polylines)
}

/// Flattening tolerance for curves, in SVG user units (~0.05 mm).
const FLATTEN_TOLERANCE: f32 = 0.2;

fn collect_paths(group: &usvg::Group, out: &mut Vec<Vec<Point>>) {
    for node in group.children() {
        match node {
            usvg::Node::Group(child) => collect_paths(child, out),
            usvg::Node::Path(path) if path.is_visible() => {
                let transform = path.abs_transform();
                let mut current: Vec<Point> = Vec::new();
                let mut last = usvg::tiny_skia_path::Point::zero();
                let mut start = last;
                let map = |p: usvg::tiny_skia_path::Point| {
                    let mut q = p;
                    transform.map_point(&mut q);
                    Point::new(f64::from(q.x) * MM_PER_PX, f64::from(q.y) * MM_PER_PX)
                };
                for segment in path.data().segments() {
                    use usvg::tiny_skia_path::PathSegment;
                    match segment {
                        PathSegment::MoveTo(p) => {
                            if current.len() > 1 {
                                out.push(std::mem::take(&mut current));
                            }
                            current.clear();
                            current.push(map(p));
                            last = p;
                            start = p;
                        }
                        PathSegment::LineTo(p) => {
                            current.push(map(p));
                            last = p;
                        }
                        PathSegment::QuadTo(c, p) => {
                            flatten(last, &[c], p, |q| current.push(map(q)));
                            last = p;
                        }
                        PathSegment::CubicTo(c1, c2, p) => {
                            flatten(last, &[c1, c2], p, |q| current.push(map(q)));
                            last = p;
                        }
                        PathSegment::Close => {
                            current.push(map(start));
                            last = start;
                        }
                    }
                }
                if current.len() > 1 {
                    out.push(current);
                }
            }
            _ => {}
        }
    }
}

/// Flattens a quadratic or cubic Bézier into points (excluding `from`), enough that no chord
/// strays more than about the tolerance from the curve.
fn flatten(
    from: usvg::tiny_skia_path::Point,
    controls: &[usvg::tiny_skia_path::Point],
    to: usvg::tiny_skia_path::Point,
    mut emit: impl FnMut(usvg::tiny_skia_path::Point),
) {
    let mut hull = vec![from];
    hull.extend_from_slice(controls);
    hull.push(to);
    let polygon: f32 = hull.windows(2).map(|w| w[0].distance(w[1])).sum();
    let chord = from.distance(to);
    // The control polygon bounds the curve; its excess over the chord bounds the deviation.
    let pieces = (((polygon - chord).max(0.0) / FLATTEN_TOLERANCE).sqrt() * 2.0)
        .ceil()
        .clamp(1.0, 1000.0) as usize;
    for i in 1..=pieces {
        let t = i as f32 / pieces as f32;
        let mut points = hull.clone();
        // De Casteljau.
        while points.len() > 1 {
            points = points
                .windows(2)
                .map(|w| {
                    usvg::tiny_skia_path::Point::from_xy(
                        w[0].x + (w[1].x - w[0].x) * t,
                        w[0].y + (w[1].y - w[0].y) * t,
                    )
                })
                .collect();
        }
        emit(points[0]);
    }
}
