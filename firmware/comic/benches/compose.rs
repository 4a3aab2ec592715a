//! Composing comics from the shipped library (assets/comic) at the default archive size
//! (100 mm at 300 dpi): the choices alone, and the whole page drawn with its footer.

use std::path::Path;
use std::sync::OnceLock;

use comic::compose::{Request, compose, plan};
use comic::library::{Library, PageSize};

fn library() -> &'static Library {
    static LIBRARY: OnceLock<Library> = OnceLock::new();
    LIBRARY.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/comic");
        Library::load(
            &root,
            PageSize {
                width_mm: 100.0,
                dpi: 300,
            },
        )
        .expect("the shipped library")
    })
}

fn request(seed: u64) -> Request {
    Request {
        seed,
        theme: None,
        number: 1234,
        date: "2026-11-25".into(),
        event: "Atelier open day".into(),
    }
}

/// Grid, art and placements for one comic.
#[divan::bench(args = [1, 2, 3])]
fn choose(seed: u64) {
    divan::black_box(plan(library(), &request(seed)).expect("composes"));
}

/// A whole comic: choices, every panel scaled and masked in, the footer drawn.
#[divan::bench(args = [1, 2, 3, 4, 5, 6])]
fn whole_comic(seed: u64) {
    divan::black_box(compose(library(), &request(seed)).expect("composes"));
}

fn main() {
    library();
    divan::main();
}
