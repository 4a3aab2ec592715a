//! `cargo build -p comic` alone gives a program that drives a real Pi: the default features bring
//! the rppal and character-device backends, and opening them here says what is missing instead
//! of "not built".

use atelier_board::{BackendKind, Board, BoardConfig};

#[test]
fn a_default_build_opens_real_boards_and_says_what_is_missing() {
    // Constant per build, and that is the point: a build without the features fails here.
    #[allow(clippy::assertions_on_constants)]
    let with_backends = cfg!(feature = "rpi") && cfg!(feature = "cdev");
    assert!(
        with_backends,
        "comic's default features must include rpi and cdev"
    );
    for (backend, expected) in [
        (BackendKind::Rpi, "this is not a Raspberry Pi"),
        (BackendKind::Cdev, "gpiochip0 does not exist"),
    ] {
        let error = Board::open(&BoardConfig::with_backend(backend))
            .err()
            .unwrap_or_else(|| panic!("{backend} opened on a machine without one"))
            .to_string();
        assert!(error.contains(expected), "{backend}: {error}");
    }
}
