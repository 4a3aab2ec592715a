//! The library shipped in assets/comic, as the robot loads it by default (100 mm at 300 dpi).

use std::collections::BTreeSet;
use std::path::Path;

use comic::compose::{Request, feasibility, plan};
use comic::library::{Library, PageSize};

fn shipped() -> Library {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/comic");
    Library::load(
        &root,
        PageSize {
            width_mm: 100.0,
            dpi: 300,
        },
    )
    .expect("the shipped library")
}

#[test]
fn every_grid_and_piece_loads_and_every_theme_fills_every_grid() {
    let library = shipped();
    assert!(library.warnings.is_empty(), "{:?}", library.warnings);
    assert!(library.grids.len() >= 6, "{} grids", library.grids.len());
    assert!(library.art.len() >= 40, "{} pieces", library.art.len());
    let themes = library.themes();
    assert!(themes.len() >= 3, "{themes:?}");
    for theme in std::iter::once(None).chain(themes.iter().map(|t| Some(t.as_str()))) {
        for (grid, verdict) in feasibility(&library, theme) {
            assert!(verdict.is_ok(), "{grid} with {theme:?}: {verdict:?}");
        }
    }
    // The one grid with an override keeps exactly its listed panels.
    let tiers = library
        .grids
        .iter()
        .find(|g| g.name == "three-tiers")
        .expect("three-tiers");
    assert_eq!(tiers.title.as_deref(), Some("Three tiers"));
    assert_eq!(tiers.panels.len(), 3);
    for grid in &library.grids {
        assert!(
            (2..=7).contains(&grid.panels.len()),
            "{}: {}",
            grid.name,
            grid.panels.len()
        );
        assert!(
            grid.blank_rows_at_bottom() > 60,
            "{}: room for the footer",
            grid.name
        );
    }
}

#[test]
fn over_a_thousand_seeds_no_comic_repeats_a_piece_and_all_art_gets_used() {
    let library = shipped();
    let mut used = BTreeSet::new();
    let mut grids = BTreeSet::new();
    for seed in 0..1000 {
        let request = Request {
            seed,
            theme: None,
            number: seed,
            date: "2026-11-25".into(),
            event: "Open day".into(),
        };
        let record = plan(&library, &request).expect("plans");
        let art: BTreeSet<&str> = record.panels.iter().map(|p| p.art.as_str()).collect();
        assert_eq!(
            art.len(),
            record.panels.len(),
            "seed {seed} repeats a piece"
        );
        used.extend(art.into_iter().map(str::to_owned));
        grids.insert(record.grid);
    }
    assert_eq!(grids.len(), library.grids.len(), "every grid gets picked");
    assert_eq!(used.len(), library.art.len(), "every piece gets picked");
}
