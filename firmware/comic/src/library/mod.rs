//! The comic robot's library: empty grids (grids/*.png) and art (art/art.toml and its pictures).
//!
//! A broken file costs only itself: it is skipped with a warning that names it, and the rest of
//! the library works. Only a library left with no usable grid or art, or an art.toml that cannot
//! be read, is refused.

mod art;
mod grid;
mod image_file;
mod resample;

use std::path::{Path, PathBuf};

use atelier_config::ConfigError;

pub use art::{Anchor, Art, ArtEntry, ArtIndex};
pub use grid::{Grid, GridOverride, PanelRect};
pub use image_file::{ImageFileError, read_gray};
pub use resample::{crop_resize, resize};

use crate::panels::NoPanels;

/// The printed size of a comic, which sets the page's pixels and what a millimetre is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PageSize {
    /// Width of the comic on paper, mm.
    pub width_mm: f64,
    /// Resolution of the archived picture.
    pub dpi: u32,
}

impl PageSize {
    /// The page's width in pixels.
    pub fn width_px(&self) -> u32 {
        (self.width_mm / 25.4 * f64::from(self.dpi))
            .round()
            .max(16.0) as u32
    }

    /// Pixels per millimetre.
    pub fn px_per_mm(&self) -> f64 {
        f64::from(self.width_px()) / self.width_mm
    }
}

/// One file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A picture that cannot be read.
    #[error(transparent)]
    Image(#[from] ImageFileError),
    /// A grid without panels.
    #[error(transparent)]
    NoPanels(#[from] NoPanels),
    /// A grid override or art.toml that is not valid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A grid override that does not fit its grid.
    #[error("{path}: key `{key}`: {message}")]
    Override {
        /// The override file.
        path: String,
        /// The key at fault.
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// A library that cannot make any comic.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    /// A folder that should exist does not.
    #[error("cannot list {}: {cause}; a library holds grids/*.png and art/art.toml", path.display())]
    Folder {
        /// The folder.
        path: PathBuf,
        /// Why.
        cause: std::io::Error,
    },
    /// art.toml is missing or invalid.
    #[error(transparent)]
    ArtIndex(ConfigError),
    /// Every grid or every piece of art was unusable.
    #[error("{} has no usable {what}{}", path.display(), skipped_note(*.skipped))]
    Empty {
        /// The folder.
        path: PathBuf,
        /// "grid" or "art".
        what: &'static str,
        /// How many files were skipped (their warnings were logged).
        skipped: usize,
    },
}

fn skipped_note(skipped: usize) -> String {
    match skipped {
        0 => String::new(),
        n => format!(" ({n} skipped, see the warnings above)"),
    }
}

/// Grids and art, loaded and checked.
#[derive(Clone, Debug)]
pub struct Library {
    /// The grids, by file name.
    pub grids: Vec<Grid>,
    /// The art, in art.toml's order.
    pub art: Vec<Art>,
    /// The size the grids were scaled to.
    pub page: PageSize,
    /// The files skipped and why, one sentence each.
    pub warnings: Vec<String>,
}

impl Library {
    /// Loads `root/grids/*.png` and `root/art/art.toml` for comics of `page` size.
    pub fn load(root: &Path, page: PageSize) -> Result<Library, LibraryError> {
        let mut warnings = Vec::new();
        let grids_dir = root.join("grids");
        let mut grid_files = list_pictures(&grids_dir)?;
        grid_files.sort();
        let mut grids = Vec::new();
        for file in &grid_files {
            match Grid::load(file, page.width_px()) {
                Ok(grid) => grids.push(grid),
                Err(error) => warnings.push(format!("grid skipped: {error}")),
            }
        }
        if grids.is_empty() {
            return Err(LibraryError::Empty {
                path: grids_dir,
                what: "grid",
                skipped: grid_files.len(),
            });
        }

        let index_path = root.join("art").join("art.toml");
        let index: ArtIndex =
            atelier_config::load_checked(&index_path).map_err(LibraryError::ArtIndex)?;
        let art_dir = root.join("art");
        let mut art = Vec::new();
        for entry in &index.art {
            let path = art_dir.join(&entry.file);
            // Decoded once to check it, then let go: a comic reads the few it uses.
            match read_gray(&path) {
                Ok(image) => art.push(Art {
                    id: entry.file.to_string_lossy().replace('\\', "/"),
                    entry: entry.clone(),
                    size: (image.width(), image.height()),
                    path,
                }),
                Err(error) => warnings.push(format!("art skipped: {error}")),
            }
        }
        if art.is_empty() {
            return Err(LibraryError::Empty {
                path: index_path,
                what: "art",
                skipped: index.art.len(),
            });
        }
        Ok(Library {
            grids,
            art,
            page,
            warnings,
        })
    }

    /// Every theme some art belongs to, sorted, each once.
    pub fn themes(&self) -> Vec<String> {
        let mut themes: Vec<String> = self
            .art
            .iter()
            .flat_map(|a| a.entry.themes.iter().map(|t| t.to_lowercase()))
            .collect();
        themes.sort();
        themes.dedup();
        themes
    }
}

/// The PNG and JPEG files directly in `dir`.
fn list_pictures(dir: &Path) -> Result<Vec<PathBuf>, LibraryError> {
    let entries = std::fs::read_dir(dir).map_err(|cause| LibraryError::Folder {
        path: dir.to_owned(),
        cause,
    })?;
    Ok(entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| ["png", "jpg", "jpeg"].contains(&e.to_ascii_lowercase().as_str()))
        })
        .collect())
}
