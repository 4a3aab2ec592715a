//! The composer on small libraries written to a temp folder: reproducible, never repeats a piece,
//! falls back instead of looping, and skips broken files by name.

mod common;

use comic::compose::{ComposeError, Request, compose, feasibility, plan};
use comic::library::Library;
use common::{Fixture, PAGE, write_grid};

fn request(seed: u64, theme: Option<&str>) -> Request {
    Request {
        seed,
        theme: theme.map(str::to_owned),
        number: 12,
        date: "2026-11-25".into(),
        event: "Test day".into(),
    }
}

#[test]
fn the_same_seed_gives_the_same_comic_and_another_seed_another() {
    let fixture = Fixture::new(12, 0);
    let library = fixture.library();
    let first = compose(&library, &request(7, None)).expect("composes");
    let again = compose(&library, &request(7, None)).expect("composes");
    assert_eq!(first.page.pixels(), again.page.pixels(), "pixel for pixel");
    assert_eq!(first.record, again.record);
    let differs = (8..20).any(|seed| {
        let other = compose(&library, &request(seed, None)).expect("composes");
        other.record.panels != first.record.panels
    });
    assert!(differs, "some other seed picks other art or another grid");
}

#[test]
fn over_a_thousand_seeds_no_comic_repeats_a_piece_and_every_panel_is_filled() {
    let fixture = Fixture::new(9, 0);
    let library = fixture.library();
    let mut grids_seen = std::collections::BTreeSet::new();
    for seed in 0..1000 {
        // The choices only: drawing 1000 pages would test the resampler, not the picking.
        let record = plan(&library, &request(seed, None)).expect("composes");
        let mut art: Vec<&str> = record.panels.iter().map(|p| p.art.as_str()).collect();
        let count = art.len();
        art.sort_unstable();
        art.dedup();
        assert_eq!(art.len(), count, "seed {seed} repeats a piece: {record:?}");
        let grid = library
            .grids
            .iter()
            .find(|g| g.name == record.grid)
            .expect("its grid");
        assert_eq!(count, grid.panels.len(), "seed {seed}: every panel filled");
        grids_seen.insert(record.grid.clone());
    }
    assert_eq!(grids_seen.len(), 2, "both grids get used");
}

#[test]
fn when_nothing_fits_a_grids_big_panel_the_other_grid_is_used() {
    // Three pieces, the first only for big panels: `four` has four small panels and two pieces
    // for them; `wide` (one big, two small) takes exactly these three.
    let fixture = Fixture::new(3, 1);
    let library = fixture.library();
    let verdicts = feasibility(&library, None);
    let four = verdicts
        .iter()
        .find(|(name, _)| name == "four")
        .expect("four");
    let reason = four.1.clone().expect_err("four panels, two small pieces");
    assert!(reason.contains("grid `four` panel"), "{reason}");
    for seed in 0..50 {
        let record = plan(&library, &request(seed, None)).expect("falls back to `wide`");
        assert_eq!(record.grid, "wide");
    }
}

#[test]
fn a_library_that_cannot_fill_any_grid_is_an_error_not_a_hang() {
    let fixture = Fixture::new(2, 0);
    let library = fixture.library();
    let error = compose(&library, &request(1, None)).expect_err("two pieces, 3+ panels");
    assert!(matches!(error, ComposeError::NothingFits { .. }), "{error}");
    let message = error.to_string();
    assert!(
        message.contains("grid `four`") && message.contains("grid `wide`"),
        "{message}"
    );

    let fixture = Fixture::new(12, 0);
    let library = fixture.library();
    let error = compose(&library, &request(1, Some("zebras"))).expect_err("no such theme");
    assert_eq!(
        error.to_string(),
        "no art has the theme `zebras`; themes in the library: a, b"
    );
}

#[test]
fn a_theme_keeps_to_its_art() {
    let fixture = Fixture::new(14, 0);
    let library = fixture.library();
    for seed in 0..40 {
        let record = plan(&library, &request(seed, Some("b"))).expect("composes");
        for panel in &record.panels {
            let art = library
                .art
                .iter()
                .find(|a| a.id == panel.art)
                .expect("known art");
            assert!(art.entry.themes.contains(&"b".to_string()), "{}", panel.art);
        }
    }
}

#[test]
fn art_stays_inside_its_panel_and_the_frames_stay_black() {
    let fixture = Fixture::new(12, 0);
    let library = fixture.library();
    let comic = compose(&library, &request(3, None)).expect("composes");
    let grid = library
        .grids
        .iter()
        .find(|g| g.name == comic.record.grid)
        .expect("grid");
    for y in 0..comic.artwork_rows {
        for x in 0..comic.page.width() {
            let before = grid.page.get(x, y).expect("inside");
            let after = comic.page.get(x, y).expect("inside");
            let in_panel = grid.panels.iter().any(|p| p.contains(x, y));
            if !in_panel {
                assert_eq!(after, before, "({x}, {y}) outside every panel is untouched");
            }
            assert!(after <= before, "ink is never lightened at ({x}, {y})");
        }
    }
    // Every panel got ink from its art (the discs are black).
    for panel in &grid.panels {
        let dark = (panel.y..panel.y + panel.height)
            .flat_map(|y| (panel.x..panel.x + panel.width).map(move |x| (x, y)))
            .filter(|&(x, y)| panel.contains(x, y) && comic.page.get(x, y) == Some(0))
            .count();
        assert!(dark > 100, "panel {panel:?} has its picture");
    }
    // The footer is below the artwork.
    let footer_ink = (comic.artwork_rows..comic.page.height())
        .any(|y| comic.page.row(y).iter().any(|&v| v < 128));
    assert!(footer_ink, "the footer is drawn");
}

#[test]
fn broken_files_are_skipped_with_their_names_and_the_rest_works() {
    let fixture = Fixture::new(12, 0);
    let root = fixture.root();
    std::fs::write(root.join("art/pics/p03.png"), b"\x89PNG\r\n\x1a\ntruncated").expect("corrupt");
    std::fs::write(root.join("grids/scribble.png"), b"not a png").expect("corrupt grid");
    write_grid(&root.join("grids/open.png"), 400, &[]);
    let library = Library::load(root, PAGE).expect("the rest loads");
    assert_eq!(library.art.len(), 11);
    assert_eq!(library.grids.len(), 2);
    let warnings = library.warnings.join("\n");
    assert!(warnings.contains("p03.png: cannot decode"), "{warnings}");
    assert!(warnings.contains("scribble.png"), "{warnings}");
    assert!(warnings.contains("open.png: no panel found"), "{warnings}");
    compose(&library, &request(5, None)).expect("still composes");
}

#[test]
fn a_library_without_usable_grids_or_with_a_bad_art_index_is_refused_by_name() {
    let fixture = Fixture::new(4, 0);
    let root = fixture.root();
    std::fs::write(
        root.join("art/art.toml"),
        "[[art]]\nfile = \"x.png\"\nthemes = []\n",
    )
    .expect("bad");
    let error = Library::load(root, PAGE)
        .expect_err("no themes")
        .to_string();
    assert!(
        error.contains("art.toml") && error.contains("art[0].themes"),
        "{error}"
    );

    std::fs::remove_file(root.join("grids/four.png")).expect("rm");
    std::fs::remove_file(root.join("grids/wide.png")).expect("rm");
    let error = Library::load(root, PAGE).expect_err("no grids").to_string();
    assert!(
        error.contains("grids") && error.contains("no usable grid"),
        "{error}"
    );
}
