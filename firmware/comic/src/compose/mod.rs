//! Composing a comic: a grid, a different piece of art in every panel, a footer. Pure: the same
//! library and request give the same comic, pixel for pixel.
//!
//! - [`matching`]: whether a grid can be filled with the art that fits its panels.
//! - [`placement`]: where a picture goes inside a panel (scale, crop, focal area, anchor).
//! - [`footer`]: the line of text under the comic.

mod footer;
pub mod matching;
pub mod placement;

use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::library::{Grid, Library, crop_resize};
use crate::panels::Panel;
use crate::raster::GrayImage;
use matching::{Candidates, fillable, first_unfillable};
pub use placement::{Placement, Rect, place};

/// What to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// Every random choice comes from this.
    pub seed: u64,
    /// Only art of this theme (any art when `None`).
    pub theme: Option<String>,
    /// The comic's number, printed in the footer.
    pub number: u64,
    /// The date printed in the footer (YYYY-MM-DD).
    pub date: String,
    /// The event printed in the footer.
    pub event: String,
}

/// A finished comic.
#[derive(Clone, Debug)]
pub struct Comic {
    /// The page, footer included.
    pub page: GrayImage,
    /// Rows of `page` above the footer band (what the printer gets as a picture; it prints
    /// the footer as text).
    pub artwork_rows: u32,
    /// The footer's text.
    pub footer: String,
    /// How it was made.
    pub record: ComicRecord,
}

/// What went into a comic: enough to find every piece again (the JSON sidecar).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComicRecord {
    /// The comic's number.
    pub number: u64,
    /// The seed it was made from.
    pub seed: u64,
    /// The theme asked for.
    pub theme: Option<String>,
    /// The footer's date.
    pub date: String,
    /// The footer's event.
    pub event: String,
    /// The grid's name.
    pub grid: String,
    /// One entry per panel, in reading order.
    pub panels: Vec<PanelRecord>,
}

/// One filled panel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PanelRecord {
    /// The panel's box on the page.
    pub panel: Rect,
    /// The art's id (its file in the library).
    pub art: String,
    /// How it was placed.
    pub placement: Placement,
}

/// Why no comic could be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ComposeError {
    /// No art has the theme asked for.
    #[error("no art has the theme `{theme}`; themes in the library: {known}")]
    UnknownTheme {
        /// The theme asked for.
        theme: String,
        /// The themes there are, comma-separated.
        known: String,
    },
    /// A picture the plan chose could not be read (changed or removed since the library was
    /// loaded).
    #[error(transparent)]
    Art(#[from] crate::library::ImageFileError),
    /// Every grid has a panel that the art cannot fill.
    #[error("no grid can be filled with {what}: {reasons}")]
    NothingFits {
        /// "art of theme `sea`" or "the library's art".
        what: String,
        /// Per grid, the panel that cannot be filled, `; `-separated.
        reasons: String,
    },
}

/// Whether `art` may go into `panel` (its minimum panel size, in mm on the page).
fn fits(library: &Library, art: &crate::library::Art, panel: &Panel) -> bool {
    let px_per_mm = library.page.px_per_mm();
    let [min_w, min_h] = art.entry.min_panel_mm;
    f64::from(panel.width) >= min_w * px_per_mm && f64::from(panel.height) >= min_h * px_per_mm
}

fn candidates(library: &Library, grid: &Grid, theme: Option<&str>) -> Candidates {
    grid.panels
        .iter()
        .map(|panel| {
            (0..library.art.len())
                .filter(|&i| {
                    library.art[i].in_theme(theme) && fits(library, &library.art[i], panel)
                })
                .collect()
        })
        .collect()
}

/// For each grid, whether it can be filled with art of `theme`, and if not, why (a sentence).
pub fn feasibility(library: &Library, theme: Option<&str>) -> Vec<(String, Result<(), String>)> {
    library
        .grids
        .iter()
        .map(|grid| {
            let options = candidates(library, grid, theme);
            let verdict = match first_unfillable(&options, &[]) {
                None => Ok(()),
                Some(stuck) => {
                    let panel = &grid.panels[stuck];
                    let mm = library.page.px_per_mm();
                    Err(format!(
                        "grid `{}` panel {} ({:.0} × {:.0} mm) has {} fitting piece(s) left for \
                         its {} panels",
                        grid.name,
                        stuck + 1,
                        f64::from(panel.width) / mm,
                        f64::from(panel.height) / mm,
                        options[stuck].len(),
                        grid.panels.len()
                    ))
                }
            };
            (grid.name.clone(), verdict)
        })
        .collect()
}

/// Makes the comic `request` describes from `library`: [`plan`], then [`render`].
pub fn compose(library: &Library, request: &Request) -> Result<Comic, ComposeError> {
    render(library, plan(library, request)?)
}

