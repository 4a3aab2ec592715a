//! The art library's metadata, art/art.toml: one `[[art]]` entry per picture.

use std::path::PathBuf;

use atelier_config::{Check, Problem};
use serde::{Deserialize, Serialize};

use crate::library::image_file::{ImageFileError, read_gray};
use crate::raster::GrayImage;

/// art/art.toml.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArtIndex {
    /// The pictures.
    pub art: Vec<ArtEntry>,
}

/// What the composer needs to know about one picture.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArtEntry {
    /// The picture, relative to art.toml.
    pub file: PathBuf,
    /// A human name, for the sidecar and logs.
    #[serde(default)]
    pub title: Option<String>,
    /// The themes it belongs to (at least one).
    pub themes: Vec<String>,
    /// The part that must stay visible when cropped: x0, y0, x1, y1 as fractions of the picture.
    #[serde(default = "ArtEntry::whole_picture")]
    pub focal: [f64; 4],
    /// The smallest panel (width, height in mm on a comic [`PAGE_WIDTH_MM`] wide) where it
    /// still reads.
    ///
    /// [`PAGE_WIDTH_MM`]: super::PAGE_WIDTH_MM
    #[serde(default)]
    pub min_panel_mm: [f64; 2],
    /// Which part to keep when the panel's shape forces a crop.
    #[serde(default)]
    pub anchor: Anchor,
    /// Whether it may be mirrored left to right (not when it has lettering or a handed subject).
    #[serde(default)]
    pub may_flip: bool,
}

impl ArtEntry {
    fn whole_picture() -> [f64; 4] {
        [0.0, 0.0, 1.0, 1.0]
    }
}

impl Check for ArtIndex {
    fn check(&self) -> Result<(), Problem> {
        for (i, entry) in self.art.iter().enumerate() {
            let key = |field: &str| format!("art[{i}].{field}");
            let [x0, y0, x1, y1] = entry.focal;
            let inside = [x0, y0, x1, y1].iter().all(|v| (0.0..=1.0).contains(v));
            if !inside || x0 >= x1 || y0 >= y1 {
                return Err(Problem::new(
                    key("focal"),
                    format!(
                        "{:?} is not an area of the picture; accepted: [x0, y0, x1, y1] with \
                         0 ≤ x0 < x1 ≤ 1 and 0 ≤ y0 < y1 ≤ 1",
                        entry.focal
                    ),
                ));
            }
            if entry
                .min_panel_mm
                .iter()
                .any(|v| !(0.0..=1000.0).contains(v))
            {
                return Err(Problem::new(
                    key("min_panel_mm"),
                    format!(
                        "{:?}: accepted: [width, height] in 0–1000 mm",
                        entry.min_panel_mm
                    ),
                ));
            }
            if entry.themes.is_empty() || entry.themes.iter().any(|t| t.trim().is_empty()) {
                return Err(Problem::new(
                    key("themes"),
                    "give at least one non-empty theme, such as [\"robots\"]",
                ));
            }
            if let Some(first) = self.art[..i].iter().position(|e| e.file == entry.file) {
                return Err(Problem::new(
                    key("file"),
                    format!("{} is already listed as art[{first}]", entry.file.display()),
                ));
            }
        }
        Ok(())
    }
}

/// Which part of a picture to keep when it is cropped to a panel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Anchor {
    /// Keep the middle.
    #[default]
    Center,
    /// Keep the top edge (a figure's head).
    Top,
    /// Keep the bottom edge (the ground).
    Bottom,
    /// Keep the left edge.
    Left,
    /// Keep the right edge.
    Right,
    /// Keep the top-left corner.
    TopLeft,
    /// Keep the top-right corner.
    TopRight,
    /// Keep the bottom-left corner.
    BottomLeft,
    /// Keep the bottom-right corner.
    BottomRight,
}

impl Anchor {
    /// Where the kept window sits along x and y, 0 (left/top) to 1 (right/bottom).
    pub fn position(self) -> (f64, f64) {
        match self {
            Anchor::Center => (0.5, 0.5),
            Anchor::Top => (0.5, 0.0),
            Anchor::Bottom => (0.5, 1.0),
            Anchor::Left => (0.0, 0.5),
            Anchor::Right => (1.0, 0.5),
            Anchor::TopLeft => (0.0, 0.0),
            Anchor::TopRight => (1.0, 0.0),
            Anchor::BottomLeft => (0.0, 1.0),
            Anchor::BottomRight => (1.0, 1.0),
        }
    }

    /// The same anchor seen in a mirror.
    pub fn flipped(self) -> Anchor {
        match self {
            Anchor::Left => Anchor::Right,
            Anchor::Right => Anchor::Left,
            Anchor::TopLeft => Anchor::TopRight,
            Anchor::TopRight => Anchor::TopLeft,
            Anchor::BottomLeft => Anchor::BottomRight,
            Anchor::BottomRight => Anchor::BottomLeft,
            other => other,
        }
    }
}

/// A picture, loaded, with its metadata.
#[derive(Clone, Debug)]
pub struct Art {
    /// Its file relative to the library, as written in art.toml (also its id in sidecars).
    pub id: String,
    /// Its metadata.
    pub entry: ArtEntry,
    /// Its size in pixels.
    pub size: (u32, u32),
    /// Where its pixels are: read when a comic uses it, so the library does not keep every
    /// picture decoded (about 23 MB for the shipped art, on a Pi Zero 2 W's 512 MB).
    pub path: PathBuf,
}

impl Art {
    /// The pixels, read from its file.
    pub fn image(&self) -> Result<GrayImage, ImageFileError> {
        read_gray(&self.path)
    }

    /// Whether it belongs to `theme` (every piece belongs when no theme is asked for).
    pub fn in_theme(&self, theme: Option<&str>) -> bool {
        theme.is_none_or(|t| {
            self.entry
                .themes
                .iter()
                .any(|own| own.eq_ignore_ascii_case(t))
        })
    }
}
