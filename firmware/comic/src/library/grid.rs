//! An empty comic grid: a page drawing, resampled to the comic's width, and its panels.

use std::path::Path;

use atelier_config::{Check, Problem};
use serde::Deserialize;

use crate::panels::{Detection, Panel, find_panels};
use crate::raster::GrayImage;

use super::LoadError;
use super::image_file::read_gray;
use super::resample::resize;

/// A grid, ready to be filled.
#[derive(Clone, Debug)]
pub struct Grid {
    /// Its file name without extension (its id in sidecars).
    pub name: String,
    /// A human name, from the override file if there is one.
    pub title: Option<String>,
    /// The page, at the comic's width in pixels.
    pub page: GrayImage,
    /// Its panels in reading order, in page pixels.
    pub panels: Vec<Panel>,
}

/// NAME.toml beside NAME.png: panels given by hand instead of detected.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridOverride {
    /// A human name.
    #[serde(default)]
    pub title: Option<String>,
    /// The panels, in reading order. Empty: detect them, keep only the title.
    #[serde(default)]
    pub panel: Vec<PanelRect>,
}

/// One `[[panel]]` of an override.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PanelRect {
    /// x, y, width, height in pixels of the grid image as drawn.
    pub rect: [u32; 4],
}

impl GridOverride {
    fn check_against(&self, width: u32, height: u32) -> Result<(), Problem> {
        for (i, panel) in self.panel.iter().enumerate() {
            let [x, y, w, h] = panel.rect;
            if w == 0
                || h == 0
                || u64::from(x) + u64::from(w) > u64::from(width)
                || u64::from(y) + u64::from(h) > u64::from(height)
            {
                return Err(Problem::new(
                    format!("panel[{i}].rect"),
                    format!(
                        "{:?} is not inside the {width} × {height} grid image; accepted: \
                         [x, y, width, height] in its pixels",
                        panel.rect
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl Check for GridOverride {
    fn check(&self) -> Result<(), Problem> {
        Ok(())
    }
}

impl Grid {
    /// Reads the grid at `png`, scales it to `page_width` pixels, and finds its panels (or takes
    /// them from the override beside it).
    pub fn load(png: &Path, page_width: u32) -> Result<Grid, LoadError> {
        let name = png
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let drawn = read_gray(png)?;
        let override_path = png.with_extension("toml");
        let manual = if override_path.exists() {
            let manual: GridOverride = atelier_config::load_checked(&override_path)?;
            manual
                .check_against(drawn.width(), drawn.height())
                .map_err(|problem| LoadError::Override {
                    path: override_path.display().to_string(),
                    key: problem.key,
                    message: problem.message,
                })?;
            Some(manual)
        } else {
            None
        };
        let scale = f64::from(page_width) / f64::from(drawn.width());
        let page_height = (f64::from(drawn.height()) * scale).round().max(1.0) as u32;
        let page = resize(&drawn, page_width, page_height);
        let panels = match &manual {
            Some(manual) if !manual.panel.is_empty() => manual
                .panel
                .iter()
                .map(|p| {
                    let [x, y, w, h] = p.rect.map(|v| (f64::from(v) * scale).round() as u32);
                    let w = w.min(page_width - x.min(page_width - 1)).max(1);
                    let h = h.min(page_height - y.min(page_height - 1)).max(1);
                    Panel::rectangle(x.min(page_width - 1), y.min(page_height - 1), w, h)
                })
                .collect(),
            _ => find_panels(&page, Detection::default(), &png.display().to_string())?,
        };
        Ok(Grid {
            name,
            title: manual.and_then(|m| m.title),
            page,
            panels,
        })
    }

    /// Rows at the bottom of the page without any ink: where the footer can go.
    pub fn blank_rows_at_bottom(&self) -> u32 {
        let height = self.page.height();
        (0..height)
            .rev()
            .position(|y| self.page.row(y).iter().any(|&v| v < 128))
            .map_or(height, |rows| rows as u32)
    }
}