/// Every choice of the comic `request` describes (grid, art, placement), without drawing it.
pub fn plan(library: &Library, request: &Request) -> Result<ComicRecord, ComposeError> {
    let theme = request.theme.as_deref();
    if let Some(theme) = theme
        && !library.art.iter().any(|a| a.in_theme(Some(theme)))
    {
        return Err(ComposeError::UnknownTheme {
            theme: theme.to_owned(),
            known: library.themes().join(", "),
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(request.seed);
    let verdicts = feasibility(library, theme);
    let usable: Vec<usize> = (0..library.grids.len())
        .filter(|&i| verdicts[i].1.is_ok())
        .collect();
    if usable.is_empty() {
        return Err(ComposeError::NothingFits {
            what: theme.map_or("the library's art".into(), |t| {
                format!("art of theme `{t}`")
            }),
            reasons: verdicts
                .into_iter()
                .filter_map(|(_, v)| v.err())
                .collect::<Vec<_>>()
                .join("; "),
        });
    }
    let grid = &library.grids[usable[rng.random_range(0..usable.len())]];
    let choices = choose_art(&candidates(library, grid, theme), &mut rng);
    let panels = grid
        .panels
        .iter()
        .zip(&choices)
        .map(|(panel, &art_index)| {
            let art = &library.art[art_index];
            let mirrored = art.entry.may_flip && rng.random_bool(0.5);
            let bounds = Rect {
                x: panel.x,
                y: panel.y,
                width: panel.width,
                height: panel.height,
            };
            PanelRecord {
                panel: bounds,
                art: art.id.clone(),
                placement: place(
                    art.size,
                    art.entry.focal,
                    art.entry.anchor,
                    bounds,
                    mirrored,
                ),
            }
        })
        .collect();
    Ok(ComicRecord {
        number: request.number,
        seed: request.seed,
        theme: request.theme.clone(),
        date: request.date.clone(),
        event: request.event.clone(),
        grid: grid.name.clone(),
        panels,
    })
}

/// Draws the comic `record` describes. The record must come from [`plan`] on the same library.
/// Reads the pictures it uses from their files.
pub fn render(library: &Library, record: ComicRecord) -> Result<Comic, ComposeError> {
    let grid = library
        .grids
        .iter()
        .find(|g| g.name == record.grid)
        .expect("a plan names one of its library's grids");
    let mut page = grid.page.clone();
    for (panel, filled) in grid.panels.iter().zip(&record.panels) {
        let art = library
            .art
            .iter()
            .find(|a| a.id == filled.art)
            .expect("a plan names its library's art");
        draw_into_panel(&mut page, panel, &art.image()?, &filled.placement);
    }
    let footer = format!(
        "No. {} | {} | {} | seed {}",
        record.number, record.event, record.date, record.seed
    );
    let blank = grid.blank_rows_at_bottom();
    let artwork_rows = footer::add_footer(&mut page, blank, &footer, library.page.dpi);
    Ok(Comic {
        page,
        artwork_rows,
        footer,
        record,
    })
}

/// One piece per panel, all different, chosen at random among those that keep the rest fillable.
fn choose_art(options: &Candidates, rng: &mut ChaCha8Rng) -> Vec<usize> {
    // The most constrained panels first, so the random picks rarely need the fallback scan.
    let mut order: Vec<usize> = (0..options.len()).collect();
    order.sort_by_key(|&p| options[p].len());
    let mut chosen = vec![usize::MAX; options.len()];
    let mut taken = Vec::with_capacity(options.len());
    for (step, &panel) in order.iter().enumerate() {
        let mut shuffled = options[panel].clone();
        shuffled.shuffle(rng);
        let rest: Vec<Vec<usize>> = order[step + 1..]
            .iter()
            .map(|&p| options[p].clone())
            .collect();
        let mut pick = None;
        for piece in shuffled {
            if taken.contains(&piece) {
                continue;
            }
            taken.push(piece);
            if fillable(&rest, &taken) {
                pick = Some(piece);
                break;
            }
            taken.pop();
        }
        let pick = pick.expect("the grid was checked fillable, so some piece keeps it so");
        chosen[panel] = pick;
    }
    chosen
}

/// Multiplies the placed art into the page inside the panel's own shape: the grid's ink stays
/// on top and nothing spills past a slanted or round frame.
fn draw_into_panel(page: &mut GrayImage, panel: &Panel, art: &GrayImage, placement: &Placement) {
    let (s, t) = (placement.source, placement.target);
    let scaled = crop_resize(
        art,
        (s.x, s.y, s.width, s.height),
        t.width,
        t.height,
        placement.mirrored,
    );
    let width = page.width();
    let pixels = page.pixels_mut();
    for dy in 0..t.height {
        let y = t.y + dy;
        let row = scaled.row(dy);
        for (dx, &value) in row.iter().enumerate() {
            let x = t.x + dx as u32;
            if panel.contains(x, y) {
                let at = (y * width + x) as usize;
                pixels[at] = ((u32::from(pixels[at]) * u32::from(value) + 127) / 255) as u8;
            }
        }
    }
}
